/**
 * Sliding modes with known solutions: a function pushed onto its kink from both sides is held at
 * exactly zero with the right kink factor, the rest of the state follows its closed form, releases
 * happen where λ leaves [0, 1], and discrete gradient descent converges to the same continuation.
 */
import { describe, expect, it } from 'vitest';
import { solve } from '../../../src/solve/index.js';
import type { MethodName } from '../../../src/solve/index.js';
import { linspace } from '../../../src/util/grid.js';
import { gradientDescent, systemOf } from './helpers.js';

describe('L = |x| + (y − 1)²/2 from (1, 0): x reaches 0 at t = 1 and slides there', () => {
  const sys = systemOf({ x: 1, y: 0 }, { loss: 'abs(x) + (y - 1)^2/2' });
  const twin = systemOf({ x: 1, y: 0 }, { loss: 'x + (y - 1)^2/2' }); // the same flow without the kink
  const saveAt = linspace(0, 3, 301);

  it.each(['dopri5', 'dop853'] as MethodName[])('%s, rtol 1e-12: x = 1 − t, then exactly 0; y = 1 − e^(−t) to 1e-10; one pin at t = 1 with λ = 1/2', (method) => {
    const sol = solve(sys.rhs, [0, 3], sys.y0, { method, rtol: 1e-12, atol: 1e-14, saveAt, switching: sys.switched! });
    expect(sol.status).toBe('success');
    expect(sol.options.kinks).toBe('filippov');
    sol.t.forEach((t, i) => {
      const [x, y] = sol.y[i];
      if (t > 1) expect(Math.abs(x)).toBe(0);
      else expect(Math.abs(x - (1 - t))).toBeLessThan(1e-14);
      expect(Math.abs(y - (1 - Math.exp(-t)))).toBeLessThan(1e-10);
    });
    const k = sol.kinks!;
    expect(k.events).toHaveLength(1);
    expect(k.events[0]).toMatchObject({ kind: 'pin', index: 0, label: 'x', side: 1 });
    expect(Math.abs(k.events[0].t - 1)).toBeLessThan(1e-12);
    expect(k.pinnedAtEnd).toEqual([{ index: 0, label: 'x', lambda: 0.5 }]);
  });

  it('user events and save-at work across the switch: a terminal event at y = 0.9 (t = ln 10) after the pin, and one at y = 1/2 (t = ln 2) before it', () => {
    const at = (level: number) => solve(sys.rhs, [0, 3], sys.y0, {
      rtol: 1e-12, atol: 1e-14, saveAt, switching: sys.switched!, events: [{ name: 'y', g: (_t, y) => y[1] - level, terminal: true }],
    });
    const late = at(0.9);
    expect(late.status).toBe('event');
    expect(Math.abs(late.tEnd - Math.log(10))).toBeLessThan(1e-10);
    expect(Math.abs(late.yEnd[0])).toBe(0);
    expect(late.kinks!.events.map((e) => e.kind)).toEqual(['pin']);
    expect(late.t[late.t.length - 1]).toBeLessThanOrEqual(late.tEnd);
    const early = at(0.5);
    expect(early.status).toBe('event');
    expect(Math.abs(early.tEnd - Math.LN2)).toBeLessThan(1e-10);
    expect(Math.abs(early.yEnd[0] - (1 - Math.LN2))).toBeLessThan(1e-12);
    expect(early.kinks!.events).toHaveLength(0);
  });

  it('the kink costs at most one step and no rejection at any tolerance from 1e-8 to 1e-13 (dopri5 and dop853)', () => {
    for (const method of ['dopri5', 'dop853'] as MethodName[]) {
      for (const tol of [1e-8, 1e-10, 1e-11, 1e-12, 1e-13]) {
        const o = { method, rtol: tol, atol: tol };
        const withKink = solve(sys.rhs, [0, 3], sys.y0, { ...o, switching: sys.switched! });
        const smooth = solve(twin.rhs, [0, 3], twin.y0, o);
        expect(withKink.status).toBe('success');
        expect(withKink.stats.rejected).toBe(0);
        expect(withKink.stats.accepted - smooth.stats.accepted).toBeLessThanOrEqual(1);
      }
    }
  });

  it('contrast: smooth-through stalls just past t = 1 (step budget spent on ever smaller steps), the tighter the tolerance the earlier', () => {
    const reached = [1e-8, 1e-10, 1e-12].map((tol) => {
      const sol = solve(sys.rhs, [0, 3], sys.y0, { rtol: tol, atol: tol, kinks: 'smooth-through', switching: sys.switched!, maxSteps: 20_000 });
      expect(sol.status).toBe('max_steps');
      expect(sol.message).toMatch(/integrated smooth-through; kinks 'filippov'/);
      return sol.tEnd;
    });
    expect(reached[0]).toBeLessThan(1.03);
    expect(reached[1] - 1).toBeLessThan(reached[0] - 1);
    expect(reached[2] - 1).toBeLessThan(reached[1] - 1);
  });
});

describe('functions exactly zero at t0', () => {
  it('|x| from x = 0 is held there from the start (pin at t0, side −1 by heaviside(0) = 0)', () => {
    const sys = systemOf({ x: 0, y: 0 }, { loss: 'abs(x) + (y - 1)^2/2' });
    const sol = solve(sys.rhs, [0, 2], sys.y0, { rtol: 1e-12, atol: 1e-14, saveAt: linspace(0, 2, 21), switching: sys.switched! });
    expect(sol.kinks!.events.map((e) => [e.kind, e.t, e.side])).toEqual([['pin', 0, -1]]);
    sol.y.forEach((y) => expect(Math.abs(y[0])).toBe(0));
  });

  it("x′ = heaviside(x) from x = 0 stays at 0, as gradient descent does (the upper branch would rise, but heaviside(0) = 0)", () => {
    const sys = systemOf({ x: 0 }, { rhs: { x: 'heaviside(x)' } });
    const sol = solve(sys.rhs, [0, 2], sys.y0, { switching: sys.switched! });
    expect(sol.status).toBe('success');
    expect(sol.kinks!.events).toHaveLength(0);
    expect(sol.yEnd[0]).toBe(0);
    expect(gradientDescent(sys.rhs, sys.y0, 0.01, 2)[0]).toBe(0);
  });
});

describe('release: x′ = −sign(x) + t/2 from x = 1/2', () => {
  // x = 1/2 − t + t²/4 until it hits 0 at t = 2 − √2; sliding needs λ = (1 + t/2)/2, which reaches 1 at
  // t = 2; then x = (t − 2)²/4 on the positive side
  const sys = systemOf({ x: 0.5 }, { rhs: { x: '-sign(x) + 0.5*t' } });
  const exact = (t: number): number => (t < 2 - Math.SQRT2 ? 0.5 - t + (t * t) / 4 : t < 2 ? 0 : (t - 2) ** 2 / 4);

  it.each(['dopri5', 'dop853'] as MethodName[])('%s: pinned at 2 − √2, released to s > 0 at t = 2 (1e-10), exactly 0 in between, closed form to 1e-12', (method) => {
    const saveAt = linspace(0, 4, 401);
    const sol = solve(sys.rhs, [0, 4], sys.y0, { method, rtol: 1e-12, atol: 1e-14, saveAt, switching: sys.switched! });
    expect(sol.status).toBe('success');
    const ev = sol.kinks!.events;
    expect(ev.map((e) => [e.kind, e.side])).toEqual([['pin', 1], ['release', 1]]);
    expect(Math.abs(ev[0].t - (2 - Math.SQRT2))).toBeLessThan(1e-10);
    expect(Math.abs(ev[1].t - 2)).toBeLessThan(1e-10);
    sol.t.forEach((t, i) => {
      if (t > ev[0].t && t < ev[1].t) expect(Math.abs(sol.y[i][0])).toBe(0);
      expect(Math.abs(sol.y[i][0] - exact(t))).toBeLessThan(1e-12);
    });
  });
});

describe('two surfaces meeting: L = |x| + |x + y| + (z − 1)²/2 + y/10 from (1, 1/2, 0)', () => {
  // x' = −2, y' = −1.1 until x + y = 0 at t = 15/31; sliding on it, x' = −0.45 until x = 0 at t = 5/9;
  // then both held: λ_(x+y) = 0.45, λ_x = 0.55 solve the coupled 2×2 system
  const sys = systemOf({ x: 1, y: 0.5, z: 0 }, { loss: 'abs(x) + abs(x + y) + (z - 1)^2/2 + 0.1*y' });

  it('pins x + y at 15/31 and x at 5/9 (1e-12), holds both at 0 (to 1e-30: the coupled λ solve rounds) with λ = (0.45, 0.55), z = 1 − e^(−t) to 1e-10', () => {
    const sol = solve(sys.rhs, [0, 3], sys.y0, { rtol: 1e-12, atol: 1e-14, saveAt: linspace(0, 3, 61), switching: sys.switched! });
    expect(sol.status).toBe('success');
    const ev = sol.kinks!.events;
    expect(ev.map((e) => [e.kind, e.label])).toEqual([['pin', 'x + y'], ['pin', 'x']]);
    expect(Math.abs(ev[0].t - 15 / 31)).toBeLessThan(1e-12);
    expect(Math.abs(ev[1].t - 5 / 9)).toBeLessThan(1e-12);
    const lam = Object.fromEntries(sol.kinks!.pinnedAtEnd.map((p) => [p.label, p.lambda]));
    expect(lam['x + y']).toBeCloseTo(0.45, 14);
    expect(lam.x).toBeCloseTo(0.55, 14);
    sol.t.forEach((t, i) => {
      if (t > 5 / 9) expect(Math.max(Math.abs(sol.y[i][0]), Math.abs(sol.y[i][1]))).toBeLessThan(1e-30);
      expect(Math.abs(sol.y[i][2] - (1 - Math.exp(-t)))).toBeLessThan(1e-10);
    });
    expect(sol.kinks!.stats.maxPinned).toBe(2);
  });
});

describe('several functions exactly on their surfaces at once (taken together, as gradient descent takes them)', () => {
  // u′ = 1 − 3H(u) + 3H(v), v′ = 1 − 3H(v) + 3H(u) from (0, 0): with both factors 0 both rise; with
  // both 1 both still rise (rate 1); each alone at 1 would fall (rate −2), so one at a time would pin one.
  // GD (heaviside(0) = 0) moves both up together: u = v = t.
  const sys = systemOf({ u: 0, v: 0 }, { rhs: { u: '1 - 3*heaviside(u) + 3*heaviside(v)', v: '1 - 3*heaviside(v) + 3*heaviside(u)' } });

  it('both cross to the upper branch at t0 and follow u = v = t exactly; gradient descent agrees', () => {
    const sol = solve(sys.rhs, [0, 1], sys.y0, { rtol: 1e-12, atol: 1e-14, switching: sys.switched! });
    expect(sol.status).toBe('success');
    expect(sol.kinks!.events.map((e) => [e.kind, e.label, e.t])).toEqual([['cross', 'u', 0], ['cross', 'v', 0]]);
    expect(Math.abs(sol.yEnd[0] - 1)).toBeLessThan(1e-14);
    expect(Math.abs(sol.yEnd[1] - 1)).toBeLessThan(1e-14);
    const gd = gradientDescent(sys.rhs, sys.y0, 1e-3, 1);
    expect(Math.abs(gd[0] - 1) + Math.abs(gd[1] - 1)).toBeLessThan(1e-12);
  });
});

describe('ReLU example (max(0,a)·b − 1)²/2 + (max(0,c)·b + 0.7)²/2 from (0.5, 0.3, 0.6)', () => {
  const sys = systemOf({ a: 0.5, b: 0.3, c: 0.6 }, { loss: '(max(0,a)*b - 1)^2/2 + (max(0,c)*b + 0.7)^2/2' });
  const T = 10;
  const run = () => solve(sys.rhs, [0, T], sys.y0, { rtol: 1e-10, atol: 1e-12, saveAt: linspace(0, T, 201), switching: sys.switched! });

  it('c reaches its kink where a plain solve with a terminal event at c = 0 says (1e-9), then stays exactly 0 with λ = 0', () => {
    const sol = run();
    expect(sol.status).toBe('success');
    const ev = sol.kinks!.events;
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ kind: 'pin', label: 'c', side: 1 });
    const plain = solve(sys.rhs, [0, T], sys.y0, { rtol: 1e-12, atol: 1e-14, events: [{ name: 'c=0', g: (_t, y) => y[2], terminal: true }] });
    expect(plain.status).toBe('event');
    expect(Math.abs(ev[0].t - plain.tEnd)).toBeLessThan(1e-9);
    sol.t.forEach((t, i) => {
      if (t > ev[0].t) expect(Math.abs(sol.y[i][2])).toBe(0);
    });
    expect(sol.kinks!.pinnedAtEnd).toEqual([{ index: 1, label: 'c', lambda: 0 }]);
  });

  it('agrees with gradient descent: Richardson extrapolation of η = 1e-3, 5e-4 matches a and b to 1e-6; GD’s c is a first-order overshoot in [−η, 0]', () => {
    const yEnd = run().yEnd;
    const gd1 = gradientDescent(sys.rhs, sys.y0, 1e-3, T);
    const gd2 = gradientDescent(sys.rhs, sys.y0, 5e-4, T);
    for (const i of [0, 1]) {
      const richardson = 2 * gd2[i] - gd1[i]; // GD error is c₁η + O(η²) where the flow is smooth in η
      expect(Math.abs(richardson - yEnd[i])).toBeLessThan(1e-6);
      expect(Math.abs(gd2[i] - yEnd[i])).toBeGreaterThan(1e-5); // GD itself is only first order: the extrapolation is doing the work
    }
    // c: GD steps below zero once (relu′(0) = 0 then freezes it), by less than η·|dc/dt| ≤ η; not smooth in η, so no extrapolation
    expect(yEnd[2]).toBe(0);
    for (const [eta, gd] of [[1e-3, gd1], [5e-4, gd2]] as const) {
      expect(gd[2]).toBeLessThanOrEqual(0);
      expect(gd[2]).toBeGreaterThan(-eta);
    }
  });
});
