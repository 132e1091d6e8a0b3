/**
 * Rank measures computed from singular values σ₁ ≥ … ≥ σ_r ≥ 0 (see {@link singularValues}), so
 * one SVD per save point serves all of them. Order does not matter except where stated; a
 * negative value is a bug and throws a `RangeError`; any NaN makes the result NaN.
 *
 * Zero matrix (all σᵢ = 0): stable rank, effective rank and numerical rank are 0, and the
 * rank-k residual is 0 — "no directions", chosen so that series stay finite.
 */

/** Default relative cut-off of {@link numericalRank}. */
export const DEFAULT_RANK_RTOL = 1e-6;

/** max σᵢ, or NaN if any σᵢ is NaN. */
function checkedMax(sigma: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < sigma.length; i++) {
    const s = sigma[i];
    if (Number.isNaN(s)) return NaN;
    if (s < 0) throw new RangeError(`Singular values must be non-negative (got σ[${i}] = ${s})`);
    if (s > max) max = s;
  }
  return max;
}

/**
 * Stable rank ‖W‖²_F / ‖W‖²₂ = Σσᵢ² / σ₁², in [1, r] for W ≠ 0, and 0 for the zero matrix.
 *
 * Reference: Rudelson & Vershynin, "Sampling from large matrices" (J. ACM, 2007).
 */
export function stableRank(sigma: ArrayLike<number>): number {
  const s1 = checkedMax(sigma);
  if (Number.isNaN(s1)) return NaN;
  if (s1 === 0) return 0;
  let sum = 0;
  for (let i = 0; i < sigma.length; i++) sum += sigma[i] * sigma[i]; // ‖W‖²_F = Σσᵢ²
  const direct = sum / (s1 * s1);
  if (Number.isFinite(direct) && s1 * s1 > 0) return direct;
  // σ₁² overflowed or underflowed: Σ(σᵢ/σ₁)², the same quantity, scaled.
  let scaled = 0;
  for (let i = 0; i < sigma.length; i++) scaled += (sigma[i] / s1) ** 2;
  return scaled;
}

/**
 * Effective rank (Roy & Vetterli 2007): exp(H(p)) with pᵢ = σᵢ/Σⱼσⱼ and H(p) = −Σ pᵢ log pᵢ
 * (natural log; 0·log 0 = 0). Equals k for k equal non-zero singular values; 0 for the zero
 * matrix.
 *
 * Note: −p log p has infinite slope at p = 0, so small noise raises it much more than it raises
 * the stable rank: for rank 1 plus noise with relative singular values εᵢ ≪ 1,
 * erank − 1 ≈ Σᵢ εᵢ (1 − log εᵢ) (e.g. ≈ 4e-7 for five εᵢ = 4e-9).
 *
 * Reference: O. Roy and M. Vetterli, "The effective rank: a measure of effective dimensionality",
 * EUSIPCO 2007.
 */
export function effectiveRank(sigma: ArrayLike<number>): number {
  const s1 = checkedMax(sigma);
  if (Number.isNaN(s1)) return NaN;
  if (s1 === 0) return 0;
  let total = 0;
  for (let i = 0; i < sigma.length; i++) total += sigma[i]; // Σσⱼ
  // p is scale-free: if the sum overflows, work with σ/σ₁ instead.
  const scale = Number.isFinite(total) ? 1 : s1;
  if (scale !== 1) {
    total = 0;
    for (let i = 0; i < sigma.length; i++) total += sigma[i] / scale;
  }
  let H = 0;
  for (let i = 0; i < sigma.length; i++) {
    const p = sigma[i] / scale / total; // pᵢ = σᵢ / Σσⱼ
    if (p > 0) H -= p * Math.log(p); // H = −Σ pᵢ log pᵢ, with 0·log 0 = 0
  }
  return Math.exp(H);
}

/**
 * Numerical rank: the number of σᵢ > rtol·σ₁ (default rtol = {@link DEFAULT_RANK_RTOL} = 1e-6); 0
 * for the zero matrix.
 *
 * Why not ml-matrix's `SingularValueDecomposition.rank`: its cut-off is eps·max(m, n)·σ₁ ≈ 1e-14·σ₁,
 * i.e. it asks "is this exactly rank-deficient in floating point". Along a gradient flow the weights
 * carry small-initialisation residue and integration error far above eps, so that rank counts
 * noise (a rank-8 matrix plus 1e-10 noise reports rank 64). A relative cut-off chosen above the
 * noise floor counts the directions that actually carry the matrix; report the rtol with the result.
 */
export function numericalRank(sigma: ArrayLike<number>, rtol: number = DEFAULT_RANK_RTOL): number {
  if (!(rtol >= 0 && rtol < 1)) throw new RangeError(`Invalid rtol: must be in [0, 1) (got ${rtol})`);
  const s1 = checkedMax(sigma);
  if (Number.isNaN(s1)) return NaN;
  if (s1 === 0) return 0;
  let r = 0;
  for (let i = 0; i < sigma.length; i++) if (sigma[i] > rtol * s1) r++; // count σᵢ > rtol·σ₁
  return r;
}

/**
 * Relative distance of W to its best rank-k approximation W_k (Eckart–Young):
 * ‖W − W_k‖_F / ‖W‖_F = sqrt(Σ_{i>k} σᵢ²) / sqrt(Σᵢ σᵢ²), in [0, 1].
 *
 * The tail is summed directly (not as 1 − head), so values near 0 keep full relative accuracy.
 * Singular values are sorted descending internally. k ≥ r gives 0; k = 0 gives 1 (for W ≠ 0);
 * the zero matrix gives 0.
 */
export function lowRankResidual(sigma: ArrayLike<number>, k: number): number {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`Invalid k: must be a non-negative integer (got ${k})`);
  const s1 = checkedMax(sigma);
  if (Number.isNaN(s1)) return NaN;
  if (s1 === 0) return 0;
  const s = Float64Array.from(sigma).sort().reverse();
  let tail = 0;
  let all = 0;
  for (let i = 0; i < s.length; i++) {
    const q = (s[i] / s1) ** 2; // (σᵢ/σ₁)², scaled against overflow
    all += q;
    if (i >= k) tail += q; // i ≥ k in 0-based indexing ⇔ index > k in 1-based
  }
  return Math.sqrt(tail / all);
}
