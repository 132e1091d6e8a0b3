/**
 * Long and deep expressions: flat chains as long as the 100,000-character limit allows compile
 * through every stage (parse → gradient → compiled field, switched field, Jacobian, text), with the
 * right numbers; genuinely deep nesting is an input error that says so, never a RangeError.
 */
import { describe, expect, it } from 'vitest';
import {
  compileJacobian, compileScalar, compileSwitchedGradient, compileVector, gradient, parseExpression, toLatex, toText,
  type Expr,
} from '../../src/expr/index.js';
import { add, depthOf, neg, sym } from '../../src/expr/ast.js';
import { toTextClipped } from '../../src/expr/format.js';
import { MAX_NESTING } from '../../src/expr/limits.js';
import { GradflowError } from '../../src/util/errors.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
const parse = (text: string, names: readonly string[]): Expr => parseExpression(text, { label: 'loss', names: new Set(names) });

/** −∇L compiled and evaluated at y. */
function field(L: Expr, state: readonly string[], y: readonly number[]): Float64Array {
  const out = new Float64Array(state.length);
  compileVector(gradient(L, state).map(neg), { state, params: [] }).bind([])(0, Float64Array.from(y), out);
  return out;
}

function lossAt(L: Expr, state: readonly string[], y: readonly number[]): number {
  return compileScalar(L, { state, params: [] }).bind([])(0, Float64Array.from(y));
}

function inputErrorOf(f: () => unknown): GradflowError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(GradflowError);
    expect((e as GradflowError).kind).toBe('input');
    return e as GradflowError;
  }
  throw new Error('no error');
}

describe('long flat sums and products compile', () => {
  it('Σ_{i≤1500} i·u²/2: the gradient at u = 1 is 1500·1501/2, and the tree is shallow', () => {
    const L = parse(range(1500).map((i) => `${i}*u^2/2`).join(' + '), ['u']);
    expect(depthOf(L)).toBeLessThan(20); // balanced: ⌈log2 1500⌉ + the term's own depth
    expect(field(L, ['u'], [1])[0]).toBe(-(1500 * 1501) / 2);
    expect(lossAt(L, ['u'], [1])).toBe((1500 * 1501) / 4);
    expect(compileSwitchedGradient(L, { state: ['u'], params: [] })).toBeNull();
    const J = new Float64Array(1);
    compileJacobian(gradient(L, ['u']).map(neg), { state: ['u'], params: [] }, { symmetric: true }).bind([])(0, Float64Array.of(1), J);
    expect(J[0]).toBe(-(1500 * 1501) / 2);
  });

  it('u*1 + u*2 + … + u*1500 and x1 + … + x1500 (1500 state variables), with their text', () => {
    const L1 = parse(range(1500).map((i) => `u*${i}`).join(' + '), ['u']);
    expect(field(L1, ['u'], [0.5])[0]).toBe(-(1500 * 1501) / 2);
    const xs = range(1500).map((i) => `x${i}`);
    const text = xs.join(' + ');
    const L2 = parse(text, xs);
    const f = field(L2, xs, xs.map(() => 0.1));
    expect(f.every((v) => v === -1)).toBe(true);
    expect(toText(L2)).toBe(text); // a balanced sum prints as the flat sum it came from
    expect(toLatex(L2)).toMatch(/^x_\{1\} \+ x_\{2\} \+ .* \+ x_\{1500\}$/);
  });

  it('mixed + and − chains keep their signs when balanced: Σ (−1)^i x_i over 2000 terms', () => {
    const xs = range(2000).map((i) => `x${i}`);
    const L = parse(xs.map((x, i) => (i === 0 ? x : `${i % 2 ? '-' : '+'} ${x}`)).join(' '), xs);
    const y = xs.map((_, i) => (i + 1) / 1000);
    const f = field(L, xs, y);
    for (let i = 0; i < xs.length; i++) expect(f[i]).toBe(i % 2 ? 1 : -1);
    // Σ_{i≤2000} (−1)^{i+1} i/1000 = −1 exactly; re-association changes only the rounding
    expect(lossAt(L, xs, y)).toBeCloseTo(-1, 12);
  });

  it('a product of 3000 factors, and a chain of 3000 divisions', () => {
    const P = parse(range(3000).map(() => 'u').join(' * '), ['u']);
    expect(depthOf(P)).toBeLessThan(20);
    expect(field(P, ['u'], [1])[0]).toBe(-3000);
    expect(lossAt(P, ['u'], [1.0001])).toBeCloseTo(1.0001 ** 3000, 10);
    // u·2/u·2/u… : 1500 factors u·2 alternating with 1500 divisions by u: the value is 2^1500/… (here at u = 1: x/x cancels only numerically)
    const D = parse(`v * ${range(1500).map(() => 'u / u').join(' * ')}`, ['u', 'v']);
    const g = field(D, ['u', 'v'], [1.5, 2]);
    expect(g[0]).toBeCloseTo(0, 10);
    expect(g[1]).toBeCloseTo(-1, 12);
  });

  it('2000 relu terms: the derivative counts the active ones; the switched field has 2000 switching functions', () => {
    const L = parse(range(2000).map((i) => `relu(u - ${i}/1000)`).join(' + '), ['u']);
    expect(field(L, ['u'], [1.0005])[0]).toBe(-1000);
    expect(field(L, ['u'], [2.5])[0]).toBe(-2000);
    const c = compileSwitchedGradient(L, { state: ['u'], params: [] })!;
    expect(c.count).toBe(2000);
    const sw = c.bind([]);
    const y = Float64Array.of(1.0005);
    const s = new Float64Array(c.count);
    sw.evaluate(0, y, s);
    const mode = s.map((v) => (v > 0 ? 1 : 0));
    const out = new Float64Array(1);
    sw.field(0, y, mode, out);
    expect(out[0]).toBe(-1000);
    const rates = new Float64Array(c.count);
    sw.rates(0, y, mode, Float64Array.of(3), rates);
    expect(rates.every((r) => r === 3)).toBe(true);
  });
});

describe('max and min of many arguments', () => {
  // 20,000 arguments in under 100,000 characters: numbers 0…996 with k·u (k = 1…10) at every 2000th place
  const args = Array.from({ length: 20000 }, (_, i) => (i % 2000 === 1999 ? `${(i + 1) / 2000}*u` : `${i % 997}`));
  const M = parse(`max(${args.join(',')})`, ['u']);

  it('max of 20,000 arguments: value, derivative of the first maximal argument, switched form', () => {
    expect(lossAt(M, ['u'], [50])).toBe(996);
    expect(field(M, ['u'], [50])[0]).toBe(-0); // a constant is the largest
    expect(lossAt(M, ['u'], [101])).toBe(1010);
    expect(field(M, ['u'], [101])[0]).toBe(-10); // 10·u, the last argument, wins
    // at u = 99.6, 10·u = 996 ties with the earlier constant 996: the first maximal argument carries the derivative
    expect(field(M, ['u'], [99.6])[0]).toBe(-0);
    const c = compileSwitchedGradient(M, { state: ['u'], params: [] })!;
    expect(c.count).toBeGreaterThan(0);
    expect(c.labels.every((l) => l.length <= 501)).toBe(true);
    const sw = c.bind([]);
    for (const u of [50, 101, 120]) {
      const y = Float64Array.of(u);
      const s = new Float64Array(c.count);
      sw.evaluate(0, y, s);
      const out = new Float64Array(1);
      sw.field(0, y, s.map((v) => (v > 0 ? 1 : 0)), out);
      expect(out[0]).toBe(field(M, ['u'], [u])[0]);
    }
  });

  it('max and min of 4000 distinct arguments: value, derivative, and the switched field match', () => {
    const n = 4000;
    for (const op of ['max', 'min'] as const) {
      const L = parse(`${op}(${range(n).map((i) => `u*${i % 7}-${i}`).join(',')})`, ['u']);
      const layout = { state: ['u'], params: [] };
      const loss = compileScalar(L, layout).bind([]);
      const plain = compileVector(gradient(L, ['u']).map(neg), layout).bind([]);
      const c = compileSwitchedGradient(L, layout)!;
      expect(c.count).toBe(n - 1); // one per match of the tournament
      const sw = c.bind([]);
      const s = new Float64Array(c.count);
      const a = new Float64Array(1);
      const b = new Float64Array(1);
      for (const u of [-3000, -2.5, 0.3, 1000]) {
        const y = Float64Array.of(u);
        const values = range(n).map((i) => u * (i % 7) - i);
        const best = values.reduce((m, v) => (op === 'max' ? (v > m ? v : m) : v < m ? v : m));
        const first = values.indexOf(best);
        expect(loss(0, y)).toBe(best);
        plain(0, y, a);
        expect(a[0]).toBe(-((first + 1) % 7));
        sw.evaluate(0, y, s);
        sw.field(0, y, s.map((v) => (v > 0 ? 1 : 0)), b);
        expect(b[0]).toBe(a[0]);
      }
    }
  });
});

describe('deep expressions', () => {
  it('a tower u^u^…^u of height 1500 (right-associative) compiles; its derivative at u = 1 is 1', () => {
    const L = parse(Array.from({ length: 1500 }, () => 'u').join('^'), ['u']);
    expect(depthOf(L)).toBe(1499);
    expect(field(L, ['u'], [1])[0]).toBe(-1);
    expect(compileVector([L], { state: ['u'], params: [] }).source).toMatch(/const v\d+ = /); // split into temporaries
    expect(toTextClipped(L, 30)).toBe(`${'u^('.repeat(10)}…`);
  });

  it(`${MAX_NESTING} nested function calls are accepted`, () => {
    const L = parse(`${'sin('.repeat(MAX_NESTING)}u${')'.repeat(MAX_NESTING)}`, ['u']);
    let v = 0.3;
    let d = 1;
    for (let i = 0; i < MAX_NESTING; i++) { d *= Math.cos(v); v = Math.sin(v); }
    expect(lossAt(L, ['u'], [0.3])).toBeCloseTo(v, 14);
    expect(field(L, ['u'], [0.3])[0]).toBeCloseTo(-d, 14);
  });

  it('5000 nested parentheses and exp(exp(…)) 3000 deep are input errors naming the limit', () => {
    const e1 = inputErrorOf(() => parse(`${'('.repeat(5000)}u${')'.repeat(5000)}`, ['u']));
    expect(e1.message).toMatch(new RegExp(`^loss: nesting deeper than ${MAX_NESTING} levels \\(5000 nested`));
    const e2 = inputErrorOf(() => parse(`${'exp('.repeat(3000)}u${')'.repeat(3000)}`, ['u']));
    expect(e2.message).toMatch(/nesting deeper than 100 levels \(3000 nested parentheses or function calls\)/);
  });

  it('a ^ chain too deep for the parser is an input error, not a RangeError', () => {
    const e = inputErrorOf(() => parse(Array.from({ length: 20000 }, () => 'u').join('^'), ['u']));
    expect(e.message).toMatch(/loss: the expression is nested too deeply/);
  });

  it('printing a derivative whose text would be astronomically long is an input error', () => {
    let e: Expr = sym('u');
    for (let i = 0; i < 60; i++) e = add(e, e); // a DAG of 61 nodes, a tree of 2^61
    expect(inputErrorOf(() => toText(e)).message).toMatch(/too large to print/);
    expect(toTextClipped(e, 20)).toBe('u + u + u + u + u + …');
  });
});
