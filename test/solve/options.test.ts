/** Every bad input is rejected once, at the boundary, with a message naming the rule and the value. */
import { describe, expect, it } from 'vitest';
import { isGradflowError } from '../../src/util/errors.js';
import { resolveOptions, solve } from '../../src/solve/index.js';
import type { SolveOptions } from '../../src/solve/index.js';
import type { RhsFn } from '../../src/solve/types.js';

const f: RhsFn = (_t, y, d) => {
  d[0] = -y[0];
};

function rejects(run: () => unknown, message: RegExp): void {
  let err: unknown = null;
  try {
    run();
  } catch (e) {
    err = e;
  }
  expect(isGradflowError(err)).toBe(true);
  expect((err as Error & { kind: string }).kind).toBe('input');
  expect((err as Error).message).toMatch(message);
}

const BAD_OPTIONS: [string, Record<string, unknown>, RegExp][] = [
  ['negative rtol', { rtol: -1 }, /^Invalid option 'rtol': must be a finite number > 0 \(got -1\)$/],
  ['zero rtol', { rtol: 0 }, /^Invalid option 'rtol': must be a finite number > 0 \(got 0\)$/],
  ['NaN rtol', { rtol: NaN }, /^Invalid option 'rtol': must be a finite number > 0 \(got NaN\)$/],
  ['rtol below float64', { rtol: 1e-16 }, /^Invalid option 'rtol': must be ≥ 1e-14: a smaller rtol is below what float64 arithmetic can deliver \(got 1e-16\)$/],
  ['string rtol', { rtol: '1e-8' }, /^Invalid option 'rtol': must be a finite number > 0 \(got '1e-8'\)$/],
  ['zero atol', { atol: 0 }, /^Invalid option 'atol': must be a finite number > 0 \(got 0\)$/],
  ['infinite atol', { atol: Infinity }, /^Invalid option 'atol': must be a finite number > 0 \(got Infinity\)$/],
  ['fractional maxSteps', { maxSteps: 1.5 }, /^Invalid option 'maxSteps': must be a positive integer \(got 1\.5\)$/],
  ['zero maxSteps', { maxSteps: 0 }, /^Invalid option 'maxSteps': must be a positive integer \(got 0\)$/],
  ['negative h', { h: -0.1 }, /^Invalid option 'h': must be a finite number > 0 \(got -0\.1\)$/],
  ['zero h0', { h0: 0 }, /^Invalid option 'h0': must be a finite number > 0 \(got 0\)$/],
  ['zero hMax', { hMax: 0 }, /^Invalid option 'hMax': must be a finite number > 0 \(got 0\)$/],
  ['h0 with a fixed step', { h: 0.1, h0: 0.01 }, /^Invalid option 'h0': has no effect with a fixed step 'h'; give one of them \(got 0\.01\)$/],
  ['euler without h', { method: 'euler' }, /^Invalid option 'h': method 'euler' needs a fixed step h/],
  ['odex with h', { method: 'odex', h: 0.1 }, /^Invalid option 'h': method 'odex' has no fixed-step mode; use dopri5, dop853 or euler \(got 0\.1\)$/],
  ['odex with a tiny h0', { method: 'odex', h0: 1e-6 }, /^Invalid option 'h0': method 'odex' starts with a step of at least 0\.0001 \(a limit of the odex package\) \(got 1e-6\)$/],
  ['unknown method', { method: 'rk4' }, /^Invalid option 'method': unknown method; valid methods are dopri5, dop853, odex, euler, rodas5p, auto \(got 'rk4'\)$/],
  ['unknown key', { rtoll: 1e-6 }, /^Invalid option 'rtoll': unknown option; valid options are method, rtol, atol, maxSteps, h0, hMax, h, saveAt, events, onStep, switching, kinks, jacobian, autonomous, logTime$/],
  ['saveAt before t0', { saveAt: [-1, 0.5] }, /^Invalid option 'saveAt': saveAt\[0\] lies outside \[t0, t_end\] = \[0, 1\] \(got -1\)$/],
  ['saveAt after t_end', { saveAt: [0.5, 2] }, /^Invalid option 'saveAt': saveAt\[1\] lies outside \[t0, t_end\] = \[0, 1\] \(got 2\)$/],
  ['saveAt descending', { saveAt: [0.5, 0.25] }, /^Invalid option 'saveAt': times must be strictly ascending, but saveAt\[1\] ≤ saveAt\[0\] = 0\.5 \(got 0\.25\)$/],
  ['saveAt repeated', { saveAt: [0.5, 0.5] }, /^Invalid option 'saveAt': times must be strictly ascending/],
  ['saveAt NaN', { saveAt: [0, NaN] }, /^Invalid option 'saveAt': saveAt\[1\] must be a finite number \(got NaN\)$/],
  ['saveAt empty', { saveAt: [] }, /^Invalid option 'saveAt': empty; nothing would be saved/],
  ['event without g', { events: [{ name: 'e' }] }, /^Invalid option 'events': events\[0\]\.g must be a function/],
  ['event with bad direction', { events: [{ name: 'e', g: () => 0, direction: 2 }] }, /^Invalid option 'events': events\[0\]\.direction must be -1, 0 or 1 \(got 2\)$/],
  ['events with one name twice', { events: [{ name: 'e', g: () => 0 }, { name: 'e', g: () => 1 }] }, /^Invalid option 'events': event names must be unique; 'e' appears twice/],
];

describe('resolveOptions rejects bad options', () => {
  it.each(BAD_OPTIONS)('%s', (_label, opts, message) => {
    rejects(() => resolveOptions([0, 1], [1], opts as SolveOptions), message);
    rejects(() => solve(f, [0, 1], [1], opts as SolveOptions), message); // solve validates first
  });
});

describe('bad time span or initial state', () => {
  it('t_end must be greater than t0', () => {
    rejects(() => solve(f, [1, 1], [1]), /^Invalid time span: t_end must be greater than t0 \(got t0=1, t_end=1\)$/);
    rejects(() => solve(f, [1, 0], [1]), /^Invalid time span: t_end must be greater than t0 \(got t0=1, t_end=0\)$/);
  });
  it('t0 and t_end must be finite', () => {
    rejects(() => solve(f, [NaN, 1], [1]), /^Invalid time span: t0 must be a finite number \(got NaN\)$/);
    rejects(() => solve(f, [0, Infinity], [1]), /^Invalid time span: t_end must be a finite number \(got Infinity\)$/);
  });
  it('y0 must be non-empty and finite, naming the bad index', () => {
    rejects(() => solve(f, [0, 1], []), /^Invalid initial state: y0 is empty/);
    rejects(() => solve(f, [0, 1], [1, 2, NaN]), /^Invalid initial state: y0\[2\] is NaN; every component must be a finite number$/);
    rejects(() => solve(f, [0, 1], Float64Array.of(1, -Infinity)), /^Invalid initial state: y0\[1\] is -Infinity;/);
  });
  it('f must be a function', () => {
    rejects(() => solve(42 as unknown as RhsFn, [0, 1], [1]), /^Invalid right-hand side: f must be a function/);
  });
});

describe('resolved options', () => {
  it('fills the documented defaults and freezes the result', () => {
    const ro = resolveOptions([0, 5], [1]);
    expect(ro).toMatchObject({ method: 'dopri5', rtol: 1e-8, atol: 1e-10, maxSteps: 100_000, h0: null, hMax: 5, h: null });
    expect(Array.from(ro.saveAt)).toEqual([0, 5]);
    expect(Object.isFrozen(ro)).toBe(true);
  });
  it('treats options given as undefined as defaults', () => {
    const ro = resolveOptions([0, 1], [1], { rtol: undefined, saveAt: undefined, method: undefined });
    expect(ro.rtol).toBe(1e-8);
    expect(ro.method).toBe('dopri5');
  });
  it('accepts rtol exactly at the float64 floor', () => {
    expect(resolveOptions([0, 1], [1], { rtol: 1e-14 }).rtol).toBe(1e-14);
  });
});
