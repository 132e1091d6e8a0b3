/** One time per transition, for comparing runs and sweeping: the geometric mean of its ends. */
import { detectStages } from './detect.js';

/**
 * Transition times of a loss curve, each at the geometric mean of the transition's start and end
 * (a transition that starts at t = 0 counts from the first t > 0, so the mean stays finite).
 */
export function transitionTimes(t: Float64Array, loss: Float64Array): number[] {
  const firstPositive = t.find((x) => x > 0) ?? 1;
  return detectStages(t, loss, {}).stages
    .filter((s) => s.kind === 'transition')
    .map((s) => Math.sqrt(Math.max(s.tStart, firstPositive) * s.tEnd));
}
