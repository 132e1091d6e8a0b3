/**
 * Rodas5P in use: observed orders (non-stiff and stiff linear systems, a nonlinear non-autonomous
 * problem), the order of its dense output, accuracy under error control, the Jacobian sources,
 * statistics, failures, and log-time integration.
 */
import { describe, expect, it } from 'vitest';
import { solve } from '../../src/solve/index.js';
import type { RhsFn } from '../../src/solve/index.js';
import { RODAS5P } from '../../src/solve/rosenbrock/tableau.js';
import { fmt } from '../../src/util/errors.js';
import { linearSystem, maxAbsDiff, randomMatrix, slope } from '../fixtures/problems.js';
import { stabilityFunction } from '../fixtures/stability.js';

const matrixField = (A: Float64Array, n: number): RhsFn => (_t, y, d) => {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += A[i * n + j] * y[j];
    d[i] = s;
  }
};

/** Fixed-step global errors at T for the step counts given; returns the fitted slope of log e against log h. */
function observedOrder(errAt: (N: number) => number, steps: readonly number[], T: number): number {
  const logH: number[] = [];
  const logE: number[] = [];
  for (const N of steps) {
    const e = errAt(N);
    expect(e).toBeGreaterThan(1e-13); // above round-off
    logH.push(Math.log(T / N));
    logE.push(Math.log(e));
  }
  return slope(logH, logE);
}

describe('observed order of rodas5p (fixed steps)', () => {
  // On a linear system one step is y1 = R(hA)·y0 with R the stability function, which matches e^z
  // to order 6 for Rodas5P (rosenbrock-tableau.test.ts): linear problems show order 6, not 5.
  it('is 6 ± 0.3 on y′ = Ay, A a seeded random 5×5 matrix (against expm): the order of R(z) ≈ e^z', () => {
    const A = randomMatrix(5, 12345);
    const y0 = [1, -0.5, 0.25, 2, -1];
    const T = 10;
    const p = linearSystem(A, y0, T);
    const ref = p.exact!(T);
    const jac = (_t: number, _y: Float64Array, J: Float64Array) => J.set(A);
    const order = observedOrder((N) => {
      const sol = solve(p.f, p.span, y0, { method: 'rodas5p', h: T / N, jacobian: jac, autonomous: true });
      expect(sol.stats.accepted).toBe(N);
      return maxAbsDiff(sol.yEnd, ref);
    }, [10, 14, 20, 28, 40], T);
    expect(Math.abs(order - 6)).toBeLessThan(0.3);
  });

  it('on a stiff linear system (eigenvalues −1, −2, −1e4, −1e6; h·|λ| up to 2e5) computes exactly R(hA)^N y0: stiff modes damped, order ≥ 5 kept', () => {
    // A = V D V⁻¹ with V unit upper triangular: y(t) = V e^(Dt) V⁻¹ y0, and the method's answer is
    // V R(hD)^N V⁻¹ y0, with R evaluated independently from the tableau (test/fixtures/stability.ts)
    const n = 4;
    const D = [-1, -2, -1e4, -1e6];
    const V = [[1, 0.5, 0, 0.2], [0, 1, 0.3, 0], [0, 0, 1, 0.4], [0, 0, 0, 1]];
    const solveUpper = (b: number[]): number[] => {
      const x = [...b];
      for (let i = n - 1; i >= 0; i--) for (let j = i + 1; j < n; j++) x[i] -= V[i][j] * x[j];
      return x;
    };
    const A = new Float64Array(n * n);
    for (let j = 0; j < n; j++) {
      const e = new Array<number>(n).fill(0);
      e[j] = 1;
      const c = solveUpper(e); // column j of V⁻¹
      for (let i = 0; i < n; i++) A[i * n + j] = V[i].reduce((acc, v, k) => acc + v * D[k] * c[k], 0);
    }
    const y0 = [1, 1, 1, 1];
    const T = 1;
    const c0 = solveUpper(y0);
    const inModes = (g: (lam: number) => number): number[] => V.map((row) => row.reduce((acc, v, k) => acc + v * g(D[k]) * c0[k], 0));
    const exact = inModes((lam) => Math.exp(lam * T));
    const R = stabilityFunction(RODAS5P);
    const f = matrixField(A, n);
    const jac = (_t: number, _y: Float64Array, J: Float64Array) => J.set(A);
    const order = observedOrder((N) => {
      const sol = solve(f, [0, T], y0, { method: 'rodas5p', h: T / N, jacobian: jac, autonomous: true });
      expect(sol.status).toBe('success');
      const predicted = inModes((lam) => R((lam * T) / N, 0).re ** N);
      const err = maxAbsDiff(sol.yEnd, exact);
      // equal up to round-off, which the initial stiff mode (|f| ~ 1e6) puts at ~1e-11 here
      expect(maxAbsDiff(sol.yEnd, predicted)).toBeLessThan(0.05 * err);
      expect(Math.abs(R(-1e6 / N, 0).re) ** N).toBeLessThan(1e-12); // the stiffest mode is gone
      return err;
    }, [3, 4, 5, 7], T);
    expect(order).toBeGreaterThan(5);
  });

  it('is 5 ± 0.3 on the nonlinear, non-autonomous y′ = −y² cos t (∂f/∂t by finite differences)', () => {
    const f: RhsFn = (t, y, d) => { d[0] = -y[0] * y[0] * Math.cos(t); };
    const jac = (t: number, y: Float64Array, J: Float64Array) => { J[0] = -2 * y[0] * Math.cos(t); };
    const exact = (t: number) => 1 / (1 / 0.8 + Math.sin(t));
    const T = 4;
    const order = observedOrder((N) => {
      const sol = solve(f, [0, T], [0.8], { method: 'rodas5p', h: T / N, jacobian: jac });
      return Math.abs(sol.yEnd[0] - exact(T));
    }, [8, 11, 16, 22, 32], T);
    expect(Math.abs(order - 5)).toBeLessThan(0.3);
  });

  it('on Prothero–Robinson y′ = λ(y − sin t) + cos t in the stiff regime the error is O(h³/|λ|): ten times smaller for ten times larger |λ|', () => {
    const err = (lam: number, N: number): number => {
      const f: RhsFn = (t, y, d) => { d[0] = lam * (y[0] - Math.sin(t)) + Math.cos(t); };
      const jac = (_t: number, _y: Float64Array, J: Float64Array) => { J[0] = lam; };
      const sol = solve(f, [0, 1], [0], { method: 'rodas5p', h: 1 / N, jacobian: jac });
      return Math.abs(sol.yEnd[0] - Math.sin(1));
    };
    const order = observedOrder((N) => err(-1e6, N), [5, 10, 20], 1);
    expect(Math.abs(order - 3)).toBeLessThan(0.3);
    for (const N of [5, 20]) {
      const ratio = err(-1e6, N) / err(-1e7, N);
      expect(ratio).toBeGreaterThan(8);
      expect(ratio).toBeLessThan(12);
    }
  });
});

describe('dense output of rodas5p', () => {
  it('has local error O(h⁵) inside a step (a 4th-order interpolant): slope 5 ± 0.3 at θ = 0.3 and 0.7', () => {
    const f: RhsFn = (t, y, d) => { d[0] = -y[0] * y[0] * Math.cos(t); };
    const exact = (t: number) => 1 / (1 / 0.8 + Math.sin(t));
    for (const th of [0.3, 0.7]) {
      const logH: number[] = [];
      const logE: number[] = [];
      for (const h of [0.4, 0.2, 0.1, 0.05, 0.025]) {
        const sol = solve(f, [0, h], [0.8], { method: 'rodas5p', h, saveAt: [0, th * h, h] });
        logH.push(Math.log(h));
        logE.push(Math.log(Math.abs(sol.y[1][0] - exact(th * h))));
      }
      expect(Math.abs(slope(logH, logE) - 5)).toBeLessThan(0.3);
    }
  });

  it('passes through both ends of every step: save-at values at step ends equal the states', () => {
    const f: RhsFn = (t, y, d) => { d[0] = -y[0] * y[0] * Math.cos(t); };
    const steps: number[] = [];
    const sol = solve(f, [0, 2], [0.8], { method: 'rodas5p', h: 0.25, onStep: (_t, y) => steps.push(y[0]), saveAt: [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2] });
    expect(Array.from(sol.y.slice(1), (y) => y[0])).toEqual(steps);
  });
});

describe('rodas5p under error control', () => {
  const f: RhsFn = (t, y, d) => { d[0] = -y[0] * y[0] * Math.cos(t); };
  const jac = (t: number, y: Float64Array, J: Float64Array) => { J[0] = -2 * y[0] * Math.cos(t); };

  // Error control is per step: over many steps the global error grows past rtol (on [0, 20] this
  // problem reaches ~100·rtol for every method here, dopri5 included), so the check runs on [0, 3].
  it.each([1e-6, 1e-8, 1e-10])('at rtol = atol = %s every save-at value on [0, 3] is within 20·rtol of the exact solution', (tol) => {
    const y0 = 0.5; // y = 1/(2 + sin t)
    const saveAt = Array.from({ length: 61 }, (_, i) => i / 20);
    const sol = solve(f, [0, 3], [y0], { method: 'rodas5p', rtol: tol, atol: tol, saveAt, jacobian: jac });
    expect(sol.status).toBe('success');
    let worst = 0;
    sol.t.forEach((t, i) => { worst = Math.max(worst, Math.abs(sol.y[i][0] - 1 / (2 + Math.sin(t)))); });
    expect(worst).toBeLessThan(20 * tol);
  });

  it('counts one Jacobian per accepted point and one LU per attempt; finite differences cost n RHS calls more per Jacobian', () => {
    const exactJ = solve(f, [0, 20], [0.8], { method: 'rodas5p', rtol: 1e-8, jacobian: jac });
    const fd = solve(f, [0, 20], [0.8], { method: 'rodas5p', rtol: 1e-8 });
    for (const sol of [exactJ, fd]) {
      const { accepted, rejected, njev, ndec } = sol.stats;
      expect(ndec).toBe(accepted + rejected);
      expect(njev).toBe(accepted); // the last point needs none; a rejection reuses the Jacobian
    }
    // f(t0) and the initial-step probe; per point stepped from: f there (t0's is the first call) and
    // ∂f/∂t by a forward difference; per attempt: 7 stages (the first reuses f at the point)
    const { accepted, rejected } = exactJ.stats;
    expect(exactJ.stats.nfev).toBe(2 + (accepted - 1) + accepted + 7 * (accepted + rejected));
    expect(fd.stats.nfev).toBe(2 + (fd.stats.accepted - 1) + 2 * fd.stats.accepted + 7 * (fd.stats.accepted + fd.stats.rejected));
    expect(Math.abs(exactJ.yEnd[0] - fd.yEnd[0])).toBeLessThan(1e-8);
  });

  it('skips ∂f/∂t for an autonomous field (one RHS call less per step)', () => {
    const g: RhsFn = (_t, y, d) => { d[0] = -y[0] * y[0]; };
    const gj = (_t: number, y: Float64Array, J: Float64Array) => { J[0] = -2 * y[0]; };
    const a = solve(g, [0, 10], [1], { method: 'rodas5p', jacobian: gj, autonomous: true });
    const b = solve(g, [0, 10], [1], { method: 'rodas5p', jacobian: gj });
    expect(b.stats.nfev - a.stats.nfev).toBe(a.stats.njev);
    expect(Math.abs(a.yEnd[0] - 1 / 11)).toBeLessThan(1e-8);
  });

  it('locates events on its dense output (y = 1/(1 + t) crosses 1/2 at t = 1)', () => {
    const g: RhsFn = (_t, y, d) => { d[0] = -y[0] * y[0]; };
    const sol = solve(g, [0, 10], [1], { method: 'rodas5p', events: [{ name: 'half', g: (_t, y) => y[0] - 0.5, terminal: true }] });
    expect(sol.status).toBe('event');
    expect(Math.abs(sol.events[0].t - 1)).toBeLessThan(1e-8);
    expect(Math.abs(sol.tEnd - 1)).toBeLessThan(1e-8);
  });

  it('reports a finite-time blow-up of y′ = y² as non_finite near t = 1', () => {
    const g: RhsFn = (_t, y, d) => { d[0] = y[0] * y[0]; };
    const sol = solve(g, [0, 2], [1], { method: 'rodas5p' });
    expect(sol.status).toBe('non_finite');
    expect(Math.abs(sol.tEnd - 1)).toBeLessThan(1e-3);
    expect(sol.message).toMatch(/blew up near t=/);
  });

  it('rejects a fixed step for auto', () => {
    expect(() => solve(f, [0, 1], [1], { method: 'auto', h: 0.1 })).toThrow(/'auto' has no fixed-step mode/);
  });
});

describe('log-time integration (s = log(1 + t − t0))', () => {
  // y′ = −y/(1 + t): y = y0/(1 + t), and in s simply dy/ds = −y
  const f: RhsFn = (t, y, d) => { d[0] = -y[0] / (1 + t); };
  const saveAt = [0, 1, 10, 100, 1e3, 1e4, 1e5, 1e6];

  it.each(['dopri5', 'dop853', 'rodas5p', 'auto'] as const)('%s returns the requested times exactly, values within 1e-8, in far fewer steps than in t', (method) => {
    const inLog = solve(f, [0, 1e6], [1], { method, logTime: true, saveAt });
    expect(inLog.status).toBe('success');
    expect(Array.from(inLog.t)).toEqual(saveAt);
    expect(inLog.tEnd).toBe(1e6);
    inLog.t.forEach((t, i) => expect(Math.abs(inLog.y[i][0] - 1 / (1 + t))).toBeLessThan(1e-8));
    const inT = solve(f, [0, 1e6], [1], { method, saveAt });
    expect(inLog.stats.accepted).toBeLessThan(inT.stats.accepted);
  });

  it('maps events, onStep times and failures back to t', () => {
    const seen: number[] = [];
    const sol = solve(f, [0, 1e6], [1], {
      method: 'rodas5p', logTime: true, rtol: 1e-12, atol: 1e-14, onStep: (t) => seen.push(t),
      events: [{ name: 'tenth', g: (_t, y) => y[0] - 0.1, terminal: true }],
    });
    expect(sol.status).toBe('event');
    expect(Math.abs(sol.events[0].t - 9)).toBeLessThan(1e-9); // 1/(1 + t) = 0.1
    expect(Math.abs(sol.tEnd - 9)).toBeLessThan(1e-9);
    expect(seen.every((t) => t > 0 && t <= 9)).toBe(true);
    const maxed = solve(f, [0, 1e6], [1], { method: 'dopri5', logTime: true, maxSteps: 3 });
    expect(maxed.status).toBe('max_steps');
    expect(maxed.message).toContain(`before t_end=${fmt(1e6)}`);
    expect(maxed.message).toContain(`at t=${fmt(maxed.tEnd)}`);
    expect(maxed.tEnd).toBeGreaterThan(0);
  });

  it('refuses a save-at grid whose times collide in log time', () => {
    expect(() => solve(f, [0, 1e17], [1], { logTime: true, saveAt: [0, 1e16, 1e16 + 2] })).toThrow(/same log time/);
  });
});
