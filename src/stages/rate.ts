/**
 * The scale-free loss rate r(t) = −d ln L / d ln t on a sampled grid.
 *
 * r is the local power-law exponent of the loss: L ∝ t^(−r) near t. It is 0 on a flat plateau,
 * constant for a power law (r = a for L = t^(−a)), grows like c·t for an exponential decay e^(−ct),
 * and has a peak in the middle of a logistic drop in log time. Because it is a ratio of
 * logarithmic derivatives it is the same for L and c·L, and for t and c·t: thresholds on r do not
 * depend on the units of the loss or of time.
 *
 * - Derivative: the three-point formula for unequal steps in x = ln t applied to
 *   y = ln(L + floor), which is the ordinary central difference on a log-spaced grid and
 *   second-order on any grid; first-order one-sided differences at the two ends.
 * - Points with t ≤ 0 have no ln t: their rate is NaN and they are left out of the differences
 *   (a grid that starts at t0 = 0 simply starts its rate at the first t > 0).
 * - Floor: `floor = floorRelative · max L` (default floorRelative = 1e-300, and never below the
 *   smallest positive double), so a loss that reaches 0 exactly gives a finite ln instead of −∞
 *   and NaN rates. The default only matters at exact zeros or underflow. A tail where the loss
 *   has sunk into the numerical noise of the integration has rates of random sign and size;
 *   stage detection ignores it (its `lossResolution`), and raising the floor above the noise
 *   (e.g. floorRelative = 1e-15) also flattens the rate there for plotting.
 * - Smoothing: an equal-weight moving average of the rate over `smooth` consecutive grid points
 *   (odd, default 3; 1 = none; the window is cut at the ends). Sample errors δ (relative) in L
 *   become rate errors of order δ/Δln t, which the difference amplifies most on dense grids; the
 *   average of three central differences is a wider difference stencil with about half the noise
 *   (noise std × √(2/9)), while three points of a log grid (0.055 in ln t for 400 points from
 *   1e-3 to 60) are far narrower than any drop worth calling a stage. On the deep-linear test
 *   loss with seeded multiplicative noise of 1% (3%), 48 (0) of 50 seeds keep exactly three
 *   transitions without smoothing and 50 (16) of 50 with it. On a log-spaced grid the window is a
 *   fixed width in ln t; on other grids it is a fixed number of points.
 */
import { inputError } from '../util/errors.js';
import { checkGrid, checkKeys, checkNumber, checkSeriesShape, rateProblem } from './validate.js';

/** Default moving-average width of the rate, in grid points. */
export const DEFAULT_SMOOTH = 3;
/** Default floor of the loss, relative to its maximum: ln(L + floor) with floor = 1e-300 · max L. */
export const DEFAULT_FLOOR_RELATIVE = 1e-300;

export interface RateOptions {
  /** Moving-average width in grid points: an odd integer ≥ 1 (1 = no smoothing). Default 3. */
  smooth?: number;
  /** The floor added to L before the log, relative to max L: in (0, 1). Default 1e-300. */
  floorRelative?: number;
}

export interface LossRate {
  /**
   * Why there is no rate, as a sentence for the user (e.g. "the loss is not finite at t = 2
   * (L = NaN; 1 of 50 save points): no rate"), or null when the rate was computed. When set,
   * `rate` and `rawRate` are NaN everywhere. Set for data the rate cannot be computed from: fewer
   * than two save points with t > 0, a loss that is NaN or ±Infinity anywhere, or a negative loss.
   * (A constant loss has a rate: 0.)
   */
  readonly noRateReason: string | null;
  /** r(t) after smoothing: what stage detection uses. NaN where t ≤ 0 (everywhere if noRateReason is set). */
  readonly rate: Float64Array;
  /** r(t) before smoothing. NaN where t ≤ 0. */
  readonly rawRate: Float64Array;
  /** The absolute floor added to L before taking logs. */
  readonly floor: number;
  /** Index of the first grid point with t > 0 (the first point with a rate); t.length if none. */
  readonly firstPositive: number;
}

export const RATE_OPTION_KEYS = ['smooth', 'floorRelative'] as const;

/** Validated rate options with defaults filled in. */
export function resolveRateOptions(fn: string, options: RateOptions): Required<RateOptions> {
  const smooth = checkNumber(fn, 'smooth', options.smooth ?? DEFAULT_SMOOTH, { min: 1, integer: true });
  if (smooth % 2 === 0) throw inputError(`${fn}: option smooth must be an odd integer ≥ 1, so the window is centred (got ${smooth}).`);
  const floorRelative = checkNumber(fn, 'floorRelative', options.floorRelative ?? DEFAULT_FLOOR_RELATIVE, {
    min: 0,
    minExclusive: true,
    max: 1,
    maxExclusive: true,
  });
  return { smooth, floorRelative };
}

/**
 * The absolute floor for a loss series: floorRelative · max L (over its finite values), at least
 * the smallest positive double.
 */
export function lossFloor(loss: ArrayLike<number>, floorRelative: number): number {
  let max = 0;
  for (let i = 0; i < loss.length; i++) if (loss[i] > max && loss[i] < Infinity) max = loss[i];
  return Math.max(floorRelative * max, Number.MIN_VALUE);
}

/** The rate on already-validated input (`first` = index of the first t > 0, at least two such points). */
export function computeRate(
  t: ArrayLike<number>,
  loss: ArrayLike<number>,
  first: number,
  smooth: number,
  floor: number,
): { rate: Float64Array; rawRate: Float64Array } {
  const n = t.length;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = first; i < n; i++) {
    x[i] = Math.log(t[i]);
    y[i] = Math.log(loss[i] + floor);
  }
  const raw = new Float64Array(n).fill(NaN);
  for (let i = first; i < n; i++) {
    let dydx: number;
    if (i === first) dydx = (y[i + 1] - y[i]) / (x[i + 1] - x[i]);
    else if (i === n - 1) dydx = (y[i] - y[i - 1]) / (x[i] - x[i - 1]);
    else {
      // Three-point derivative for unequal steps h1 = x_i − x_{i−1}, h2 = x_{i+1} − x_i, written
      // with differences of y so that a constant y gives exactly 0.
      const h1 = x[i] - x[i - 1];
      const h2 = x[i + 1] - x[i];
      dydx = (h2 * h2 * (y[i] - y[i - 1]) + h1 * h1 * (y[i + 1] - y[i])) / (h1 * h2 * (h1 + h2));
    }
    raw[i] = 0 - dydx; // +0, not −0, on a flat stretch
  }
  if (smooth === 1) return { rate: raw.slice(), rawRate: raw };
  const half = (smooth - 1) / 2;
  const rate = new Float64Array(n).fill(NaN);
  for (let i = first; i < n; i++) {
    const lo = Math.max(first, i - half);
    const hi = Math.min(n - 1, i + half);
    let sum = 0;
    for (let j = lo; j <= hi; j++) sum += raw[j];
    rate[i] = sum / (hi - lo + 1);
  }
  return { rate, rawRate: raw };
}

/**
 * r(t) = −d ln L / d ln t of a loss sampled on the grid t (see the module comment for the
 * differences, the floor and the smoothing).
 *
 * Data the rate cannot be computed from is not an error: with fewer than two save points t > 0,
 * a NaN or infinite loss anywhere, or a negative loss, the result has all-NaN rates and says why
 * in `noRateReason`. Throws an input error only for a caller's mistake: a grid that is not an
 * array of finite, strictly ascending numbers, a loss that is not an array of numbers of the
 * grid's length, and invalid or unknown options.
 */
export function lossRate(t: ArrayLike<number>, loss: ArrayLike<number>, options: RateOptions = {}): LossRate {
  const fn = 'lossRate';
  if (options === null || typeof options !== 'object') throw inputError(`${fn}: options must be an object (got ${String(options)}).`);
  checkKeys(fn, options, RATE_OPTION_KEYS);
  const first = checkGrid(fn, t);
  checkSeriesShape(fn, 'loss', loss, t.length);
  const { smooth, floorRelative } = resolveRateOptions(fn, options);
  const floor = lossFloor(loss, floorRelative);
  const noRateReason = rateProblem(t, loss, first, { fewPoints: 'no rate', badValues: 'no rate' });
  if (noRateReason !== null) {
    const rate = new Float64Array(t.length).fill(NaN);
    return { noRateReason, rate, rawRate: rate.slice(), floor, firstPositive: first };
  }
  return { noRateReason, ...computeRate(t, loss, first, smooth, floor), floor, firstPositive: first };
}
