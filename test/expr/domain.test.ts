/**
 * Simplification preserves domains: folding never makes an expression finite where it is NaN.
 * 0·x folds only for total x, 0/x and x/x are never cancelled; derivatives still drop the
 * products with a zero derivative factor.
 */
import { describe, expect, it } from 'vitest';
import { compileScalar, compileVector, gradient, parseExpression, toText, type Expr } from '../../src/expr/index.js';
import { isTotal, neg } from '../../src/expr/ast.js';

const names = ['u', 'w'];
const parse = (text: string): Expr => parseExpression(text, { label: 'loss', names: new Set(names) });
const layout = { state: ['u'], params: ['w'] };
const lossAt = (text: string, u: number): number => compileScalar(parse(text), layout).bind([2])(0, Float64Array.of(u));
const fieldAt = (text: string, u: number): number => {
  const out = new Float64Array(1);
  compileVector(gradient(parse(text), ['u']).map(neg), layout).bind([2])(0, Float64Array.of(u), out);
  return out[0];
};

describe('domain-preserving simplification', () => {
  it('0*log(u) + (u-1)^2 is NaN at u = −1 (not 4), and (u − 1)² where log is defined', () => {
    expect(lossAt('0*log(u) + (u-1)^2', -1)).toBeNaN();
    expect(lossAt('0*log(u) + (u-1)^2', 3)).toBe(4);
    expect(lossAt('log(u)*0 + u', -1)).toBeNaN();
    expect(lossAt('0*sqrt(u) + u', -1)).toBeNaN();
    expect(lossAt('0*u^0.5 + u', -1)).toBeNaN();
    expect(lossAt('0/(u - 0.5) + u', 0.5)).toBeNaN();
    expect(lossAt('0*(1/u) + u', 0)).toBeNaN();
  });

  it('the gradient of (u − 0.5)/(u − 0.5) keeps the singularity at u = 0.5 and is 0 elsewhere', () => {
    expect(toText(parse('(u-0.5)/(u-0.5)'))).toBe('(u - 0.5) / (u - 0.5)');
    expect(lossAt('(u-0.5)/(u-0.5)', 0.5)).toBeNaN();
    expect(lossAt('(u-0.5)/(u-0.5)', 2)).toBe(1);
    expect(Number.isFinite(fieldAt('(u-0.5)/(u-0.5)', 0.5))).toBe(false);
    expect(fieldAt('(u-0.5)/(u-0.5)', 2)).toBeCloseTo(0, 15);
  });

  it('0·x still folds when x is total: symbols, polynomials, exp, sin, tanh, sigmoid, softplus, relu, abs', () => {
    for (const x of ['u', 'w', 'u*w + 3', '(u - w)^3', 'exp(u)', 'sin(u) + cos(u)', 'tanh(u)', 'sigmoid(u)', 'softplus(u)', 'relu(u)', 'abs(u)', 'max(u, w)', 'erf(u)*Phi(u)']) {
      expect(toText(parse(`0*(${x}) + u`))).toBe('u');
      expect(toText(parse(`(${x})*0 + u`))).toBe('u');
    }
    for (const x of ['log(u)', 'sqrt(u)', 'u/w', 'u^w', 'u^-1', 'log1p(u)', 'exp(log(u))']) {
      expect(isTotal(parse(x))).toBe(false);
      expect(toText(parse(`0*(${x}) + u`))).toMatch(/^0 \* /);
    }
  });

  it('derivatives still annihilate zero factors: ∂/∂u of w·log(u) is w·(1/u), with no 0·log(u) term', () => {
    expect(toText(gradient(parse('w*log(u)'), ['u'])[0])).toBe('w * (1 / u)');
    expect(toText(gradient(parse('w*log(u)'), ['w'])[0])).toBe('log(u)');
    // the loss 0·log(u) has derivative 0 (the zero factor's convention), its value keeps the domain
    expect(toText(gradient(parse('0*log(u) + u^2'), ['u'])[0])).toBe('2 * u');
  });
});
