/**
 * The bag-of-tokens (uniform-attention) model of the plateau, and the paper's stage-2 matrix F.
 *
 * With uniform attention and σ = id the transformer is linear in the mean token:
 * f_i = x̄_i·u with u = W_V W1 W2, so the loss is L̃1(u) = (1/n) Σ_i ℓ(y_i x̄_i·u) [V: Eq. 13, 45–46,
 * written for general ℓ]. Its minimum is the predicted plateau level [R: note §4.4]; it is convex
 * and is minimised here by damped Newton.
 *
 * F (Eq. 15, with the 1/s of Eq. 45) [V], for a general margin loss [R]:
 *   F = (1/(n s √d)) Σ_i y_i (−ℓ′(y_i x̄_i·u)) q_iᵀ k_i,  k_i = Σ_j (x_ij·u)(x_ij − x̄_i),
 * which equals −∇_A L at A = 0 for σ = id (see the tests).
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { hypotOf, maxAbs, maxOf } from '../../util/array.js';
import type { DataSet, DataStats } from './data.js';
import type { MarginLoss } from './losses.js';

/** L̃1(u) = (1/n) Σ ℓ(y_i x̄_i·u). */
export function bagLoss(data: DataSet, stats: DataStats, loss: MarginLoss, u: ArrayLike<number>): number {
  const { n, d, y } = data;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let k = 0; k < d; k++) m += stats.xbar[i * d + k] * u[k];
    acc += loss.value(y[i] * m);
  }
  return acc / n;
}

/** Largest margin y_i x̄_i·u at an attained optimum: e^{−30} ≈ 1e-13 of a sample's loss is below float64 resolution of L̃1. */
export const MAX_MARGIN = 30;

export interface BagOptimum {
  /** True when Newton converged to a finite minimiser (the plateau exists). */
  readonly attained: boolean;
  /** inf L̃1 (the value at the last iterate if not attained). */
  readonly value: number;
  /** The minimiser u* (minimum-norm within the span of the mean tokens). */
  readonly u: Float64Array;
  /** ‖∇L̃1(u*)‖. */
  readonly gradNorm: number;
  readonly iterations: number;
}

/**
 * min_u L̃1 by damped Newton with the pseudo-inverse of the Hessian (so the iterate stays in the
 * span of the mean tokens). Not attained — the mean-pooled data are separable in some direction,
 * and the loss has no plateau — when ‖u‖ exceeds 1e6, Newton does not converge (decrement below
 * 1e-24 of the loss) in 200 steps, or it converges with some margin above {@link MAX_MARGIN}
 * (those samples have been pushed to infinity); an attained optimum converges quadratically in ~10.
 */
export function bagOptimum(data: DataSet, stats: DataStats, loss: MarginLoss): BagOptimum {
  const { n, d, y } = data;
  const xb = stats.xbar;
  const u = new Float64Array(d);
  const g = new Float64Array(d);
  const m = new Float64Array(n);
  const margins = (w: ArrayLike<number>): void => {
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let k = 0; k < d; k++) acc += xb[i * d + k] * w[k];
      m[i] = y[i] * acc;
    }
  };
  let value = bagLoss(data, stats, loss, u);
  let gradNorm = Infinity;
  for (let it = 1; it <= 200; it++) {
    margins(u);
    g.fill(0);
    const H = new Matrix(d, d);
    for (let i = 0; i < n; i++) {
      const c1 = (loss.d1(m[i]) * y[i]) / n; // ∇ = (1/n) Σ ℓ′(m_i) y_i x̄_i
      const c2 = loss.d2(m[i]) / n; // H = (1/n) Σ ℓ″(m_i) x̄_i x̄_iᵀ
      for (let a = 0; a < d; a++) {
        g[a] += c1 * xb[i * d + a];
        for (let b = 0; b < d; b++) H.set(a, b, H.get(a, b) + c2 * xb[i * d + a] * xb[i * d + b]);
      }
    }
    gradNorm = hypotOf(g);
    const eig = new EigenvalueDecomposition(H, { assumeSymmetric: true });
    const lam = eig.realEigenvalues;
    const Q = eig.eigenvectorMatrix;
    const lmax = maxAbs(lam);
    const step = new Float64Array(d); // −H⁺g
    let decrement = 0;
    for (let k = 0; k < d; k++) {
      if (!(lam[k] > 1e-12 * lmax)) continue;
      let qg = 0;
      for (let a = 0; a < d; a++) qg += Q.get(a, k) * g[a];
      decrement += (qg * qg) / lam[k];
      for (let a = 0; a < d; a++) step[a] -= (Q.get(a, k) * qg) / lam[k];
    }
    // converged: the Newton decrement (≈ 2× the remaining loss reduction) is negligible relative
    // to the loss. Relative, because on a separable direction both the loss and the decrement
    // vanish like e^{−‖u‖} while their ratio stays O(1).
    // A converged point with a margin beyond MAX_MARGIN is the numerical image of an infimum at
    // infinity: those samples are separated and their loss has underflowed below the others'.
    if (decrement <= 1e-24 * value) return { attained: maxOf(m) <= MAX_MARGIN, value, u, gradNorm, iterations: it };
    let tau = 1;
    const trial = new Float64Array(d);
    // Deep in the quadratic region the loss cannot resolve the remaining decrease (≈ decrement/2
    // below ~1e-16·L), so a line search on loss values would stall: take the full Newton step.
    const pure = decrement <= 1e-10 * value;
    for (let back = 0; back < 60; back++) { // Armijo backtracking
      for (let a = 0; a < d; a++) trial[a] = u[a] + tau * step[a];
      const v = bagLoss(data, stats, loss, trial);
      if (pure || v <= value - 0.25 * tau * decrement) { value = v; break; }
      tau /= 2;
    }
    if (tau < 2 ** -59) return { attained: decrement <= 1e-20 * value && maxOf(m) <= MAX_MARGIN, value, u, gradNorm, iterations: it }; // no more progress in float64
    u.set(trial);
    if (hypotOf(u) > 1e6) return { attained: false, value, u, gradNorm, iterations: it };
  }
  return { attained: false, value, u, gradNorm, iterations: 200 };
}

/** Eq. 15's F(u) for a general margin loss (see the module comment); d×d row-major. */
export function paperF(data: DataSet, stats: DataStats, loss: MarginLoss, u: ArrayLike<number>): Float64Array {
  const { n, s, d, X, y } = data;
  const F = new Float64Array(d * d);
  const k = new Float64Array(d);
  const scale = 1 / (n * s * Math.sqrt(d));
  for (let i = 0; i < n; i++) {
    let mbar = 0;
    for (let a = 0; a < d; a++) mbar += stats.xbar[i * d + a] * u[a];
    const w = y[i] * -loss.d1(y[i] * mbar) * scale; // y_i L_{1,i}/(n s √d) for ℓ = e^{−q}
    k.fill(0);
    for (let j = 0; j < s; j++) {
      const row = (i * s + j) * d;
      let xu = 0;
      for (let a = 0; a < d; a++) xu += X[row + a] * u[a];
      for (let a = 0; a < d; a++) k[a] += xu * (X[row + a] - stats.xbar[i * d + a]); // k_i = Σ_j (x_ij·u)(x_ij − x̄_i)
    }
    const q = (i * s + s - 1) * d;
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) F[a * d + b] += w * X[q + a] * k[b]; // q_iᵀ k_i
  }
  return F;
}
