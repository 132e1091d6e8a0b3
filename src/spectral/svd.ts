/**
 * Singular values and vectors of a block, via ml-matrix's one-sided Golub–Kahan SVD.
 *
 * Conventions used throughout `src/spectral`:
 * - singular values are **descending**, non-negative, and there are r = min(rows, cols) of them;
 * - U is rows×r and V is cols×r (thin SVD) with W = U·diag(σ)·Vᵀ, for tall *and* wide blocks:
 *   ml-matrix returns truncated ("economy") factors for wide inputs (mljs/matrix#203), so a wide
 *   block is decomposed through its transpose, Wᵀ = U'ΣV'ᵀ ⇒ W = V'ΣU'ᵀ;
 * - singular vectors are defined only up to sign (and up to rotation inside repeated singular
 *   values). {@link svd} fixes the sign so that the entry of largest magnitude of each uᵢ is
 *   positive, which keeps vectors continuous along a trajectory in the generic case; sign-free
 *   quantities (alignments |⟨u, v⟩|) do not depend on it;
 * - a block with a NaN or ±Infinity entry yields NaN everywhere (no decomposition is attempted).
 */
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { type MatrixInput, asView, hasNonFinite, shapeOf, toMatrix, transposeView } from './matrix-view.js';

/** Thin SVD W = U·diag(s)·Vᵀ; r = min(rows, cols). */
export interface Svd {
  /** σ₁ ≥ σ₂ ≥ … ≥ σ_r ≥ 0. */
  readonly s: Float64Array;
  /** rows×r, orthonormal columns uᵢ. */
  readonly U: Matrix;
  /** cols×r, orthonormal columns vᵢ. */
  readonly V: Matrix;
}

function checkNonEmpty(x: MatrixInput): [number, number] {
  const [m, n] = shapeOf(x);
  if (m === 0 || n === 0) throw new RangeError(`Spectral quantities need a non-empty matrix (got ${m}×${n})`);
  return [m, n];
}

/** ml-matrix SVD of the tall orientation of x (rows ≥ cols), plus whether x was transposed. */
function tallSvd(x: MatrixInput, vectors: boolean): { dec: SingularValueDecomposition; transposed: boolean } {
  const [m, n] = checkNonEmpty(x);
  const transposed = m < n;
  const A = toMatrix(transposed ? transposeView(x) : x);
  const dec = new SingularValueDecomposition(A, {
    computeLeftSingularVectors: vectors,
    computeRightSingularVectors: vectors,
    autoTranspose: false,
  });
  return { dec, transposed };
}

/**
 * The singular values of W, descending (length min(rows, cols)).
 *
 * Returns all-NaN if W has a non-finite entry. Throws a `RangeError` for an empty matrix.
 */
export function singularValues(W: MatrixInput): Float64Array {
  const [m, n] = checkNonEmpty(W);
  const r = Math.min(m, n);
  if (hasNonFinite(W)) return new Float64Array(r).fill(NaN);
  const { dec } = tallSvd(W, false);
  return Float64Array.from(dec.diagonal.slice(0, r));
}

/**
 * The thin SVD of W with the sign convention of this module (largest-magnitude entry of each uᵢ
 * positive, vᵢ flipped with it so that W = U·diag(s)·Vᵀ still holds).
 */
export function svd(W: MatrixInput): Svd {
  const [m, n] = checkNonEmpty(W);
  const r = Math.min(m, n);
  if (hasNonFinite(W)) {
    return { s: new Float64Array(r).fill(NaN), U: new Matrix(m, r).fill(NaN), V: new Matrix(n, r).fill(NaN) };
  }
  const { dec, transposed } = tallSvd(W, true);
  const s = Float64Array.from(dec.diagonal.slice(0, r));
  // Tall case: U is m×r, V is n×n = n×r. Wide case (Wᵀ = U'ΣV'ᵀ): U = V' (m×m), V = U' (n×m).
  const Uraw = transposed ? dec.rightSingularVectors : dec.leftSingularVectors;
  const Vraw = transposed ? dec.leftSingularVectors : dec.rightSingularVectors;
  const U = new Matrix(m, r);
  const V = new Matrix(n, r);
  for (let k = 0; k < r; k++) {
    let big = 0;
    for (let i = 0; i < m; i++) if (Math.abs(Uraw.get(i, k)) > Math.abs(big)) big = Uraw.get(i, k);
    const sign = big < 0 ? -1 : 1; // (−uᵢ)σᵢ(−vᵢ)ᵀ = uᵢσᵢvᵢᵀ: flip both
    for (let i = 0; i < m; i++) U.set(i, k, sign * Uraw.get(i, k));
    for (let j = 0; j < n; j++) V.set(j, k, sign * Vraw.get(j, k));
  }
  return { s, U, V };
}

/**
 * ‖W‖_F = sqrt(Σᵢⱼ Wᵢⱼ²), computed from the entries; rescaled by max|Wᵢⱼ| when the squares could
 * overflow or underflow (max|Wᵢⱼ| outside [1e-150, 1e150]). NaN if any entry is NaN; Infinity if any is infinite.
 */
export function frobeniusNorm(W: MatrixInput): number {
  const { data, offset, rows, cols } = asView(W);
  const end = offset + rows * cols;
  let scale = 0;
  for (let i = offset; i < end; i++) {
    const a = Math.abs(data[i]);
    if (Number.isNaN(a)) return NaN;
    if (a > scale) scale = a;
  }
  if (scale === 0 || scale === Infinity) return scale;
  let sum = 0;
  if (scale > 1e-150 && scale < 1e150) {
    // Squares neither overflow nor underflow: plain sum (one rounding fewer per entry).
    for (let i = offset; i < end; i++) sum += data[i] * data[i]; // Σ Wᵢⱼ²
    return Math.sqrt(sum);
  }
  for (let i = offset; i < end; i++) {
    const t = data[i] / scale;
    sum += t * t; // Σ (Wᵢⱼ/s)²
  }
  return scale * Math.sqrt(sum); // ‖W‖_F = s·sqrt(Σ (Wᵢⱼ/s)²)
}

/** ‖W‖₂ = σ₁(W), the largest singular value (NaN for a non-finite block). */
export function spectralNorm(W: MatrixInput): number {
  return singularValues(W)[0];
}
