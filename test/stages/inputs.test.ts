import { describe, expect, it } from 'vitest';
import { detectStages, firstCrossing, lossRate, resolveStageOptions, summarizeStages, transitionTimes } from '../../src/stages/index.js';
import { GradflowError } from '../../src/util/errors.js';

const t = Float64Array.from([0.1, 0.2, 0.4, 0.8, 1.6]);
const L = Float64Array.from([1, 1, 0.5, 0.1, 0.1]);

function inputMessage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(GradflowError);
    expect((e as GradflowError).kind).toBe('input');
    return (e as GradflowError).message;
  }
  throw new Error('accepted');
}

describe('invalid input is an input error that names the problem', () => {
  it('rejects rateLow ≥ rateHigh', () => {
    expect(inputMessage(() => detectStages(t, L, { rateLow: 1, rateHigh: 1 }))).toBe(
      'detectStages: rateLow (1) must be less than rateHigh (1); plateaus are slower than transitions.',
    );
    expect(inputMessage(() => detectStages(t, L, { rateLow: 2 }))).toMatch(/rateLow \(2\) must be less than rateHigh \(1\)/);
  });

  it('rejects non-finite, negative, non-integer or out-of-range option values', () => {
    expect(inputMessage(() => detectStages(t, L, { rateHigh: NaN }))).toBe('detectStages: option rateHigh must be a finite number > 0 (got NaN).');
    expect(inputMessage(() => detectStages(t, L, { rateHigh: Infinity }))).toMatch(/option rateHigh must be a finite number > 0 \(got Infinity\)/);
    expect(inputMessage(() => detectStages(t, L, { rateLow: -0.1 }))).toMatch(/option rateLow must be a finite number ≥ 0 \(got -0\.1\)/);
    expect(inputMessage(() => detectStages(t, L, { rateValley: 1 }))).toMatch(/option rateValley must be a finite number in \[0\.1, 1\) \(got 1\)/);
    expect(inputMessage(() => detectStages(t, L, { minGapPoints: 1.5 }))).toMatch(/option minGapPoints must be an integer ≥ 0 \(got 1\.5\)/);
    expect(inputMessage(() => detectStages(t, L, { minGapRatio: 0.9 }))).toMatch(/option minGapRatio must be a finite number ≥ 1/);
    expect(inputMessage(() => detectStages(t, L, { minDrop: 1 }))).toMatch(/option minDrop must be a finite number in \[0, 1\) \(got 1\)/);
    expect(inputMessage(() => detectStages(t, L, { convergedDrop: 0 }))).toMatch(/option convergedDrop must be a finite number in \(0, 1\) \(got 0\)/);
    expect(inputMessage(() => detectStages(t, L, { floorRelative: 0 }))).toMatch(/option floorRelative must be a finite number in \(0, 1\)/);
    expect(inputMessage(() => detectStages(t, L, { smooth: 4 }))).toBe('detectStages: option smooth must be an odd integer ≥ 1, so the window is centred (got 4).');
    expect(inputMessage(() => detectStages(t, L, { smooth: 0 }))).toMatch(/option smooth must be an integer ≥ 1 \(got 0\)/);
    expect(inputMessage(() => detectStages(t, L, { maxMovers: -1 }))).toMatch(/option maxMovers must be an integer ≥ 0 \(or Infinity\)/);
    expect(inputMessage(() => detectStages(t, L, { rateHigh: '2' as unknown as number }))).toMatch(/option rateHigh must be a finite number > 0 \(got "2"\)/);
  });

  it('rejects unknown options, listing the valid ones', () => {
    expect(inputMessage(() => detectStages(t, L, { rateHi: 2 } as never))).toMatch(/unknown option 'rateHi'\. Valid options: smooth, floorRelative, rateHigh, rateLow/);
  });

  it('rejects grids that are not strictly ascending or not finite', () => {
    expect(inputMessage(() => detectStages([0.1, 0.2, 0.2, 0.8, 1.6], L))).toBe(
      'detectStages: t must be strictly ascending (t[2] = 0.2 after t[1] = 0.2).',
    );
    expect(inputMessage(() => detectStages([0.1, 0.4, 0.2, 0.8, 1.6], L))).toMatch(/strictly ascending \(t\[2\] = 0\.2 after t\[1\] = 0\.4\)/);
    expect(inputMessage(() => detectStages([0.1, 0.2, NaN, 0.8, 1.6], L))).toMatch(/t\[2\] = NaN is not a finite number/);
    expect(inputMessage(() => lossRate([0.1, 0.4, 0.2], [1, 1, 1]))).toMatch(/lossRate: t must be strictly ascending/);
  });

  it('rejects mismatched lengths, entries that are not numbers, and observables that are not a map', () => {
    expect(inputMessage(() => detectStages(t, L.slice(0, 4)))).toBe('detectStages: loss has 4 points but t has 5; sample both on the same grid.');
    expect(inputMessage(() => detectStages(t, [1, 1, '0.5', 0.1, 0.1] as never))).toBe('detectStages: loss[2] = "0.5" is not a number.');
    expect(inputMessage(() => detectStages(t, [1, 1, null, 0.1, 0.1] as never))).toMatch(/loss\[2\] = null is not a number/);
    expect(inputMessage(() => detectStages(t, L, { observables: { u: [1, 2, 3] } }))).toMatch(/observable 'u' has 3 points but t has 5/);
    expect(inputMessage(() => detectStages(t, L, { observables: { u: [1, 2, '3', 4, 5] as never } }))).toMatch(/observable 'u'\[2\] = "3" is not a number/);
    expect(inputMessage(() => detectStages(t, L, { observables: [L] as never }))).toMatch(/observables must be an object mapping names to series/);
    expect(inputMessage(() => lossRate(t, L.slice(1)))).toMatch(/lossRate: loss has 4 points but t has 5/);
  });

  it('still rejects bad options when the data has no stages', () => {
    expect(inputMessage(() => detectStages([1], [NaN], { rateHi: 2 } as never))).toMatch(/unknown option 'rateHi'/);
    expect(inputMessage(() => detectStages([1], [1], { smooth: 2 }))).toMatch(/option smooth must be an odd integer/);
  });

  it('accepts plain arrays and fills in the documented defaults', () => {
    expect(detectStages(Array.from(t), Array.from(L)).stages.length).toBeGreaterThan(0);
    expect(resolveStageOptions()).toEqual({
      smooth: 3,
      floorRelative: 1e-300,
      rateHigh: 1,
      rateLow: 0.1,
      rateValley: 0.5,
      minGapPoints: 2,
      minGapRatio: 1.02,
      minDrop: 1e-3,
      convergedDrop: 1e-3,
      lossResolution: 1e-12,
      maxMovers: 5,
    });
    expect(resolveStageOptions({ rateLow: 0.3, rateHigh: 0.4 }).rateValley).toBe(0.3); // max(rateLow, rateHigh/2)
  });
});

describe('data with no stages is not an error: no stages, and a reason', () => {
  const noStages = (tt: ArrayLike<number>, LL: ArrayLike<number>, o = {}): string => {
    const r = detectStages(tt, LL, o);
    expect(r.stages).toEqual([]);
    expect(r.rate).toHaveLength(tt.length);
    expect(typeof r.noStagesReason).toBe('string');
    return r.noStagesReason as string;
  };

  it('a NaN or infinite loss (a general ODE has no loss; a run that overflowed)', () => {
    expect(noStages(t, [1, 1, NaN, 0.1, 0.1])).toBe('the loss is not finite at t = 0.4 (L = NaN; 1 of 5 save points): no stages');
    expect(noStages(t, [1, Infinity, 1, 0.1, -Infinity])).toBe('the loss is not finite at t = 0.2 (L = Infinity; 2 of 5 save points): no stages');
    expect(noStages(t, new Float64Array(5).fill(NaN))).toBe('the loss is not finite at any save point (NaN at all 5 save points): no stages');
    const r = detectStages(t, new Float64Array(5).fill(NaN), { observables: { x: L } });
    expect(Array.from(r.rate).every(Number.isNaN)).toBe(true);
    expect(r.skippedObservables).toEqual([]);
    expect(Number.isFinite(r.floor)).toBe(true);
  });

  it('too few save points with t > 0: one (a run that stopped early), none, or an empty grid', () => {
    expect(noStages([3], [0.5])).toBe('only 1 save point with t > 0 (t = 3; the rate −d ln L/d ln t needs two): no stage detection');
    expect(noStages([-2, -1, 0, 1], [1, 1, 1, 1])).toBe(
      'only 1 save point with t > 0 (t = 1, 3 more at t ≤ 0; the rate −d ln L/d ln t needs two): no stage detection',
    );
    expect(noStages([0], [NaN])).toBe('no save point with t > 0 (1 at t ≤ 0; the rate −d ln L/d ln t needs two): no stage detection');
    expect(noStages([-1, 0], [1, 2])).toMatch(/^no save point with t > 0 \(2 at t ≤ 0; /);
    expect(noStages([], [])).toBe('no save points: no stage detection');
  });

  it('a negative loss (no logarithm)', () => {
    expect(noStages(t, [1, 1, -1e-9, 0.1, 0.1])).toBe('the loss is negative at t = 0.4 (L = -1e-9; ln L needs L ≥ 0): no stages');
  });

  it('a constant loss, also L ≡ 0; its rate is still computed (0)', () => {
    const tt = [0, 0.1, 0.2, 0.4];
    expect(noStages(tt, [2, 2, 2, 2])).toBe('the loss is constant (L = 2 at all 4 save points): no stages');
    expect(noStages(tt, [0, 0, 0, 0])).toBe('the loss is constant (L = 0 at all 4 save points): no stages');
    const { rate } = detectStages(tt, [2, 2, 2, 2]);
    expect(rate[0]).toBeNaN();
    expect(Array.from(rate.slice(1))).toEqual([0, 0, 0]);
  });

  it('a loss with stages has noStagesReason null', () => {
    expect(detectStages(t, L).noStagesReason).toBeNull();
  });

  it('skips observables with NaN or infinite values in the movers, and names them', () => {
    const r = detectStages(t, L, { observables: { u: [1, 2, NaN, 3, 4], v: [0, 0, 1, 1, 1], w: [0, Infinity, 0, 0, 0] } });
    expect(r.noStagesReason).toBeNull();
    expect(r.skippedObservables).toEqual(['u', 'w']);
    for (const s of r.stages) expect(s.movers.map((m) => m.name)).toEqual(['v']);
  });

  it('lossRate and transitionTimes do not throw on such data either', () => {
    for (const [tt, LL] of [
      [[1], [1]],
      [t, [1, NaN, 1, 1, 1]],
      [t, [1, 1, -1, 1, 1]],
    ] as const) {
      const r = lossRate(tt, LL);
      expect(r.noRateReason).toMatch(/: no rate/);
      expect(Array.from(r.rate).every(Number.isNaN)).toBe(true);
      expect(Array.from(r.rawRate).every(Number.isNaN)).toBe(true);
      expect(transitionTimes(Float64Array.from(tt), Float64Array.from(LL))).toEqual([]);
    }
    expect(lossRate([1], [1]).noRateReason).toBe('only 1 save point with t > 0 (t = 1; the rate −d ln L/d ln t needs two): no rate');
    expect(lossRate(t, L).noRateReason).toBeNull();
    expect(lossRate(t, [2, 2, 2, 2, 2]).noRateReason).toBeNull(); // a constant loss has a rate: 0
    expect(transitionTimes(Float64Array.from(t), new Float64Array(5).fill(3))).toEqual([]);
  });
});

describe('firstCrossing', () => {
  const tt = [0, 1, 2, 3, 4];
  const s = [0, 2, 4, 2, 0];

  it('interpolates linearly in t between the bracketing grid points', () => {
    expect(firstCrossing(tt, s, 3, 'rising')).toBe(1.5);
    expect(firstCrossing(tt, s, 3, 'falling')).toBe(2.5);
    expect(firstCrossing(tt, s, 3)).toBe(1.5); // 'both': the first either way
    expect(firstCrossing(tt, s, 2, 'rising')).toBe(1); // reaching the level exactly at a grid point
    expect(firstCrossing(tt, s, 5)).toBeNull();
    expect(firstCrossing(tt, s, 0, 'falling')).toBe(4);
    expect(firstCrossing(tt, s, 0, 'rising')).toBeNull(); // starting on the level is not a crossing
  });

  it('rejects bad input', () => {
    expect(inputMessage(() => firstCrossing(tt, s, 1, 'up' as never))).toMatch(/direction must be 'rising', 'falling' or 'both' \(got "up"\)/);
    expect(inputMessage(() => firstCrossing(tt, s, NaN))).toMatch(/level must be a finite number/);
    expect(inputMessage(() => firstCrossing(tt, s.slice(1), 1))).toMatch(/series has 4 points but t has 5/);
    expect(inputMessage(() => firstCrossing([0, 2, 1, 3, 4], s, 1))).toMatch(/strictly ascending/);
  });
});

describe('summarizeStages', () => {
  it('formats to 4 significant digits, with exponents for small and large numbers, and a dash without movers', () => {
    const md = summarizeStages([
      { kind: 'transition', iStart: 0, iEnd: 3, tStart: 0.0123456, tEnd: 123456, lossStart: 5.75, lossEnd: 2.5e-42, lossLevel: 1e-4, peakRate: 6.58036, tPeak: 2.5, movers: [] },
    ]);
    expect(md).toBe(
      '| # | kind | t start | t end | loss start | loss end | loss level | peak rate | top movers (relative change) |\n' +
        '|---:|---|---:|---:|---:|---:|---:|---:|---|\n' +
        '| 1 | transition | 0.01235 | 1.235e5 | 5.75 | 2.5e-42 | 1e-4 | 6.58 | — |\n',
    );
  });
});
