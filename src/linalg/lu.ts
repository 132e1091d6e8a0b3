/**
 * Dense LU factorisation with partial pivoting, in place and allocation-free after construction,
 * for the linear systems (I/(hγ) − J)·u = r of the Rosenbrock method: one factorisation per step
 * attempt, one forward/back substitution per stage.
 *
 * Reference: Golub & Van Loan, Matrix Computations, 4th ed., Alg. 3.4.1 (Gaussian elimination with
 * partial pivoting, stored as PA = LU with unit lower L below the diagonal and U on and above it).
 */

/** A pivot of magnitude ≤ SINGULAR_RATIO·max|a_ij| counts as zero: the matrix is singular to working precision. */
export const SINGULAR_RATIO = 1e-14;

/** The factors of one n×n matrix; `factor` overwrites them, `solve` reuses them. */
export class LuFactors {
  readonly n: number;
  /** Row-major n×n work matrix: fill it, call {@link LuFactors.factor}, then it holds L and U. */
  readonly a: Float64Array;
  private readonly piv: Int32Array;

  constructor(n: number) {
    this.n = n;
    this.a = new Float64Array(n * n);
    this.piv = new Int32Array(n);
  }

  /**
   * Factorises the matrix in {@link LuFactors.a} in place: PA = LU.
   * Returns: false if a pivot is not finite or is ≤ SINGULAR_RATIO·max|a_ij| (singular to working
   * precision); the factors are then unusable.
   */
  factor(): boolean {
    const { n, a, piv } = this;
    let scale = 0;
    for (let i = 0; i < n * n; i++) {
      const v = Math.abs(a[i]);
      if (!(v <= Number.MAX_VALUE)) return false; // NaN or ±Infinity
      if (v > scale) scale = v;
    }
    const tiny = SINGULAR_RATIO * scale;
    for (let k = 0; k < n; k++) {
      // the largest |a_ik| on or below the diagonal becomes the pivot
      let p = k;
      let best = Math.abs(a[k * n + k]);
      for (let i = k + 1; i < n; i++) {
        const v = Math.abs(a[i * n + k]);
        if (v > best) {
          best = v;
          p = i;
        }
      }
      if (!(best > tiny)) return false;
      piv[k] = p;
      if (p !== k) {
        for (let j = 0; j < n; j++) {
          const tmp = a[k * n + j];
          a[k * n + j] = a[p * n + j];
          a[p * n + j] = tmp;
        }
      }
      const inv = 1 / a[k * n + k];
      for (let i = k + 1; i < n; i++) {
        const l = a[i * n + k] * inv; // l_ik = a_ik / u_kk
        a[i * n + k] = l;
        if (l === 0) continue;
        for (let j = k + 1; j < n; j++) a[i * n + j] -= l * a[k * n + j]; // a_ij ← a_ij − l_ik·u_kj
      }
    }
    return true;
  }

  /**
   * Solves A x = b in place with the factors of the last successful `factor()`: b is
   * buf[off … off + n − 1] and becomes x (an offset rather than a subarray, so nothing is allocated).
   */
  solve(buf: Float64Array, off = 0): void {
    const { n, a, piv } = this;
    for (let k = 0; k < n; k++) {
      const p = piv[k];
      if (p !== k) {
        const tmp = buf[off + k];
        buf[off + k] = buf[off + p];
        buf[off + p] = tmp;
      }
    }
    for (let i = 1; i < n; i++) {
      let s = buf[off + i];
      for (let j = 0; j < i; j++) s -= a[i * n + j] * buf[off + j]; // L y = P b (unit diagonal)
      buf[off + i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = buf[off + i];
      for (let j = i + 1; j < n; j++) s -= a[i * n + j] * buf[off + j]; // U x = y
      buf[off + i] = s / a[i * n + i];
    }
  }
}
