/**
 * acos, asin, atan and atan2: values against Math, derivatives against central differences, and
 * the arc-cosine kernel of closed-form ReLU population losses against Monte Carlo.
 */
import { describe, expect, it } from 'vitest';
import { compileScalar, compileVector, gradient, parseExpression } from '../../src/expr/index.js';
import { makeRng } from '../../src/util/rng.js';

const layout = { state: ['u', 'v'], params: [] as string[] };
const names = new Set(['u', 'v']);
const scalar = (text: string) => compileScalar(parseExpression(text, { label: 't', names }), layout).bind(new Float64Array(0));
const grad = (text: string) => compileVector(gradient(parseExpression(text, { label: 't', names }), ['u', 'v']), layout).bind(new Float64Array(0));

describe('inverse trigonometric functions', () => {
  it.each([
    ['acos(u)', (u: number) => Math.acos(u)], ['asin(u)', (u: number) => Math.asin(u)], ['atan(u)', (u: number) => Math.atan(u)],
    ['atan2(v, u)', (u: number, v: number) => Math.atan2(v, u)],
  ])('%s: value, and gradient against central differences', (text, f) => {
    const value = scalar(text);
    const g = grad(text);
    for (const [u, v] of [[0.3, -0.7], [-0.8, 0.2], [0.05, 0.9], [-0.6, -1e-3]]) {
      const y = Float64Array.of(u, v);
      expect(value(0, y)).toBe(f(u, v));
      const out = new Float64Array(2);
      g(0, y, out);
      const h = 1e-6;
      const du = (f(u + h, v) - f(u - h, v)) / (2 * h);
      const dv = (f(u, v + h) - f(u, v - h)) / (2 * h);
      expect(out[0]).toBeCloseTo(du, 8);
      expect(out[1]).toBeCloseTo(dv, 8);
    }
  });

  it('atan2 keeps a continuous gradient across its branch cut (x < 0, y = ±0)', () => {
    const g = grad('atan2(v, u)');
    const a = new Float64Array(2);
    const b = new Float64Array(2);
    g(0, Float64Array.of(-1, 1e-12), a);
    g(0, Float64Array.of(-1, -1e-12), b);
    expect(a[1]).toBeCloseTo(b[1], 10); // ∂/∂y = x/(x² + y²) = −1 on both sides
    expect(a[1]).toBeCloseTo(-1, 10);
  });

  it('the arc-cosine kernel E[relu(w·x) relu(v·x)], x ~ N(0, I₂), equals Monte Carlo within 5 standard errors', () => {
    // Cho & Saul: (|w||v|/2π)(sin θ + (π − θ) cos θ), θ = acos(w·v/(|w||v|)); here w = (u, 1), v = (1, v)
    const kernel = scalar('sqrt(u^2 + 1)*sqrt(1 + v^2)/(2*pi) * (sin(acos((u + v)/(sqrt(u^2 + 1)*sqrt(1 + v^2)))) + (pi - acos((u + v)/(sqrt(u^2 + 1)*sqrt(1 + v^2))))*(u + v)/(sqrt(u^2 + 1)*sqrt(1 + v^2)))');
    const [u, v] = [0.7, -1.3];
    const rng = makeRng(12);
    const n = 400_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const x1 = rng.normal();
      const x2 = rng.normal();
      const z = Math.max(0, u * x1 + x2) * Math.max(0, x1 + v * x2);
      s += z;
      s2 += z * z;
    }
    const mean = s / n;
    const se = Math.sqrt((s2 / n - mean * mean) / n);
    const exact = kernel(0, Float64Array.of(u, v));
    expect(Math.abs(exact - mean)).toBeLessThan(5 * se);
    expect(se).toBeLessThan(2e-3); // the check is sharp enough to tell the (π − θ) term from (π/2)
  });

  it('acos and asin are not folded away outside [−1, 1]: a loss there is NaN', () => {
    expect(scalar('0*acos(u) + v^2')(0, Float64Array.of(2, 1))).toBeNaN();
  });
});
