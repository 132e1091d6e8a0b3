import { describe, expect, it } from 'vitest';
import { chenLuo } from '../../src/models/chen-luo/model.js';
import type { DataDraw } from '../../src/models/chen-luo/finite-sample.js';
import { resolveParams } from '../../src/models/params.js';
import { makeRng } from '../../src/util/rng.js';

const p = resolveParams(chenLuo, { eps: 0.3, activation: 'tanh', loss: 'logistic' });
const n = (chenLuo as unknown as { setup(p: unknown): { data: { n: number } } }).setup(p).data.n;

function randomState(seed: number, dim: number): Float64Array {
  const rng = makeRng(seed);
  return Float64Array.from({ length: dim }, () => 0.5 * rng.normal());
}

describe('chen-luo: finite-sample form (minibatches of the data set)', () => {
  it('a batch of every sample in order is the flow, to the last bit, and its loss is L', () => {
    const fs = chenLuo.finiteSample!(p);
    const theta = randomState(3, fs.dim);
    const all: DataDraw = { count: n, index: Int32Array.from({ length: n }, (_, i) => i) };
    const g = new Float64Array(fs.dim);
    const loss = fs.lossGrad(theta, all, null, g);
    const f = new Float64Array(fs.dim);
    chenLuo.flow(p)(0, theta, f);
    expect(Array.from(g, (x) => -x)).toEqual(Array.from(f));
    expect(loss).toBe(chenLuo.loss(theta, p));
  });

  it('minibatch gradients are unbiased: the mean over the n one-sample batches is ∇L (to rounding)', () => {
    const fs = chenLuo.finiteSample!(p);
    const theta = randomState(4, fs.dim);
    const draw: DataDraw = { count: n, index: Int32Array.from({ length: n }, (_, i) => i) };
    const g = new Float64Array(fs.dim);
    const mean = new Float64Array(fs.dim);
    let meanLoss = 0;
    for (let i = 0; i < n; i++) {
      meanLoss += fs.lossGrad(theta, draw, Int32Array.of(i), g) / n;
      for (let k = 0; k < fs.dim; k++) mean[k] += g[k] / n;
    }
    const f = new Float64Array(fs.dim);
    chenLuo.flow(p)(0, theta, f);
    const scale = Math.max(...Array.from(f, Math.abs));
    for (let k = 0; k < fs.dim; k++) expect(Math.abs(mean[k] + f[k])).toBeLessThan(1e-13 * scale);
    expect(Math.abs(meanLoss - chenLuo.loss(theta, p))).toBeLessThan(1e-14);
  });

  it('the minibatch gradient (with repeated indices) is the gradient of the minibatch loss (central differences)', () => {
    const fs = chenLuo.finiteSample!(p);
    const theta = randomState(5, fs.dim);
    const draw = fs.sample(makeRng(9), 10) as DataDraw;
    const idx = Int32Array.of(1, 1, 4, 9, 0); // sample 1 counts twice
    const g = new Float64Array(fs.dim);
    fs.lossGrad(theta, draw, idx, g);
    const z = Float64Array.from(theta);
    const scratch = new Float64Array(fs.dim);
    let worst = 0;
    for (let i = 0; i < fs.dim; i++) {
      const h = 1e-5;
      z[i] = theta[i] + h; const up = fs.lossGrad(z, draw, idx, scratch);
      z[i] = theta[i] - h; const down = fs.lossGrad(z, draw, idx, scratch);
      z[i] = theta[i];
      worst = Math.max(worst, Math.abs(g[i] - (up - down) / (2 * h)));
    }
    expect(worst).toBeLessThan(1e-8 * Math.max(...Array.from(g, Math.abs)));
  });

  it('draws are uniform on the data set (every count within 4.5σ of its mean over 48 000 draws) and seeded', () => {
    const fs = chenLuo.finiteSample!(p);
    const draws = 1000 * n;
    const draw = fs.sample(makeRng(11), draws) as DataDraw;
    const counts = new Float64Array(n);
    for (const i of draw.index) counts[i]++;
    const sigma = Math.sqrt(1000 * (1 - 1 / n));
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(4.5 * sigma);
    expect(Array.from((fs.sample(makeRng(11), 50) as DataDraw).index)).toEqual(Array.from(draw.index.subarray(0, 50)));
  });
});
