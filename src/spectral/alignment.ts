/**
 * Alignment of singular directions with given directions, and the cosine between matrices.
 * All quantities are sign-free, because singular vectors are defined only up to sign.
 */
import { type MatrixInput, type MatrixView, asView, shapeOf } from './matrix-view.js';
import { frobeniusNorm, svd } from './svd.js';

/** Which singular vectors: left (uᵢ, length rows) or right (vᵢ, length cols). */
export type SingularSide = 'left' | 'right';

export interface AlignmentOptions {
  /** Default 'left'. */
  side?: SingularSide;
  /** How many top singular vectors, 1 ≤ k ≤ min(rows, cols). Default 1. */
  k?: number;
}

export interface Alignment {
  /** |⟨wᵢ, d⟩| / ‖d‖ for the top k singular vectors wᵢ (uᵢ or vᵢ), i = 1..k; each in [0, 1]. */
  readonly perVector: Float64Array;
  /**
   * ‖W_kᵀ d‖ / ‖d‖ = sqrt(Σᵢ≤k ⟨wᵢ, d⟩²) / ‖d‖: the cosine between d and the span of the top k
   * singular vectors. Unlike `perVector` it does not depend on the arbitrary basis chosen inside
   * a repeated singular value.
   */
  readonly subspace: number;
}

function norm2(v: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < v.length; i++) scale = Math.max(scale, Math.abs(v[i]));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += (v[i] / scale) ** 2;
  return scale * Math.sqrt(sum); // ‖v‖ = s·sqrt(Σ(vᵢ/s)²)
}

/**
 * Alignment of the top-k left (or right) singular vectors of W with a direction d:
 * |⟨u₁, d⟩| / ‖d‖, … (sign-free, in [0, 1]), and the alignment with their span.
 *
 * Throws a `RangeError` if d has the wrong length or zero norm. NaN for a non-finite W.
 */
export function singularVectorAlignment(
  W: MatrixInput,
  direction: ArrayLike<number>,
  options: AlignmentOptions = {},
): Alignment {
  const { side = 'left', k = 1 } = options;
  const [m, n] = shapeOf(W);
  const len = side === 'left' ? m : n;
  const r = Math.min(m, n);
  if (direction.length !== len) {
    throw new RangeError(`Direction has length ${direction.length}; ${side} singular vectors of a ${m}×${n} matrix have length ${len}`);
  }
  if (!Number.isInteger(k) || k < 1 || k > r) throw new RangeError(`Invalid k: must be an integer in [1, ${r}] (got ${k})`);
  const dn = norm2(direction);
  if (!(dn > 0)) throw new RangeError(`Direction must have a positive finite norm (got ${dn})`);
  const { U, V } = svd(W);
  const Q = side === 'left' ? U : V;
  const perVector = new Float64Array(k);
  let sq = 0;
  for (let i = 0; i < k; i++) {
    let dot = 0;
    for (let j = 0; j < len; j++) dot += Q.get(j, i) * direction[j]; // ⟨wᵢ, d⟩
    const c = Math.abs(dot) / dn; // |⟨wᵢ, d⟩| / ‖d‖
    perVector[i] = c;
    sq += c * c;
  }
  return { perVector, subspace: Math.sqrt(sq) };
}

/**
 * Cosine between two matrices of the same shape: ⟨A, B⟩_F / (‖A‖_F ‖B‖_F), with
 * ⟨A, B⟩_F = Σᵢⱼ AᵢⱼBᵢⱼ = tr(AᵀB). Signed, in [−1, 1]; 0 if either matrix is zero.
 * Take |·| for a sign-free comparison with singular-vector products such as u₁v₁ᵀ.
 */
export function matrixCosine(A: MatrixInput, B: MatrixInput): number {
  const a = asView(A);
  const b = asView(B);
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new RangeError(`matrixCosine needs equal shapes (got ${a.rows}×${a.cols} and ${b.rows}×${b.cols})`);
  }
  const na = frobeniusNorm(a);
  const nb = frobeniusNorm(b);
  if (Number.isNaN(na) || Number.isNaN(nb)) return NaN;
  if (na === 0 || nb === 0) return 0;
  const size = a.rows * a.cols;
  let dot = 0;
  for (let i = 0; i < size; i++) dot += (a.data[a.offset + i] / na) * (b.data[b.offset + i] / nb); // ⟨A/‖A‖, B/‖B‖⟩_F
  return Math.max(-1, Math.min(1, dot));
}

/**
 * The rank-one matrix uₖvₖᵀ of the k-th singular pair (k = 1 by default), as a contiguous view.
 * Note ⟨W, u₁v₁ᵀ⟩_F = u₁ᵀWv₁ = σ₁, so matrixCosine(W, topRankOne(W)) = σ₁/‖W‖_F = 1/sqrt(stable rank).
 */
export function topRankOne(W: MatrixInput, k = 1): MatrixView {
  const [m, n] = shapeOf(W);
  const r = Math.min(m, n);
  if (!Number.isInteger(k) || k < 1 || k > r) throw new RangeError(`Invalid k: must be an integer in [1, ${r}] (got ${k})`);
  const { U, V } = svd(W);
  const data = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) data[i * n + j] = U.get(i, k - 1) * V.get(j, k - 1); // (uₖvₖᵀ)ᵢⱼ = uₖᵢ vₖⱼ
  return { data, offset: 0, rows: m, cols: n };
}
