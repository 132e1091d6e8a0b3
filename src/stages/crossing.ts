/** Where a sampled series first crosses a level. */
import { inputError } from '../util/errors.js';
import { checkGrid, checkSeries } from './validate.js';

export type CrossingDirection = 'rising' | 'falling' | 'both';

/**
 * The first time at which `series` crosses `level` in the given direction ('rising': from below
 * to at-or-above; 'falling': from above to at-or-below; 'both': either, default), by linear
 * interpolation in t between the two grid points that bracket it; `null` if it never does. A
 * series that starts on the far side of the level has not crossed it (a series already at or
 * below the level at t[0] has no falling crossing there).
 *
 * This only sees the grid: the error of the interpolation is of order Δt²·|s''|/|s'| for the grid
 * step Δt around the crossing. For exact times, declare an event in the model instead: the engine
 * locates events by root-finding on the solver's dense output, to the integration tolerance.
 *
 * Throws an input error for a grid that is not strictly ascending, a series of another length or
 * with a non-finite entry, a non-finite level or an unknown direction.
 */
export function firstCrossing(
  t: ArrayLike<number>,
  series: ArrayLike<number>,
  level: number,
  direction: CrossingDirection = 'both',
): number | null {
  const fn = 'firstCrossing';
  checkGrid(fn, t);
  checkSeries(fn, 'series', series, t.length, false);
  if (typeof level !== 'number' || !Number.isFinite(level)) throw inputError(`${fn}: level must be a finite number (got ${String(level)}).`);
  if (direction !== 'rising' && direction !== 'falling' && direction !== 'both') {
    throw inputError(`${fn}: direction must be 'rising', 'falling' or 'both' (got ${JSON.stringify(direction)}).`);
  }
  const rising = direction !== 'falling';
  const falling = direction !== 'rising';
  for (let i = 1; i < t.length; i++) {
    const a = series[i - 1];
    const b = series[i];
    if ((rising && a < level && b >= level) || (falling && a > level && b <= level)) {
      // Linear interpolation in t; b ≠ a here since level lies in (a, b] or [b, a).
      return t[i - 1] + ((level - a) / (b - a)) * (t[i] - t[i - 1]);
    }
  }
  return null;
}

