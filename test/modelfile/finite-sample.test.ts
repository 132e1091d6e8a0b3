import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readModelSpec } from '../../src/modelfile/spec.js';
import { loadModelFile } from '../../src/modelfile/system.js';
import { examplesDir } from '../../src/modelfile/locate.js';
import { modelFromSpec } from '../../src/models/from-model-file.js';
import { resolveParams } from '../../src/models/params.js';
import type { DrawnData } from '../../src/modelfile/finite-sample.js';
import { makeRng } from '../../src/util/rng.js';
import { runCli, tempDir, tempModel } from '../helpers/cli.js';

const path = join(examplesDir(), 'linear-regression-data.json');
const spec = loadModelFile(path);
const model = modelFromSpec(spec, 'linear-regression-data');
const a = 2;
const c = -1;

describe('model files: the finite-sample form of a "data" block', () => {
  it('the compiled example gradient is the closed form (w x + b − y)·(x, 1) averaged over the batch, minibatch indices included', () => {
    const fs = model.finiteSample!(resolveParams(model));
    const batch = fs.sample(makeRng(3), 50) as DrawnData; // rows (x, noise)
    const theta = Float64Array.of(0.7, -0.3);
    const idx = Int32Array.of(4, 4, 9, 17, 33, 49);
    const g = new Float64Array(2);
    const loss = fs.lossGrad(theta, batch, idx, g);
    let gw = 0;
    let gb = 0;
    let l = 0;
    for (const e of idx) {
      const x = batch.x[2 * e];
      const y = a * x + c + batch.x[2 * e + 1];
      const r = theta[0] * x + theta[1] - y;
      gw += (r * x) / idx.length;
      gb += r / idx.length;
      l += (r * r) / 2 / idx.length;
    }
    expect(Math.abs(g[0] - gw)).toBeLessThan(1e-14);
    expect(Math.abs(g[1] - gb)).toBeLessThan(1e-14);
    expect(Math.abs(loss - l)).toBeLessThan(1e-14);
  });

  it('draws the declared law: x has mean 0 and variance 1, the noise variance 0.25 (within 5 standard errors over 200 000 draws)', () => {
    const fs = model.finiteSample!(resolveParams(model));
    const n = 200_000;
    const batch = fs.sample(makeRng(8), n) as DrawnData;
    const moments = (j: number) => {
      let m = 0;
      let v = 0;
      for (let s = 0; s < n; s++) m += batch.x[2 * s + j] / n;
      for (let s = 0; s < n; s++) v += (batch.x[2 * s + j] - m) ** 2 / n;
      return { m, v };
    };
    const x = moments(0);
    const noise = moments(1);
    expect(Math.abs(x.m)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(x.v - 1)).toBeLessThan(5 * Math.sqrt(2 / n)); // sd of a sample variance of N(0, 1): √(2/n)
    expect(Math.abs(noise.m)).toBeLessThan(5 * 0.5 / Math.sqrt(n));
    expect(Math.abs(noise.v - 0.25)).toBeLessThan(5 * 0.25 * Math.sqrt(2 / n));
  });

  it('the mean example loss is the file\'s population loss (within 5 standard errors) at a state away from the optimum', () => {
    const p = resolveParams(model);
    const fs = model.finiteSample!(p);
    const theta = Float64Array.of(0.5, 0.5);
    const n = 200_000;
    const batch = fs.sample(makeRng(9), n) as DrawnData;
    const g = new Float64Array(2);
    const perExample = new Float64Array(n);
    for (let s = 0; s < n; s++) perExample[s] = fs.lossGrad(theta, batch, Int32Array.of(s), g);
    const mean = perExample.reduce((x, y) => x + y, 0) / n;
    const sd = Math.sqrt(perExample.reduce((x, y) => x + (y - mean) ** 2, 0) / n);
    expect(Math.abs(mean - model.loss(theta, p))).toBeLessThan((5 * sd) / Math.sqrt(n));
  });

  it('gradflow compare on the file: GD deviation ∝ η (slope 1 ± 0.15) and online SGD ∝ B^(−1/2) (slope −0.5 ± 0.15, 8 seeds)', async () => {
    const out = tempDir();
    expect((await runCli('compare', path, '--eta', '0.2,0.1,0.05,0.025', '--out', join(out, 'gd'))).code).toBe(0);
    const gd = readFileSync(join(out, 'gd', 'report.md'), 'utf8');
    expect(Math.abs(Number(/against η \(full batch\): fitted log–log slope ([-\d.e]+)/.exec(gd)?.[1]) - 1)).toBeLessThan(0.15);
    expect((await runCli('compare', path, '--eta', '0.01', '--data', 'online', '--batch', '4,16,64,256', '--seeds', '8', '--out', join(out, 'sgd'))).code).toBe(0);
    const sgd = readFileSync(join(out, 'sgd', 'report.md'), 'utf8');
    expect(Math.abs(Number(/against B \(online SGD\): fitted log–log slope ([-\d.e]+)/.exec(sgd)?.[1]) + 0.5)).toBeLessThan(0.15);
  });

  it('rejects a malformed data block with a clear message', async () => {
    const base = JSON.parse(readFileSync(path, 'utf8'));
    const bad = (data: unknown, extra: Record<string, unknown> = {}) => () => readModelSpec({ ...base, data, ...extra }, 'm.json');
    expect(bad({ ...base.data, draw: { x: { gamma: [1, 2] } } })).toThrow(/data.draw.x must be \{"normal": \[mean, sd\]\}, \{"uniform": \[lo, hi\]\} or "sign"/);
    expect(bad({ ...base.data, draw: { x: { normal: [0, -1] } } })).toThrow(/standard deviation must be ≥ 0/);
    expect(bad({ ...base.data, draw: { x: { uniform: [1, 1] } } })).toThrow(/needs hi > lo/);
    expect(bad({ ...base.data, draw: { w: { normal: [0, 1] } } })).toThrow(/'w' is already a state variable, a parameter or a data variable/);
    expect(bad({ ...base.data, draw: {} })).toThrow(/must name at least one random variable/);
    expect(bad({ ...base.data, loss: 3 })).toThrow(/data.loss must be the loss of one example/);
    expect(bad({ ...base.data, extra: 1 })).toThrow(/unknown key 'extra'/);
    const { loss: _loss, ...noLoss } = base;
    expect(() => readModelSpec({ ...noLoss, rhs: { w: '-w', b: '-b' } }, 'm.json')).toThrow(/'data' \(a finite-sample form\) needs the gradient-flow form/);
    // a let may not read the state (it is data), and the example loss may not use unknown names
    const stateInLet = readModelSpec({ ...base, data: { ...base.data, let: { y: 'a*x + w' } } }, 'm.json');
    expect(() => modelFromSpec(stateInLet, 'm')).toThrow(/data.let.y.*'w'/);
    const file = tempModel({ ...base, data: { ...base.data, loss: '(y - v*x)^2/2' } });
    const r = await runCli('compare', file, '--eta', '0.1', '--out', tempDir());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/data.loss.*'v'/);
  });
});
