/**
 * The reduced population flow at L = ∞ (Variant B; technical note §4.2–4.3, [R]).
 *
 * From a symmetric start the flow keeps W in the invariant subspace
 *   W_P = a ŵŵᵀ + b Π⊥,   W_Q = p Π_ζ⊥ + q ζ̂ζ̂ᵀ (clusters)  or  p ẑẑᵀ + q ζ̂ζ̂ᵀ (rays),
 * (rotations fixing ŵ, resp. ζ̂ or span{ẑ, ζ̂}, and ζ ↦ −ζ leave the data law invariant).
 * The state holds the coordinates of W in an orthonormal basis of that subspace,
 *   (a, β, π, q[, u]) with β = √(d−1)·b and π = √(d−1)·p (clusters) or π = p (rays),
 * so that ‖W‖²_F = a² + β² + π² + q² and the reduced flow is the plain gradient flow −∇L of the
 * reduced loss: it is the full flow restricted to the subspace.
 *
 * Inner (in-context) averages in closed form (kernels.ts): the P sub-model gives
 * f_P = u·½κ(1 − q0)·a·y_q·μ_q with μ_q = ŵ·x̃_qᴾ (b has no effect at L = ∞), the Q sub-model
 * u(1 − p0)·g(W_Q x̃_qᑫ). Outer (query) expectations by Gauss quadrature of order n per dimension:
 * - μ_q = m_q = γ0 + σ_P|g| ('off', half-range Hermite in g) or m_q/√(m_q² + σ_P²ρ) ('blocks',
 *   × generalised Laguerre in ρ ~ χ²_{d−1});
 * - clusters: ‖Π_ζ⊥x_q‖ ~ σ_Q·χ_{d−1} (the χ rule, n nodes) and e = ζ̂·x_q ~ N(0 or r, σ_Q²)
 *   (2n + 1 nodes: Gauss–Hermite, or a sinh-mapped trapezoidal rule where the kernel has a
 *   near-kink at e = 0, see clusterNodes);
 * - rays 'off': α_q ~ U[0, 1] (Legendre); rays 'blocks': the three unit points, exact.
 * The y = −1 Q law is symmetric under ζ ↦ −ζ, so one side (+ζ) is integrated.
 *
 * Accuracies are quadratures of indicator functions: their error is of order 1/n, not spectral.
 */
import { clusterKernel, kappa, type ClusterKernel } from './kernels.js';
import { chiRule, chiSquareRule, halfNormalRule, normalRule, tensor, uniformRule, type Rule } from './quadrature.js';
import type { GongConfig } from './config.js';
import { directions, type Directions } from './data.js';
import { logistic, logisticDeriv, MetricsAccumulator, type Mask, type Metrics } from './metrics.js';
import { heaviside } from '../../expr/special.js';

const relu = (x: number): number => (x > 0 ? x : 0);

/** Largest number of e-nodes per ρ-node, in units of 2n + 1 (the sinh-mapped rule grows with log(|q|/c)). */
const MAX_E_FACTOR = 4;

/** Query nodes of the Q part for one label: (x1, x2, w) = (e, ρ, w) for clusters, (ẑ·x̃, ζ̂·x̃, w) for rays. */
interface QNodes { x1: Float64Array; x2: Float64Array; w: Float64Array; n: number }

export class ReducedModel {
  readonly c: GongConfig;
  readonly dir: Directions;
  readonly dim: number;
  private readonly sq: number; // √(d − 1)
  private readonly muP: Float64Array;
  private readonly wP: Float64Array;
  private readonly kP: number; // ½κ(1 − q0)
  private readonly qNodes: [QNodes, QNodes]; // y = +1, y = −1
  private readonly rayPts: [number, number, number][] | null; // rays: (P_k·ẑ, P_k·ζ̂, weight_k)
  private readonly fQ: Float64Array;
  private readonly fQabs: Float64Array; // Σ|terms| of fQ (tie scale)
  private readonly dQp: Float64Array;
  private readonly dQq: Float64Array;
  private readonly kc: ClusterKernel = { g: 0, dMu: 0, dS: 0 };
  private readonly rhoRule: Rule | null = null;
  private readonly eRule: Rule | null = null;
  private readonly eCount: number = 0;
  private readonly eLegendre: Rule | null = null;
  private readonly acc = new MetricsAccumulator();

  constructor(c: GongConfig, order = c.quad) {
    this.c = c;
    this.dir = directions(c);
    this.dim = 4 + (c.trainU ? 1 : 0);
    this.sq = Math.sqrt(c.d - 1);
    const g = halfNormalRule(order);
    if (c.normalize === 'blocks') {
      const t = tensor(g, chiSquareRule(order, c.d - 1));
      this.muP = t.x1.map((gi, k) => {
        const m = c.gamma0 + c.sigmaP * gi;
        return m / Math.sqrt(m * m + c.sigmaP * c.sigmaP * t.x2[k]);
      });
      this.wP = t.w;
    } else {
      this.muP = g.x.map((gi) => c.gamma0 + c.sigmaP * gi);
      this.wP = g.w;
    }
    this.kP = 0.5 * (1 - c.q0) * kappa(c, order);
    const r = c.zeta;
    if (c.qlaw === 'clusters') {
      // state-dependent nodes, rebuilt in clusterNodes(); allocated here
      this.rhoRule = chiRule(order, c.d - 1); // ‖Π_ζ⊥ξ‖ ~ χ_{d−1}: the kernel is smooth in it, not in its square
      this.eCount = 2 * order + 1;
      this.eRule = normalRule(this.eCount);
      this.eLegendre = uniformRule(this.eCount);
      const size = this.rhoRule.x.length * MAX_E_FACTOR * this.eCount;
      const make = (): QNodes => ({ x1: new Float64Array(size), x2: new Float64Array(size), w: new Float64Array(size), n: 0 });
      this.qNodes = [make(), make()];
      this.rayPts = null;
    } else {
      const blocks = c.normalize === 'blocks';
      const s1 = blocks ? 1 / Math.sqrt(1 + r * r) : 1;
      const ea = blocks ? 1 : 0.5;
      this.rayPts = [[1, 0, 0.5 * ea], [s1, r * s1, -0.25 * ea], [s1, -r * s1, -0.25 * ea]];
      if (blocks) {
        this.qNodes = [
          { x1: Float64Array.of(1), x2: Float64Array.of(0), w: Float64Array.of(1), n: 1 },
          { x1: Float64Array.of(s1), x2: Float64Array.of(r * s1), w: Float64Array.of(1), n: 1 },
        ];
      } else {
        const a = uniformRule(order);
        this.qNodes = [
          { x1: Float64Array.from(a.x), x2: new Float64Array(a.x.length), w: a.w, n: a.x.length },
          { x1: Float64Array.from(a.x), x2: a.x.map((al) => al * r), w: a.w, n: a.x.length },
        ];
      }
    }
    const nq = Math.max(this.qNodes[0].w.length, this.qNodes[1].w.length); // buffer sizes
    this.fQ = new Float64Array(nq);
    this.fQabs = new Float64Array(nq);
    this.dQp = new Float64Array(nq);
    this.dQq = new Float64Array(nq);
  }

  /** (a, b, p, q, u) of a reduced state. */
  coords(y: Float64Array): { a: number; b: number; p: number; q: number; u: number } {
    const p = this.c.qlaw === 'clusters' ? y[2] / this.sq : y[2];
    return { a: y[0], b: y[1] / this.sq, p, q: y[3], u: this.c.trainU ? y[4] : this.c.u0 };
  }

  /** The symmetric start W_P = ωI, W_Q = ωI (clusters) or ω(ẑẑᵀ + ζ̂ζ̂ᵀ) (rays). */
  symmetricState(omega: number): Float64Array {
    const y = new Float64Array(this.dim);
    y[0] = omega;
    y[1] = omega * this.sq;
    y[2] = this.c.qlaw === 'clusters' ? omega * this.sq : omega;
    y[3] = omega;
    if (this.c.trainU) y[4] = this.c.u0;
    return y;
  }

  /** The full matrices W_P, W_Q (row-major d × d) of a reduced state. */
  blocks(y: Float64Array): { WP: Float64Array; WQ: Float64Array; u: number } {
    const d = this.c.d;
    const { a, b, p, q, u } = this.coords(y);
    const { w, zeta, z } = this.dir;
    const WP = new Float64Array(d * d);
    const WQ = new Float64Array(d * d);
    const clusters = this.c.qlaw === 'clusters';
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        const id = i === j ? 1 : 0;
        WP[i * d + j] = a * w[i] * w[j] + b * (id - w[i] * w[j]);
        WQ[i * d + j] = clusters ? p * (id - zeta[i] * zeta[j]) + q * zeta[i] * zeta[j] : p * z[i] * z[j] + q * zeta[i] * zeta[j];
      }
    }
    return { WP, WQ, u };
  }

  /**
   * Query nodes (e, ρ_Q, w) of the clusters law for one label at the current (p, q).
   *
   * The kernel depends on e through μ = r q e and s = σ_Q√(p²ρ + q²e²): R is homogeneous of
   * degree 1 in (μ, s), so when p√ρ ≪ |q|·(spread of e) the integrand has a near-kink at e = 0
   * (branch points at e = ±i p√ρ/q) and Gauss–Hermite in e converges only algebraically. There
   * the e-integral uses the sinh map e = (c/|q|)·sinh τ, c = |p|√ρ, which makes √(c² + q²e²) =
   * c·cosh τ analytic in the strip |Im τ| < π/2, with the trapezoidal rule on e ∈ shift ± 12σ_Q
   * (2n + 1 points; error ~ exp(−π²/h)). Otherwise: Gauss–Hermite with 2n + 1 nodes.
   */
  private clusterNodes(li: number, p: number, q: number): void {
    const c = this.c;
    const nodes = this.qNodes[li];
    const shift = li === 0 ? 0 : c.zeta;
    const sig = c.sigmaQ;
    const rr = this.rhoRule!;
    const er = this.eRule!;
    const leg = this.eLegendre!;
    const M = this.eCount;
    const aq = Math.abs(q);
    const lo = shift - 12 * sig;
    const hi = shift + 12 * sig;
    const gauss = (e: number): number => Math.exp(-0.5 * ((e - shift) / sig) ** 2) / (sig * Math.sqrt(2 * Math.PI));
    let k = 0;
    const push = (e: number, rho: number, w: number): void => {
      nodes.x1[k] = e;
      nodes.x2[k] = rho;
      nodes.w[k] = w;
      k++;
    };
    for (let j = 0; j < rr.x.length; j++) {
      const rho = sig * sig * rr.x[j] * rr.x[j];
      const wj = rr.w[j];
      const cc = Math.abs(p) * Math.sqrt(rho);
      if (sig === 0 || aq * Math.max(Math.abs(lo), Math.abs(hi)) <= 4 * cc) {
        for (let i = 0; i < M; i++) push(shift + sig * er.x[i], rho, wj * er.w[i]); // smooth: Gauss–Hermite
      } else if (cc === 0 || cc < 1e-12 * aq * sig) {
        // √(q²e²) = |q||e|: an exact kink at e = 0; Gauss–Legendre on each side of it
        for (const [a, b] of [[lo, 0], [0, hi]]) {
          if (b <= a) continue;
          for (let i = 0; i < M; i++) {
            const e = a + (b - a) * leg.x[i];
            push(e, rho, wj * leg.w[i] * (b - a) * gauss(e));
          }
        }
      } else {
        // near-kink: e = (c/|q|)·sinh τ, trapezoidal in τ with step ≤ 8/n (so that doubling n halves it)
        const scale = cc / aq;
        const ta = Math.asinh(lo / scale);
        const tb = Math.asinh(hi / scale);
        const count = Math.min(MAX_E_FACTOR * M, Math.max(M, Math.ceil(((tb - ta) * (M - 1)) / 16) + 1));
        const h = (tb - ta) / (count - 1);
        for (let i = 0; i < count; i++) {
          const tau = ta + i * h;
          const e = scale * Math.sinh(tau);
          const trap = i === 0 || i === count - 1 ? 0.5 : 1;
          push(e, rho, wj * trap * h * scale * Math.cosh(tau) * gauss(e));
        }
      }
    }
    nodes.n = k;
  }

  /** g(W_Q x̃) (per Q-bearing item, u = 1, times 1 − p0) at the nodes of one label, with ∂/∂p and ∂/∂q. */
  private qValues(nodes: QNodes, p: number, q: number, grad: boolean): void {
    const c = this.c;
    const f = 1 - c.p0;
    const r = c.zeta;
    for (let k = 0; k < nodes.n; k++) {
      if (this.rayPts) {
        const v1 = p * nodes.x1[k]; // W_Q x̃ in (ẑ, ζ̂) coordinates
        const v2 = q * nodes.x2[k];
        let val = 0;
        let abs = 0;
        let dp = 0;
        let dq = 0;
        for (const [P1, P2, wt] of this.rayPts) {
          const s = P1 * v1 + P2 * v2;
          val += wt * relu(s);
          abs += Math.abs(wt) * relu(s);
          if (grad) {
            const h = wt * heaviside(s);
            dp += h * P1 * nodes.x1[k];
            dq += h * P2 * nodes.x2[k];
          }
        }
        this.fQ[k] = f * val;
        this.fQabs[k] = f * abs;
        this.dQp[k] = f * dp;
        this.dQq[k] = f * dq;
      } else {
        const e = nodes.x1[k];
        const rho = nodes.x2[k];
        const nv = Math.sqrt(p * p * rho + q * q * e * e); // ‖W_Q x‖
        clusterKernel(r * q * e, c.sigmaQ * nv, this.kc);
        this.fQ[k] = f * this.kc.g;
        this.fQabs[k] = f * (c.sigmaQ * nv + 0.5 * r * Math.abs(q * e));
        if (grad) {
          const ds = nv > 0 ? (c.sigmaQ * this.kc.dS) / nv : 0; // ∂g/∂s · σ_Q/‖v‖
          this.dQp[k] = f * ds * p * rho;
          this.dQq[k] = f * (this.kc.dMu * r * e + ds * q * e * e);
        }
      }
    }
  }

  /** Reduced loss (with weight decay) and its gradient in the state coordinates. */
  lossGrad(y: Float64Array, grad: Float64Array | null): number {
    const c = this.c;
    const { a, p, q, u } = this.coords(y);
    const pb = 1 - c.p0 - c.q0;
    let loss = 0;
    let ga = 0;
    let gp = 0;
    let gq = 0;
    let gu = 0;
    const nP = this.muP.length;
    for (let li = 0; li < 2; li++) {
      const label = li === 0 ? 1 : -1;
      if (this.rhoRule) this.clusterNodes(li, p, q);
      const nodes = this.qNodes[li];
      const nQ = nodes.n;
      this.qValues(nodes, p, q, grad !== null);
      for (let j = 0; j < nP; j++) {
        const fp = this.kP * a * this.muP[j]; // y·f_P / u
        const wj = 0.5 * this.wP[j];
        // both: M = u(fp + y fQ_k)
        if (pb > 0) {
          for (let k = 0; k < nQ; k++) {
            const F = fp + label * this.fQ[k];
            const M = u * F;
            const w = pb * wj * nodes.w[k];
            loss += w * logistic(M);
            if (grad) {
              const e = w * logisticDeriv(M);
              ga += e * u * this.kP * this.muP[j];
              gp += e * u * label * this.dQp[k];
              gq += e * u * label * this.dQq[k];
              gu += e * F;
            }
          }
        }
        if (c.p0 > 0) { // P-only
          const M = u * fp;
          const w = c.p0 * wj;
          loss += w * logistic(M);
          if (grad) {
            const e = w * logisticDeriv(M);
            ga += e * u * this.kP * this.muP[j];
            gu += e * fp;
          }
        }
      }
      if (c.q0 > 0) { // Q-only
        for (let k = 0; k < nQ; k++) {
          const F = label * this.fQ[k];
          const M = u * F;
          const w = c.q0 * 0.5 * nodes.w[k];
          loss += w * logistic(M);
          if (grad) {
            const e = w * logisticDeriv(M);
            gp += e * u * label * this.dQp[k];
            gq += e * u * label * this.dQq[k];
            gu += e * F;
          }
        }
      }
    }
    let decay = 0;
    for (let i = 0; i < 4; i++) decay += y[i] * y[i];
    loss += 0.5 * c.lambda * decay;
    if (grad) {
      const sp = c.qlaw === 'clusters' ? this.sq : 1; // ∂p/∂π = 1/sp
      grad[0] = ga + c.lambda * y[0];
      grad[1] = c.lambda * y[1]; // b has no effect at L = ∞
      grad[2] = gp / sp + c.lambda * y[2];
      grad[3] = gq + c.lambda * y[3];
      if (c.trainU) grad[4] = gu;
    }
    return loss;
  }

  /** Loss and accuracy (split by label) under a mask, by quadrature. */
  metrics(y: Float64Array, mask: Mask, out: Metrics): void {
    const c = this.c;
    const { a, p, q, u } = this.coords(y);
    const useP = mask !== 'Q';
    const useQ = mask !== 'P';
    const pb = 1 - c.p0 - c.q0;
    const typeP = mask === 'Q' ? 0 : c.p0; // P-only queries are evaluated unless P is masked
    const typeQ = mask === 'P' ? 0 : c.q0;
    this.acc.reset();
    for (let li = 0; li < 2; li++) {
      const label = li === 0 ? 1 : -1;
      if (this.rhoRule) this.clusterNodes(li, p, q);
      const nodes = this.qNodes[li];
      this.qValues(nodes, p, q, false);
      const nQ = nodes.n;
      for (let j = 0; j < this.muP.length; j++) {
        const fp = useP ? this.kP * a * this.muP[j] : 0;
        for (let k = 0; k < nQ; k++) {
          const F = fp + (useQ ? label * this.fQ[k] : 0);
          this.acc.add(u * F, label, pb * this.wP[j] * nodes.w[k], Math.abs(u) * (Math.abs(fp) + (useQ ? this.fQabs[k] : 0)));
        }
        if (typeP > 0) this.acc.add(u * fp, label, typeP * this.wP[j], Math.abs(u * fp));
      }
      if (typeQ > 0) for (let k = 0; k < nQ; k++) this.acc.add(u * label * this.fQ[k], label, typeQ * nodes.w[k], Math.abs(u) * this.fQabs[k]);
    }
    this.acc.write(out);
  }
}
