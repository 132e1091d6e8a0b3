import { describe, expect, it } from 'vitest';
import { minNormPoint, svmMargin } from '../../src/models/yang/svm.js';
import { yang } from '../../src/models/yang/model.js';
import { yangConfig } from '../../src/models/yang/config.js';
import { gradientField } from '../../src/models/yang/flow.js';
import { TokenSpanNetwork } from '../../src/models/yang/network.js';
import { dictionary, features, populationData, yangFiniteSample, type AmbientData } from '../../src/models/yang/ambient.js';
import { nineScalarField, nineOf, embedNine, nineScalarLoss } from '../../src/models/yang/nine-scalar.js';
import { stageRates } from '../../src/models/yang/flow.js';
import { resolveParams } from '../../src/models/params.js';
import { makeRng } from '../../src/util/rng.js';
import type { ParamValue } from '../../src/models/types.js';

/** Half the distance between the convex hulls by projected gradient on the two simplices (slow, independent). */
function marginByProjectedGradient(x: Float64Array, y: Float64Array, dim: number): number {
  const pos = [...y.keys()].filter((i) => y[i] > 0);
  const neg = [...y.keys()].filter((i) => y[i] < 0);
  const proj = (v: number[]): number[] => {
    const u = [...v].sort((p, q) => q - p);
    let cs = 0;
    let th = 0;
    u.forEach((ui, i) => { cs += ui; const t = (cs - 1) / (i + 1); if (ui - t > 0) th = t; });
    return v.map((z) => Math.max(0, z - th));
  };
  let a = pos.map(() => 1 / pos.length);
  let b = neg.map(() => 1 / neg.length);
  const d = new Float64Array(dim);
  let step = 0.5 / Math.max(...Array.from(x, Math.abs)) ** 2 / dim;
  for (let it = 0; it < 40000; it++) {
    d.fill(0);
    pos.forEach((i, k) => { for (let j = 0; j < dim; j++) d[j] += a[k] * x[i * dim + j]; });
    neg.forEach((i, k) => { for (let j = 0; j < dim; j++) d[j] -= b[k] * x[i * dim + j]; });
    const ga = pos.map((i) => { let s = 0; for (let j = 0; j < dim; j++) s += d[j] * x[i * dim + j]; return s; });
    const gb = neg.map((i) => { let s = 0; for (let j = 0; j < dim; j++) s -= d[j] * x[i * dim + j]; return s; });
    a = proj(a.map((v, k) => v - step * ga[k]));
    b = proj(b.map((v, k) => v - step * gb[k]));
    if (it === 20000) step *= 0.5;
  }
  return 0.5 * Math.hypot(...d);
}

describe('yang: hard-margin SVM margin (Wolfe)', () => {
  it('matches an independent projected-gradient solution on random separable and non-separable sets', () => {
    const rng = makeRng(3);
    for (let trial = 0; trial < 12; trial++) {
      const dim = 2 + (trial % 4);
      const n = 6 + trial;
      const shift = trial % 2 === 0 ? 1.5 : 0.1; // separated clouds, or overlapping ones
      const x = new Float64Array(n * dim);
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        y[i] = i % 2 === 0 ? 1 : -1;
        for (let j = 0; j < dim; j++) x[i * dim + j] = rng.normal() * 0.5 + (j === 0 ? y[i] * shift : 0);
      }
      const w = svmMargin(x, y, dim);
      const ref = marginByProjectedGradient(x, y, dim);
      expect(Math.abs(w - ref)).toBeLessThan(1e-6);
    }
  });

  it('exact cases: two points at distance 2 have margin 1; XOR has margin 0; an interior origin gives 0', () => {
    expect(svmMargin([1, 0, -1, 0], [1, -1], 2)).toBeCloseTo(1, 14);
    expect(svmMargin([1, 1, -1, -1, 1, -1, -1, 1], [1, 1, -1, -1], 2)).toBe(0);
    expect(minNormPoint([Float64Array.of(1, 0), Float64Array.of(-1, 1), Float64Array.of(-1, -1)])).toBe(0);
    // a degenerate polytope (collinear points) with its nearest point inside a face
    expect(minNormPoint([Float64Array.of(-1, 2), Float64Array.of(0, 2), Float64Array.of(1, 2), Float64Array.of(2, 2)])).toBeCloseTo(2, 14);
  });
});

describe('yang: the 9-scalar system (generated code)', () => {
  it('is the token-span model on its manifold: loss, and −¼∇L₉ = the flow of the representing entries, with rates', () => {
    const p = resolveParams(yang);
    const c = yangConfig(p);
    const net = new TokenSpanNetwork(c);
    const rng = makeRng(8);
    for (let trial = 0; trial < 10; trial++) {
      const th = Float64Array.from({ length: 9 }, (_, i) => (i === 0 ? 0.5 + rng.uniform() : rng.normal()));
      const y = embedNine(th);
      expect(Array.from(nineOf(y))).toEqual(Array.from(th));
      expect(Math.abs(net.forward(y) - nineScalarLoss(th))).toBeLessThan(1e-14);
      for (const mode of ['simultaneous', 'neurons', 'attention'] as const) {
        const rates = stageRates(yangConfig(resolveParams(yang, { etaW: 2, etaA: 0.3 })), mode);
        const c2 = yangConfig(resolveParams(yang, { etaW: 2, etaA: 0.3 }));
        const full = new Float64Array(c.n);
        gradientField(c2, mode)(0, y, full);
        const nine = new Float64Array(9);
        nineScalarField(rates).f(0, th, nine);
        const rep = nineOf(full);
        for (let j = 0; j < 9; j++) expect(Math.abs(nine[j] - rep[j])).toBeLessThan(1e-13 * Math.max(1, Math.abs(rep[j])));
        // the field lies on the manifold: every entry tied to a scalar moves with it
        expect(Array.from(nineOf(embedNine(Array.from(rep))))).toEqual(Array.from(rep));
      }
    }
  });
});

describe('yang: ambient (finite-sample) form', () => {
  const settings: Record<string, ParamValue>[] = [
    { d: 7, init: 'random', m: 3, attnScale: 0.3 },
    { d: 6, init: 'symmetric-random', m: 2, attnScale: 0.3, symmetry: 'imposed', aggregate: 'mean' },
    { d: 8, init: 'random', m: 2, attnScale: 0.3, keyQuery: 'separate', dk: 3, training: 'attention', etaA: 0.7 },
    { d: 9, K: 3, pad: 1, init: 'random', m: 2, attnScale: 0.2, training: 'neurons', etaW: 1.4 },
  ];

  it.each(settings.map((s, i) => [i, s] as const))('setting %i: on the population, the lifted GD step is the flow\'s step and stays in the span', (_i, s) => {
    const p = resolveParams(yang, s);
    const c = yangConfig(p);
    const fs = yangFiniteSample(p);
    const y = yang.init(p, makeRng(4));
    const theta = fs.lift(y, makeRng(0));
    const back = new Float64Array(c.n);
    fs.project(theta, back);
    for (let i = 0; i < c.n; i++) expect(Math.abs(back[i] - y[i])).toBeLessThan(1e-13);
    expect(fs.residual!(theta)).toBeLessThan(1e-12);
    const pop = populationData(p);
    const g = new Float64Array(fs.dim);
    const loss = fs.lossGrad(theta, pop, null, g);
    expect(Math.abs(loss - new TokenSpanNetwork(c).forward(y))).toBeLessThan(1e-13);
    // −(projected R∇) = the flow; nothing outside the span
    const flow = new Float64Array(c.n);
    gradientField(c, c.training === 'three-stage' ? 'simultaneous' : c.training)(0, y, flow);
    const proj = new Float64Array(c.n);
    fs.project(g, proj);
    const scale = Math.max(...Array.from(flow, Math.abs));
    for (let i = 0; i < c.n; i++) expect(Math.abs(-proj[i] - flow[i])).toBeLessThan(1e-12 * scale);
    if (c.keyQuery === 'combined') expect(fs.residual!(g)).toBeLessThan(1e-12 * scale); // (K̃, Q̃ have free row spaces)
  });

  it('lossGrad is the gradient of the batch loss (central differences, noisy tokens, minibatch indices)', () => {
    for (const s of settings) {
      const p = resolveParams(yang, { ...s, noise: 0.2, etaW: 1, etaA: 1, training: 'simultaneous' }); // R = I (½I with symmetry imposed)
      const c = yangConfig(p);
      const fs = yangFiniteSample(p);
      const rng = makeRng(6);
      const data = fs.sample(rng, 12) as AmbientData;
      const idx = Int32Array.of(0, 3, 5, 7, 11);
      const theta = Float64Array.from({ length: fs.dim }, () => 0.4 * rng.normal());
      const g = new Float64Array(fs.dim);
      fs.lossGrad(theta, data, idx, g);
      const half = c.symmetry === 'imposed' ? 0.5 : 1;
      const z = Float64Array.from(theta);
      const scratch = new Float64Array(fs.dim);
      let worst = 0;
      let scale = 0;
      for (let i = 0; i < fs.dim; i++) {
        const h = 1e-5;
        z[i] = theta[i] + h;
        const lp = fs.lossGrad(z, data, idx, scratch);
        z[i] = theta[i] - h;
        const lm = fs.lossGrad(z, data, idx, scratch);
        z[i] = theta[i];
        const fd = (lp - lm) / (2 * h);
        worst = Math.max(worst, Math.abs(g[i] - half * fd));
        scale = Math.max(scale, Math.abs(half * fd));
      }
      expect(worst).toBeLessThan(1e-6 * scale);
    }
  });

  it('overlapping features: unit vectors with pairwise inner products ρ, in the dictionary\'s span (GD keeps θ in the span)', () => {
    const rho = 0.3;
    const p = resolveParams(yang, { K: 3, d: 9, overlap: rho });
    const c = yangConfig(p);
    const E = dictionary(c.K, 9, 1);
    const F = features(E, 9, c.p, rho);
    for (let a = 0; a < c.p; a++) for (let b = 0; b < c.p; b++) {
      let dot = 0;
      for (let r = 0; r < 9; r++) dot += F[r * c.p + a] * F[r * c.p + b];
      expect(Math.abs(dot - (a === b ? 1 : rho))).toBeLessThan(1e-14);
    }
    // every feature lies in span(E): its projection EEᵀf is itself
    for (let a = 0; a < c.p; a++) for (let r = 0; r < 9; r++) {
      let back = 0;
      for (let j = 0; j < c.p; j++) {
        let coef = 0;
        for (let q = 0; q < 9; q++) coef += E[q * c.p + j] * F[q * c.p + a];
        back += E[r * c.p + j] * coef;
      }
      expect(Math.abs(back - F[r * c.p + a])).toBeLessThan(1e-14);
    }
    // and the sampled tokens are ± these features, so a gradient step keeps θ in the span
    const fs = yangFiniteSample(p);
    const data = fs.sample(makeRng(3), 16) as AmbientData;
    const theta = fs.lift(yang.init(p, makeRng(4)), makeRng(0));
    const g = new Float64Array(fs.dim);
    fs.lossGrad(theta, data, null, g);
    expect(fs.residual!(g)).toBeLessThan(1e-12 * Math.max(...Array.from(g, Math.abs)));
  });

  it('samples are the data law: labels y = s_k, tokens ±dictionary vectors, padding zero', () => {
    const p = resolveParams(yang, { K: 3, pad: 1, d: 10 });
    const fs = yangFiniteSample(p);
    const data = fs.sample(makeRng(2), 2000) as AmbientData;
    const L = 5;
    let plus = 0;
    for (let s = 0; s < data.count; s++) {
      plus += data.y[s] > 0 ? 1 : 0;
      let padNorm = 0;
      for (let i = 0; i < 10; i++) padNorm += data.X[(s * L + 4) * 10 + i] ** 2;
      expect(padNorm).toBe(0);
      for (let l = 0; l < 4; l++) {
        let n2 = 0;
        for (let i = 0; i < 10; i++) n2 += data.X[(s * L + l) * 10 + i] ** 2;
        expect(n2).toBeCloseTo(1, 12);
      }
    }
    expect(plus / data.count).toBeGreaterThan(0.45);
    expect(plus / data.count).toBeLessThan(0.55);
  });
});
