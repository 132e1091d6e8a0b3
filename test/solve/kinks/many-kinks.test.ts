/**
 * Many functions on their kinks at once, with known answers: the lasso (A 100×200, about 150
 * coordinates zero at the minimum) against coordinate descent, and separable soft-thresholding
 * dynamics in 1000 coordinates against their closed-form trajectory.
 */
import { describe, expect, it } from 'vitest';
import { readModelSpec } from '../../../src/modelfile/spec.js';
import { modelFromSpec } from '../../../src/models/from-model-file.js';
import { resolveParams } from '../../../src/models/params.js';
import { flowProblem, solveFlow } from '../../../src/run/problem.js';
import { makeRng } from '../../../src/util/rng.js';

/** Lasso by cyclic coordinate descent, swept until no coordinate moves by more than 1e-15. */
function lassoByCoordinateDescent(A: Float64Array, b: Float64Array, n: number, p: number, lam: number): Float64Array {
  const x = new Float64Array(p);
  const r = Float64Array.from(b);
  const col2 = new Float64Array(p);
  for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) col2[j] += A[i * p + j] ** 2;
  for (let sweep = 0; sweep < 100_000; sweep++) {
    let change = 0;
    for (let j = 0; j < p; j++) {
      let rho = 0;
      for (let i = 0; i < n; i++) rho += A[i * p + j] * r[i];
      const z = rho + col2[j] * x[j];
      const next = (Math.sign(z) * Math.max(0, Math.abs(z) - lam)) / col2[j];
      const d = next - x[j];
      if (d === 0) continue;
      for (let i = 0; i < n; i++) r[i] -= A[i * p + j] * d;
      x[j] = next;
      change = Math.max(change, Math.abs(d));
    }
    if (change < 1e-15) return x;
  }
  throw new Error('coordinate descent did not converge');
}

const rows = (a: Float64Array, cols: number) => Array.from({ length: a.length / cols }, (_, i) => Array.from(a.subarray(i * cols, (i + 1) * cols)));

describe('many kinks at once', () => {
  it('the lasso flow reaches the coordinate-descent solution to 1e-8, holding exactly its zero set', () => {
    const rng = makeRng(20);
    const n = 100;
    const p = 200;
    const A = Float64Array.from({ length: n * p }, () => rng.normal() / 10);
    const b = Float64Array.from({ length: n }, () => rng.normal());
    let lmax = 0;
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += A[i * p + j] * b[i];
      lmax = Math.max(lmax, Math.abs(s));
    }
    const lam = 0.3 * lmax;
    const star = lassoByCoordinateDescent(A, b, n, p, lam);
    const zeros = star.reduce((k, v) => k + (v === 0 ? 1 : 0), 0);
    expect(zeros).toBeGreaterThanOrEqual(140);
    expect(zeros).toBeLessThanOrEqual(160);
    const spec = readModelSpec({
      name: 'lasso', arrays: { A: { value: rows(A, p) }, b: { value: Array.from(b) } }, params: { lam },
      state: { x: { shape: [p], init: 'zeros' } },
      loss: 'lam * sum(abs(x)) + sum((A * x - b) .^ 2) / 2',
      t_end: 400, save_at: [0, 400], solver: { method: 'dop853', rtol: 1e-10, atol: 1e-12 },
    }, 'lasso.json');
    const model = modelFromSpec(spec);
    const { solution } = solveFlow(flowProblem(model, resolveParams(model, {})));
    expect(solution.status).toBe('success');
    expect(solution.options.kinks).toBe('filippov');
    const end = solution.yEnd;
    let worst = 0;
    for (let j = 0; j < p; j++) worst = Math.max(worst, Math.abs(end[j] - star[j]));
    expect(worst).toBeLessThan(1e-8);
    const held = solution.kinks!.pinnedAtEnd.map((h) => h.index).sort((a, c) => a - c);
    const zeroSet = Array.from(star.keys()).filter((j) => star[j] === 0);
    expect(held).toEqual(zeroSet);
    for (const h of solution.kinks!.pinnedAtEnd) {
      expect(end[h.index]).toBe(0);
      expect(h.lambda).toBeGreaterThanOrEqual(0); // sign(x) read as 2λ − 1 ∈ [−1, 1]: the subgradient
      expect(h.lambda).toBeLessThanOrEqual(1);
    }
  }, 180_000);

  it('soft-thresholding in 1000 coordinates follows x(t) = sign(c)·max(0, (|c| + λ)e^{−t} + |c| − λ) to 1e-8', () => {
    const rng = makeRng(8);
    const c = Float64Array.from({ length: 1000 }, () => rng.normal());
    const lam = 0.5;
    const times = Array.from({ length: 21 }, (_, i) => i);
    const spec = readModelSpec({
      name: 'soft', arrays: { c: { value: Array.from(c) } }, params: { lam },
      state: { x: { shape: [1000], init: { constant: Array.from(c, (v) => 2 * v) } } },
      loss: 'lam * sum(abs(x)) + sum((x - c) .^ 2) / 2',
      t_end: 20, save_at: times, solver: { method: 'dop853', rtol: 1e-10, atol: 1e-12 },
    }, 'soft.json');
    const model = modelFromSpec(spec);
    const { solution } = solveFlow(flowProblem(model, resolveParams(model, {})));
    expect(solution.status).toBe('success');
    let worst = 0;
    solution.t.forEach((t, k) => {
      const y = solution.y[k];
      for (let i = 0; i < 1000; i++) {
        const exact = Math.sign(c[i]) * Math.max(0, (Math.abs(c[i]) + lam) * Math.exp(-t) + Math.abs(c[i]) - lam);
        worst = Math.max(worst, Math.abs(y[i] - exact));
      }
    });
    expect(worst).toBeLessThan(1e-8);
    // every coordinate with |c| ≤ λ reaches 0 and is held there: one pin each, no crossings
    const small = Array.from(c).filter((v) => Math.abs(v) <= lam).length;
    expect(solution.kinks!.pinnedAtEnd.length).toBe(small);
    expect(solution.kinks!.events.filter((e) => e.kind === 'cross').length).toBe(0);
  }, 180_000);
});
