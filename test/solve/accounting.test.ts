/** Statistics, observers and bookkeeping are exact. */
import { describe, expect, it } from 'vitest';
import { solve } from '../../src/solve/index.js';
import type { MethodName, SolveOptions } from '../../src/solve/index.js';
import type { RhsFn } from '../../src/solve/types.js';
import { arenstorf, harmonic } from '../fixtures/problems.js';

const CASES: [MethodName, SolveOptions][] = [
  ['dopri5', {}],
  ['dop853', {}],
  ['odex', {}],
  ['dopri5', { saveAt: [0, 1, 2.5, 7, 10] }],
  ['dop853', { saveAt: [0, 1, 2.5, 7, 10], events: [{ name: 'z', g: (_t, y) => y[0] }] }],
  ['odex', { saveAt: [0, 1, 2.5, 7, 10], events: [{ name: 'z', g: (_t, y) => y[0] }] }],
  ['dop853', { h: 0.05, saveAt: [0, 0.33, 10] }],
  ['euler', { h: 0.01 }],
];

describe.each(CASES)('%s %o', (method, extra) => {
  it('counts every RHS evaluation, calls onStep once per accepted step, and leaves y0 alone', () => {
    let calls = 0;
    const f: RhsFn = (t, y, d) => {
      calls++;
      harmonic.f(t, y, d);
    };
    const y0 = Float64Array.from(harmonic.y0);
    let steps = 0;
    let tPrev = 0;
    let monotone = true;
    const sol = solve(f, harmonic.span, y0, {
      method, rtol: 1e-9, atol: 1e-9, ...extra,
      onStep: (t) => {
        steps++;
        monotone &&= t > tPrev;
        tPrev = t;
      },
    });
    expect(sol.status).toBe('success');
    expect(sol.stats.nfev).toBe(calls);
    expect(steps).toBe(sol.stats.accepted);
    expect(monotone).toBe(true);
    expect(tPrev).toBe(10);
    expect(Array.from(y0)).toEqual([1, 0]);
    expect(sol.yEnd[0]).toBeCloseTo(Math.cos(10), method === 'euler' ? 1 : 6);
  });
});

describe('step bounds', () => {
  it('no accepted step exceeds hMax', () => {
    let tPrev = 0;
    let hBig = 0;
    const sol = solve(harmonic.f, harmonic.span, harmonic.y0, {
      method: 'dop853', hMax: 0.25, onStep: (t) => {
        hBig = Math.max(hBig, t - tPrev);
        tPrev = t;
      },
    });
    expect(sol.status).toBe('success');
    expect(hBig).toBeLessThanOrEqual(0.25 * (1 + 1e-12));
    expect(sol.stats.accepted).toBeGreaterThanOrEqual(40);
  });

  it('a given h0 is the first step', () => {
    let first = NaN;
    solve(arenstorf.f, arenstorf.span, arenstorf.y0, { h0: 1e-5, onStep: (t) => { if (Number.isNaN(first)) first = t; } });
    expect(first).toBe(1e-5);
  });

  it('the solution records its resolved options and the save-at grid', () => {
    const sol = solve(harmonic.f, [0, 1], harmonic.y0, { method: 'dop853', saveAt: [0, 0.5, 1] });
    expect(sol.options.method).toBe('dop853');
    expect(Array.from(sol.t)).toEqual([0, 0.5, 1]);
    expect(sol.y).toHaveLength(3);
    expect(sol.message).toMatch(/^Reached t_end=1 in \d+ steps \(\d+ rejected, \d+ RHS evaluations\)\.$/);
  });
});
