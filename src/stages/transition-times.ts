/** One time per transition, for comparing runs and sweeping: the geometric mean of its ends. */
import { detectStages } from './detect.js';

/**
 * Transition times of a loss curve, each at the geometric mean of the transition's start and end
 * (a transition that starts at t = 0 counts from the first t > 0, so the mean stays finite).
 * A loss with no stages to find (too few save points t > 0; NaN, infinite, negative or constant:
 * see `noStagesReason` of `detectStages`) has none: the result is []. Throws only for a caller's
 * mistake (a grid that is not finite and strictly ascending, a loss of another length).
 */
export function transitionTimes(t: Float64Array, loss: Float64Array): number[] {
  const firstPositive = t.find((x) => x > 0) ?? 1;
  return detectStages(t, loss, {}).stages
    .filter((s) => s.kind === 'transition')
    .map((s) => Math.sqrt(Math.max(s.tStart, firstPositive) * s.tEnd));
}
