/**
 * The Chen–Luo one-layer transformer on a finite data set: loss and exact gradient.
 *
 * f(X) = σ(softmax(X W_Q W_Kᵀ Xᵀ/√d) X W_V W1) W2, read at the last token only, so the query is
 * q = x_s [V: Chen & Luo, arXiv 2510.06954, Def. 3, Eq. 1–3]; L = (1/n) Σ_i ℓ(y_i f_i).
 *
 * State (4d² + d numbers): W_Q, W_K, W_V, W1 (d×d, row-major) and W2 (d), in that order.
 *
 * Gradient (§4.1 of the technical note, derived and checked in derivations/chen-luo/) [R]:
 *   forward:  z_j = q A x_jᵀ/√d (A = W_Q W_Kᵀ), p = softmax(z), x̃ = Σ_j p_j x_j, a = x̃ W_V,
 *             h = a W1, f = σ(h)·W2
 *   backward: g = ∂L/∂f = y ℓ′(y f)/n, δ = g W2 ⊙ σ′(h), α = δ W1ᵀ,
 *             ∇W2 = Σ g σ(h), ∇W1 = Σ aᵀδ, ∇W_V = Σ x̃ᵀα,
 *             r_j = x_j W_V αᵀ, ζ_j = p_j (r_j − Σ_l p_l r_l), G_A = (1/√d) Σ_{i,j} ζ_ij q_iᵀ x_ij,
 *             ∇W_Q = G_A W_K, ∇W_K = G_Aᵀ W_Q.
 * The softmax subtracts the row maximum; the losses use stable forms (losses.ts).
 */
import type { Vec } from '../../solve/types.js';
import type { DataSet } from './data.js';
import type { MarginLoss } from './losses.js';

export type Activation = 'identity' | 'tanh';

/** Offsets of the five parameter blocks in the flat state. */
export interface Offsets { readonly WQ: number; readonly WK: number; readonly WV: number; readonly W1: number; readonly W2: number; readonly size: number }

export function offsets(d: number): Offsets {
  const dd = d * d;
  return { WQ: 0, WK: dd, WV: 2 * dd, W1: 3 * dd, W2: 4 * dd, size: 4 * dd + d };
}

/** Loss, gradient and ∇_A L of one model configuration, with preallocated workspace. */
export interface Transformer {
  readonly data: DataSet;
  readonly activation: Activation;
  readonly loss: MarginLoss;
  readonly offsets: Offsets;
  /** L(θ). */
  lossAt(y: Vec): number;
  /** out = −∇L(θ) (the gradient-flow field), allocation-free; also G_A = ∇_A L into `gaOut` if given (no extra cost). */
  negGradient(y: Vec, out: Vec, gaOut?: Float64Array): void;
  /**
   * Mean loss over the samples `subset` (all when null; an index may repeat) and its gradient
   * +∇ into `grad`, allocation-free: the minibatch form used by finite-sample training.
   */
  subsetLossGrad(y: Vec, subset: Int32Array | null, grad: Vec): number;
  /** G_A = ∇_A L at θ (d×d row-major into `out`), allocation-free; F = −G_A. */
  attentionGradient(y: Vec, out: Float64Array): void;
  /** Outputs f_i for every sample (into `out`, length n). */
  outputs(y: Vec, out: Float64Array): void;
  /** Mean entropy of the query row of the attention, (1/n) Σ_i −Σ_j p_ij ln p_ij. */
  attentionEntropy(y: Vec): number;
}

export function makeTransformer(data: DataSet, activation: Activation, loss: MarginLoss): Transformer {
  const { n, s, d, X, y: labels } = data;
  const off = offsets(d);
  const { WQ, WK, WV, W1, W2 } = off;
  const invSqrtD = 1 / Math.sqrt(d);
  const tanh = activation === 'tanh';
  // workspace
  const A = new Float64Array(d * d);
  const qA = new Float64Array(d);
  const p = new Float64Array(s);
  const r = new Float64Array(s);
  const xt = new Float64Array(d);
  const a = new Float64Array(d);
  const h = new Float64Array(d);
  const sh = new Float64Array(d);
  const dsh = new Float64Array(d);
  const delta = new Float64Array(d);
  const alpha = new Float64Array(d);
  const beta = new Float64Array(d);
  const c = new Float64Array(d);
  const GA = new Float64Array(d * d);

  /** A = W_Q W_Kᵀ. */
  function scores(th: Vec): void {
    for (let l = 0; l < d; l++) {
      for (let k = 0; k < d; k++) {
        let acc = 0;
        for (let m = 0; m < d; m++) acc += th[WQ + l * d + m] * th[WK + k * d + m];
        A[l * d + k] = acc;
      }
    }
  }

  /** Forward pass of sample i (A must be current); returns f_i and leaves p, x̃, a, h, σ(h), σ′(h) set. */
  function forward(th: Vec, i: number): number {
    const base = i * s * d;
    const q = base + (s - 1) * d;
    qA.fill(0);
    for (let l = 0; l < d; l++) {
      const ql = X[q + l] * invSqrtD;
      for (let k = 0; k < d; k++) qA[k] += ql * A[l * d + k]; // q A/√d (row-wise: contiguous in A)
    }
    let max = -Infinity;
    for (let j = 0; j < s; j++) {
      let z = 0;
      for (let k = 0; k < d; k++) z += qA[k] * X[base + j * d + k]; // z_j = q A x_jᵀ/√d
      p[j] = z;
      if (z > max) max = z;
    }
    let total = 0;
    for (let j = 0; j < s; j++) { p[j] = Math.exp(p[j] - max); total += p[j]; } // stable softmax
    xt.fill(0);
    for (let j = 0; j < s; j++) {
      p[j] /= total;
      for (let k = 0; k < d; k++) xt[k] += p[j] * X[base + j * d + k]; // x̃ = Σ_j p_j x_j
    }
    a.fill(0);
    for (let l = 0; l < d; l++) {
      const xl = xt[l];
      const row = WV + l * d;
      for (let k = 0; k < d; k++) a[k] += xl * th[row + k]; // a = x̃ W_V
    }
    h.fill(0);
    for (let l = 0; l < d; l++) {
      const al = a[l];
      const row = W1 + l * d;
      for (let k = 0; k < d; k++) h[k] += al * th[row + k]; // h = a W1
    }
    let f = 0;
    for (let k = 0; k < d; k++) {
      const acc = h[k];
      if (tanh) {
        const t = Math.tanh(acc);
        sh[k] = t;
        dsh[k] = 1 - t * t; // tanh′ = 1 − tanh²
      } else {
        sh[k] = acc;
        dsh[k] = 1;
      }
      f += sh[k] * th[W2 + k]; // f = σ(h)·W2
    }
    return f;
  }

  return {
    data,
    activation,
    loss,
    offsets: off,
    lossAt(th) {
      scores(th);
      let acc = 0;
      for (let i = 0; i < n; i++) acc += loss.value(labels[i] * forward(th, i));
      return acc / n;
    },
    outputs(th, out) {
      scores(th);
      for (let i = 0; i < n; i++) out[i] = forward(th, i);
    },
    attentionEntropy(th) {
      scores(th);
      let acc = 0;
      for (let i = 0; i < n; i++) {
        forward(th, i);
        for (let j = 0; j < s; j++) if (p[j] > 0) acc -= p[j] * Math.log(p[j]);
      }
      return acc / n;
    },
    attentionGradient(th, out) {
      gradientInto(th, null);
      out.set(GA);
    },
    negGradient(th, out, gaOut) {
      gradientInto(th, out);
      if (gaOut) gaOut.set(GA);
    },
    subsetLossGrad(th, subset, grad) {
      const value = gradientInto(th, grad, subset, true);
      for (let i = 0; i < off.size; i++) grad[i] = -grad[i];
      return value;
    },
  };

  /**
   * −∇L into out (if given) and G_A into GA, for the mean loss over `subset` (all samples when
   * null); returns that loss if `withLoss` (else NaN: the flow does not pay for n extra exps).
   */
  function gradientInto(th: Vec, out: Vec | null, subset: Int32Array | null = null, withLoss = false): number {
    scores(th);
    if (out) out.fill(0); // accumulates +∇ of the outer blocks, negated at the end
    GA.fill(0);
    const count = subset ? subset.length : n;
    let total = 0;
    for (let t = 0; t < count; t++) {
      const i = subset ? subset[t] : t;
      const f = forward(th, i);
      const yi = labels[i];
      if (withLoss) total += loss.value(yi * f);
      const g = (yi * loss.d1(yi * f)) / count; // g = ∂L/∂f_i = y_i ℓ′(y_i f_i)/count
      for (let k = 0; k < d; k++) delta[k] = g * th[W2 + k] * dsh[k]; // δ = g W2 ⊙ σ′(h)
      for (let l = 0; l < d; l++) {
        let acc = 0;
        for (let k = 0; k < d; k++) acc += delta[k] * th[W1 + l * d + k];
        alpha[l] = acc; // α = δ W1ᵀ
      }
      if (out) {
        for (let k = 0; k < d; k++) out[W2 + k] += g * sh[k]; // ∇W2 += g σ(h)
        for (let l = 0; l < d; l++) {
          const al = a[l];
          const xl = xt[l];
          for (let k = 0; k < d; k++) {
            out[W1 + l * d + k] += al * delta[k]; // ∇W1 += aᵀδ
            out[WV + l * d + k] += xl * alpha[k]; // ∇W_V += x̃ᵀα
          }
        }
      }
      for (let l = 0; l < d; l++) {
        let acc = 0;
        for (let k = 0; k < d; k++) acc += th[WV + l * d + k] * alpha[k];
        beta[l] = acc; // β = W_V αᵀ, so r_j = x_j·β
      }
      const base = i * s * d;
      let rbar = 0;
      for (let j = 0; j < s; j++) {
        let acc = 0;
        for (let k = 0; k < d; k++) acc += X[base + j * d + k] * beta[k];
        r[j] = acc;
        rbar += p[j] * acc; // Σ_l p_l r_l
      }
      c.fill(0);
      for (let j = 0; j < s; j++) {
        const zeta = p[j] * (r[j] - rbar) * invSqrtD; // ζ_j/√d
        for (let k = 0; k < d; k++) c[k] += zeta * X[base + j * d + k];
      }
      const q = base + (s - 1) * d;
      for (let l = 0; l < d; l++) {
        const ql = X[q + l];
        for (let k = 0; k < d; k++) GA[l * d + k] += ql * c[k]; // G_A += q_iᵀ Σ_j ζ_ij x_ij/√d
      }
    }
    if (!out) return withLoss ? total / count : NaN;
    for (let l = 0; l < d; l++) {
      for (let m = 0; m < d; m++) {
        let gq = 0;
        let gk = 0;
        for (let k = 0; k < d; k++) {
          gq += GA[l * d + k] * th[WK + k * d + m]; // (G_A W_K)_lm
          gk += GA[k * d + l] * th[WQ + k * d + m]; // (G_Aᵀ W_Q)_lm
        }
        out[WQ + l * d + m] = -gq;
        out[WK + l * d + m] = -gk;
      }
    }
    for (let i = WV; i < off.size; i++) out[i] = -out[i];
    return withLoss ? total / count : NaN;
  }
}
