/**
 * Switching functions and the switched form of a field: found from the tree, merged up to sign and
 * positive factors, equal to the plain compiled field off the surfaces, affine in each mode on its
 * surface, with rates equal to finite differences of the switching functions.
 */
import { describe, expect, it } from 'vitest';
import { compileVector, gradient, parseExpression } from '../../src/expr/index.js';
import { neg } from '../../src/expr/ast.js';
import { compileSwitchedField, compileSwitchedGradient, type BoundSwitched } from '../../src/expr/switching.js';
import { makeRng } from '../../src/util/rng.js';

const parse = (text: string, names: string[]) => parseExpression(text, { label: 'test', names: new Set([...names, 't']) });

function switchedGradient(loss: string, state: string[], params: string[] = [], values: number[] = []) {
  const L = parse(loss, [...state, ...params]);
  const layout = { state, params };
  const c = compileSwitchedGradient(L, layout);
  const plain = compileVector(gradient(L, state).map(neg), layout).bind(values);
  return { c, sw: c?.bind(values) ?? null, plain };
}

/** mode_i = heaviside(s_i) at y. */
function modesAt(sw: BoundSwitched, t: number, y: Float64Array): Float64Array {
  const s = new Float64Array(sw.count);
  sw.evaluate(t, y, s);
  return s.map((v) => (v > 0 ? 1 : 0));
}

describe('switching functions found from the tree', () => {
  it('relu, max/min (pairwise differences), abs, heaviside and sign arguments, each surface once', () => {
    const { c } = switchedGradient('relu(x) + max(0, -x) + abs(2*x) + max(x, y) + min(y, x) + heaviside(y - x)*y + sign(x - 1)*y', ['x', 'y']);
    expect(c).not.toBeNull();
    // x (from relu(x), max(0,−x) = relu(−x), abs(2x)), one of x − y / y − x, and x − 1
    expect(c!.count).toBe(3);
    expect(c!.labels).toContain('x');
    expect(c!.labels).toContain('x - 1');
    expect(c!.labels.filter((l) => l === 'x - y' || l === 'y - x')).toHaveLength(1);
  });

  it('kinks of parameters or constants only are not switching functions', () => {
    expect(switchedGradient('relu(p)*x^2 + abs(-2)*x', ['x'], ['p'], [0.5]).c).toBeNull();
    expect(switchedGradient('(x - 1)^2', ['x']).c).toBeNull();
  });

  it('nested kinks: max of three arguments folds into relu of a difference that itself contains a relu', () => {
    const { c } = switchedGradient('max(x, y, 0.5)^2', ['x', 'y']);
    expect(c!.count).toBe(2);
    expect(c!.labels.some((l) => l.includes('relu'))).toBe(true);
  });
});

const LOSSES: ReadonlyArray<[string, string[]]> = [
  ['(max(0,a)*b - 1)^2/2 + (max(0,c)*b + 0.7)^2/2', ['a', 'b', 'c']],
  ['abs(x) + (y - 1)^2/2 + relu(x - y)*y + min(x, y)^2', ['x', 'y']],
  ['max(x, y, 0.5)^2 + sign(x)*y^2 + heaviside(-y)*x*y', ['x', 'y']],
  ['(relu(u*v - 0.2) - 1)^2 + abs(u - v)*u', ['u', 'v']],
];

describe.each(LOSSES)('switched form of −∇(%s)', (loss, state) => {
  const { sw, plain } = switchedGradient(loss, state);
  const rng = makeRng(7);
  const rnd = () => rng.uniform();
  const point = () => Float64Array.from(state, () => 2 * rnd() - 1);
  const n = state.length;

  it('with mode = heaviside(s) it equals the plain compiled field at 50 random points (exactly up to rounding)', () => {
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    for (let k = 0; k < 50; k++) {
      const y = point();
      sw!.field(0, y, modesAt(sw!, 0, y), a);
      plain(0, y, b);
      for (let i = 0; i < n; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-14 * (1 + Math.abs(b[i])));
    }
  });

  it('rates are the directional derivatives of the switching functions (central differences, 1e-7)', () => {
    const K = sw!.count;
    const r = new Float64Array(K);
    const sp = new Float64Array(K);
    const sm = new Float64Array(K);
    const eps = 1e-6;
    let skipped = 0;
    for (let k = 0; k < 20; k++) {
      const y = point();
      const v = point();
      const mode = modesAt(sw!, 0, y);
      sw!.rates(0, y, mode, v, r);
      sw!.evaluate(0, y.map((x, i) => x + eps * v[i]), sp);
      sw!.evaluate(0, y.map((x, i) => x - eps * v[i]), sm);
      for (let i = 0; i < K; i++) {
        const fd = (sp[i] - sm[i]) / (2 * eps);
        // skip the rare point where a nested kink sits inside the difference stencil
        if (Math.abs(fd - r[i]) > 1e-3) { skipped++; continue; }
        expect(Math.abs(fd - r[i])).toBeLessThan(1e-7 * (1 + Math.abs(r[i])));
      }
    }
    expect(skipped).toBeLessThanOrEqual(1);
  });
});

describe('affine in the mode on the surface', () => {
  it('relu example at c = 0: f(λ) = (1 − λ) f(0) + λ f(1) for λ = 0.3 (the sliding system is linear in λ)', () => {
    const { sw } = switchedGradient('(max(0,a)*b - 1)^2/2 + (max(0,c)*b + 0.7)^2/2', ['a', 'b', 'c']);
    const y = Float64Array.of(0.4, 0.8, 0);
    const iC = [0, 1].find((i) => sw!.label(i) === 'c')!;
    const m = Float64Array.of(1, 1);
    const f = (lam: number) => {
      m[iC] = lam;
      const out = new Float64Array(3);
      sw!.field(0, y, m, out);
      return out;
    };
    const [f0, f1, fl] = [f(0), f(1), f(0.3)];
    for (let i = 0; i < 3; i++) expect(fl[i]).toBeCloseTo(0.7 * f0[i] + 0.3 * f1[i], 15);
    expect(f1[2]).toBeCloseTo(-0.7 * 0.8, 15); // dc/dt on the live side: −(0·b + 0.7)·b
    expect(Math.abs(f0[2])).toBe(0); // the dead side: no gradient reaches c
  });
});

describe('general ODE (rhs form)', () => {
  it('sign and t in the right-hand side: x′ = −sign(x) + t/2 switches on x, with mode 2m − 1', () => {
    const rhs = [parse('-sign(x) + 0.5*t', ['x'])];
    const c = compileSwitchedField(rhs, { state: ['x'], params: [] })!;
    expect(c.labels).toEqual(['x']);
    const sw = c.bind([]);
    const out = new Float64Array(1);
    sw.field(1, Float64Array.of(0), Float64Array.of(0.75), out);
    expect(out[0]).toBe(-(2 * 0.75 - 1) + 0.5);
  });
});

describe('emitter inputs', () => {
  it('compileVector reads extra array arguments in order, and leaves the plain signature alone', () => {
    const e = [parse('x*a + b', ['x', 'a', 'b'])];
    const withInputs = compileVector(e, { state: ['x'], params: [], inputs: [['a'], ['b']] });
    expect(withInputs.source).toContain('function (t, y, in0, in1, out)');
    const fn = withInputs.bind([]) as unknown as (t: number, y: Float64Array, a: Float64Array, b: Float64Array, o: Float64Array) => void;
    const out = new Float64Array(1);
    fn(0, Float64Array.of(3), Float64Array.of(2), Float64Array.of(5), out);
    expect(out[0]).toBe(11);
    expect(compileVector([parse('x', ['x'])], { state: ['x'], params: [] }).source).toContain('function (t, y, out)');
  });
});
