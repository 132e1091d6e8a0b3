/**
 * The kink options at the front door (validation and defaults), the failure statuses of the kink
 * treatment with their messages, and the small LU solver behind the sliding system.
 */
import { describe, expect, it } from 'vitest';
import { resolveOptions, solve } from '../../../src/solve/index.js';
import type { SolveOptions, SwitchedSystem } from '../../../src/solve/index.js';
import { DenseLu } from '../../../src/solve/kinks/lu.js';
import { isGradflowError } from '../../../src/util/errors.js';
import { systemOf } from './helpers.js';

const abs = systemOf({ x: 1, y: 0 }, { loss: 'abs(x) + (y - 1)^2/2' });
const sw = abs.switched!;

function rejects(fn: () => unknown, message: RegExp): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(isGradflowError(err)).toBe(true);
  expect((err as Error).message).toMatch(message);
}

describe('kink options', () => {
  it.each([
    ['an unknown treatment', { kinks: 'smooth' }, /^Invalid option 'kinks': unknown kink treatment; valid values are smooth-through, exact, filippov \(got 'smooth'\)$/],
    ["'exact' without switching functions", { kinks: 'exact' }, /^Invalid option 'kinks': 'exact' needs the field's switching functions: pass options\.switching/],
    ["'filippov' with euler", { kinks: 'filippov', switching: sw, method: 'euler', h: 0.1 }, /^Invalid option 'kinks': 'filippov' works with dopri5 and dop853; euler runs 'smooth-through' \(euler stays plain gradient descent\)/],
    ["'exact' with odex", { kinks: 'exact', switching: sw, method: 'odex' }, /^Invalid option 'kinks': 'exact' works with dopri5 and dop853; odex runs/],
    ['a switching object without rates', { switching: { count: 1, evaluate: () => {}, field: () => {} } }, /^Invalid option 'switching': switching\.rates must be a function/],
    ['a negative count', { switching: { ...sw, count: -1 } }, /^Invalid option 'switching': switching\.count must be a non-negative integer \(got -1\)$/],
  ])('rejects %s', (_label, opts, message) => {
    rejects(() => resolveOptions([0, 1], [1, 0], opts as SolveOptions), message);
  });

  it('defaults: filippov with switching functions for dopri5/dop853; smooth-through without them, and for euler and odex', () => {
    expect(resolveOptions([0, 1], [1, 0], { switching: sw }).kinks).toBe('filippov');
    expect(resolveOptions([0, 1], [1, 0], { switching: sw, method: 'dop853' }).kinks).toBe('filippov');
    expect(resolveOptions([0, 1], [1, 0], {}).kinks).toBe('smooth-through');
    expect(resolveOptions([0, 1], [1, 0], { switching: sw, method: 'euler', h: 0.1 }).kinks).toBe('smooth-through');
    expect(resolveOptions([0, 1], [1, 0], { switching: sw, method: 'odex' }).kinks).toBe('smooth-through');
  });

  it('euler with switching functions stays plain gradient descent, bit for bit, with no kink record', () => {
    const withSw = solve(abs.rhs, [0, 2], abs.y0, { method: 'euler', h: 0.01, switching: sw });
    const plain = solve(abs.rhs, [0, 2], abs.y0, { method: 'euler', h: 0.01 });
    expect(Array.from(withSw.yEnd)).toEqual(Array.from(plain.yEnd));
    expect(withSw.kinks).toBeUndefined();
  });
});

describe('kink failures end the run with status kink_failure and say why', () => {
  it("kinks 'exact' stops at a sliding mode, at the time it starts, naming the function and the way out", () => {
    const sol = solve(abs.rhs, [0, 3], abs.y0, { kinks: 'exact', switching: sw });
    expect(sol.status).toBe('kink_failure');
    expect(Math.abs(sol.tEnd - 1)).toBeLessThan(1e-12);
    expect(sol.message).toMatch(/^At t=1, the switching function x is pushed onto its kink from both sides \(a sliding mode: ds\/dt = 1 below, -1 above\): no branch continues the solution with kinks 'exact'; use kinks 'filippov' \(the default\), which holds it at zero\. Stopped before t_end=3\.$/);
  });

  it("kinks 'exact' continues a tangent dead branch (relu′(0) = 0): the ReLU example's c then stays a rounding error from 0, and a, b match filippov", () => {
    const relu = systemOf({ a: 0.5, b: 0.3, c: 0.6 }, { loss: '(max(0,a)*b - 1)^2/2 + (max(0,c)*b + 0.7)^2/2' });
    const ex = solve(relu.rhs, [0, 10], relu.y0, { kinks: 'exact', switching: relu.switched!, rtol: 1e-10, atol: 1e-12 });
    const fi = solve(relu.rhs, [0, 10], relu.y0, { switching: relu.switched!, rtol: 1e-10, atol: 1e-12 });
    expect(ex.status).toBe('success');
    expect(ex.kinks!.events.map((e) => e.kind)).toEqual(['cross']);
    expect(Math.abs(ex.yEnd[2])).toBeLessThan(1e-15);
    expect(Math.abs(ex.yEnd[0] - fi.yEnd[0]) + Math.abs(ex.yEnd[1] - fi.yEnd[1])).toBeLessThan(1e-12);
  });

  it('two switching functions for one surface (x − y and 2y − 2x) make the sliding system singular', () => {
    const dup = systemOf({ x: 1, y: 0 }, { loss: 'abs(x - y) + abs(2*y - 2*x) + (y - 1)^2' });
    expect(dup.compiledSwitched!.labels).toEqual(['x - y', '2 * y - 2 * x']);
    const sol = solve(dup.rhs, [0, 5], dup.y0, { switching: dup.switched! });
    expect(sol.status).toBe('kink_failure');
    expect(sol.message).toMatch(/^At t=0\.13\d+, the sliding system of the 2 switching function\(s\) held at zero \(.*\) is singular/);
    expect(sol.tEnd).toBeLessThan(0.2);
  });

  it('a switched system whose rates ignore the field cannot hold anything: a Zeno stop, not a wrong result', () => {
    const broken: SwitchedSystem = { ...sw, rates: (_t, _y, _m, _v, out) => out.fill(0) };
    const sol = solve(abs.rhs, [0, 3], abs.y0, { switching: broken });
    // with zero rates on both sides every arrival looks tangent: nothing is pinned and x keeps
    // crossing at t = 1 without progress; the run must stop there, never report a wrong 'success'
    expect(sol.status).toBe('kink_failure');
    expect(sol.message).toMatch(/^More than 64 kink switches at t=1 without progress in time \(Zeno behaviour/);
    expect(Math.abs(sol.tEnd - 1)).toBeLessThan(1e-12);
  });
});

describe('DenseLu', () => {
  it('solves a 3×3 system needing a row exchange to 1e-15, and flags a singular one', () => {
    const lu = new DenseLu();
    const A = Float64Array.of(0, 2, 1, 1, 1, 1, 2, 1, 3); // x = (1, 2, 3) → b = (7, 6, 13)
    expect(lu.factor(A, 3)).toBe(true);
    const b = Float64Array.of(7, 6, 13);
    lu.solve(b);
    [1, 2, 3].forEach((x, i) => expect(Math.abs(b[i] - x)).toBeLessThan(1e-15));
    expect(lu.factor(Float64Array.of(1, 2, 2, 4), 2)).toBe(false);
    expect(lu.factor(Float64Array.of(0, 0, 0, 0), 2)).toBe(false);
  });
});
