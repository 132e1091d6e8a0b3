/** Reference problems with known answers: Arenstorf's periodic orbit and the logistic equation. */
import { describe, expect, it } from 'vitest';
import { solve } from '../../src/solve/index.js';
import type { MethodName } from '../../src/solve/index.js';
import { geomspace } from '../../src/util/grid.js';
import { arenstorf, logistic, maxAbsDiff } from '../fixtures/problems.js';

describe('Arenstorf orbit, rtol = atol = 1e-10', () => {
  it('dop853 returns to the start after one period within 5e-6 in at most 3000 RHS calls', () => {
    const sol = solve(arenstorf.f, arenstorf.span, arenstorf.y0, { method: 'dop853', rtol: 1e-10, atol: 1e-10 });
    expect(sol.status).toBe('success');
    expect(sol.tEnd).toBe(arenstorf.span[1]);
    expect(maxAbsDiff(sol.yEnd, arenstorf.y0)).toBeLessThan(5e-6);
    expect(sol.stats.nfev).toBeLessThanOrEqual(3000); // SciPy's DOP853 takes 2870
  });

  // DOPRI5 and odex are less accurate per tolerance here (ecosystem.md: errors 2.6e-6 and 8.5e-7);
  // 1e-5 is a sensible bound for both, far below the orbit's scale of 1.
  it.each(['dopri5', 'odex'] as const)('%s also closes the orbit within 1e-5', (method) => {
    const sol = solve(arenstorf.f, arenstorf.span, arenstorf.y0, { method, rtol: 1e-10, atol: 1e-10 });
    expect(sol.status).toBe('success');
    expect(maxAbsDiff(sol.yEnd, arenstorf.y0)).toBeLessThan(1e-5);
  });
});

describe('logistic equation y\' = y(1 − y) from y0 = 1e-3', () => {
  const p = logistic(1e-3, 100);
  const ts = geomspace(1e-3, 100, 50);
  it.each(['dopri5', 'dop853', 'odex'] as MethodName[])('%s matches the closed form at 50 log-spaced times to 1e-9 relative', (method) => {
    const sol = solve(p.f, p.span, p.y0, { method, rtol: 1e-12, atol: 1e-14, saveAt: ts });
    expect(sol.status).toBe('success');
    expect(Array.from(sol.t)).toEqual(Array.from(ts));
    for (let j = 0; j < ts.length; j++) {
      const exact = p.exact!(ts[j])[0];
      expect(Math.abs(sol.y[j][0] - exact) / exact).toBeLessThan(1e-9);
    }
  });
});
