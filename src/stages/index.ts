/**
 * Stage detection on sampled time series: a loss curve split into plateaus and transitions by the
 * scale-free rate r(t) = −d ln L / d ln t, with the observables that moved most in each stage.
 * Pure functions, no I/O. The method, its defaults and the conventions of the output are
 * documented in `detect.ts`; the rate itself in `rate.ts`.
 */
export {
  DEFAULT_CONVERGED_DROP,
  DEFAULT_MAX_MOVERS,
  DEFAULT_MIN_DROP,
  DEFAULT_MIN_GAP_POINTS,
  DEFAULT_MIN_GAP_RATIO,
  DEFAULT_RATE_HIGH,
  DEFAULT_RATE_LOW,
  type Mover,
  type ResolvedStageOptions,
  type Stage,
  type StageKind,
  type StageOptions,
  type StageResult,
  detectStages,
  resolveStageOptions,
} from './detect.js';
export { DEFAULT_FLOOR_RELATIVE, DEFAULT_SMOOTH, type LossRate, type RateOptions, lossRate } from './rate.js';
export { type CrossingDirection, firstCrossing } from './crossing.js';
export { type SummaryOptions, summarizeStages } from './summary.js';
export { transitionTimes } from './transition-times.js';
