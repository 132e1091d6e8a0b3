/** Failures come back as a status with an honest time and state, never as an exception. */
import { describe, expect, it } from 'vitest';
import { solve } from '../../src/solve/index.js';
import type { MethodName, SolveOptions } from '../../src/solve/index.js';
import type { RhsFn } from '../../src/solve/types.js';
import { arenstorf, blowUp, maxAbsDiff, nanAfter } from '../fixtures/problems.js';

const ALL: [MethodName, SolveOptions][] = [
  ['dopri5', {}],
  ['dop853', {}],
  ['odex', {}],
  ['euler', { h: 1e-5, maxSteps: 1_000_000 }],
  ['dopri5', { h: 1e-4 }],
  ['dop853', { h: 1e-4 }],
];

describe("blow-up: y' = y², y(0) = 1, t_end = 2", () => {
  it.each(ALL)('%s %o reports non_finite near t = 1, quickly', (method, extra) => {
    const start = performance.now();
    const sol = solve(blowUp.f, blowUp.span, blowUp.y0, { method, saveAt: [0, 0.5, 1.5, 2], ...extra });
    const ms = performance.now() - start;
    expect(sol.status).toBe('non_finite');
    expect(Math.abs(sol.tEnd - 1)).toBeLessThan(1e-3);
    expect(sol.message).toMatch(/^The solution blew up near t=(1|1\.0\d*|0\.99\d*): .* before t_end=2; /);
    expect(Array.from(sol.t)).toEqual([0, 0.5]); // the grid stops where the run stopped
    expect(Math.abs(sol.y[1][0] - 2)).toBeLessThan(method === 'euler' ? 1e-4 : 1e-6);
    expect(Number.isFinite(sol.yEnd[0])).toBe(true);
    expect(ms).toBeLessThan(1000);
  });

  it('a state beyond 1e150 is named in the message (Euler overshoots the singularity)', () => {
    const sol = solve(blowUp.f, blowUp.span, blowUp.y0, { method: 'euler', h: 1e-4 });
    expect(sol.status).toBe('non_finite');
    expect(sol.yEnd[0]).toBeGreaterThan(1e150);
    expect(sol.message).toMatch(/blew up near t=1\.00\d*: ‖y‖∞ exceeded 1e\+150 before t_end=2; a smaller --h \(learning rate\)/);
  });
});

describe('max steps', () => {
  it.each(['dopri5', 'dop853', 'odex'] as MethodName[])('%s reports the time really reached, and the state there', (method) => {
    const sol = solve(arenstorf.f, arenstorf.span, arenstorf.y0, { method, maxSteps: 40 });
    expect(sol.status).toBe('max_steps');
    expect(sol.tEnd).toBeGreaterThan(0);
    expect(sol.tEnd).toBeLessThan(arenstorf.span[1]);
    expect(sol.message).toMatch(/^Reached max steps \(40\) at t=[0-9.e+-]+ before t_end=17\.06521656: raise --max-steps or loosen --rtol\.$/);
    expect(sol.message).toContain(`t=${Number(sol.tEnd.toPrecision(10))}`);
    expect(Array.from(sol.t)).toEqual([0]);
    // yEnd is the solution at tEnd, not at the requested end
    const ref = solve(arenstorf.f, [0, sol.tEnd], arenstorf.y0, { method: 'dop853', rtol: 1e-13, atol: 1e-13 });
    expect(maxAbsDiff(sol.yEnd, ref.yEnd)).toBeLessThan(1e-5);
    if (method !== 'odex') expect(sol.stats.accepted + sol.stats.rejected).toBe(40);
  });

  it('a fixed-step run over budget says so and points at h', () => {
    const sol = solve(blowUp.f, [0, 0.5], [1], { method: 'euler', h: 1e-3, maxSteps: 100 });
    expect(sol.status).toBe('max_steps');
    expect(sol.tEnd).toBeCloseTo(0.1, 12);
    expect(sol.message).toMatch(/^Reached max steps \(100\) at t=0\.1 before t_end=0\.5: raise --max-steps or use a larger --h\.$/);
  });
});

describe('a right-hand side that returns NaN for t > 0.5', () => {
  const p = nanAfter(0.5);
  it.each([['dopri5', {}], ['dop853', {}], ['odex', {}], ['euler', { h: 1e-3 }]] as [MethodName, SolveOptions][])(
    '%s reports non_finite near t = 0.5 with the state there',
    (method, extra) => {
      const sol = solve(p.f, p.span, p.y0, { method, saveAt: [0, 0.25, 0.75], ...extra });
      expect(sol.status).toBe('non_finite');
      // adaptive methods pin the bad point down to round-off; a fixed step can only say "within h"
      const near = method === 'euler' ? 1e-3 + 1e-12 : 1e-9;
      expect(Math.abs(sol.tEnd - 0.5)).toBeLessThanOrEqual(near);
      expect(Math.abs(sol.yEnd[0] - Math.exp(-sol.tEnd))).toBeLessThan(method === 'euler' ? 1e-3 : 1e-7);
      expect(sol.message).toMatch(/^The solution blew up near t=0\.50?\d*: the state or its derivative became NaN or infinite before t_end=1;/);
      expect(Array.from(sol.t)).toEqual([0, 0.25]);
    },
  );

  it.each([['dopri5', {}], ['dop853', {}], ['odex', {}], ['euler', { h: 0.1 }]] as [MethodName, SolveOptions][])('%s: a field that is not finite at t0 fails at t0', (method, extra) => {
    const f: RhsFn = (_t, y, d) => {
      d[0] = Math.log(y[0] - 1); // log of a negative number
    };
    const sol = solve(f, [0, 1], [0.5], { method, ...extra });
    expect(sol.status).toBe('non_finite');
    expect(sol.tEnd).toBe(0);
    expect(Array.from(sol.t)).toEqual([0]);
  });
});

describe('step size too small', () => {
  // y' = −1/(2y), y = √(1 − t): the slope is infinite at t = 1 but y stays bounded — not a blow-up.
  const f: RhsFn = (_t, y, d) => {
    d[0] = -0.5 / y[0];
  };
  it.each(['dopri5', 'dop853', 'odex'] as MethodName[])('%s stops with step_too_small at the singular point', (method) => {
    const sol = solve(f, [0, 2], [1], { method });
    expect(sol.status).toBe('step_too_small');
    expect(Math.abs(sol.tEnd - 1)).toBeLessThan(1e-6);
    expect(sol.message).toMatch(/^Step size fell to [0-9.e+-]+, below 10·eps·\|t\|, at t=(1|0\.99\d*|1\.0\d*) before t_end=2: .*loosen --rtol\/--atol\.$/);
  });
});
