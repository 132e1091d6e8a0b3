import { describe, expect, it } from 'vitest';
import { deepLinear } from '../../src/models/deep-linear/model.js';
import { MODELS } from '../../src/models/registry.js';
import { resolveParams } from '../../src/models/params.js';
import { train } from '../../src/sgd/train.js';
import { flowAt, deviation } from '../../src/sgd/compare.js';
import { logLogSlope } from '../../src/util/fit.js';
import { parseSchedule } from '../../src/sgd/schedule.js';
import { solve } from '../../src/solve/index.js';
import { linspace } from '../../src/util/grid.js';
import { makeRng } from '../../src/util/rng.js';

const constant = (eta: number) => ({ kind: 'constant' as const, eta });

describe('discrete training against the flow', () => {
  it('full-batch GD on the exact population loss is bit-identical to the engine\'s euler method with h = η', () => {
    const p = resolveParams(deepLinear, { eps: 0.1 });
    const eta = 0.05;
    const T = 10; // 200 steps exactly
    const run = train(deepLinear, p, { schedule: constant(eta), data: { kind: 'population' }, batch: 1, tauEnd: T, seed: 7, record: [T] });
    const y0 = deepLinear.init(p, makeRng(7));
    const sol = solve(deepLinear.flow(p), [0, T], y0, { method: 'euler', h: eta, saveAt: [T] });
    expect(sol.stats.accepted).toBe(200);
    expect(run.steps).toBe(200);
    expect(Array.from(run.states[0])).toEqual(Array.from(sol.yEnd)); // every bit
  });

  it('deep linear, full batch: the deviation from the flow shrinks like O(η) (slope 1 ± 0.15, η = 0.2 … 0.0125)', () => {
    const p = resolveParams(deepLinear, { eps: 0.1 });
    const T = 20;
    const etas = [0.2, 0.1, 0.05, 0.025, 0.0125];
    const devs = etas.map((eta) => {
      const run = train(deepLinear, p, { schedule: constant(eta), data: { kind: 'population' }, batch: 1, tauEnd: T, seed: 1, record: linspace(0, T, 201) });
      expect(run.status).toBe('success');
      return deviation(deepLinear, p, run, flowAt(deepLinear, p, 1, run.tau)).loss;
    });
    const slope = logLogSlope(etas, devs);
    expect(Math.abs(slope - 1)).toBeLessThan(0.15);
    expect(devs[4]).toBeLessThan(0.1); // and it is small in absolute terms
  });

  it('online SGD on the deep linear network: over 8 seeds the deviation shrinks like B^(−1/2) (slope −0.5 ± 0.15, B = 4 … 256)', () => {
    // away from the saddle (ε = 0.5), so the noise acts as a small perturbation, and η small
    // enough that the O(η) discretization part (≈ 6e-3 here) is below the noise part at B = 256
    const p = resolveParams(deepLinear, { eps: 0.5 });
    const T = 3;
    const Bs = [4, 16, 64, 256];
    const rms = Bs.map((B) => {
      let acc = 0;
      for (let seed = 1; seed <= 8; seed++) {
        const run = train(deepLinear, p, { schedule: constant(1e-3), data: { kind: 'online' }, batch: B, tauEnd: T, seed, record: linspace(0, T, 61) });
        acc += deviation(deepLinear, p, run, flowAt(deepLinear, p, seed, run.tau)).loss ** 2;
      }
      return Math.sqrt(acc / 8);
    });
    expect(Math.abs(logLogSlope(Bs, rms) + 0.5)).toBeLessThan(0.15);
  });

  it('is deterministic: the same seed gives the same run, another seed another', () => {
    const p = resolveParams(deepLinear, { eps: 0.3 });
    const opts = { schedule: constant(0.01), data: { kind: 'sample' as const, n: 64 }, batch: 8, tauEnd: 2, record: [1, 2] };
    const a = train(deepLinear, p, { ...opts, seed: 3 });
    const b = train(deepLinear, p, { ...opts, seed: 3 });
    const c = train(deepLinear, p, { ...opts, seed: 4 });
    expect(Array.from(a.states[1])).toEqual(Array.from(b.states[1]));
    expect(Array.from(a.states[1])).not.toEqual(Array.from(c.states[1]));
  });

  it('every model\'s in-place resample draws what sample draws from the same seed (online SGD allocates no batch per step)', () => {
    const checked: string[] = [];
    for (const model of MODELS.values()) {
      if (!model.finiteSample) continue;
      const fs = model.finiteSample(resolveParams(model));
      if (!fs.resample) continue;
      checked.push(model.id);
      const fresh = fs.sample(makeRng(5), 8);
      const reused = fs.sample(makeRng(6), 8);
      expect(reused).not.toEqual(fresh);
      fs.resample(makeRng(5), reused);
      expect(reused).toEqual(fresh);
    }
    expect(checked).toEqual(expect.arrayContaining(['deep-linear', 'chen-luo', 'yang', 'gong']));
  });

  it('the finite-sample gradient is the gradient of the finite-sample loss (central differences)', () => {
    const p = resolveParams(deepLinear);
    const fs = deepLinear.finiteSample!(p);
    const rng = makeRng(5);
    const data = fs.sample(rng, 20);
    const theta = Float64Array.from({ length: fs.dim }, () => rng.normal());
    const g = new Float64Array(fs.dim);
    const idx = Int32Array.of(3, 7, 11, 19);
    fs.lossGrad(theta, data, idx, g);
    const tmp = new Float64Array(fs.dim);
    for (let i = 0; i < fs.dim; i++) {
      const h = 1e-5;
      const th = Float64Array.from(theta);
      th[i] += h; const up = fs.lossGrad(th, data, idx, tmp);
      th[i] -= 2 * h; const down = fs.lossGrad(th, data, idx, tmp);
      expect(Math.abs(g[i] - (up - down) / (2 * h))).toBeLessThan(1e-6 * Math.max(1, Math.abs(g[i])));
    }
  });

  it('a two-rate schedule reaches τ with the right number of steps, and bad options are clear errors', () => {
    const s = parseSchedule('0.1->0.01@1');
    const p = resolveParams(deepLinear, { eps: 0.3 });
    const run = train(deepLinear, p, { schedule: s, data: { kind: 'population' }, batch: 1, tauEnd: 2, seed: 1, record: [2] });
    expect(run.steps).toBe(10 + 100);
    expect(run.tau[0]).toBeCloseTo(2, 10);
    expect(() => parseSchedule('-1')).toThrow(/learning rate η must be a finite number > 0/);
    expect(() => parseSchedule('0.1->0@3')).toThrow(/η2 must be/);
    expect(() => train(deepLinear, p, { schedule: s, data: { kind: 'online' }, batch: 0, tauEnd: 1, seed: 1, record: [1] })).toThrow(/batch size must be a positive integer/);
  });

  it('reports divergence instead of returning NaN', () => {
    const p = resolveParams(deepLinear, { eps: 0.3 });
    const run = train(deepLinear, p, { schedule: constant(2), data: { kind: 'population' }, batch: 1, tauEnd: 2000, seed: 1, record: [2000] });
    expect(run.status).toBe('non_finite');
    expect(run.message).toMatch(/learning rate 2 is too large/);
  });

  it('the stage structure of a small-η GD run matches the flow', () => {
    const p = resolveParams(deepLinear);
    const T = 39;
    const run = train(deepLinear, p, { schedule: constant(0.005), data: { kind: 'population' }, batch: 1, tauEnd: T, seed: 1, record: Float64Array.from([0, ...linspace(0.01, T, 300)].map((x) => x)) });
    const d = deviation(deepLinear, p, run, flowAt(deepLinear, p, 1, run.tau), ['u1', 'u2', 'u3']);
    expect(d.sameStages).toBe(true);
    expect(d.flowTransitions).toHaveLength(3);
    d.flowTransitions.forEach((t, i) => expect(Math.abs(d.runTransitions[i] - t) / t).toBeLessThan(0.02));
  });
});
