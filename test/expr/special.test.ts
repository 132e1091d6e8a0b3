import { describe, expect, it } from 'vitest';
import { erf, erfc, Phi, phi, sigmoid, softplus } from '../../src/expr/special.js';
import { compileScalar, derivative, parseExpression } from '../../src/expr/index.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('special functions', () => {
  it('erf and erfc match reference values (mpmath, 17 digits) across their ranges', () => {
    const ref: Array<[number, number, number]> = [
      // x, erf(x), erfc(x)
      [1e-10, 1.1283791670955126e-10, 0.99999999988716208],
      [0.5, 0.52049987781304654, 0.47950012218695346],
      [1, 0.84270079294971487, 0.15729920705028513],
      [2, 0.99532226501895273, 0.0046777349810472658],
      [3.5, 0.99999925690162766, 7.4309837234141275e-7],
      [5, 0.99999999999846254, 1.5374597944280349e-12],
      [10, 1, 2.0884875837625447e-45],
      [26, 1, 5.663192408856143e-296],
    ];
    for (const [x, e, c] of ref) {
      expect(rel(erf(x), e)).toBeLessThan(2e-15);
      expect(rel(erf(-x), -e)).toBeLessThan(2e-15);
      expect(rel(erfc(x), c)).toBeLessThan(1e-14);
      expect(rel(erfc(-x), 2 - c)).toBeLessThan(2e-15);
    }
  });

  it('Phi keeps relative accuracy deep in the lower tail', () => {
    expect(rel(Phi(-10), 7.6198530241605269e-24)).toBeLessThan(1e-13);
    expect(rel(Phi(-30), 4.906713927148187e-198)).toBeLessThan(1e-12);
    expect(rel(Phi(1.5), 0.93319279873114191)).toBeLessThan(2e-16);
    expect(rel(phi(2), 0.053990966513188063)).toBeLessThan(2e-16);
  });

  it('sigmoid and softplus never overflow and keep precision in the tails', () => {
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(800)).toBe(1);
    expect(rel(sigmoid(-40), 4.248354255291589e-18)).toBeLessThan(1e-14);
    expect(softplus(1000)).toBe(1000);
    expect(rel(softplus(-40), 4.248354255291589e-18)).toBeLessThan(1e-14);
    expect(rel(softplus(1e-10), Math.LN2 + 5e-11)).toBeLessThan(1e-15);
  });

  it('rewrites log(1+exp(u)) and friends into stable forms', () => {
    const names = new Set(['x']);
    const layout = { state: ['x'], params: [] };
    const value = (text: string, x: number): number => compileScalar(parseExpression(text, { label: 't', names }), layout).bind([])(0, Float64Array.of(x));
    expect(value('log(1 + exp(x))', 800)).toBe(800);
    expect(value('log(exp(x) + 1)', -800)).toBe(0);
    expect(rel(value('log(1 + x)', 1e-12), 1e-12 - 5e-25)).toBeLessThan(1e-15);
    expect(rel(value('exp(x) - 1', 1e-12), 1e-12 + 5e-25)).toBeLessThan(1e-15); // naive e^x − 1 is off by 9e-5 here
    expect(value('1/(1 + exp(-x))', -800)).toBe(0);
    expect(value('log(sigmoid(x))', -800)).toBe(-800);
    const grad = compileScalar(derivative(parseExpression('log(1 + exp(-x))', { label: 't', names }), 'x'), layout).bind([]);
    expect(grad(0, Float64Array.of(-800))).toBe(-1);
    expect(grad(0, Float64Array.of(800))).toBe(-0);
  });
});
