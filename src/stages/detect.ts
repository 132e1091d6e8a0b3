/**
 * Stage detection: split a sampled loss curve into plateaus and transitions.
 *
 * Input: a grid t[0..n) (strictly ascending, usually log-spaced; it may start at t ≤ 0), the loss
 * L(t) ≥ 0 on it, and optionally named observables on the same grid. Pure functions, no I/O.
 *
 * ## Method
 *
 * 1. Rate. r(t) = −d ln L / d ln t by differences of ln(L + floor) in ln t, lightly smoothed
 *    (see `rate.ts`: defaults smooth = 3 points, floor = 1e-300 · max L). r is scale-free: the loss
 *    falls by a factor e^r per e-fold of time. Points with t ≤ 0 have no rate and join the first
 *    stage.
 * 2. Classes. Each point with t > 0 is *high* if r ≥ rateHigh (default 1: the loss falls by a
 *    factor e per e-fold of time or faster), *low* if r ≤ rateLow (default 0.1: by under 10% per
 *    e-fold of time), *mid* otherwise. A point whose loss is ≤ lossResolution × max L (default
 *    1e-12) counts as zero: its rate is numerical noise (an ODE solution at relative tolerance δ
 *    gives a squared-error loss a noise floor near δ² · max L; δ = 1e-10 gave ~1e-19 on the deep
 *    linear network), so it is treated as mid and never starts or splits a stage.
 * 3. Transitions by hysteresis. A *core* is a maximal run of high points. The first core grows
 *    back, and the last core forward, through mid points up to the nearest low point, so a
 *    transition owns its shoulders; a point just under rateHigh does not end a transition, and
 *    noise around rateLow only moves its ends by a point.
 * 4. Between two cores. The plateau separating them is the span from the first to the last low
 *    point between them. If there is no low point there, or the span is too short (fewer than
 *    minGapPoints points, default 2, or tEnd/tStart < minGapRatio, default 1.02, i.e. under 2% of
 *    time), the plateau is the span of the points with r ≤ rateValley instead (default
 *    max(rateLow, rateHigh/2) = 0.5); if that is absent or too short too, the two cores and
 *    everything between them are one transition. The rest of the stretch between the cores is
 *    the shoulders of the two transitions. So noise around rateHigh, which splits a core into
 *    pieces separated by points just under it, cannot split a transition (the rate would have
 *    to fall to half of rateHigh), nor can one stray point under the thresholds; while drops
 *    that follow each other so closely that the rate never settles below rateLow between them
 *    are still two transitions if the rate halves in between. (On the exact deep linear network
 *    with strengths 3, 1.5, 0.5 and u0 = 1e-6 the rate between the first two drops falls only to
 *    0.2, with peaks of 6.9 and 10.1; on integrated random starts of that network (eps = 1e-3,
 *    seeds 1–20, 300 points) it fell to between 0.03 and 0.38 in 18 seeds, and stayed above 0.5
 *    in the other 2, where the two drops overlap and are reported as one transition.)
 * 5. Small drops. A transition whose loss falls by no more than minDrop (default 1e-3) of its
 *    loss at the start, lossStart − lossEnd ≤ minDrop·lossStart, is noise: it becomes plateau and
 *    merges with its neighbours. (A rise is never a transition.)
 * 6. Convergence. When the last transition never returns to a plateau (its rate stays above
 *    rateLow to the end of the grid, as for a loss that has reached ~0 and decays exponentially,
 *    where r = c·t grows without bound), it is cut at the first point from which the loss stays
 *    at or below convergedDrop (default 1e-3) × its value at the transition's start (or at or
 *    below the zero level of step 2); the rest of the grid is a final stage of kind 'converged'.
 *    The transition then reports the drop itself rather than an end set by where the grid
 *    stops, and the exponential tail is never counted as one more transition. A last transition
 *    that has not fallen that far by the end of the grid is left open: it ends at the last point.
 *
 * ## When there are no stages
 *
 * Some losses have no stages to find, and that is a property of the run, not a mistake of the
 * caller: a run stopped after one save point, a general ODE whose "loss" is NaN, a loss that
 * overflowed. For these detectStages does not throw: it returns `stages: []` with a sentence in
 * `noStagesReason` saying why, in this order of precedence:
 *
 * - fewer than two save points with t > 0 (the rate needs two): "only 1 save point with t > 0
 *   (t = 3, 1 more at t ≤ 0; the rate −d ln L/d ln t needs two): no stage detection";
 * - a loss that is NaN or ±Infinity at any save point: "the loss is not finite at t = 12.5
 *   (L = NaN; 3 of 101 save points): no stages" (no stages are guessed from the finite part);
 * - a negative loss anywhere (no logarithm): "the loss is negative at t = 2 (L = -1e-9; …): no stages";
 * - a loss that is exactly the same number at every save point (L ≡ 0 included): "the loss is
 *   constant (L = 2 at all 101 save points): no stages". Its rate is computed (0 everywhere).
 *
 * Otherwise `noStagesReason` is null and the stages tile the grid (see below). Observables are
 * optional extras: one with a NaN or infinite value is left out of the movers and named in
 * `skippedObservables`, and never stops the detection.
 *
 * Caller mistakes still throw an input error: t not an array of finite, strictly ascending
 * numbers; a loss or observable that is not an array of numbers of t's length; observables that
 * are not an object; invalid or unknown options.
 *
 * ## Output conventions
 *
 * - Unless `noStagesReason` is set (then `stages` is empty), stages tile the grid: stage k covers
 *   points iStart..iEnd and iEnd of stage k is iStart of stage k+1 (the boundary point is shared,
 *   so tEnd of one stage is tStart of the next and changes add up over stages). The first stage starts at 0 and the last ends at n − 1. Plateaus and
 *   transitions alternate; 'converged' can only be last, after a transition.
 * - A stage's *own* points are iStart..iEnd−1 (iStart..iEnd for the last stage); peakRate / tPeak
 *   are the maximum of the (smoothed) rate over them.
 * - lossLevel is the median of L over iStart..iEnd: the plateau value on a plateau, robust to a
 *   few points of the neighbouring drops, defined when L = 0 (unlike a geometric mean), and in the
 *   loss's own units.
 * - "Plateau" means "not part of a transition": a slow decline (rateLow < r < rateHigh) that
 *   touches no transition, such as a power law L = t^(−0.5), is reported as a plateau; its
 *   peakRate tells it apart from a flat one. A slow decline that does touch a transition is
 *   part of its shoulder.
 * - movers: for each observable, change = value(iEnd) − value(iStart) and relativeChange =
 *   change / (max − min of that observable over the whole grid) (0 for a constant observable),
 *   so observables in different units compare; sorted by |relativeChange|, largest first (ties
 *   keep the input order), at most maxMovers (default 5) of them. Observables with a non-finite
 *   value anywhere are not ranked (see `skippedObservables`).
 */
import { fmt, inputError } from '../util/errors.js';
import { type RateOptions, RATE_OPTION_KEYS, computeRate, lossFloor, resolveRateOptions } from './rate.js';
import { allFinite, checkGrid, checkKeys, checkNumber, checkSeriesShape, rateProblem } from './validate.js';

export type StageKind = 'plateau' | 'transition' | 'converged';

/** How much one observable changed over a stage. */
export interface Mover {
  readonly name: string;
  /** value(tEnd) − value(tStart). */
  readonly change: number;
  /** change / (max − min of the observable over the whole grid); 0 if the observable is constant. */
  readonly relativeChange: number;
}

export interface Stage {
  readonly kind: StageKind;
  /** First and last grid index (inclusive); iEnd is the next stage's iStart. */
  readonly iStart: number;
  readonly iEnd: number;
  readonly tStart: number;
  readonly tEnd: number;
  readonly lossStart: number;
  readonly lossEnd: number;
  /** Median of L over iStart..iEnd. */
  readonly lossLevel: number;
  /** Largest smoothed rate over the stage's own points, and where it occurs (NaN if none has t > 0). */
  readonly peakRate: number;
  readonly tPeak: number;
  /** Observables that moved most over the stage, by |relativeChange| (at most maxMovers). */
  readonly movers: readonly Mover[];
}

export interface StageOptions extends RateOptions {
  /** r ≥ rateHigh is the core of a transition. Default 1. */
  rateHigh?: number;
  /** r ≤ rateLow is plateau; a transition stops at the first such point. Default 0.1. */
  rateLow?: number;
  /** A dip to r ≤ rateValley separates two transitions. Default max(rateLow, rateHigh/2); rateLow ≤ rateValley < rateHigh. */
  rateValley?: number;
  /** Plateaus between transitions with fewer points are merged away. Integer ≥ 0; default 2. */
  minGapPoints?: number;
  /** Plateaus between transitions with tEnd/tStart below this are merged away. ≥ 1; default 1.02. */
  minGapRatio?: number;
  /** Transitions that drop by ≤ minDrop × lossStart are noise. In [0, 1); default 1e-3. */
  minDrop?: number;
  /** The converged tail starts once L stays ≤ convergedDrop × (loss at the last transition's start). In (0, 1); default 1e-3. */
  convergedDrop?: number;
  /** Losses ≤ lossResolution × max L count as zero (numerical noise): they never make or split a stage. In [0, 1); default 1e-12. */
  lossResolution?: number;
  /** Movers reported per stage: integer ≥ 0 or Infinity. Default 5. */
  maxMovers?: number;
  /**
   * Named series on the same grid, ranked as movers of each stage; one with a NaN or infinite
   * value is skipped (listed in `skippedObservables`). Not thresholds: not in `options` of the result.
   */
  observables?: Readonly<Record<string, ArrayLike<number>>>;
}

export type ResolvedStageOptions = Readonly<Required<Omit<StageOptions, 'observables'>>>;

export interface StageResult {
  /** Plateaus and transitions in time order (possibly a final 'converged' stage); empty exactly when `noStagesReason` is set. */
  readonly stages: readonly Stage[];
  /**
   * Why there are no stages, as a sentence to show the user (e.g. "the loss is not finite at
   * t = 12.5 (L = NaN; 3 of 101 save points): no stages"), or null when detection ran and
   * `stages` tiles the grid. Set for data with no stages to find: fewer than two save points
   * with t > 0, a NaN/infinite or negative loss, a constant loss (see the module comment).
   */
  readonly noStagesReason: string | null;
  /** Observables left out of the movers because they have a NaN or infinite value, in input order. */
  readonly skippedObservables: readonly string[];
  /** The smoothed rate r(t) used to classify points (NaN where t ≤ 0, and everywhere when the rate cannot be computed), for plotting. */
  readonly rate: Float64Array;
  /** The rate before smoothing. */
  readonly rawRate: Float64Array;
  /** The absolute floor added to L before logs. */
  readonly floor: number;
  /** All thresholds as used (defaults filled in), to record with the result. */
  readonly options: ResolvedStageOptions;
}

export const DEFAULT_RATE_HIGH = 1;
export const DEFAULT_RATE_LOW = 0.1;
export const DEFAULT_MIN_GAP_POINTS = 2;
export const DEFAULT_MIN_GAP_RATIO = 1.02;
export const DEFAULT_MIN_DROP = 1e-3;
export const DEFAULT_CONVERGED_DROP = 1e-3;
export const DEFAULT_MAX_MOVERS = 5;
export const DEFAULT_LOSS_RESOLUTION = 1e-12;

const OPTION_KEYS = [
  ...RATE_OPTION_KEYS,
  'rateHigh',
  'rateLow',
  'rateValley',
  'minGapPoints',
  'minGapRatio',
  'minDrop',
  'convergedDrop',
  'lossResolution',
  'maxMovers',
  'observables',
] as const;

/** Validates the options and fills in the defaults. */
export function resolveStageOptions(options: StageOptions = {}, fn = 'detectStages'): ResolvedStageOptions {
  if (options === null || typeof options !== 'object') throw inputError(`${fn}: options must be an object (got ${String(options)}).`);
  checkKeys(fn, options, OPTION_KEYS);
  const { smooth, floorRelative } = resolveRateOptions(fn, options);
  const rateLow = checkNumber(fn, 'rateLow', options.rateLow ?? DEFAULT_RATE_LOW, { min: 0 });
  const rateHigh = checkNumber(fn, 'rateHigh', options.rateHigh ?? DEFAULT_RATE_HIGH, { min: 0, minExclusive: true });
  if (!(rateLow < rateHigh)) {
    throw inputError(`${fn}: rateLow (${fmt(rateLow)}) must be less than rateHigh (${fmt(rateHigh)}); plateaus are slower than transitions.`);
  }
  const rateValley = checkNumber(fn, 'rateValley', options.rateValley ?? Math.max(rateLow, rateHigh / 2), {
    min: rateLow,
    max: rateHigh,
    maxExclusive: true,
  });
  const minGapPoints = checkNumber(fn, 'minGapPoints', options.minGapPoints ?? DEFAULT_MIN_GAP_POINTS, { min: 0, integer: true });
  const minGapRatio = checkNumber(fn, 'minGapRatio', options.minGapRatio ?? DEFAULT_MIN_GAP_RATIO, { min: 1 });
  const minDrop = checkNumber(fn, 'minDrop', options.minDrop ?? DEFAULT_MIN_DROP, { min: 0, max: 1, maxExclusive: true });
  const convergedDrop = checkNumber(fn, 'convergedDrop', options.convergedDrop ?? DEFAULT_CONVERGED_DROP, {
    min: 0,
    minExclusive: true,
    max: 1,
    maxExclusive: true,
  });
  const lossResolution = checkNumber(fn, 'lossResolution', options.lossResolution ?? DEFAULT_LOSS_RESOLUTION, {
    min: 0,
    max: 1,
    maxExclusive: true,
  });
  const maxMovers = checkNumber(fn, 'maxMovers', options.maxMovers ?? DEFAULT_MAX_MOVERS, { min: 0, integer: true, allowInfinity: true });
  return Object.freeze({ smooth, floorRelative, rateHigh, rateLow, rateValley, minGapPoints, minGapRatio, minDrop, convergedDrop, lossResolution, maxMovers });
}

/** A run of a stage's own points a..b (inclusive). */
interface Run {
  kind: StageKind;
  a: number;
  b: number;
}

/** Point classes (step 2). */
const Cls = { Low: 0, Mid: 1, High: 2 } as const;

/** Run-length encoding of a boolean labelling (true = transition) into alternating runs. */
function toRuns(isTransition: Uint8Array): Run[] {
  const runs: Run[] = [];
  let a = 0;
  for (let i = 1; i <= isTransition.length; i++) {
    if (i === isTransition.length || isTransition[i] !== isTransition[a]) {
      runs.push({ kind: isTransition[a] ? 'transition' : 'plateau', a, b: i - 1 });
      a = i;
    }
  }
  return runs;
}

/** Merges adjacent runs of the same kind (after a relabelling). */
function coalesce(runs: Run[]): Run[] {
  const out: Run[] = [];
  for (const r of runs) {
    const last = out[out.length - 1];
    if (last && last.kind === r.kind) last.b = r.b;
    else out.push({ ...r });
  }
  return out;
}

function median(values: Float64Array): number {
  const s = values.slice().sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Why a loss whose rate can be computed still has no stages (it is constant), or null. */
function constantLoss(loss: ArrayLike<number>): string | null {
  const n = loss.length;
  for (let i = 1; i < n; i++) if (loss[i] !== loss[0]) return null;
  return `the loss is constant (L = ${fmt(loss[0])} at all ${n} save points): no stages`;
}

/**
 * Splits a sampled loss curve into plateaus and transitions (see the module comment for the
 * method, the defaults and the output conventions). A loss with no stages to find (too few
 * points t > 0; NaN, infinite, negative or constant) gives `stages: []` and a `noStagesReason`;
 * observables with non-finite values are skipped. Throws an input error only for caller
 * mistakes: a grid that is not finite and strictly ascending, a loss or observable that is not
 * an array of numbers of the grid's length, and invalid or unknown options.
 */
export function detectStages(t: ArrayLike<number>, loss: ArrayLike<number>, options: StageOptions = {}): StageResult {
  const fn = 'detectStages';
  const first = checkGrid(fn, t);
  const n = t.length;
  checkSeriesShape(fn, 'loss', loss, n);
  if (options === null || typeof options !== 'object') throw inputError(`${fn}: options must be an object (got ${String(options)}).`);
  const observables = options.observables ?? {};
  if (observables === null || typeof observables !== 'object' || Array.isArray(observables)) {
    throw inputError(`${fn}: observables must be an object mapping names to series, e.g. {u1: Float64Array}.`);
  }
  const ranked: Array<[string, ArrayLike<number>]> = [];
  const skippedObservables: string[] = [];
  for (const [name, series] of Object.entries(observables)) {
    checkSeriesShape(fn, `observable '${name}'`, series, n);
    if (allFinite(series)) ranked.push([name, series]);
    else skippedObservables.push(name);
  }
  const opts = resolveStageOptions(options, fn);

  const floor = lossFloor(loss, opts.floorRelative);
  const unusable = rateProblem(t, loss, first, { fewPoints: 'no stage detection', badValues: 'no stages' });
  if (unusable !== null) {
    const nan = new Float64Array(n).fill(NaN);
    return { stages: [], noStagesReason: unusable, skippedObservables, rate: nan, rawRate: nan.slice(), floor, options: opts };
  }
  const { rate, rawRate } = computeRate(t, loss, first, opts.smooth, floor);
  const constant = constantLoss(loss);
  if (constant !== null) return { stages: [], noStagesReason: constant, skippedObservables, rate, rawRate, floor, options: opts };
  let maxLoss = 0;
  for (let i = 0; i < n; i++) if (loss[i] > maxLoss) maxLoss = loss[i];
  const zeroLevel = opts.lossResolution * maxLoss;
  const isZero = (i: number): boolean => loss[i] <= zeroLevel;

  // 2. Classes of the points with t > 0.
  const cls = new Uint8Array(n).fill(Cls.Mid);
  for (let i = first; i < n; i++) {
    if (isZero(i)) cls[i] = Cls.Mid;
    else if (rate[i] >= opts.rateHigh) cls[i] = Cls.High;
    else if (rate[i] <= opts.rateLow) cls[i] = Cls.Low;
    else cls[i] = Cls.Mid;
  }
  const inValley = (i: number): boolean => cls[i] !== Cls.High && rate[i] <= opts.rateValley && !isZero(i);

  // 3. Cores, and the shoulders before the first and after the last.
  const cores: Array<[number, number]> = [];
  for (let i = first; i < n; i++) {
    if (cls[i] !== Cls.High) continue;
    const a = i;
    while (i + 1 < n && cls[i + 1] === Cls.High) i++;
    cores.push([a, i]);
  }
  const isT = new Uint8Array(n);
  const mark = (a: number, b: number): void => {
    for (let i = a; i <= b; i++) isT[i] = 1;
  };
  // A stretch f..l of plateau between two transitions is too short to count if it has fewer than
  // minGapPoints points or lasts less than a factor minGapRatio in time.
  const tooShort = (f: number, l: number): boolean =>
    l - f + 1 < opts.minGapPoints || (t[f] > 0 ? t[l + 1] / t[f] : Infinity) < opts.minGapRatio;
  /** First and last index in lo..hi where `pred` holds, or null. */
  const span = (lo: number, hi: number, pred: (i: number) => boolean): [number, number] | null => {
    let f = -1;
    let l = -1;
    for (let i = lo; i <= hi; i++) {
      if (pred(i)) {
        if (f < 0) f = i;
        l = i;
      }
    }
    return f < 0 ? null : [f, l];
  };
  const isLow = (i: number): boolean => cls[i] === Cls.Low;
  for (let k = 0; k < cores.length; k++) {
    const [a, b] = cores[k];
    mark(a, b);
    if (k === 0) {
      // Leading shoulder: back to the last low point before the first core.
      let i = a - 1;
      while (i >= first && cls[i] !== Cls.Low) i--;
      mark(i + 1, a - 1);
    }
    const next = cores[k + 1];
    const lo = b + 1;
    if (!next) {
      // Trailing shoulder: up to the first low point after the last core (or to the end).
      const low = span(lo, n - 1, isLow);
      mark(lo, low ? low[0] - 1 : n - 1);
      continue;
    }
    // 4. Between two cores: the span of the low points, else of the valley, else one transition.
    const hi = next[0] - 1;
    let gap = span(lo, hi, isLow);
    if (!gap || tooShort(gap[0], gap[1])) gap = span(lo, hi, inValley);
    if (gap && tooShort(gap[0], gap[1])) gap = null;
    if (!gap) mark(lo, hi);
    else {
      mark(lo, gap[0] - 1); // trailing shoulder of this core
      mark(gap[1] + 1, hi); // leading shoulder of the next
    }
  }
  for (let i = 0; i < first; i++) isT[i] = isT[first]; // t ≤ 0 joins the first stage
  let runs = toRuns(isT);

  // 5. Small drops.
  const endOf = (k: number): number => (k === runs.length - 1 ? n - 1 : runs[k + 1].a);
  for (let k = 0; k < runs.length; k++) {
    const r = runs[k];
    if (r.kind !== 'transition') continue;
    const Ls = loss[r.a];
    const drop = Ls - loss[endOf(k)];
    if (!(drop > 0 && drop > opts.minDrop * Ls)) r.kind = 'plateau';
  }
  runs = coalesce(runs);

  // 6. Converged tail of a last transition that never returns to a plateau.
  const last = runs[runs.length - 1];
  if (last.kind === 'transition') {
    const threshold = Math.max(opts.convergedDrop * loss[last.a], zeroLevel);
    let c = n; // smallest index from which L stays ≤ threshold
    while (c - 1 > last.a && loss[c - 1] <= threshold) c--;
    if (c <= n - 2) {
      runs.push({ kind: 'converged', a: c, b: n - 1 });
      last.b = c - 1;
    }
  }

  // Stages with their statistics and movers.
  const ranges = ranked.map(([name, s]) => {
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      if (s[i] < min) min = s[i];
      if (s[i] > max) max = s[i];
    }
    return { name, s, range: max - min };
  });
  const stages: Stage[] = runs.map((r, k) => {
    const iStart = r.a;
    const iEnd = k === runs.length - 1 ? n - 1 : runs[k + 1].a;
    let peakRate = NaN;
    let tPeak = NaN;
    for (let i = Math.max(r.a, first); i <= r.b; i++) {
      if (!(rate[i] <= peakRate)) {
        peakRate = rate[i];
        tPeak = t[i];
      }
    }
    const movers = ranges
      .map(({ name, s, range }) => {
        const change = s[iEnd] - s[iStart];
        return { name, change, relativeChange: range > 0 ? change / range : 0 };
      })
      .sort((x, y) => Math.abs(y.relativeChange) - Math.abs(x.relativeChange))
      .slice(0, opts.maxMovers);
    return {
      kind: r.kind,
      iStart,
      iEnd,
      tStart: t[iStart],
      tEnd: t[iEnd],
      lossStart: loss[iStart],
      lossEnd: loss[iEnd],
      lossLevel: median(Float64Array.from({ length: iEnd - iStart + 1 }, (_, j) => loss[iStart + j])),
      peakRate,
      tPeak,
      movers,
    };
  });
  return { stages, noStagesReason: null, skippedObservables, rate, rawRate, floor, options: opts };
}
