/**
 * Stage 2 reduced system: key–query dynamics with the outer parameters frozen on the plateau.
 *
 *   Ẇ_Q = F W_K,   Ẇ_K = Fᵀ W_Q   [V: Chen & Luo, Prop. 3, Eq. 14–15]
 *
 * with F either the paper's Eq. 15 (bag-of-tokens.ts) or, for any activation, F = −∇_A L at the
 * plateau state [R: note §4.3]. Closed form with F = Σ_k σ_k u_k v_kᵀ [R: note §4.3]:
 *
 *   W_Q(t) = Σ_k u_k [cosh(σ_k t) u_kᵀ W_Q⁰ + sinh(σ_k t) v_kᵀ W_K⁰] + (I − UUᵀ) W_Q⁰,
 *   W_K(t) = Σ_k v_k [cosh(σ_k t) v_kᵀ W_K⁰ + sinh(σ_k t) u_kᵀ W_Q⁰] + (I − VVᵀ) W_K⁰,
 *
 * so A = W_Q W_Kᵀ ≃ (e^{2σ₁t}/4)‖c₁‖² u₁v₁ᵀ with c₁ᵀ = u₁ᵀW_Q⁰ + v₁ᵀW_K⁰: A/‖A‖ → u₁v₁ᵀ (rank
 * collapse, Theorem 3), ‖A‖ grows at rate 2σ₁ and the distance to the limit decays like
 * e^{−(σ₁−σ₂)t}.
 *
 * State layout: [W_Q (d×d), W_K (d×d)], row-major.
 */
import type { RhsFn } from '../../solve/types.js';
import { svd } from '../../spectral/index.js';

/** (W_Q, W_K) ↦ (F W_K, Fᵀ W_Q), in place; F is d×d row-major and is captured (not copied). */
export function stage2Rhs(F: Float64Array, d: number): RhsFn {
  const dd = d * d;
  return (_t, y, dy) => {
    for (let l = 0; l < d; l++) {
      for (let m = 0; m < d; m++) {
        let fq = 0;
        let fk = 0;
        for (let k = 0; k < d; k++) {
          fq += F[l * d + k] * y[dd + k * d + m]; // (F W_K)_lm
          fk += F[k * d + l] * y[k * d + m]; // (Fᵀ W_Q)_lm
        }
        dy[l * d + m] = fq;
        dy[dd + l * d + m] = fk;
      }
    }
  };
}

/** A = W_Q W_Kᵀ from a stage-2 state (or any state with W_Q at qOff and W_K at kOff). */
export function attentionProduct(y: ArrayLike<number>, d: number, qOff = 0, kOff = d * d): Float64Array {
  const A = new Float64Array(d * d);
  for (let l = 0; l < d; l++) {
    for (let k = 0; k < d; k++) {
      let acc = 0;
      for (let m = 0; m < d; m++) acc += y[qOff + l * d + m] * y[kOff + k * d + m];
      A[l * d + k] = acc;
    }
  }
  return A;
}

export interface Stage2ClosedForm {
  /** σ₁ ≥ σ₂ ≥ … of F. */
  readonly sigma: Float64Array;
  /** u₁, v₁ of F. */
  readonly u1: Float64Array;
  readonly v1: Float64Array;
  /** [W_Q(t), W_K(t)] as a stage-2 state. */
  at(t: number): Float64Array;
}

/** The cosh/sinh solution from (W_Q⁰, W_K⁰) (see the module comment). */
export function stage2ClosedForm(F: Float64Array, WQ0: ArrayLike<number>, WK0: ArrayLike<number>, d: number): Stage2ClosedForm {
  const { s, U, V } = svd({ data: F, offset: 0, rows: d, cols: d });
  const uq = new Float64Array(d * d); // row k: u_kᵀ W_Q⁰
  const vk = new Float64Array(d * d); // row k: v_kᵀ W_K⁰
  const restQ = Float64Array.from(WQ0);
  const restK = Float64Array.from(WK0);
  for (let k = 0; k < d; k++) {
    for (let m = 0; m < d; m++) {
      let a = 0;
      let b = 0;
      for (let l = 0; l < d; l++) { a += U.get(l, k) * WQ0[l * d + m]; b += V.get(l, k) * WK0[l * d + m]; }
      uq[k * d + m] = a;
      vk[k * d + m] = b;
    }
    for (let l = 0; l < d; l++) {
      for (let m = 0; m < d; m++) {
        restQ[l * d + m] -= U.get(l, k) * uq[k * d + m]; // (I − UUᵀ) W_Q⁰
        restK[l * d + m] -= V.get(l, k) * vk[k * d + m]; // (I − VVᵀ) W_K⁰
      }
    }
  }
  const u1 = Float64Array.from({ length: d }, (_, l) => U.get(l, 0));
  const v1 = Float64Array.from({ length: d }, (_, l) => V.get(l, 0));
  return {
    sigma: s,
    u1,
    v1,
    at(t: number): Float64Array {
      const out = new Float64Array(2 * d * d);
      out.set(restQ, 0);
      out.set(restK, d * d);
      for (let k = 0; k < d; k++) {
        const ch = Math.cosh(s[k] * t);
        const sh = Math.sinh(s[k] * t);
        for (let l = 0; l < d; l++) {
          const u = U.get(l, k);
          const v = V.get(l, k);
          for (let m = 0; m < d; m++) {
            out[l * d + m] += u * (ch * uq[k * d + m] + sh * vk[k * d + m]);
            out[d * d + l * d + m] += v * (ch * vk[k * d + m] + sh * uq[k * d + m]);
          }
        }
      }
      return out;
    },
  };
}
