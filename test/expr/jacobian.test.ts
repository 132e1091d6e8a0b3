/**
 * The exact symbolic Jacobian (−Hessian of the loss for gradient flows) against finite differences
 * of the compiled field, for every bundled example, and against closed forms.
 */
import { describe, expect, it } from 'vitest';
import { compileJacobian, compileVector, gradient, jacobianExprs, parseExpression } from '../../src/expr/index.js';
import { neg } from '../../src/expr/ast.js';
import { bundledExamples, examplesDir } from '../../src/modelfile/locate.js';
import { buildSystem, loadModelFile } from '../../src/modelfile/system.js';
import { makeRng } from '../../src/util/rng.js';
import { join } from 'node:path';

/**
 * Central differences of f in y with one Richardson step, column by column:
 * D(h) = (f(y + h e_j) − f(y − h e_j)) / 2h, J ≈ (4 D(h/2) − D(h)) / 3 (error O(h⁴)). The fourth
 * order matters near Arenstorf's moon, where y0 sits 0.006 from the singularity of the field.
 */
function fdJacobian(f: (t: number, y: Float64Array, out: Float64Array) => void, t: number, y: Float64Array): Float64Array {
  const n = y.length;
  const J = new Float64Array(n * n);
  const fp = new Float64Array(n);
  const fm = new Float64Array(n);
  const central = (j: number, h: number, col: Float64Array): void => {
    const yj = y[j];
    y[j] = yj + h;
    f(t, y, fp);
    y[j] = yj - h;
    f(t, y, fm);
    y[j] = yj;
    for (let i = 0; i < n; i++) col[i] = (fp[i] - fm[i]) / (2 * h);
  };
  const coarse = new Float64Array(n);
  const fine = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const h = 1e-4 * Math.max(1, Math.abs(y[j]));
    central(j, h, coarse);
    central(j, h / 2, fine);
    for (let i = 0; i < n; i++) J[i * n + j] = (4 * fine[i] - coarse[i]) / 3;
  }
  return J;
}

const maxAbs = (v: ArrayLike<number>) => Array.from(v).reduce((m, x) => Math.max(m, Math.abs(x)), 0);

// the scalar files (array files get no symbolic Jacobian: rodas5p differentiates their field)
const scalarExamples = bundledExamples().filter((name) => !loadModelFile(join(examplesDir(), `${name}.json`)).array);

describe.each(scalarExamples)('example %s', (name) => {
  const system = buildSystem(loadModelFile(join(examplesDir(), `${name}.json`)));
  const n = system.stateNames.length;
  const jac = system.jacobian!();
  // the initial state and seeded perturbations of it, at t0 and t0 + 0.5
  const rng = makeRng(7);
  const points = [Float64Array.from(system.y0), ...[1, 2, 3].map(() => Float64Array.from(system.y0, (v) => v + 0.3 * (2 * rng.uniform() - 1) * Math.max(0.1, Math.abs(v))))];

  it('the compiled exact Jacobian matches central differences of the compiled field (relative 1e-6)', () => {
    for (const t of [system.spec.t0, system.spec.t0 + 0.5]) {
      for (const y of points) {
        const J = new Float64Array(n * n);
        jac(t, y, J);
        const fd = fdJacobian(system.rhs, t, y);
        const scale = Math.max(1e-12, maxAbs(J));
        expect(maxAbs(J.map((v, k) => v - fd[k])) / scale).toBeLessThan(1e-6);
      }
    }
  });

  it('is symmetric for a gradient flow (−∇²L), and knows whether the field depends on t', () => {
    const J = new Float64Array(n * n);
    jac(system.spec.t0, points[1], J);
    if (system.kind === 'gradient') {
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(J[i * n + j]).toBe(J[j * n + i]);
      expect(system.autonomous).toBe(true);
    }
  });
});

describe('jacobianExprs', () => {
  it('depth-3 chain: −∇²L equals the closed form −(∇p ∇pᵀ + (p − y)∇²p), p = abc, at random points (1e-14 relative)', () => {
    const names = new Set(['a', 'b', 'c', 'y']);
    const loss = parseExpression('(a*b*c - y)^2/2', { label: 'l', names });
    const layout = { state: ['a', 'b', 'c'], params: ['y'] };
    const field = gradient(loss, layout.state).map(neg);
    const J = compileJacobian(field, layout, { symmetric: true }).bind([2]);
    const rng = makeRng(3);
    const out = new Float64Array(9);
    for (let k = 0; k < 20; k++) {
      const [a, b, c] = [0, 1, 2].map(() => 3 * (2 * rng.uniform() - 1));
      J(0, Float64Array.of(a, b, c), out);
      const g = [b * c, a * c, a * b];
      const r = a * b * c - 2;
      const Hp = [[0, c, b], [c, 0, a], [b, a, 0]];
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          const want = -(g[i] * g[j] + r * Hp[i][j]);
          expect(Math.abs(out[i * 3 + j] - want)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(want)) * 10);
        }
      }
    }
  });

  it('the symmetric derivation (upper triangle, mirrored) agrees with the full one (mixed partials, 1e-13 relative)', () => {
    const names = new Set(['u', 'v', 'w']);
    const loss = parseExpression('softplus(-(u*v - w)) + log(1 + (u - 2*w)^2) * sigmoid(v)', { label: 'l', names });
    const layout = { state: ['u', 'v', 'w'], params: [] as string[] };
    const field = gradient(loss, layout.state).map(neg);
    const full = compileVector(jacobianExprs(field, layout.state), layout).bind([]);
    const sym = compileVector(jacobianExprs(field, layout.state, { symmetric: true }), layout).bind([]);
    const a = new Float64Array(9);
    const b = new Float64Array(9);
    const rng = makeRng(11);
    for (let k = 0; k < 20; k++) {
      const y = Float64Array.from([0, 1, 2], () => 2 * rng.uniform() - 1);
      full(0, y, a);
      sym(0, y, b);
      expect(maxAbs(a.map((v, i) => v - b[i]))).toBeLessThanOrEqual(1e-13 * Math.max(1, maxAbs(a)));
    }
  });

  it('rejects a field whose length differs from the state', () => {
    const x = parseExpression('x', { label: 'l', names: new Set(['x']) });
    expect(() => jacobianExprs([x, x], ['x'])).toThrow(/2 field components for 1 state variables/);
  });
});
