/**
 * Convergence order across one transversal crossing. L = x + 2·relu(x) + x² from x = 1: the field
 * jumps from −3 − 2x to −1 − 2x at x = 0, crossed at t* = ½ ln(5/3), and
 *   x(t) = (5/2)e^(−2t) − 3/2 for t ≤ t*,   x(t) = −1/2 + (1/2)e^(−2(t − t*)) after.
 * With exact crossings a fixed-step method keeps its order (the step containing the kink ends on it);
 * smooth-through steps over the jump with a local error O(h) and loses it.
 */
import { describe, expect, it } from 'vitest';
import { solve } from '../../../src/solve/index.js';
import type { KinkMode, MethodName } from '../../../src/solve/index.js';
import { slope, systemOf } from './helpers.js';

const sys = systemOf({ x: 1 }, { loss: 'x + 2*relu(x) + x^2' });
const T = 2;
const tStar = 0.5 * Math.log(2.5 / 1.5);
const exact = (t: number): number => (t <= tStar ? 2.5 * Math.exp(-2 * t) - 1.5 : -0.5 + 0.5 * Math.exp(-2 * (t - tStar)));

function fixedStepErrors(method: MethodName, kinks: KinkMode, steps: readonly number[]): { logH: number[]; logE: number[]; errors: number[] } {
  const logH: number[] = [];
  const logE: number[] = [];
  const errors: number[] = [];
  for (const N of steps) {
    const h = T / N;
    const sol = solve(sys.rhs, [0, T], sys.y0, { method, h, kinks, switching: sys.switched! });
    expect(sol.status).toBe('success');
    const e = Math.abs(sol.yEnd[0] - exact(T));
    errors.push(e);
    logH.push(Math.log(h));
    logE.push(Math.log(e));
  }
  return { logH, logE, errors };
}

describe('fixed steps across one transversal crossing', () => {
  const N5 = [16, 20, 24, 32, 40, 48, 64];

  it('dopri5 with exact crossings: slope of log error against log h is 5 ± 0.3, one crossing recorded at t*', () => {
    const { logH, logE, errors } = fixedStepErrors('dopri5', 'exact', N5);
    expect(errors[errors.length - 1]).toBeGreaterThan(1e-13); // still above round-off
    expect(Math.abs(slope(logH, logE) - 5)).toBeLessThan(0.3);
    const sol = solve(sys.rhs, [0, T], sys.y0, { h: T / 64, kinks: 'exact', switching: sys.switched! });
    expect(sol.kinks!.events).toHaveLength(1);
    expect(sol.kinks!.events[0]).toMatchObject({ kind: 'cross', side: -1 });
    expect(Math.abs(sol.kinks!.events[0].t - tStar)).toBeLessThan(1e-10); // located on the dense output of a 5th-order solution
    expect(sol.stats.accepted).toBe(65); // 64 steps plus the one cut at t*
  });

  it('dop853 with exact crossings: slope 8 ± 0.6 over N = 3…8 (above round-off)', () => {
    const { logH, logE, errors } = fixedStepErrors('dop853', 'exact', [3, 4, 5, 6, 7, 8]);
    expect(errors[errors.length - 1]).toBeGreaterThan(1e-13);
    expect(Math.abs(slope(logH, logE) - 8)).toBeLessThan(0.6);
  });

  it('contrast, smooth-through dopri5: no convergence order (slope < 2) and errors 100× larger or more at every h', () => {
    const smooth = fixedStepErrors('dopri5', 'smooth-through', N5);
    const exactCrossing = fixedStepErrors('dopri5', 'exact', N5);
    expect(slope(smooth.logH, smooth.logE)).toBeLessThan(2);
    smooth.errors.forEach((e, i) => expect(e).toBeGreaterThan(100 * exactCrossing.errors[i]));
  });
});

describe('adaptive steps across the crossing', () => {
  it.each([1e-8, 1e-10, 1e-12])('rtol = atol = %s: error ≤ 10·rtol with no rejected step; smooth-through rejects ≥ 10 steps at the kink', (tol) => {
    const sol = solve(sys.rhs, [0, T], sys.y0, { rtol: tol, atol: tol, switching: sys.switched! });
    expect(sol.status).toBe('success');
    expect(sol.stats.rejected).toBe(0);
    expect(Math.abs(sol.yEnd[0] - exact(T))).toBeLessThan(10 * tol);
    const plain = solve(sys.rhs, [0, T], sys.y0, { rtol: tol, atol: tol });
    expect(plain.stats.rejected).toBeGreaterThanOrEqual(10);
  });
});
