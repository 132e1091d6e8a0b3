/**
 * The step loop shared by the plain and the kinks integrators (src/solve/step-loop.ts): it lands on
 * t_end whenever a step reaches it, and between switch points the kinks integrator takes exactly the
 * plain integrator's steps.
 */
import { describe, expect, it } from 'vitest';
import { solve } from '../../src/solve/index.js';
import type { EventSpec, MethodName, RhsFn } from '../../src/solve/index.js';
import { systemOf } from './kinks/helpers.js';

describe('landing on t_end', () => {
  // y' = −y on [0, 1.2] with hMax = 0.1: at rtol 1e-3 every step is 0.1. After 11 of them
  // t = 1.0999999999999999, so t1 − t > hMax (no planned last step), yet t + 0.1 rounds to 1.2.
  const decay: RhsFn = (_t, y, d) => {
    d[0] = -y[0];
  };

  it('the float arithmetic behind the case: t + h rounds to t1 although t1 − t > hMax', () => {
    let t = 0;
    for (let k = 0; k < 11; k++) t += 0.1;
    expect(t).toBe(1.0999999999999999);
    expect(1.2 - t).toBeGreaterThan(0.1);
    expect(t + 0.1).toBe(1.2);
  });

  it.each(['dopri5', 'dop853'] as MethodName[])('%s reports success at t_end, not a zero step there', (method) => {
    const sol = solve(decay, [0, 1.2], [1], { method, hMax: 0.1, rtol: 1e-3, atol: 1e-3 });
    expect(sol.status).toBe('success');
    expect(sol.tEnd).toBe(1.2);
    expect(sol.stats.accepted).toBe(12);
    expect(sol.stats.rejected).toBe(0);
    expect(Math.abs(sol.yEnd[0] - Math.exp(-1.2))).toBeLessThan(1e-8); // y = e^(−t); 12 steps of h = 0.1
  });

  it.each(['rodas5p', 'auto'] as MethodName[])('%s (its own loop) reports success at t_end too', (method) => {
    const sol = solve(decay, [0, 1.2], [1], { method, hMax: 0.1, rtol: 1e-3, atol: 1e-3 });
    expect(sol.status).toBe('success');
    expect(sol.tEnd).toBe(1.2);
    expect(Math.abs(sol.yEnd[0] - Math.exp(-1.2))).toBeLessThan(1e-6);
  });
});

describe('a field whose kinks are never met', () => {
  // |x + 10| stays on its upper branch (x stays near [0.3, 1]): the kinks integrator sees no switch
  // point, so it must take the plain integrator's adaptive steps, bit for bit.
  const sys = systemOf({ x: 0.3, y: -0.5 }, { loss: '(x - 1)^2/2 + (x*y + 2)^2/4 + abs(x + 10)' });
  const events: EventSpec[] = [{ name: 'x_half', g: (_t, y) => y[0] - 0.5, direction: 0 }];

  it.each(['dopri5', 'dop853'] as MethodName[])('%s: same steps, RHS calls, save-at values, events and end state', (method) => {
    const opts = { method, saveAt: [0, 0.5, 1, 2, 3], events };
    const plain = solve(sys.rhs, [0, 3], sys.y0, opts);
    const kinked = solve(sys.rhs, [0, 3], sys.y0, { ...opts, switching: sys.switched! });
    expect(kinked.kinks!.events).toEqual([]);
    expect(plain.status).toBe('success');
    expect(kinked.status).toBe('success');
    expect(kinked.stats).toEqual(plain.stats);
    expect(Array.from(kinked.yEnd)).toEqual(Array.from(plain.yEnd));
    expect(kinked.y.map((v) => Array.from(v))).toEqual(plain.y.map((v) => Array.from(v)));
    expect(kinked.events).toEqual(plain.events);
    expect(plain.events.length).toBe(1);
  });
});
