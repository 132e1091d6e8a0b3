/**
 * Small allocation-free kernels on row-major Float64Array blocks, for vector fields.
 * (ml-matrix is used for decompositions at save points; these run inside the RHS.)
 */

/** C (m×n) = A (m×k) · B (k×n); blocks given by array and offset. */
export function gemm(
  A: Float64Array, aOff: number, B: Float64Array, bOff: number, C: Float64Array, cOff: number,
  m: number, k: number, n: number,
): void {
  for (let i = 0; i < m; i++) {
    const ci = cOff + i * n;
    for (let j = 0; j < n; j++) C[ci + j] = 0;
    for (let p = 0; p < k; p++) {
      const a = A[aOff + i * k + p];
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) C[ci + j] += a * B[bp + j];
    }
  }
}

/** C (k×n) = Aᵀ · B, with A (m×k) and B (m×n). */
export function gemmTN(
  A: Float64Array, aOff: number, B: Float64Array, bOff: number, C: Float64Array, cOff: number,
  m: number, k: number, n: number,
): void {
  for (let i = 0; i < k * n; i++) C[cOff + i] = 0;
  for (let p = 0; p < m; p++) {
    for (let i = 0; i < k; i++) {
      const a = A[aOff + p * k + i];
      const ci = cOff + i * n;
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) C[ci + j] += a * B[bp + j];
    }
  }
}

/** C (m×k) = A · Bᵀ, with A (m×n) and B (k×n). */
export function gemmNT(
  A: Float64Array, aOff: number, B: Float64Array, bOff: number, C: Float64Array, cOff: number,
  m: number, n: number, k: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      const ai = aOff + i * n;
      const bj = bOff + j * n;
      for (let p = 0; p < n; p++) s += A[ai + p] * B[bj + p];
      C[cOff + i * k + j] = s;
    }
  }
}

/** A random orthogonal n×n matrix (Haar): Gram–Schmidt, twice, on Gaussian columns. */
export function randomOrthogonal(n: number, normal: () => number): Float64Array {
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) Q[i] = normal();
  for (let j = 0; j < n; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += Q[i * n + j] * Q[i * n + p];
        for (let i = 0; i < n; i++) Q[i * n + j] -= dot * Q[i * n + p];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += Q[i * n + j] ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) Q[i * n + j] /= norm;
  }
  return Q;
}
