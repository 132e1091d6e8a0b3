/**
 * Coded models use the same machinery through `Model.switching`: a two-layer ReLU network on ten
 * points (test/fixtures/relu-net.ts), whose 80 pre-activations cross, pin and release during training.
 * Checked against the plain field, finite differences, a second method, and gradient descent.
 */
import { describe, expect, it } from 'vitest';
import { resolveParams } from '../../../src/models/params.js';
import { simulate } from '../../../src/run/trajectory.js';
import { solve } from '../../../src/solve/index.js';
import { makeRng } from '../../../src/util/rng.js';
import { reluNet, reluNetSwitching } from '../../fixtures/relu-net.js';
import { gradientDescent, slope } from './helpers.js';

const p = resolveParams(reluNet, { m: 8, N: 10, seed: 2, tEnd: 20 });
const sys = reluNetSwitching(p);
const flow = reluNet.flow(p);
const y0 = reluNet.init(p, makeRng(2));
const n = y0.length;
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('the fixture: switched field, rates and loss are consistent', () => {
  const rng = makeRng(3);
  const point = () => Float64Array.from({ length: n }, () => rng.normal());

  it('field(mode = heaviside(u)) equals the plain flow, rates equal finite differences of u, flow = −∇L (central differences)', () => {
    const K = sys.count;
    const u = new Float64Array(K);
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    const r = new Float64Array(K);
    const up = new Float64Array(K);
    const um = new Float64Array(K);
    for (let k = 0; k < 10; k++) {
      const y = point();
      const v = point();
      sys.evaluate(0, y, u);
      sys.field(0, y, u.map((x) => (x > 0 ? 1 : 0)), a);
      flow(0, y, b);
      expect(maxDiff(a, b)).toBe(0);
      sys.rates(0, y, u, v, r);
      sys.evaluate(0, y.map((x, i) => x + 1e-6 * v[i]), up);
      sys.evaluate(0, y.map((x, i) => x - 1e-6 * v[i]), um);
      for (let i = 0; i < K; i++) expect(Math.abs((up[i] - um[i]) / 2e-6 - r[i])).toBeLessThan(1e-8 * (1 + Math.abs(r[i])));
      for (let i = 0; i < n; i++) {
        const e = new Float64Array(n);
        e[i] = 1e-6;
        const fd = -(reluNet.loss(y.map((x, j) => x + e[j]), p) - reluNet.loss(y.map((x, j) => x - e[j]), p)) / 2e-6;
        expect(Math.abs(fd - b[i])).toBeLessThan(1e-7 * (1 + Math.abs(b[i])));
      }
    }
  });
});

describe('the optional accelerators column and ratesAt', () => {
  it('column is ∂field/∂mode_i (central difference in the mode, exact for a quadratic), ratesAt the listed rates', () => {
    const rng = makeRng(5);
    const K = sys.count;
    const y = Float64Array.from({ length: n }, () => rng.normal());
    const mode = Float64Array.from({ length: K }, () => rng.uniform());
    const col = new Float64Array(n);
    const fp = new Float64Array(n);
    const fm = new Float64Array(n);
    for (const i of [0, 17, 42, 79]) {
      sys.column!(0, y, mode, i, col);
      const m0 = mode[i];
      mode[i] = m0 + 0.5;
      sys.field(0, y, mode, fp);
      mode[i] = m0 - 0.5;
      sys.field(0, y, mode, fm);
      mode[i] = m0;
      for (let k = 0; k < n; k++) expect(Math.abs(col[k] - (fp[k] - fm[k]))).toBeLessThan(1e-14 * (1 + Math.abs(col[k])));
    }
    const v = Float64Array.from({ length: n }, () => rng.normal());
    const all = new Float64Array(K);
    sys.rates(0, y, mode, v, all);
    const idx = Int32Array.of(3, 50, 11);
    const some = new Float64Array(3);
    sys.ratesAt!(0, y, mode, v, idx, 3, some);
    idx.forEach((j, a) => expect(some[a]).toBe(all[j]));
  });

  it('a run with them and one without agree to 1e-12 with the same events', () => {
    const with_ = solve(flow, [0, 20], y0, { rtol: 1e-10, atol: 1e-12, switching: sys });
    const without = solve(flow, [0, 20], y0, { rtol: 1e-10, atol: 1e-12, switching: reluNetSwitching(p, false) });
    expect(without.status).toBe('success');
    expect(maxDiff(with_.yEnd, without.yEnd)).toBeLessThan(1e-12);
    expect(with_.kinks!.events.map((e) => `${e.kind} ${e.index}`)).toEqual(without.kinks!.events.map((e) => `${e.kind} ${e.index}`));
    expect(with_.kinks!.stats.fieldCalls).toBeLessThan(without.kinks!.stats.fieldCalls);
  });
});

describe('simulate() on a coded model with switching functions', () => {
  const tr = simulate(reluNet, p, { spectra: false });
  const sol = tr.solution;

  it('runs with exact crossings and sliding by default; units cross, pin and release; pinned units sit on their kinks', () => {
    expect(sol.status).toBe('success');
    expect(sol.options.kinks).toBe('filippov');
    const k = sol.kinks!;
    expect(k.count).toBe(80);
    const count = (kind: string) => k.events.filter((e) => e.kind === kind).length;
    expect(count('cross')).toBeGreaterThan(5);
    expect(count('pin')).toBeGreaterThan(0);
    expect(count('release')).toBeGreaterThan(0);
    const u = new Float64Array(sys.count);
    sys.evaluate(0, sol.yEnd, u);
    for (const q of k.pinnedAtEnd) {
      expect(Math.abs(u[q.index])).toBeLessThan(1e-15);
      expect(q.lambda).toBeGreaterThanOrEqual(0);
      expect(q.lambda).toBeLessThanOrEqual(1);
    }
  });

  it('dopri5 (rtol 1e-10) and dop853 (rtol 1e-12) agree to 1e-7 at t = 20, with the same crossings, pins and releases', () => {
    const other = solve(flow, [0, 20], y0, { method: 'dop853', rtol: 1e-12, atol: 1e-14, switching: sys });
    expect(other.status).toBe('success');
    expect(maxDiff(other.yEnd, sol.yEnd)).toBeLessThan(1e-7);
    const sig = (s: typeof sol) => s.kinks!.events.map((e) => `${e.kind} ${e.index}`);
    expect(sig(other)).toEqual(sig(sol));
    other.kinks!.events.forEach((e, i) => expect(Math.abs(e.t - sol.kinks!.events[i].t)).toBeLessThan(1e-7));
  });

  it('gradient descent converges to it at first order: error(η) for η = 1e-3, 5e-4, 2.5e-4 has slope 1 ± 0.2 and error/η settles', () => {
    const etas = [1e-3, 5e-4, 2.5e-4];
    const errs = etas.map((eta) => maxDiff(gradientDescent(flow, y0, eta, 20), sol.yEnd));
    expect(Math.abs(slope(etas.map(Math.log), errs.map(Math.log)) - 1)).toBeLessThan(0.2);
    expect(errs[2]).toBeLessThan(5e-5);
    const c = errs.map((e, i) => e / etas[i]);
    expect(Math.abs(c[2] - c[1])).toBeLessThan(0.1 * c[2]);
  });

  it('contrast: the plain field smooth-through stalls (step budget) before t = 20', () => {
    const plain = solve(flow, [0, 20], y0, { rtol: 1e-10, atol: 1e-12, maxSteps: 20_000 });
    expect(plain.status).toBe('max_steps');
    expect(plain.tEnd).toBeLessThan(10);
  });
});
