/**
 * The spectral observer set of one block at one save point, sharing a single SVD: what a
 * trajectory records per weight matrix (and what `scripts/bench-observers.ts` times).
 */
import { type CondensationAxis, type CondensationSummary, condensationSummary } from './condensation.js';
import type { MatrixInput } from './matrix-view.js';
import { DEFAULT_RANK_RTOL, effectiveRank, numericalRank, stableRank } from './rank.js';
import { frobeniusNorm, singularValues } from './svd.js';

export interface SpectralObservablesOptions {
  /** Relative cut-off of the numerical rank. Default {@link DEFAULT_RANK_RTOL} (1e-6). */
  rankRtol?: number;
  /** Directions compared by the condensation summary. Default 'rows'. */
  condensationAxis?: CondensationAxis;
}

export interface SpectralObservables {
  /** σ₁ ≥ … ≥ σ_r, r = min(rows, cols). */
  readonly singularValues: Float64Array;
  /** ‖W‖_F, from the entries. */
  readonly frobeniusNorm: number;
  /** ‖W‖₂ = σ₁. */
  readonly spectralNorm: number;
  /** ‖W‖²_F/‖W‖²₂ (0 for W = 0). */
  readonly stableRank: number;
  /** Roy–Vetterli exp(H(σ/Σσ)) (0 for W = 0). */
  readonly effectiveRank: number;
  /** #{σᵢ > rankRtol·σ₁}. */
  readonly numericalRank: number;
  /** The rtol used for `numericalRank`, recorded with the result. */
  readonly rankRtol: number;
  readonly condensation: CondensationSummary;
}

/**
 * All spectral observables of W at once. Costs one SVD of W, plus one Gram matrix and one SVD of
 * the row-normalised W for the condensation summary.
 */
export function spectralObservables(W: MatrixInput, options: SpectralObservablesOptions = {}): SpectralObservables {
  const rankRtol = options.rankRtol ?? DEFAULT_RANK_RTOL;
  const sigma = singularValues(W);
  return {
    singularValues: sigma,
    frobeniusNorm: frobeniusNorm(W),
    spectralNorm: sigma[0],
    stableRank: stableRank(sigma),
    effectiveRank: effectiveRank(sigma),
    numericalRank: numericalRank(sigma, rankRtol),
    rankRtol,
    condensation: condensationSummary(W, { axis: options.condensationAxis ?? 'rows' }),
  };
}
