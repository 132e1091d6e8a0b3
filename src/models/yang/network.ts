/**
 * The two-headed transformer of Yang et al. in the token span (technical note §1.2 and §4.1),
 * forward pass and population gradient, allocation-free after construction.
 *
 * For a sample with tokens t_1..t_L (signed one-hot in the p = 2K dictionary, or 0):
 *   logits    S^h_{l1 l2} = t_{l2}ᵀ A_h t_{l1} = s_{l1} s_{l2} A_h[j_{l2}, j_{l1}]    (key l2, query l1)
 *   softmax   P^h = softmax over keys of each row of S^h
 *   features  ζ^h_{l1} = Σ_{l2} P^h_{l1 l2} t_{l2}
 *   neurons   pre_{h,r,l1} = ω_{h,r}·ζ^h_{l1} = Σ_{l2} P^h_{l1 l2} v_{h,r,l2},   v_{h,r,l2} = s_{l2} ω_{h,r}[j_{l2}]
 *   output    F = Σ_h ε_h · agg · (1/m) Σ_r Σ_{l1} σ(pre_{h,r,l1}),  ε_± = ±1, agg = 1 (sum) or 1/L (mean)
 *   loss      L = E ℓ(yF),  ℓ(u) = log(1 + e^{−u}) (logistic [G]), E = exact mean over the K·2^K types.
 *
 * Gradient (with dL/dF = −y ψ(yF), ψ(u) = 1/(1 + e^u), and σ'(x) = heaviside(x), 0 at x = 0, unless
 * kink modes are supplied, see `gradient`):
 *   ∂F/∂ω_{h,r}         = ε_h agg/m Σ_{l1} σ'(pre_{h,r,l1}) ζ^h_{l1}
 *   ∂F/∂S^h_{l1 l2}     = ε_h agg/m Σ_r σ'(pre_{h,r,l1}) P_{l1 l2} (v_{h,r,l2} − pre_{h,r,l1})
 *   ∂F/∂A_h[j_{l2}, j_{l1}] += s_{l1} s_{l2} ∂F/∂S^h_{l1 l2}
 * Separate key-query (A = K̃ᵀQ̃): ∂L/∂Q̃ = K̃ (∂L/∂A), ∂L/∂K̃ = Q̃ (∂L/∂A)ᵀ.
 * Symmetry imposed: the stored head + carries ½(∂L/∂θ_+ + Sᵀ ∂L/∂θ_−) = ½ ∇ of L(θ_+, Sθ_+),
 * the free flow's velocity of head + on the symmetric manifold (so time is the same as without it).
 *
 * The switching functions of the nonsmooth flow are the pre-activations pre_{h,r,l} for every
 * sample type: 2·(K·2^K)·m·L of them, indexed ((h·T + type)·m + r)·L + l.
 */
import { makeDataset, mirrorDiagonal, type Dataset } from './data.js';
import type { YangConfig } from './config.js';

/** log(1 + e^x) without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** 1/(1 + e^{−x}) without overflow. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export class TokenSpanNetwork {
  readonly c: YangConfig;
  readonly data: Dataset;
  /** Number of sample types T = K·2^K. */
  readonly T: number;
  /** Number of switching functions (pre-activations): 2·T·m·L. */
  readonly nSwitch: number;
  /** Effective attention of each head (p×p, row = key), filled by `forward`. */
  readonly A: [Float64Array, Float64Array];
  /** Effective neurons of each head (m×p), filled by `forward`. */
  readonly W: [Float64Array, Float64Array];
  /** Softmax scores P^h_{l1 l2} per head and type: ((h·T + type)·L + l1)·L + l2. */
  readonly P: Float64Array;
  /** Pre-activations, indexed as the switching functions. */
  readonly pre: Float64Array;
  /** Head outputs Φ_h (with ε_h not applied) per type: h·T + type. */
  readonly Phi: Float64Array;
  /** Network output F per type. */
  readonly F: Float64Array;
  /** ℓ(yF) per type. */
  readonly lossOf: Float64Array;
  private readonly gA: [Float64Array, Float64Array];
  private readonly gW: [Float64Array, Float64Array];
  private readonly G: Float64Array;
  /** Scratch: the values v_{r,l} of one neuron. */
  private readonly v: Float64Array;
  private readonly D: Float64Array;
  private readonly agg: number;

  constructor(c: YangConfig) {
    this.c = c;
    this.data = makeDataset(c.K, c.pad);
    const { p, m, L } = c;
    this.T = this.data.types.length;
    this.nSwitch = 2 * this.T * m * L;
    this.A = [new Float64Array(p * p), new Float64Array(p * p)];
    this.W = [new Float64Array(m * p), new Float64Array(m * p)];
    this.P = new Float64Array(2 * this.T * L * L);
    this.pre = new Float64Array(this.nSwitch);
    this.Phi = new Float64Array(2 * this.T);
    this.F = new Float64Array(this.T);
    this.lossOf = new Float64Array(this.T);
    this.gA = [new Float64Array(p * p), new Float64Array(p * p)];
    this.gW = [new Float64Array(m * p), new Float64Array(m * p)];
    this.G = new Float64Array(L * L);
    this.v = new Float64Array(L);
    this.D = mirrorDiagonal(c.K);
    this.agg = c.aggregate === 'sum' ? 1 : 1 / L;
  }

  /** Fills the effective A_h and ω_h of both heads from the state. */
  private unpack(y: Float64Array): void {
    const { p, m, dk, keyQuery, storedHeads } = this.c;
    for (let h = 0; h < storedHeads; h++) {
      const o = this.c.attnOffset(h);
      const A = this.A[h];
      if (keyQuery === 'combined') {
        for (let i = 0; i < p * p; i++) A[i] = y[o + i];
      } else {
        // A = K̃ᵀ Q̃: A_ij = Σ_a K̃_ai Q̃_aj
        const q = o + dk * p;
        for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) {
          let s = 0;
          for (let a = 0; a < dk; a++) s += y[o + a * p + i] * y[q + a * p + j];
          A[i * p + j] = s;
        }
      }
      const w = this.c.neuronOffset(h);
      const W = this.W[h];
      for (let i = 0; i < m * p; i++) W[i] = y[w + i];
    }
    if (storedHeads === 1) {
      const D = this.D;
      // A_− = D A_+ D, ω_− = +D ω_+
      for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) this.A[1][i * p + j] = D[i] * D[j] * this.A[0][i * p + j];
      for (let r = 0; r < m; r++) for (let j = 0; j < p; j++) this.W[1][r * p + j] = D[j] * this.W[0][r * p + j];
    }
  }

  /**
   * Forward pass over all sample types; returns the population loss. With `modes` (one per
   * switching function) the ReLU of pre-activation i is read as modes[i]·pre_i, the branch's own
   * formula continued past its kink (smooth for fixed modes); modes[i] = heaviside(pre_i) is the
   * plain network.
   */
  forward(y: Float64Array, modes: Float64Array | null = null): number {
    this.unpack(y);
    const { p, m, L } = this.c;
    const { types, weight } = this.data;
    const T = this.T;
    const scale = this.agg / m;
    const P = this.P;
    const preAll = this.pre;
    const v = this.v;
    for (let h = 0; h < 2; h++) {
      const A = this.A[h];
      const W = this.W[h];
      for (let t = 0; t < T; t++) {
        const { index, sign } = types[t];
        const pOff = (h * T + t) * L * L;
        for (let l1 = 0; l1 < L; l1++) {
          const q = index[l1];
          const sq = sign[l1];
          const row = pOff + l1 * L;
          let mx = -Infinity;
          for (let l2 = 0; l2 < L; l2++) {
            const s = sq * sign[l2] * A[index[l2] * p + q]; // S_{l1 l2} = s_{l1} s_{l2} A[j_{l2}, j_{l1}]
            P[row + l2] = s;
            if (s > mx) mx = s;
          }
          let z = 0;
          for (let l2 = 0; l2 < L; l2++) {
            const e = Math.exp(P[row + l2] - mx);
            P[row + l2] = e;
            z += e;
          }
          const iz = 1 / z;
          for (let l2 = 0; l2 < L; l2++) P[row + l2] *= iz;
        }
        let phi = 0;
        for (let r = 0; r < m; r++) {
          const wr = r * p;
          for (let l2 = 0; l2 < L; l2++) v[l2] = sign[l2] * W[wr + index[l2]]; // v_{r,l2} = s_{l2} ω_r[j_{l2}]
          const preOff = ((h * T + t) * m + r) * L;
          for (let l1 = 0; l1 < L; l1++) {
            const row = pOff + l1 * L;
            let pre = 0;
            for (let l2 = 0; l2 < L; l2++) pre += P[row + l2] * v[l2]; // Σ P v
            preAll[preOff + l1] = pre;
            if (modes) phi += modes[preOff + l1] * pre; // branch value m·pre
            else if (pre > 0) phi += pre; // σ(pre)
          }
        }
        this.Phi[h * T + t] = scale * phi;
      }
    }
    let loss = 0;
    for (let t = 0; t < T; t++) {
      const F = this.Phi[t] - this.Phi[T + t]; // ε_+ = +1, ε_− = −1
      this.F[t] = F;
      const l = softplus(-types[t].y * F); // ℓ(yF)
      this.lossOf[t] = l;
      loss += weight * l;
    }
    return loss;
  }

  /**
   * ∇L with respect to the state into `grad` (not negated, no rates). `modes`, when given,
   * replaces σ(pre_i) by modes[i]·pre_i and σ'(pre_i) = heaviside(pre_i) by modes[i] for every
   * switching function i (a sliding mode holds pinned pre-activations on their kink, pre_i = 0,
   * with σ' = λ_i ∈ [0, 1]; the field is affine in each such λ_i).
   */
  gradient(y: Float64Array, grad: Float64Array, modes: Float64Array | null = null): number {
    const loss = this.forward(y, modes);
    const { p, m, L, storedHeads, keyQuery, dk } = this.c;
    const { types, weight } = this.data;
    const T = this.T;
    const scale = this.agg / m;
    for (let h = 0; h < 2; h++) { this.gA[h].fill(0); this.gW[h].fill(0); }
    const G = this.G;
    const P = this.P;
    const preAll = this.pre;
    const v = this.v;
    for (let t = 0; t < T; t++) {
      const { index, sign, y: label } = types[t];
      const dLdF = weight * -label * sigmoid(-label * this.F[t]); // d ℓ(yF)/dF = −y ψ(yF)
      for (let h = 0; h < 2; h++) {
        const c = dLdF * (h === 0 ? 1 : -1) * scale;
        const W = this.W[h];
        const gW = this.gW[h];
        const gA = this.gA[h];
        const pOff = (h * T + t) * L * L;
        G.fill(0);
        for (let r = 0; r < m; r++) {
          const wr = r * p;
          const preOff = ((h * T + t) * m + r) * L;
          let loaded = false;
          for (let l1 = 0; l1 < L; l1++) {
            const pre = preAll[preOff + l1];
            const act = modes ? modes[preOff + l1] : pre > 0 ? 1 : 0; // σ'(pre), heaviside(0) = 0
            if (act === 0) continue;
            if (!loaded) {
              for (let l2 = 0; l2 < L; l2++) v[l2] = sign[l2] * W[wr + index[l2]];
              loaded = true;
            }
            const a = c * act;
            const row = pOff + l1 * L;
            const g = l1 * L;
            for (let l2 = 0; l2 < L; l2++) {
              const s2 = sign[l2];
              if (s2 === 0) continue; // a zero token carries no value and no gradient
              const Pa = a * P[row + l2];
              gW[wr + index[l2]] += Pa * s2; // ∂pre/∂ω = ζ_{l1}
              G[g + l2] += Pa * (v[l2] - pre); // P (v − pre)
            }
          }
        }
        for (let l1 = 0; l1 < L; l1++) {
          const s1 = sign[l1];
          if (s1 === 0) continue;
          for (let l2 = 0; l2 < L; l2++) {
            const s2 = sign[l2];
            if (s2 === 0) continue;
            gA[index[l2] * p + index[l1]] += s1 * s2 * G[l1 * L + l2];
          }
        }
      }
    }
    if (storedHeads === 1) {
      // ½(g_+ + Sᵀ g_−): Sᵀ maps A ↦ D A D and ω ↦ D ω (S is an orthogonal involution)
      const D = this.D;
      for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) this.gA[0][i * p + j] = 0.5 * (this.gA[0][i * p + j] + D[i] * D[j] * this.gA[1][i * p + j]);
      for (let r = 0; r < m; r++) for (let j = 0; j < p; j++) this.gW[0][r * p + j] = 0.5 * (this.gW[0][r * p + j] + D[j] * this.gW[1][r * p + j]);
    }
    for (let h = 0; h < storedHeads; h++) {
      const o = this.c.attnOffset(h);
      const gA = this.gA[h];
      if (keyQuery === 'combined') {
        for (let i = 0; i < p * p; i++) grad[o + i] = gA[i];
      } else {
        const q = o + dk * p;
        // ∂L/∂K̃_ai = Σ_j Q̃_aj gA_ij,  ∂L/∂Q̃_aj = Σ_i K̃_ai gA_ij
        for (let a = 0; a < dk; a++) {
          for (let i = 0; i < p; i++) {
            let sk = 0;
            let sq = 0;
            for (let j = 0; j < p; j++) {
              sk += y[q + a * p + j] * gA[i * p + j];
              sq += y[o + a * p + j] * gA[j * p + i];
            }
            grad[o + a * p + i] = sk;
            grad[q + a * p + i] = sq;
          }
        }
      }
      const w = this.c.neuronOffset(h);
      const gW = this.gW[h];
      for (let i = 0; i < m * p; i++) grad[w + i] = gW[i];
    }
    return loss;
  }

  /**
   * Directional derivatives of the switching functions along a state velocity v:
   * out_i = ∇_y pre_i · v, exact (no finite differences). With δS_{l1 l2} = s_{l1} s_{l2} δA[j_{l2}, j_{l1}],
   *   δP_{l1 l2} = P_{l1 l2} (δS_{l1 l2} − Σ_k P_{l1 k} δS_{l1 k}),
   *   δpre_{r,l1} = Σ_{l2} δP_{l1 l2} v_{r,l2} + Σ_{l2} P_{l1 l2} s_{l2} δω_r[j_{l2}].
   * Call after `forward(y)` at the same y.
   */
  preRates(y: Float64Array, v: Float64Array, out: Float64Array): void {
    const { p, m, L, storedHeads, keyQuery, dk } = this.c;
    const { types } = this.data;
    const T = this.T;
    const dA = this.gA; // scratch: δA_h
    const dW = this.gW; // scratch: δω_h
    for (let h = 0; h < storedHeads; h++) {
      const o = this.c.attnOffset(h);
      if (keyQuery === 'combined') {
        for (let i = 0; i < p * p; i++) dA[h][i] = v[o + i];
      } else {
        // δA = δK̃ᵀ Q̃ + K̃ᵀ δQ̃
        const q = o + dk * p;
        for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) {
          let s = 0;
          for (let a = 0; a < dk; a++) s += v[o + a * p + i] * y[q + a * p + j] + y[o + a * p + i] * v[q + a * p + j];
          dA[h][i * p + j] = s;
        }
      }
      const w = this.c.neuronOffset(h);
      for (let i = 0; i < m * p; i++) dW[h][i] = v[w + i];
    }
    if (storedHeads === 1) {
      const D = this.D;
      for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) dA[1][i * p + j] = D[i] * D[j] * dA[0][i * p + j];
      for (let r = 0; r < m; r++) for (let j = 0; j < p; j++) dW[1][r * p + j] = D[j] * dW[0][r * p + j];
    }
    const dS = this.G; // scratch: δP row by row
    for (let h = 0; h < 2; h++) {
      const W = this.W[h];
      for (let t = 0; t < T; t++) {
        const { index, sign } = types[t];
        const pOff = (h * T + t) * L * L;
        for (let l1 = 0; l1 < L; l1++) {
          const row = pOff + l1 * L;
          let mean = 0;
          for (let l2 = 0; l2 < L; l2++) {
            const d = sign[l1] * sign[l2] * dA[h][index[l2] * p + index[l1]];
            dS[l1 * L + l2] = d;
            mean += this.P[row + l2] * d;
          }
          for (let l2 = 0; l2 < L; l2++) dS[l1 * L + l2] = this.P[row + l2] * (dS[l1 * L + l2] - mean); // δP
        }
        for (let r = 0; r < m; r++) {
          const wr = r * p;
          const preOff = ((h * T + t) * m + r) * L;
          for (let l1 = 0; l1 < L; l1++) {
            const row = pOff + l1 * L;
            let d = 0;
            for (let l2 = 0; l2 < L; l2++) {
              const s2 = sign[l2];
              if (s2 === 0) continue;
              const j = index[l2];
              d += dS[l1 * L + l2] * s2 * W[wr + j] + this.P[row + l2] * s2 * dW[h][wr + j];
            }
            out[preOff + l1] = d;
          }
        }
      }
    }
  }

  /** Attention feature ζ^h_l of type t into out (length p). Call after `forward`. */
  feature(h: number, t: number, l: number, out: Float64Array, offset = 0): void {
    const { p, L } = this.c;
    const { index, sign } = this.data.types[t];
    for (let j = 0; j < p; j++) out[offset + j] = 0;
    const row = ((h * this.T + t) * L + l) * L;
    for (let l2 = 0; l2 < L; l2++) if (sign[l2] !== 0) out[offset + index[l2]] += this.P[row + l2] * sign[l2];
  }
}
