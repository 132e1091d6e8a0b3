/**
 * Condensation: how far the neurons (rows, or columns) of a weight matrix point along a few
 * common directions, independently of their lengths.
 *
 * Cosine similarity of vectors wᵢ, wⱼ: cos(wᵢ, wⱼ) = ⟨wᵢ, wⱼ⟩ / (‖wᵢ‖ ‖wⱼ‖).
 * Zero vectors have no direction: their cosine with every vector, including themselves, is
 * defined here as 0 (so they count as "not condensed", and the matrix stays finite).
 *
 * Reference: Zhou et al., "Towards understanding the condensation of neural networks at initial
 * training" (NeurIPS 2022); Chen & Luo, arXiv 2510.06954 (2025).
 */
import { Matrix } from 'ml-matrix';
import { type MatrixInput, type MatrixView, asView, hasNonFinite, shapeOf, transposeView } from './matrix-view.js';
import { effectiveRank } from './rank.js';
import { singularValues } from './svd.js';

/** Whose directions: the rows of W (default) or its columns. */
export type CondensationAxis = 'rows' | 'columns';

export interface CondensationOptions {
  /** Default 'rows'. */
  axis?: CondensationAxis;
}

export interface CondensationSummary {
  /** Number n of vectors compared (rows or columns). */
  readonly count: number;
  /** How many of them are exactly zero. */
  readonly zeroVectors: number;
  /**
   * Mean |cos(wᵢ, wⱼ)| over the n(n−1)/2 distinct pairs i < j, in [0, 1]: 1 when all non-zero
   * vectors are parallel or antiparallel (and none is zero). Pairs involving a zero vector count as
   * 0. NaN when n < 2 (no pairs).
   */
  readonly meanAbsCos: number;
  /**
   * Effective rank (Roy & Vetterli) of the matrix whose rows are wᵢ/‖wᵢ‖ (zero vectors stay
   * zero): the number of directions the vectors condense onto, between 1 and min(n, d); 0 if all
   * vectors are zero.
   */
  readonly effectiveRank: number;
}

/** n×d row-major matrix of the unit vectors wᵢ/‖wᵢ‖ (zero rows stay zero), plus the zero count. */
function unitVectors(W: MatrixInput, axis: CondensationAxis): { units: MatrixView; zeros: number; isZero: Uint8Array } {
  const src = axis === 'rows' ? asView(W) : transposeView(W);
  const { data, offset, rows: n, cols: d } = src;
  const units = new Float64Array(n * d);
  const isZero = new Uint8Array(n);
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    const base = offset + i * d;
    let scale = 0;
    for (let j = 0; j < d; j++) scale = Math.max(scale, Math.abs(data[base + j]));
    if (scale === 0) {
      zeros++;
      isZero[i] = 1;
      continue;
    }
    let sum = 0;
    for (let j = 0; j < d; j++) sum += (data[base + j] / scale) ** 2;
    const norm = Math.sqrt(sum); // ‖wᵢ‖/s, with s = max|wᵢⱼ| guarding under/overflow
    for (let j = 0; j < d; j++) units[i * d + j] = data[base + j] / scale / norm; // wᵢ/‖wᵢ‖
  }
  return { units: { data: units, offset: 0, rows: n, cols: d }, zeros, isZero };
}

/**
 * Gram matrix of the unit vectors, C = N·Nᵀ, clamped to [−1, 1] (a flat n×n array); the diagonal
 * is set to exactly 1 (0 for zero vectors) instead of the rounded ‖wᵢ/‖wᵢ‖‖².
 */
function cosineGram(units: MatrixView, isZero: Uint8Array): Float64Array {
  const { data, rows: n, cols: d } = units;
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    C[i * n + i] = isZero[i] ? 0 : 1;
    for (let j = i + 1; j < n; j++) {
      let dot = 0;
      for (let l = 0; l < d; l++) dot += data[i * d + l] * data[j * d + l]; // ⟨wᵢ/‖wᵢ‖, wⱼ/‖wⱼ‖⟩
      const c = Math.max(-1, Math.min(1, dot));
      C[i * n + j] = c;
      C[j * n + i] = c;
    }
  }
  return C;
}

/**
 * The n×n condensation matrix Cᵢⱼ = cos(wᵢ, wⱼ) of the rows (or columns) wᵢ of W.
 *
 * Symmetric, entries in [−1, 1]; Cᵢᵢ = 1 for a non-zero vector and 0 for a zero vector (see the
 * module note). A block with a non-finite entry gives an all-NaN matrix.
 */
export function cosineSimilarityMatrix(W: MatrixInput, options: CondensationOptions = {}): Matrix {
  const axis = options.axis ?? 'rows';
  const [m, n0] = shapeOf(W);
  const n = axis === 'rows' ? m : n0;
  if (hasNonFinite(W)) return new Matrix(n, n).fill(NaN);
  const { units, isZero } = unitVectors(W, axis);
  const C = cosineGram(units, isZero);
  return Matrix.from1DArray(n, n, C);
}

/**
 * Scalar summaries of condensation: the mean |cos| over distinct pairs and the effective rank of
 * the normalised vectors (see {@link CondensationSummary}). NaN fields for a non-finite block.
 */
export function condensationSummary(W: MatrixInput, options: CondensationOptions = {}): CondensationSummary {
  const axis = options.axis ?? 'rows';
  const [m, n0] = shapeOf(W);
  const n = axis === 'rows' ? m : n0;
  if (hasNonFinite(W)) return { count: n, zeroVectors: NaN, meanAbsCos: NaN, effectiveRank: NaN };
  const { units, zeros, isZero } = unitVectors(W, axis);
  const C = cosineGram(units, isZero);
  let sum = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) sum += Math.abs(C[i * n + j]); // Σ_{i<j} |Cᵢⱼ|
  const pairs = (n * (n - 1)) / 2;
  const meanAbsCos = pairs > 0 ? sum / pairs : NaN;
  const erank = n === 0 || units.cols === 0 ? 0 : effectiveRank(singularValues(units));
  return { count: n, zeroVectors: zeros, meanAbsCos, effectiveRank: erank };
}
