/**
 * Small dense LU factorisation with partial pivoting (Golub & Van Loan, Alg. 3.4.1), for the
 * sliding system of the pinned switching functions. Buffers grow on demand and are reused, so
 * repeated solves of the same size allocate nothing.
 */

/** A pivot below this fraction of the largest entry of the matrix counts as singular. */
export const SINGULAR_PIVOT = 1e-12;

export class DenseLu {
  /** Order of the last factorised matrix. */
  n = 0;
  /** |smallest pivot| / |largest pivot| of the last factorisation (0 when singular). */
  pivotRatio = 0;
  private a = new Float64Array(0);
  private piv = new Int32Array(0);

  /**
   * Factorises the n×n row-major matrix `m` (copied; `m` is left as it is).
   * Returns: false if the matrix is singular to working precision (a pivot ≤ SINGULAR_PIVOT·max|m_ij|).
   */
  factor(m: Float64Array, n: number): boolean {
    if (this.a.length < n * n) {
      this.a = new Float64Array(n * n);
      this.piv = new Int32Array(n);
    }
    this.n = n;
    const a = this.a;
    let scale = 0;
    for (let i = 0; i < n * n; i++) {
      a[i] = m[i];
      scale = Math.max(scale, Math.abs(m[i]));
    }
    if (!(scale > 0)) {
      this.pivotRatio = 0;
      return false;
    }
    let pMin = Infinity;
    let pMax = 0;
    for (let k = 0; k < n; k++) {
      let p = k;
      let best = Math.abs(a[k * n + k]);
      for (let i = k + 1; i < n; i++) {
        const v = Math.abs(a[i * n + k]);
        if (v > best) { best = v; p = i; }
      }
      this.piv[k] = p;
      if (!(best > SINGULAR_PIVOT * scale)) {
        this.pivotRatio = 0;
        return false;
      }
      pMin = Math.min(pMin, best);
      pMax = Math.max(pMax, best);
      if (p !== k) {
        for (let j = 0; j < n; j++) {
          const tmp = a[k * n + j];
          a[k * n + j] = a[p * n + j];
          a[p * n + j] = tmp;
        }
      }
      const akk = a[k * n + k];
      for (let i = k + 1; i < n; i++) {
        const l = a[i * n + k] / akk; // l_ik = a_ik / a_kk
        a[i * n + k] = l;
        if (l === 0) continue;
        for (let j = k + 1; j < n; j++) a[i * n + j] -= l * a[k * n + j];
      }
    }
    this.pivotRatio = pMin / pMax;
    return true;
  }

  /** Solves A x = b in place (b becomes x), with the last factorisation. */
  solve(b: Float64Array): void {
    const { n, a, piv } = this;
    for (let k = 0; k < n; k++) {
      const p = piv[k];
      if (p !== k) { const tmp = b[k]; b[k] = b[p]; b[p] = tmp; }
    }
    for (let i = 1; i < n; i++) { // L y = Pb (unit lower)
      let s = b[i];
      for (let j = 0; j < i; j++) s -= a[i * n + j] * b[j];
      b[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) { // U x = y
      let s = b[i];
      for (let j = i + 1; j < n; j++) s -= a[i * n + j] * b[j];
      b[i] = s / a[i * n + i];
    }
  }
}
