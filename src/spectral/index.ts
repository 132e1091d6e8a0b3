/**
 * Spectra, ranks, alignments and condensation of weight matrices (ml-matrix does the linear
 * algebra). Inputs are row-major blocks of the state vector ({@link MatrixView}) or ml-matrix
 * matrices; singular values are descending throughout.
 */
export {
  type BlockLayout,
  type MatrixInput,
  type MatrixView,
  asView,
  blockView,
  copyView,
  hasNonFinite,
  isMatrixView,
  matmul,
  matrixView,
  product,
  shapeOf,
  toMatrix,
  transposeView,
} from './matrix-view.js';
export { type Svd, frobeniusNorm, singularValues, spectralNorm, svd } from './svd.js';
export { type ComplexEigenvalues, eigenvalues, symmetricPartEigenvalues } from './eig.js';
export { DEFAULT_RANK_RTOL, effectiveRank, lowRankResidual, numericalRank, stableRank } from './rank.js';
export {
  type Alignment,
  type AlignmentOptions,
  type SingularSide,
  matrixCosine,
  singularVectorAlignment,
  topRankOne,
} from './alignment.js';
export {
  type CondensationAxis,
  type CondensationOptions,
  type CondensationSummary,
  condensationSummary,
  cosineSimilarityMatrix,
} from './condensation.js';
export { type SpectralObservables, type SpectralObservablesOptions, spectralObservables } from './observables.js';
