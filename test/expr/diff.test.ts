import { describe, expect, it } from 'vitest';
import { derivative as mathDerivative, parse as mathParse } from 'mathjs';
import { compileScalar, derivative, parseExpression, toText } from '../../src/expr/index.js';
import { makeRng } from '../../src/util/rng.js';

const layout = { state: ['x', 'z'], params: ['a'] };
const names = new Set(['x', 'z', 'a']);
const A = 0.8;

/** Central difference with one Richardson step: O(h^4) truncation, so 1e-6 relative is safe. */
function centralDiff(f: (x: number) => number, x: number): number {
  const h = 1e-3 * Math.max(1, Math.abs(x));
  const d1 = (f(x + h) - f(x - h)) / (2 * h);
  const d2 = (f(x + h / 2) - f(x - h / 2)) / h;
  return (4 * d2 - d1) / 3;
}

/**
 * Each function of the language inside a chain rule (inner argument depends on x), with the
 * domain of x and a guard that keeps points away from kinks (where the derivative jumps).
 */
const CASES: Array<{ text: string; lo: number; hi: number; kink?: (x: number) => number }> = [
  { text: 'exp(0.7*x - 0.2*x^2)', lo: -3, hi: 3 },
  { text: 'log(1.5 + x^2)*a', lo: -3, hi: 3 },
  { text: 'log(x)', lo: 0.1, hi: 5 },
  { text: 'log1p(0.5*x^3)', lo: -0.9, hi: 2 },
  { text: 'expm1(x*a - 1)', lo: -3, hi: 3 },
  { text: 'sqrt(x^2 + 0.3)', lo: -3, hi: 3 },
  { text: 'abs(x^3 - 0.5)', lo: -2, hi: 2, kink: (x) => x ** 3 - 0.5 },
  { text: 'sign(x - 0.3)*x^2', lo: -2, hi: 2, kink: (x) => x - 0.3 },
  { text: 'min(x, 0.5*x^2, 1 - x)', lo: -3, hi: 3, kink: (x) => Math.min(Math.abs(x - 0.5 * x * x), Math.abs(x - (1 - x)), Math.abs(0.5 * x * x - (1 - x))) },
  { text: 'max(x, 0.5*x^2, 1 - x)', lo: -3, hi: 3, kink: (x) => Math.min(Math.abs(x - 0.5 * x * x), Math.abs(x - (1 - x)), Math.abs(0.5 * x * x - (1 - x))) },
  { text: 'relu(x^2 - 1)*x', lo: -3, hi: 3, kink: (x) => x * x - 1 },
  { text: 'heaviside(x)*x^3', lo: -2, hi: 2, kink: (x) => x },
  { text: 'sigmoid(3*x - 1)', lo: -5, hi: 5 },
  { text: 'softplus(a*x^2 - 2)', lo: -3, hi: 3 },
  { text: 'tanh(2*x)^2', lo: -2, hi: 2 },
  { text: 'sin(x*a)*cos(x^2)', lo: -3, hi: 3 },
  { text: 'erf(x - 0.2*x^2)', lo: -3, hi: 3 },
  { text: 'Phi(2*x + 1)', lo: -4, hi: 3 },
  { text: 'phi(x^2 - 1)', lo: -2, hi: 2 },
  { text: 'x^a + (1 + x^2)^(0.5*x)', lo: 0.1, hi: 3 },
  { text: '(x^2 + 1)^(-1.5) - 3/(x^2 + 2)', lo: -3, hi: 3 },
  { text: 'log(1 + exp(-x*z))', lo: -40, hi: 40 },
];

describe('symbolic derivative', () => {
  it.each(CASES)('d/dx $text agrees with central differences at 100 random points', ({ text, lo, hi, kink }) => {
    const e = parseExpression(text, { label: 'test', names });
    const f = compileScalar(e, layout).bind([A]);
    const df = compileScalar(derivative(e, 'x'), layout).bind([A]);
    const rng = makeRng(1234);
    const rand = (): number => rng.uniform();
    const y = new Float64Array(2);
    y[1] = 0.7;
    let checked = 0;
    while (checked < 100) {
      const x = lo + (hi - lo) * rand();
      if (kink && Math.abs(kink(x)) < 1e-2) continue;
      const at = (xx: number): number => { y[0] = xx; return f(0, y); };
      y[0] = x;
      const sym = df(0, y);
      const fd = centralDiff(at, x);
      expect(Math.abs(sym - fd)).toBeLessThanOrEqual(1e-6 * Math.max(Math.abs(sym), Math.abs(fd), 1e-3));
      checked++;
    }
  });

  it('matches mathjs derivative (an independent implementation) on smooth expressions', () => {
    const smooth = ['exp(0.7*x - 0.2*x^2)', 'log(1.5 + x^2)*a', 'sqrt(x^2 + 0.3)', 'tanh(2*x)^2', 'sin(x*a)*cos(x^2)', 'x^a + (1 + x^2)^(0.5*x)'];
    const rng = makeRng(7);
    const rand = (): number => rng.uniform();
    for (const text of smooth) {
      const ours = compileScalar(derivative(parseExpression(text, { label: 't', names }), 'x'), layout).bind([A]);
      const theirs = mathDerivative(mathParse(text), 'x', { simplify: false }).compile();
      for (let i = 0; i < 20; i++) {
        const x = 0.1 + 2 * rand();
        const expected = theirs.evaluate({ x, a: A, z: 0.7 }) as number;
        expect(ours(0, Float64Array.of(x, 0.7))).toBeCloseTo(expected, 10);
      }
    }
  });

  it('uses one convention at kinks: relu′(0) = heaviside(0) = 0, |x|′ = sign(x) with sign(0) = 0', () => {
    const at0 = (text: string): number => {
      const e = parseExpression(text, { label: 't', names });
      return compileScalar(derivative(e, 'x'), layout).bind([A])(0, Float64Array.of(0, 0));
    };
    expect(at0('relu(x)')).toBe(0);
    expect(at0('max(0, x)')).toBe(0);
    expect(at0('abs(x)')).toBe(0);
    expect(at0('heaviside(x)')).toBe(0);
    // ties go to the first argument
    expect(at0('max(x, 0)')).toBe(1);
    expect(at0('min(x, 0)')).toBe(1);
    expect(at0('min(0, x)')).toBe(0);
    expect(toText(derivative(parseExpression('relu(x)', { label: 't', names }), 'x'))).toBe('heaviside(x)');
  });

  it('keeps derivatives compact: constants fold, ½·2 cancels', () => {
    const e = parseExpression('(x*z - a)^2/2', { label: 't', names });
    expect(toText(derivative(e, 'x'))).toBe('(x * z - a) * z');
    expect(toText(derivative(e, 'a'))).toBe('-(x * z - a)');
  });
});
