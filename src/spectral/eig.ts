/**
 * Eigenvalues of square blocks, via ml-matrix's EigenvalueDecomposition (JAMA: Householder
 * tridiagonalisation + QL for symmetric input, Hessenberg + shifted QR otherwise).
 *
 * ml-matrix picks the symmetric path only when `A[i][j] === A[j][i]` exactly, so a Gram matrix
 * with rounding asymmetry silently takes the slower nonsymmetric path and may return tiny
 * spurious imaginary parts. {@link symmetricPartEigenvalues} therefore symmetrises explicitly and
 * passes `assumeSymmetric: true`.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { type MatrixInput, asView, hasNonFinite } from './matrix-view.js';

/** Eigenvalues λₖ = re[k] + i·im[k]. */
export interface ComplexEigenvalues {
  readonly re: Float64Array;
  readonly im: Float64Array;
}

function squareView(W: MatrixInput) {
  const v = asView(W);
  if (v.rows !== v.cols || v.rows === 0) {
    throw new RangeError(`Eigenvalues need a non-empty square matrix (got ${v.rows}×${v.cols})`);
  }
  return v;
}

/**
 * Eigenvalues of the symmetric part sym(W) = (W + Wᵀ)/2, in **descending** order (the same order
 * as singular values; ml-matrix itself returns them ascending).
 *
 * For a matrix that is symmetric up to rounding (a Gram matrix AᵀA, a Hessian) this is the
 * accurate way to get its eigenvalues. The symmetrised matrix is exactly symmetric because IEEE
 * addition commutes: (Wᵢⱼ + Wⱼᵢ)/2 === (Wⱼᵢ + Wᵢⱼ)/2.
 *
 * Returns all-NaN for a block with a non-finite entry.
 */
export function symmetricPartEigenvalues(W: MatrixInput): Float64Array {
  const { data, offset, rows: n } = squareView(W);
  if (hasNonFinite(W)) return new Float64Array(n).fill(NaN);
  const S = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) S.set(i, j, 0.5 * (data[offset + i * n + j] + data[offset + j * n + i])); // Sᵢⱼ = (Wᵢⱼ + Wⱼᵢ)/2
  }
  const ev = new EigenvalueDecomposition(S, { assumeSymmetric: true }).realEigenvalues;
  return Float64Array.from(ev).sort().reverse(); // typed-array sort is numeric
}

/**
 * All eigenvalues of a (generally nonsymmetric) square W, complex pairs as (re, im).
 *
 * Order: by real part descending (the leading growth rate of ẋ = Wx first); a complex-conjugate
 * pair has equal real parts and is listed with the positive imaginary part first.
 * Returns all-NaN for a block with a non-finite entry.
 */
export function eigenvalues(W: MatrixInput): ComplexEigenvalues {
  const { data, offset, rows: n } = squareView(W);
  if (hasNonFinite(W)) return { re: new Float64Array(n).fill(NaN), im: new Float64Array(n).fill(NaN) };
  const A = Matrix.from1DArray(n, n, data.subarray(offset, offset + n * n));
  // Default options: ml-matrix still takes its symmetric path by itself when A is exactly symmetric.
  const dec = new EigenvalueDecomposition(A);
  const reRaw = dec.realEigenvalues;
  const imRaw = dec.imaginaryEigenvalues;
  const order = reRaw.map((_, k) => k).sort((a, b) => reRaw[b] - reRaw[a] || imRaw[b] - imRaw[a]);
  return {
    re: Float64Array.from(order, (k) => reRaw[k]),
    im: Float64Array.from(order, (k) => imRaw[k]),
  };
}
