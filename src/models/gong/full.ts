/**
 * The full-matrix model: W_P, W_Q (d × d, the blocks of W = blockdiag(W_P, W_Q)) and optionally
 * the readout u, with the population loss estimated on one fixed sample (common random numbers),
 * so the vector field is a deterministic function of the state.
 *
 * Prediction (technical note §1.3, [R]): ŷ = u · c_L Σ_i y_i σ(s_i) with
 * - Variant A: s_i = x_iᴾ·W_P x_qᴾ + x_iᑫ·W_Q x_qᑫ, one ReLU;
 * - Variant B: σ(x_iᴾ·W_P x_qᴾ) + σ(x_iᑫ·W_Q x_qᑫ), two parallel sub-models;
 * c_L = 1/L, 1/(L+1) or 1 (finite context), or the L = ∞ average E_i (kernels.ts) on a sample of
 * queries (infinite context). Loss: mean logistic loss ℓ(y_q ŷ) + λ/2(‖W_P‖²_F + ‖W_Q‖²_F).
 *
 * The sample is antithetic (data.ts: every prompt with its mirror image under the symmetries of
 * the data law), so a symmetric W is not pushed off the reduced flow's invariant subspace by
 * sampling noise (for Variant B with rays exactly).
 *
 * Where the sample enters a ReLU (finite context; Variant B rays) the estimated loss has kinks,
 * one per sample and score, each moving the vector field by O(1/N); the flow is integrated
 * through them with an error-controlled method at moderate tolerance (see the check
 * 'kinks-tolerance'). Convention relu′(0) = heaviside(0) = 0.
 */
import { heaviside } from '../../expr/special.js';
import type { GongConfig } from './config.js';
import { averageA, clusterKernel, kappa, rayPoints, type AverageA, type ClusterKernel } from './kernels.js';
import { directions, drawTokens, TYPE_P, TYPE_Q, type Directions, type Tokens } from './data.js';
import { halfNormalRule, type Rule } from './quadrature.js';
import { logistic, logisticDeriv, MetricsAccumulator, type Mask, type Metrics } from './metrics.js';
import { checkAllocation, FLOAT64 } from '../../util/limits.js';

const relu = (x: number): number => (x > 0 ? x : 0);

/**
 * Order of the half-normal rule for Variant A's in-context average (capped by `quad`): the
 * integrand is smooth in m_i; order 12 agrees with order 96 to about 1e-14 over the states
 * tested (test/models/gong.test.ts), far below the sampling error of the query sample.
 */
export const INNER_ORDER_A = 12;

/** Offsets of the blocks in the full state [W_P (d²), W_Q (d²), u?]. */
export function fullLayout(c: GongConfig): { wp: number; wq: number; u: number; dim: number } {
  const dd = c.d * c.d;
  return { wp: 0, wq: dd, u: c.trainU ? 2 * dd : -1, dim: 2 * dd + (c.trainU ? 1 : 0) };
}

/**
 * Bytes of a full-matrix evaluator: its fixed sample (N prompts of L + 1 tokens, or N queries at
 * L = ∞; 2d coordinates, a label and a type per token) and the per-query workspace (F, its parts,
 * W_P x, W_Q x and the derivative statistics), checked before the sample is drawn.
 */
export function fullModelBytes(c: GongConfig): number {
  const tokens = c.N * (c.infinite ? 1 : c.L + 1);
  return tokens * (2 * c.d * FLOAT64 + 2) + c.N * ((8 + 2 * c.d) * FLOAT64 + 1);
}

export class FullModel {
  readonly c: GongConfig;
  readonly dir: Directions;
  readonly tokens: Tokens;
  readonly dim: number;
  /** Number of queries (= prompts). */
  readonly nQ: number;
  private readonly d: number;
  private readonly stride: number; // tokens per prompt
  private readonly kappaP: number; // ½κ(1 − q0): the P sub-model's coefficient at L = ∞ (Variant B)
  private readonly rays: { points: Float64Array[]; weights: number[] } | null;
  private readonly hn: Rule | null;
  // forward storage
  private readonly F: Float64Array; // prediction with u = 1
  private readonly FP: Float64Array; // its P and Q parts when they add (Variant B)
  private readonly FQ: Float64Array;
  private readonly Fabs: Float64Array; // Σ|terms| of F, the scale of its rounding (ties)
  private readonly inc: Uint8Array; // query evaluated under the current mask
  private readonly vP: Float64Array; // per query: W_P x_qᴾ (clusters/Variant A/finite)
  private readonly vQ: Float64Array;
  private readonly aux: Float64Array; // per query: up to 4 derivative statistics
  private readonly hP: Float64Array;
  private readonly piK: Float64Array; // rays: W_Qᵀ P_k, 3 × d
  private readonly zeroBlock: Float64Array;
  private readonly gVecP: Float64Array;
  private readonly gVecQ: Float64Array;
  private readonly raySums: Float64Array[]; // rays: Σ_n e_n·H(P_k·v_n)·x_n per point k
  private readonly acc = new MetricsAccumulator();
  private readonly kc: ClusterKernel = { g: 0, dMu: 0, dS: 0 };
  private readonly ka: AverageA = { value: 0, dw: 0, dc: 0, dSP2: 0, dSQ2: 0 };
  private readonly prompt: PromptValue = { f: 0, fp: 0, fq: 0, fabs: 0 };

  constructor(c: GongConfig) {
    this.c = c;
    this.d = c.d;
    this.dir = directions(c);
    this.stride = c.infinite ? 1 : c.L + 1;
    this.nQ = c.N;
    checkAllocation(`gong: the fixed sample of N = ${c.N} ${c.infinite ? 'queries' : `prompts × ${this.stride} tokens`} × ${2 * c.d} coordinates`, fullModelBytes(c), { of: 'data and per-query workspace', hint: `use a smaller N${c.infinite ? '' : ', L'} or d` });
    this.tokens = drawTokens(c, this.dir, c.N, this.stride, 0);
    this.dim = 2 * c.d * c.d + (c.trainU ? 1 : 0);
    this.kappaP = c.infinite && c.variant === 'B' ? 0.5 * (1 - c.q0) * kappa(c, c.quad) : 0;
    this.rays = c.infinite && c.variant === 'B' && c.qlaw === 'rays' ? rayPoints(this.dir.z, this.dir.zeta, c.zeta, c.normalize === 'blocks' ? 'blocks' : 'off') : null;
    this.hn = c.infinite && c.variant === 'A' ? halfNormalRule(Math.min(c.quad, INNER_ORDER_A)) : null;
    const n = this.nQ;
    this.F = new Float64Array(n);
    this.FP = new Float64Array(n);
    this.FQ = new Float64Array(n);
    this.Fabs = new Float64Array(n);
    this.inc = new Uint8Array(n);
    this.vP = new Float64Array(n * c.d);
    this.vQ = new Float64Array(n * c.d);
    this.aux = new Float64Array(n * 4);
    this.hP = new Float64Array(c.d);
    this.piK = new Float64Array(3 * c.d);
    this.zeroBlock = new Float64Array(c.d * c.d);
    this.gVecP = new Float64Array(c.d);
    this.gVecQ = new Float64Array(c.d);
    this.raySums = [new Float64Array(c.d), new Float64Array(c.d), new Float64Array(c.d)];
  }

  /** The readout u of a state. */
  u(y: Float64Array): number {
    return this.c.trainU ? y[2 * this.d * this.d] : this.c.u0;
  }

  /** Loss with weight decay, and its gradient ∇L (not negated) into `grad` when given. */
  lossGrad(y: Float64Array, grad: Float64Array | null): number {
    const dd = this.d * this.d;
    const WP = y.subarray(0, dd);
    const WQ = y.subarray(dd, 2 * dd);
    const u = this.u(y);
    this.forward(WP, WQ, 'all');
    let loss = 0;
    const n = this.nQ;
    for (let k = 0; k < n; k++) loss += logistic(this.tokens.y[this.qIndex(k)] * u * this.F[k]);
    loss /= n;
    let decay = 0;
    for (let i = 0; i < 2 * dd; i++) decay += y[i] * y[i];
    loss += 0.5 * this.c.lambda * decay;
    if (grad) {
      grad.fill(0);
      this.backward(u, grad);
      for (let i = 0; i < 2 * dd; i++) grad[i] += this.c.lambda * y[i];
    }
    return loss;
  }

  /** Loss and accuracy (split by label) with the given blocks and readout, under a mask. */
  evaluate(WP: Float64Array, WQ: Float64Array, u: number, mask: Mask, out: Metrics): void {
    this.forward(WP, WQ, mask);
    this.acc.reset();
    for (let k = 0; k < this.nQ; k++) {
      if (!this.inc[k]) continue;
      const label = this.tokens.y[this.qIndex(k)];
      this.acc.add(label * u * this.F[k], label, 1, Math.abs(u) * this.Fabs[k]);
    }
    this.acc.write(out);
  }

  /**
   * The three evaluations (all, P, Q) at once. In Variant B the prediction is the sum of the P and
   * Q sub-models and masking a block zeroes its part exactly (σ(0) = 0, R(0, 0) = 0), so one
   * forward pass serves all three; Variant A needs three passes.
   */
  metricsAll(y: Float64Array, out: Record<Mask, Metrics>): void {
    if (this.c.variant === 'A') {
      for (const m of ['all', 'P', 'Q'] as const) this.metrics(y, m, out[m]);
      return;
    }
    const dd = this.d * this.d;
    const u = this.u(y);
    this.forward(y.subarray(0, dd), y.subarray(dd, 2 * dd), 'all');
    const t = this.tokens;
    for (const m of ['all', 'P', 'Q'] as const) {
      this.acc.reset();
      for (let k = 0; k < this.nQ; k++) {
        const qi = this.qIndex(k);
        const ty = t.type[qi];
        if ((m === 'P' && ty === TYPE_Q) || (m === 'Q' && ty === TYPE_P)) continue;
        const label = t.y[qi];
        const F = m === 'all' ? this.F[k] : m === 'P' ? this.FP[k] : this.FQ[k];
        this.acc.add(label * u * F, label, 1, Math.abs(u) * this.Fabs[k]);
      }
      this.acc.write(out[m]);
    }
  }

  metrics(y: Float64Array, mask: Mask, out: Metrics): void {
    const dd = this.d * this.d;
    this.evaluate(y.subarray(0, dd), y.subarray(dd, 2 * dd), this.u(y), mask, out);
  }

  private qIndex(k: number): number {
    return k * this.stride + this.stride - 1;
  }

  /** Predictions F_n (u = 1) of all queries; `inc` marks the queries the mask evaluates. */
  private forward(WPin: Float64Array, WQin: Float64Array, mask: Mask): void {
    const WP = mask === 'Q' ? this.zeroBlock : WPin;
    const WQ = mask === 'P' ? this.zeroBlock : WQin;
    const t = this.tokens;
    for (let k = 0; k < this.nQ; k++) {
      const ty = t.type[this.qIndex(k)];
      this.inc[k] = mask === 'all' || (mask === 'P' ? ty !== TYPE_Q : ty !== TYPE_P) ? 1 : 0;
    }
    if (!this.c.infinite) this.forwardFinite(WP, WQ);
    else if (this.c.variant === 'A') this.forwardA(WP, WQ);
    else this.forwardB(WP, WQ);
  }

  private forwardB(WP: Float64Array, WQ: Float64Array): void {
    const d = this.d;
    const x = this.tokens.x;
    const c = this.c;
    const hP = this.hP;
    const w = this.dir.w;
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += w[i] * WP[i * d + j];
      hP[j] = s; // hP = W_Pᵀ ŵ, so ŵ·W_P x = hP·x
    }
    const kP = this.kappaP;
    const qFactor = 1 - c.p0; // Q-bearing items
    const F = this.F;
    const FP = this.FP;
    const FQ = this.FQ;
    const aux = this.aux;
    const rays = this.rays;
    if (rays) {
      const pi = this.piK;
      for (let k = 0; k < 3; k++) {
        const P = rays.points[k];
        for (let j = 0; j < d; j++) {
          let s = 0;
          for (let i = 0; i < d; i++) s += P[i] * WQ[i * d + j];
          pi[k * d + j] = s; // π_k = W_Qᵀ P_k
        }
      }
      const [w0, w1, w2] = rays.weights;
      for (let n = 0; n < this.nQ; n++) {
        const off = n * 2 * d;
        let fP = 0;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        for (let j = 0; j < d; j++) {
          fP += hP[j] * x[off + j];
          const xq = x[off + d + j];
          s0 += pi[j] * xq; // P_k·W_Q x̃ᑫ
          s1 += pi[d + j] * xq;
          s2 += pi[2 * d + j] * xq;
        }
        aux[n * 4] = s0;
        aux[n * 4 + 1] = s1;
        aux[n * 4 + 2] = s2;
        FP[n] = kP * fP; // ½κ(1 − q0) ŵ·W_P x̃ᴾ
        FQ[n] = qFactor * (w0 * relu(s0) + w1 * relu(s1) + w2 * relu(s2));
        F[n] = FP[n] + FQ[n];
        this.Fabs[n] = Math.abs(FP[n]) + qFactor * (Math.abs(w0) * relu(s0) + Math.abs(w1) * relu(s1) + Math.abs(w2) * relu(s2));
      }
      return;
    }
    const vQ = this.vQ;
    const zeta = this.dir.zeta;
    for (let n = 0; n < this.nQ; n++) {
      const off = n * 2 * d;
      let fP = 0;
      for (let j = 0; j < d; j++) fP += hP[j] * x[off + j];
      let mu = 0;
      let vv = 0;
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += WQ[i * d + j] * x[off + d + j];
        vQ[n * d + i] = s;
        mu += zeta[i] * s;
        vv += s * s;
      }
      const nv = Math.sqrt(vv);
      clusterKernel(c.zeta * mu, c.sigmaQ * nv, this.kc); // μ = ζ·v, s = σ_Q‖v‖
      aux[n * 4] = this.kc.dMu;
      aux[n * 4 + 1] = this.kc.dS;
      aux[n * 4 + 2] = nv;
      FP[n] = kP * fP;
      FQ[n] = qFactor * this.kc.g;
      F[n] = FP[n] + FQ[n];
      this.Fabs[n] = Math.abs(FP[n]) + qFactor * c.sigmaQ * nv; // R(·, s) ≤ |μ| + s; ½R(0) + ¼R(±μ) ≲ s + |μ|/2
      if (c.zeta * Math.abs(mu) > 0) this.Fabs[n] += qFactor * 0.5 * c.zeta * Math.abs(mu);
    }
  }

  private forwardA(WP: Float64Array, WQ: Float64Array): void {
    const d = this.d;
    const t = this.tokens;
    const c = this.c;
    const probs: [number, number, number] = [1 - c.p0 - c.q0, c.p0, c.q0];
    const sP2 = c.sigmaP * c.sigmaP;
    const sQ2 = c.sigmaQ * c.sigmaQ;
    for (let n = 0; n < this.nQ; n++) {
      const off = n * 2 * d;
      let w = 0;
      let vpp = 0;
      let cz = 0;
      let vqq = 0;
      for (let i = 0; i < d; i++) {
        let a = 0;
        let b = 0;
        for (let j = 0; j < d; j++) {
          a += WP[i * d + j] * t.x[off + j];
          b += WQ[i * d + j] * t.x[off + d + j];
        }
        this.vP[n * d + i] = a;
        this.vQ[n * d + i] = b;
        w += this.dir.w[i] * a;
        vpp += a * a;
        cz += this.dir.zeta[i] * b;
        vqq += b * b;
      }
      const SP2 = sP2 * Math.max(vpp - w * w, 0); // σ_P²‖Π⊥v_P‖²
      averageA(w, SP2, c.zeta * cz, sQ2 * vqq, probs, c.gamma0, c.sigmaP, this.hn!, this.ka);
      this.F[n] = this.ka.value;
      this.Fabs[n] = Math.abs(w) * (c.gamma0 + 3 * c.sigmaP) + Math.sqrt(SP2 + sQ2 * vqq) + c.zeta * Math.abs(cz); // bounds the summed R terms
      this.aux[n * 4] = this.ka.dw;
      this.aux[n * 4 + 1] = this.ka.dc;
      this.aux[n * 4 + 2] = this.ka.dSP2;
      this.aux[n * 4 + 3] = this.ka.dSQ2;
    }
  }

  private forwardFinite(WP: Float64Array, WQ: Float64Array): void {
    const t = this.tokens;
    const out = this.prompt;
    for (let n = 0; n < this.nQ; n++) {
      finitePromptForward(this.c, t, n * this.stride, WP, 0, WQ, 0, this.vP, this.vQ, n * this.d, out);
      this.FP[n] = out.fp;
      this.FQ[n] = out.fq;
      this.F[n] = out.f;
      this.Fabs[n] = out.fabs;
    }
  }

  /** ∂L/∂W_P, ∂L/∂W_Q, ∂L/∂u of the mean logistic loss into grad (after forward('all')). */
  private backward(u: number, grad: Float64Array): void {
    const d = this.d;
    const dd = d * d;
    const t = this.tokens;
    const c = this.c;
    const n = this.nQ;
    const gP = grad.subarray(0, dd);
    const gQ = grad.subarray(dd, 2 * dd);
    let gu = 0;
    const sumP = this.gVecP;
    const sumQ = this.gVecQ;
    sumP.fill(0);
    sumQ.fill(0);
    const rays = this.rays;
    const sums = rays ? this.raySums : null;
    if (sums) for (const v of sums) v.fill(0);
    for (let k = 0; k < n; k++) {
      const label = t.y[this.qIndex(k)];
      const e = (logisticDeriv(label * u * this.F[k]) * label) / n; // ∂L/∂ŷ_k
      gu += e * this.F[k];
      const eu = e * u; // ∂L/∂F_k
      const off = this.qIndex(k) * 2 * d;
      if (!c.infinite) {
        finitePromptBackward(c, t, k * this.stride, this.vP, this.vQ, k * d, eu, grad, 0, dd, this.gVecP, this.gVecQ);
        continue;
      }
      if (c.variant === 'A') {
        const dw = this.aux[k * 4];
        const dc = this.aux[k * 4 + 1];
        const dSP2 = this.aux[k * 4 + 2];
        const dSQ2 = this.aux[k * 4 + 3];
        let w = 0;
        for (let i = 0; i < d; i++) w += this.dir.w[i] * this.vP[k * d + i];
        const sP2 = 2 * c.sigmaP * c.sigmaP * dSP2;
        const sQ2 = 2 * c.sigmaQ * c.sigmaQ * dSQ2;
        for (let i = 0; i < d; i++) {
          // ∂F/∂v_P = dw ŵ + 2σ_P² ∂/∂S_P² Π⊥v_P ;  ∂F/∂v_Q = dc ζ + 2σ_Q² ∂/∂S_Q² v_Q
          const gvP = eu * (dw * this.dir.w[i] + sP2 * (this.vP[k * d + i] - w * this.dir.w[i]));
          const gvQ = eu * (dc * c.zeta * this.dir.zeta[i] + sQ2 * this.vQ[k * d + i]);
          if (gvP !== 0) for (let j = 0; j < d; j++) gP[i * d + j] += gvP * t.x[off + j];
          if (gvQ !== 0) for (let j = 0; j < d; j++) gQ[i * d + j] += gvQ * t.x[off + d + j];
        }
        continue;
      }
      // Variant B at L = ∞: the P sub-model is linear, ∂F/∂W_P = ½κ(1 − q0) ŵ x̃ᴾᵀ
      for (let j = 0; j < d; j++) sumP[j] += eu * t.x[off + j];
      const qf = eu * (1 - c.p0);
      if (rays && sums) {
        for (let r = 0; r < 3; r++) {
          if (this.aux[k * 4 + r] <= 0) continue; // ∂/∂s σ(s) = heaviside(s), 0 at s = 0
          const h = qf * rays.weights[r];
          const sr = sums[r];
          for (let j = 0; j < d; j++) sr[j] += h * t.x[off + d + j];
        }
      } else {
        const dMu = this.aux[k * 4];
        const dS = this.aux[k * 4 + 1];
        const nv = this.aux[k * 4 + 2];
        // ∂g/∂v = dMu·ζ + dS·σ_Q v/‖v‖
        for (let j = 0; j < d; j++) sumQ[j] += qf * dMu * c.zeta * t.x[off + d + j];
        if (nv > 0 && dS !== 0) {
          const coef = (qf * dS * c.sigmaQ) / nv;
          for (let i = 0; i < d; i++) {
            const vi = coef * this.vQ[k * d + i];
            for (let j = 0; j < d; j++) gQ[i * d + j] += vi * t.x[off + d + j];
          }
        }
      }
    }
    if (c.infinite && c.variant === 'B') {
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) gP[i * d + j] += this.kappaP * this.dir.w[i] * sumP[j];
      if (rays && sums) {
        for (let r = 0; r < 3; r++) {
          const P = rays.points[r];
          for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) gQ[i * d + j] += P[i] * sums[r][j];
        }
      } else {
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) gQ[i * d + j] += this.dir.zeta[i] * sumQ[j];
      }
    }
    if (c.trainU) grad[2 * dd] = gu;
  }
}

/** One finite-context prompt's prediction with u = 1 (see finitePromptForward). */
export interface PromptValue {
  /** F = c_L Σ_i y_i σ(s_i) (Variant A) or c_L Σ_i y_i [σ(s_iᴾ) + σ(s_iᑫ)] (Variant B). */
  f: number;
  /** Its P and Q parts (Variant B; 0 in Variant A). */
  fp: number;
  fq: number;
  /** c_L Σ|terms|, the scale of the rounding of f (ties). */
  fabs: number;
}

/** What the finite-context kernels read from a configuration. */
export type PromptKernelConfig = Pick<GongConfig, 'variant' | 'd' | 'L' | 'contextFactor'>;

/**
 * Forward pass of one prompt with a finite context: tokens first … first+L−1 of `t` are the
 * examples, token first+L the query. Writes v_P = W_P x_qᴾ, v_Q = W_Q x_qᑫ into vP, vQ at vOff
 * (kept for finitePromptBackward) and the prediction into `out`; the blocks are read at WP[oP …],
 * WQ[oQ …] (row-major d × d). Scores s_iᴾ = x_iᴾ·v_P, s_iᑫ = x_iᑫ·v_Q; Variant A: s_i = s_iᴾ + s_iᑫ.
 */
export function finitePromptForward(c: PromptKernelConfig, t: Tokens, first: number, WP: Float64Array, oP: number, WQ: Float64Array, oQ: number, vP: Float64Array, vQ: Float64Array, vOff: number, out: PromptValue): void {
  const d = c.d;
  const L = c.L;
  const A = c.variant === 'A';
  const x = t.x;
  const qo = (first + L) * 2 * d;
  for (let i = 0; i < d; i++) {
    let a = 0;
    let b = 0;
    for (let j = 0; j < d; j++) {
      a += WP[oP + i * d + j] * x[qo + j];
      b += WQ[oQ + i * d + j] * x[qo + d + j];
    }
    vP[vOff + i] = a;
    vQ[vOff + i] = b;
  }
  let f = 0;
  let fp = 0;
  let fq = 0;
  let fabs = 0;
  for (let k = 0; k < L; k++) {
    const io = (first + k) * 2 * d;
    let sP = 0;
    let sQ = 0;
    for (let j = 0; j < d; j++) {
      sP += x[io + j] * vP[vOff + j];
      sQ += x[io + d + j] * vQ[vOff + j];
    }
    const yi = t.y[first + k];
    if (A) {
      f += yi * relu(sP + sQ);
      fabs += relu(sP + sQ);
    } else {
      fp += yi * relu(sP);
      fq += yi * relu(sQ);
      fabs += relu(sP) + relu(sQ);
    }
  }
  const cf = c.contextFactor;
  out.fp = cf * fp;
  out.fq = cf * fq;
  out.f = A ? cf * f : cf * (fp + fq);
  out.fabs = cf * fabs;
}

/**
 * Backward pass of one prompt (after finitePromptForward with the same vP, vQ, vOff): adds
 * scale · ∂F/∂W_P and scale · ∂F/∂W_Q into grad at oP and oQ, where
 * ∂F/∂W = c_L (Σ_i y_i σ′(s_i) x_i) x_qᵀ per block, σ′ = heaviside (σ′(0) = 0).
 * sumP, sumQ (length d) are scratch.
 */
export function finitePromptBackward(c: PromptKernelConfig, t: Tokens, first: number, vP: Float64Array, vQ: Float64Array, vOff: number, scale: number, grad: Float64Array, oP: number, oQ: number, sumP: Float64Array, sumQ: Float64Array): void {
  const d = c.d;
  const L = c.L;
  const A = c.variant === 'A';
  const x = t.x;
  sumP.fill(0);
  sumQ.fill(0);
  for (let i = 0; i < L; i++) {
    const io = (first + i) * 2 * d;
    let sP = 0;
    let sQ = 0;
    for (let j = 0; j < d; j++) {
      sP += x[io + j] * vP[vOff + j];
      sQ += x[io + d + j] * vQ[vOff + j];
    }
    const yi = t.y[first + i];
    const hP = A ? heaviside(sP + sQ) : heaviside(sP);
    const hQ = A ? hP : heaviside(sQ);
    if (hP !== 0) for (let j = 0; j < d; j++) sumP[j] += yi * x[io + j];
    if (hQ !== 0) for (let j = 0; j < d; j++) sumQ[j] += yi * x[io + d + j];
  }
  const s = scale * c.contextFactor;
  const qo = (first + L) * 2 * d;
  for (let i = 0; i < d; i++) {
    const a = s * sumP[i];
    const b = s * sumQ[i];
    if (a !== 0) for (let j = 0; j < d; j++) grad[oP + i * d + j] += a * x[qo + j];
    if (b !== 0) for (let j = 0; j < d; j++) grad[oQ + i * d + j] += b * x[qo + d + j];
  }
}
