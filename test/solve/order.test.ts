/**
 * Observed order of convergence (diffrax `test_ode_order`, SciML `test_convergence`) on y' = Ay,
 * A a seeded random 5×5 matrix with ‖A‖₁ = 1, against expm(TA)·y0.
 */
import { describe, expect, it } from 'vitest';
import { solve } from '../../src/solve/index.js';
import type { MethodName } from '../../src/solve/index.js';
import { linearSystem, maxAbsDiff, randomMatrix, slope } from '../fixtures/problems.js';

const A = randomMatrix(5, 12345);
const Y0 = [1, -0.5, 0.25, 2, -1];
const T = 10;
const problem = linearSystem(A, Y0, T);
const reference = problem.exact!(T);

describe('reference solution', () => {
  it('expm(TA)·y0 agrees with a tight DOP853 solve', () => {
    const tight = solve(problem.f, problem.span, Y0, { method: 'dop853', rtol: 1e-14, atol: 1e-16 });
    expect(tight.status).toBe('success');
    const scale = Math.max(...Array.from(reference, Math.abs));
    expect(maxAbsDiff(tight.yEnd, reference) / scale).toBeLessThan(1e-13);
  });
});

/**
 * Fixed-step global errors at T for N steps; step ranges chosen where the error is well above
 * round-off (≥ 1e-12 here, the reference is good to ~1e-14 relative) and in the asymptotic regime.
 */
const ORDER_CASES: readonly { method: MethodName; order: number; steps: number[] }[] = [
  { method: 'euler', order: 1, steps: [1000, 2000, 4000, 8000] },
  { method: 'dopri5', order: 5, steps: [40, 60, 80, 120, 160] },
  { method: 'dop853', order: 8, steps: [10, 12, 14, 16, 20] },
];

describe.each(ORDER_CASES)('observed order of $method', ({ method, order, steps }) => {
  it(`slope of log error against log h is ${order} ± 0.3`, () => {
    const logH: number[] = [];
    const logE: number[] = [];
    for (const N of steps) {
      const h = T / N;
      const sol = solve(problem.f, problem.span, Y0, { method, h, maxSteps: 10 * N });
      expect(sol.status).toBe('success');
      expect(sol.stats.accepted).toBe(N);
      const err = maxAbsDiff(sol.yEnd, reference);
      expect(err).toBeGreaterThan(1e-12); // still above round-off
      logH.push(Math.log(h));
      logE.push(Math.log(err));
    }
    const p = slope(logH, logE);
    expect(Math.abs(p - order)).toBeLessThan(0.3);
  });
});

/**
 * Dense output: over one step of size h from exact data, the interpolant's error at mid-step is
 * O(h^(p+1)) for a dense order p (4 for DOPRI5, 7 for DOP853), so the fitted slope is p + 1.
 */
const DENSE_CASES: readonly { method: MethodName; denseOrder: number; steps: number[] }[] = [
  { method: 'dopri5', denseOrder: 4, steps: [0.4, 0.3, 0.2, 0.1, 0.05] },
  { method: 'dop853', denseOrder: 7, steps: [1.2, 0.8, 0.6, 0.4] },
];

describe.each(DENSE_CASES)('dense output order of $method', ({ method, denseOrder, steps }) => {
  it(`mid-step interpolation error scales like h^${denseOrder + 1}`, () => {
    const logH: number[] = [];
    const logE: number[] = [];
    for (const h of steps) {
      const sol = solve(problem.f, [0, h], Y0, { method, h, saveAt: [h / 2] });
      expect(sol.stats.accepted).toBe(1);
      const err = maxAbsDiff(sol.y[0], problem.exact!(h / 2));
      expect(err).toBeGreaterThan(1e-13);
      logH.push(Math.log(h));
      logE.push(Math.log(err));
    }
    const p = slope(logH, logE) - 1;
    expect(Math.abs(p - denseOrder)).toBeLessThan(0.3);
  });
});
