/**
 * Row-major blocks of a flat state vector, and their conversion to ml-matrix.
 *
 * A model's state is one `Float64Array`; a weight matrix is the block
 * `data[offset + i·cols + j]`, i < rows, j < cols. Every function in `src/spectral` accepts
 * such a {@link MatrixView} or an ml-matrix `AbstractMatrix` (a {@link MatrixInput}).
 * Views are read, never written, and never kept.
 */
import { AbstractMatrix, Matrix } from 'ml-matrix';

/** A row-major rows×cols block of `data` starting at `offset`. */
export interface MatrixView {
  readonly data: Float64Array;
  readonly offset: number;
  readonly rows: number;
  readonly cols: number;
}

/** Anything the spectral functions accept: a block view or an ml-matrix matrix. */
export type MatrixInput = MatrixView | AbstractMatrix;

/** A layout entry such as a model's `StateBlock`: shape `[rows, cols]`, or `[n]` for an n×1 column. */
export interface BlockLayout {
  readonly offset: number;
  readonly shape: readonly number[];
}

function checkCount(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`Invalid ${name}: must be a non-negative integer (got ${n})`);
}

/**
 * Makes a view of the rows×cols block of `data` that starts at `offset` (row-major, no copy).
 *
 * Throws a `RangeError` if the block does not fit inside `data`.
 */
export function matrixView(data: Float64Array, rows: number, cols: number, offset = 0): MatrixView {
  checkCount('rows', rows);
  checkCount('cols', cols);
  checkCount('offset', offset);
  if (offset + rows * cols > data.length) {
    throw new RangeError(
      `Block ${rows}×${cols} at offset ${offset} needs ${offset + rows * cols} entries; the array has ${data.length}`,
    );
  }
  return { data, offset, rows, cols };
}

/** A view of one block of a state vector, from its layout entry (`shape` [r, c] or [n] → n×1). */
export function blockView(y: Float64Array, block: BlockLayout): MatrixView {
  const { shape } = block;
  if (shape.length === 2) return matrixView(y, shape[0], shape[1], block.offset);
  if (shape.length === 1) return matrixView(y, shape[0], 1, block.offset);
  throw new RangeError(`Block shape must have 1 or 2 dimensions (got [${shape.join(', ')}])`);
}

/** True for a {@link MatrixView} (as opposed to an ml-matrix matrix). */
export function isMatrixView(x: MatrixInput): x is MatrixView {
  return !AbstractMatrix.isMatrix(x);
}

/** Number of rows and columns of either kind of input. */
export function shapeOf(x: MatrixInput): [rows: number, cols: number] {
  return isMatrixView(x) ? [x.rows, x.cols] : [x.rows, x.columns];
}

/**
 * A view of `x`: returned as is when it already is one, otherwise a row-major copy of the
 * ml-matrix matrix (offset 0).
 */
export function asView(x: MatrixInput): MatrixView {
  if (isMatrixView(x)) return x;
  const rows = x.rows;
  const cols = x.columns;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = x.get(i, j);
  return { data, offset: 0, rows, cols };
}

/** A fresh ml-matrix `Matrix` with the entries of `x` (always a copy, so in-place ml-matrix arithmetic cannot reach the state). */
export function toMatrix(x: MatrixInput): Matrix {
  if (!isMatrixView(x)) return Matrix.from1DArray(x.rows, x.columns, asView(x).data);
  const { data, offset, rows, cols } = x;
  return Matrix.from1DArray(rows, cols, data.subarray(offset, offset + rows * cols));
}

/** A contiguous copy (offset 0) of the entries of `x`. */
export function copyView(x: MatrixInput): MatrixView {
  const v = asView(x);
  const data = v.data.slice(v.offset, v.offset + v.rows * v.cols);
  return { data, offset: 0, rows: v.rows, cols: v.cols };
}

/** Xᵀ as a new contiguous view. */
export function transposeView(x: MatrixInput): MatrixView {
  const { data, offset, rows, cols } = asView(x);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[offset + i * cols + j];
  return { data: out, offset: 0, rows: cols, cols: rows };
}

/**
 * The product A·B as a new contiguous view.
 *
 * Loop order i-k-j, so both operands and the output are read along rows (row-major friendly);
 * plain double-precision sums, no compensation, no skipping of zeros (so NaN/Inf propagate as in
 * IEEE arithmetic).
 */
export function matmul(a: MatrixInput, b: MatrixInput): MatrixView {
  const A = asView(a);
  const B = asView(b);
  if (A.cols !== B.rows) {
    throw new RangeError(`Cannot multiply ${A.rows}×${A.cols} by ${B.rows}×${B.cols}: inner dimensions differ`);
  }
  const m = A.rows;
  const p = A.cols;
  const n = B.cols;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let k = 0; k < p; k++) {
      const aik = A.data[A.offset + i * p + k];
      const bk = B.offset + k * n;
      for (let j = 0; j < n; j++) out[ci + j] += aik * B.data[bk + j]; // C_ij += A_ik B_kj
    }
  }
  return { data: out, offset: 0, rows: m, cols: n };
}

/**
 * The product of blocks, written in the order of the mathematics: `product(W2, W1)` = W2·W1.
 * Multiplied left to right; at least one factor is required.
 */
export function product(...factors: MatrixInput[]): MatrixView {
  if (factors.length === 0) throw new RangeError('product() needs at least one factor');
  let acc = factors.length === 1 ? copyView(factors[0]) : matmul(factors[0], factors[1]);
  for (let i = 2; i < factors.length; i++) acc = matmul(acc, factors[i]);
  return acc;
}

/** True if any entry of the block is NaN or ±Infinity. */
export function hasNonFinite(x: MatrixInput): boolean {
  const { data, offset, rows, cols } = asView(x);
  for (let i = offset, end = offset + rows * cols; i < end; i++) if (!Number.isFinite(data[i])) return true;
  return false;
}
