/**
 * Sizes are checked before anything is allocated (src/util/limits.ts): each request that used to
 * run out of memory or crash inside is refused quickly, as an input error that names the numbers;
 * a run that diverges says so, and where.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deepLinear } from '../../src/models/deep-linear/model.js';
import { yang } from '../../src/models/yang/model.js';
import { resolveParams } from '../../src/models/params.js';
import { compareModel } from '../../src/sgd/compare-model.js';
import { checkTrainOptions, train } from '../../src/sgd/train.js';
import { hypotOf, maxAbs, maxOf, minOf } from '../../src/util/array.js';
import { checkAllocation, checkCount, formatBytes, MAX_SEEDS, memoryLimit } from '../../src/util/limits.js';
import { makeRng } from '../../src/util/rng.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { inputErrorOf, rejectionOf } from '../helpers/errors.js';

const constant = (eta: number) => ({ kind: 'constant' as const, eta });

/** The input error `f` throws (fails the test if it throws anything else, or nothing). */


describe('the limits module', () => {
  it('formats bytes in decimal units and refuses an allocation above the budget with the numbers', () => {
    expect(formatBytes(14.47e9)).toBe('14.5 GB');
    expect(formatBytes(4e9)).toBe('4 GB');
    expect(formatBytes(512)).toBe('512 bytes');
    expect(memoryLimit()).toBeLessThanOrEqual(4e9);
    expect(memoryLimit()).toBeGreaterThan(0);
    expect(() => checkAllocation('small', 1e6)).not.toThrow();
    const m = inputErrorOf(() => checkAllocation('compare: 100000 seeds × 5 settings', 14.47e9, { of: 'recorded states', hint: 'use fewer --seeds' }));
    expect(m).toMatch(/^compare: 100000 seeds × 5 settings ≈ 14\.5 GB of recorded states, above the [\d.]+ [GM]B memory limit; use fewer --seeds\.$/);
  });

  it('checks counts: a positive integer up to the cap', () => {
    expect(inputErrorOf(() => checkCount('--seeds', 0, MAX_SEEDS))).toBe('--seeds must be a positive integer (got 0).');
    expect(inputErrorOf(() => checkCount('--seeds', 2.5, MAX_SEEDS))).toMatch(/positive integer \(got 2\.5\)/);
    expect(inputErrorOf(() => checkCount('--seeds', 100000, MAX_SEEDS))).toBe('--seeds is 100000, above the limit of 10000.');
    expect(() => checkCount('--seeds', MAX_SEEDS, MAX_SEEDS)).not.toThrow();
  });
});

describe('reductions without argument spreads', () => {
  it('take the max, min, max |x| and norm of a 10⁶-element array (Math.max(...xs) overflows the stack there)', () => {
    const xs = new Float64Array(1_000_000);
    for (let i = 0; i < xs.length; i++) xs[i] = Math.sin(i);
    xs[777_777] = 3;
    xs[123_456] = -4;
    expect(() => Math.max(...xs)).toThrow(RangeError); // the defect these replace
    expect(maxOf(xs)).toBe(3);
    expect(minOf(xs)).toBe(-4);
    expect(maxAbs(xs)).toBe(4);
    let s = 0;
    for (const x of xs) s += x * x;
    expect(Math.abs(hypotOf(xs) - Math.sqrt(s)) / Math.sqrt(s)).toBeLessThan(1e-12);
  });

  it('give Math.max/min/hypot\'s results bit for bit, NaN and empty arrays included', () => {
    const rng = makeRng(3);
    for (let k = 0; k < 50; k++) {
      const v = Array.from({ length: 1 + (k % 17) }, () => rng.normal() * 10 ** Math.floor(6 * rng.uniform() - 3));
      expect(hypotOf(v)).toBe(Math.hypot(...v));
      expect(maxOf(v)).toBe(Math.max(...v));
      expect(minOf(v)).toBe(Math.min(...v));
    }
    expect(hypotOf([1e200, 1e200])).toBe(Math.hypot(1e200, 1e200)); // no overflow on the way
    expect(hypotOf([NaN, Infinity])).toBe(Infinity);
    expect(hypotOf([NaN, 1])).toBeNaN();
    expect(maxOf([1, NaN, 2])).toBeNaN();
    expect(minOf([1, NaN, 2])).toBeNaN();
    expect(maxOf([])).toBe(-Infinity);
    expect(minOf([])).toBe(Infinity);
    expect(hypotOf([])).toBe(0);
  });
});

describe('compare refuses oversized requests before running anything', () => {
  const request = (over: Partial<Parameters<typeof compareModel>[0]> = {}) => ({
    model: deepLinear, params: resolveParams(deepLinear), modelName: 'deep-linear', workers: 1, out: tempDir(), ...over,
  });

  it('--seeds 100000 (was: V8 heap out of memory after 75 s)', async () => {
    const t = performance.now();
    const m = await rejectionOf(compareModel(request({ seeds: 100_000 })));
    expect(m).toMatch(/--seeds is 100000, above the limit of 10000; each seed adds 8 discrete runs and a reference flow/);
    expect(performance.now() - t).toBeLessThan(5000);
  });

  it('recorded states beyond the memory limit: seeds × settings × record times × state entries', async () => {
    const m = await rejectionOf(compareModel(request({ params: resolveParams(deepLinear, { n: 64 }), seeds: 10_000 })));
    expect(m).toMatch(/^compare: 10000 seeds × 8 settings × 201 record times × 8192 state entries, for each run and its reference flow ≈ [\d.]+ TB of recorded states, above the [\d.]+ [GM]B memory limit; use fewer --seeds or settings\.$/);
  });

  it('--batch 1e9 and --data n=999999999999 (were: huge allocations, a crash)', async () => {
    const batch = await runCli('compare', 'deep-linear', '--data', 'online', '--batch', '1e9', '--out', tempDir());
    expect(batch.code).toBe(2);
    expect(batch.err).toMatch(/the batch size is 1000000000, above the limit of 10000000/);
    const n = await runCli('compare', 'deep-linear', '--data', 'n=999999999999', '--out', tempDir());
    expect(n.code).toBe(2);
    expect(n.err).toMatch(/the number of training examples n is 999999999999, above the limit of 100000000/);
  });

  it('yang at d = 1024, K = 5, pad = 8, n = 50000, every parameter in range (was: 5.8 GB and counting)', async () => {
    const t = performance.now();
    const r = await runCli('compare', 'yang', '--set', 'd=1024', '--set', 'K=5', '--set', 'pad=8', '--data', 'n=50000', '--out', tempDir());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/yang: n = 50000 examples × 14 tokens × 1024 coordinates ≈ 5\.74 GB of training data, above the [\d.]+ [GM]B memory limit; use a smaller n/);
    expect(performance.now() - t).toBeLessThan(10_000); // the 1024×1024 dictionary is not drawn first
  });

  it('a training set that fits alone but not once per parallel worker', async () => {
    // deep-linear n = 256: 256 floats per example; 1.5e6 examples ≈ 3.1 GB per run, two at once ≈ 6.2 GB
    const p = resolveParams(deepLinear, { n: 256 });
    const settings = [{ schedule: constant(0.05), data: { kind: 'sample' as const, n: 1_500_000 }, batch: 64 }];
    const m = await rejectionOf(compareModel(request({ params: p, settings, seeds: 2, workers: 2 })));
    expect(m).toMatch(/deep-linear: 2 parallel runs × n = 1500000 examples × 256 inputs ≈ [\d.]+ GB of training data, above the [\d.]+ [GM]B memory limit; use a smaller n, or fewer --workers/);
  });

  it('--eta 1e9: a learning rate beyond the horizon is refused with the horizon and the model\'s own rates', async () => {
    const r = await runCli('compare', 'deep-linear', '--eta', '1e9', '--out', tempDir());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/the learning rate η = 1e\+9 is not below the horizon τ = 39\.3\d+: one step .* would jump past the whole comparison.*deep-linear's defaults: η = 0\.1, 0\.05, 0\.025, 0\.0125/);
  });

  it('a horizon the schedule needs more than the step limit to reach', async () => {
    const r = await runCli('compare', 'deep-linear', '--eta', '0.001', '--tau', '1e15', '--out', tempDir());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/reaching τ = 1e\+15 at η=0\.001 takes 1e\+18 steps, above the limit of 50000000 steps per run/);
  });
});

describe('train checks its own sizes (every entry point, not only the CLI)', () => {
  const p = resolveParams(deepLinear, { eps: 0.3 });

  it('refuses a batch, a training set or a record that is too large before allocating it', () => {
    const base = { schedule: constant(0.01), tauEnd: 1, seed: 1, record: [1] };
    expect(inputErrorOf(() => train(deepLinear, p, { ...base, data: { kind: 'online' }, batch: 1e9 }))).toMatch(/the batch size is 1000000000, above the limit of 10000000/);
    expect(inputErrorOf(() => train(deepLinear, p, { ...base, data: { kind: 'sample', n: 1e12 }, batch: 8 }))).toMatch(/n is 1000000000000, above the limit of 100000000/);
    const wide = resolveParams(deepLinear, { n: 256 });
    expect(inputErrorOf(() => train(deepLinear, wide, { ...base, data: { kind: 'sample', n: 50_000_000 }, batch: 8 }))).toMatch(/deep-linear: n = 50000000 examples × 256 inputs ≈ 103 GB of training data, above the/);
    expect(inputErrorOf(() => train(deepLinear, p, { ...base, data: { kind: 'population' }, batch: 1, record: new Float64Array(1_000_001) }))).toMatch(/1000001 record times are above the limit of 1000000/);
    expect(inputErrorOf(() => checkTrainOptions({ ...base, data: { kind: 'population' }, batch: 1, record: [0, Infinity] }))).toMatch(/record time 1 is Infinity/);
  });

  it('the finite-sample forms refuse an oversized draw themselves', () => {
    const fs = deepLinear.finiteSample!(resolveParams(deepLinear, { n: 256 }));
    expect(inputErrorOf(() => fs.sample(makeRng(1), 5e7))).toMatch(/deep-linear: 50000000 examples × 256 inputs ≈ 102 GB of training data/);
    const y = yang.finiteSample!(resolveParams(yang, { d: 1024, K: 5, pad: 8 }));
    expect(y.exampleShape).toBe('14 tokens × 1024 coordinates');
    expect(inputErrorOf(() => y.sample(makeRng(1), 50_000))).toMatch(/yang: 50000 examples × 14 tokens × 1024 coordinates ≈ 5\.73 GB of training data, above the/);
  });
});

describe('diverging runs say so', () => {
  it('a GD run that blows up: status non_finite, with the step, τ and the learning rate', () => {
    const p = resolveParams(deepLinear, { eps: 0.3 });
    const run = train(deepLinear, p, { schedule: constant(5), data: { kind: 'population' }, batch: 1, tauEnd: 2000, seed: 1, record: [0, 1000, 2000] });
    expect(run.status).toBe('non_finite');
    expect(run.message).toMatch(/^The run diverged at step (\d+) \(τ=(\d+)\): the parameters (became non-finite|exceeded 1e\+150 in size \(max \|θ_i\| = [\d.e+]+\)); the learning rate 5 is too large for this loss \(lower --eta\)\.$/);
    const k = Number(/step (\d+)/.exec(run.message)![1]);
    expect(run.steps).toBe(k);
    expect(run.message).toContain(`τ=${5 * k}`);
  });

  it('online SGD diverging before its first record time: a clear report, not "Invalid time span" from the solver', async () => {
    const out = tempDir();
    const r = await runCli('compare', 'deep-linear', '--eta', '1e9', '--tau', '1e15', '--data', 'online', '--batch', '4', '--workers', '1', '--out', out);
    expect(r.err).not.toMatch(/Invalid time span/);
    expect(r.code).toBe(0); // a diverging run is a finding, reported as such
    expect(r.err).toMatch(/η=1e\+9, online SGD, B=4: 1 of 1 run stopped early \(seed 1: The run diverged at step \d+ \(τ=[\d.e+]+\): the parameters became non-finite; the learning rate 1e\+9 is too large for this loss \(lower --eta, or raise --batch\)\.\)/);
    const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    const run = json.settings[0].runs[0];
    expect(run.status).toBe('non_finite');
    expect(run.flow_error).toBeNull();
    expect(run.message).toMatch(/The run diverged at step/);
    expect(json.status).toBe('partial');
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/The run diverged at step \d+/);
  });
});
