import { describe, expect, it } from 'vitest';
import { compileVector, gradient, parseExpression, toText } from '../../src/expr/index.js';
import { neg } from '../../src/expr/ast.js';
import { GradflowError } from '../../src/util/errors.js';

const ctx = { label: 'loss', names: new Set(['u', 'v', 'y']) };

function rejection(text: string): GradflowError {
  try {
    parseExpression(text, ctx);
  } catch (e) {
    expect(e).toBeInstanceOf(GradflowError);
    expect((e as GradflowError).kind).toBe('input');
    return e as GradflowError;
  }
  throw new Error(`'${text}' was accepted`);
}

describe('parser', () => {
  it('accepts the language and round-trips through text', () => {
    const e = parseExpression('-(u*v - y)^2/2 + max(u, v, 0) - pi*e + Phi(u)/phi(v)', ctx);
    expect(toText(parseExpression(toText(e), ctx))).toBe(toText(e));
  });

  it('names the offending token and lists what is allowed', () => {
    expect(rejection('u +* v').message).toMatch(/loss: cannot parse "u \+\* v"/);
    expect(rejection('gamma(u)').message).toMatch(/unknown function 'gamma'.*Allowed functions: exp, log/);
    expect(rejection('u*w').message).toMatch(/unknown variable 'w'.*Known names: u, v, y/);
    expect(rejection('max(u)').message).toMatch(/max\(\) takes at least 2 arguments, got 1/);
    expect(rejection('exp(u, v)').message).toMatch(/exp\(\) takes 1 argument, got 2/);
    expect(rejection('2u').message).toMatch(/implicit multiplication/);
    expect(rejection('u mod v').message).toMatch(/operator 'mod'/);
    expect(rejection('1e999 * u').message).toMatch(/out of float64 range/);
    expect(rejection('   ').message).toMatch(/empty/);
  });

  it('rejects code injection at parse time, before anything is compiled', () => {
    const attacks = [
      'constructor.constructor("return process")()',
      'u.constructor',
      '__proto__',
      'u + __proto__',
      '"abc"',
      'u = 3',
      'f(x) = x^2',
      'u ? v : y',
      '[u, v]',
      '{a: u}',
      'u[1]',
      'process.exit(1)',
      'exp(u)(v)',
      'u; v',
      'u == v',
      "u'",
    ];
    for (const a of attacks) rejection(a);
  });

  it('compiled code never contains user text, only generated slot names', () => {
    const names = new Set(['__proto__x', 'constructor_', 'y']);
    const e = parseExpression('(constructor_*__proto__x - y)^2/2', { label: 'loss', names });
    const c = compileVector(gradient(e, ['constructor_', '__proto__x']).map(neg), { state: ['constructor_', '__proto__x'], params: ['y'] });
    expect(c.source).not.toMatch(/constructor_|__proto__x/);
    const out = new Float64Array(2);
    c.bind([1])(0, Float64Array.of(2, 3), out);
    expect([...out]).toEqual([-(6 - 1) * 3, -(6 - 1) * 2]);
  });
});

describe('common-subexpression elimination', () => {
  it('computes a shared residual once across all gradient components', () => {
    const e = parseExpression('(u*v - y)^2/2 + log(1 + exp(-(u*v - y)))', ctx);
    const c = compileVector(gradient(e, ['u', 'v']).map(neg), { state: ['u', 'v'], params: ['y'] });
    expect(c.source.match(/y0 \* y1/g)).toHaveLength(1);
    expect(c.source.match(/rt_sigmoid/g)?.length).toBe(2); // the binding line and one call
  });
});
