/**
 * The tensor compiler's derivatives against independent computations: every operation's reverse
 * mode against central differences, the exact Jacobian (forward over reverse) against differences
 * of the compiled field, and the switched form of ReLU kinks against the plain field and against
 * differences of its switching functions.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileArrayModel } from '../../src/tensor/compile.js';
import { loadModelFile } from '../../src/modelfile/system.js';
import { modelFromSpec } from '../../src/models/from-model-file.js';
import { findModel } from '../../src/models/registry.js';
import { resolveParams } from '../../src/models/params.js';
import { flowProblem, solveFlow } from '../../src/run/problem.js';
import { simulate } from '../../src/run/trajectory.js';
import type { ArraySystem } from '../../src/modelfile/array-system.js';
import { makeRng } from '../../src/util/rng.js';

const examples = join(__dirname, '..', '..', 'examples');
const rng = makeRng(2024);
const draw = (n: number, s = 1) => Float64Array.from({ length: n }, () => s * rng.normal());

/** Richardson-extrapolated central difference of f at y along e_i (error O(h⁴)). */
function difference(f: (y: Float64Array) => number, y: Float64Array, i: number, h: number): number {
  const at = (d: number) => { const z = Float64Array.from(y); z[i] += d; return f(z); };
  const c1 = (at(h) - at(-h)) / (2 * h);
  const c2 = (at(h / 2) - at(-h / 2)) / h;
  return (4 * c2 - c1) / 3;
}

describe('reverse mode of every array operation = central differences', () => {
  const X = draw(5 * 4 * 3);
  const y = Float64Array.from({ length: 5 }, (_, i) => (i % 2 ? 1 : -1));
  const cases: Array<[string, string]> = [
    ['matrix products and transposes', "sum((WQ * WK' - WK' * WQ) .^ 2) + sum(W' * WQ)"],
    ['softmax and einsum along axes', 'sum(einsum("nj,njk->nk", softmax(einsum("njk,k->nj", X, W), 2), X) .^ 2)'],
    ['logsumexp, amax and mean over an axis', 'sum(logsumexp(einsum("njk,k->nj", X, W), 2)) + sum(amax(WQ, 1)) + mean(mean(WK, 2))'],
    ['indexing and slicing', 'sum((X[:, end, :] * WQ)[2:4, :] .^ 2) + WK[2, 3] * W[1] + sum(WQ[1, :] .* WK[:, 2])'],
    ['broadcasting against scalars, rows and columns', 'sum(((WQ - W) ./ (2 + WK .^ 2)) .* c) + sum(WQ .* W)'],
    ['norm, dot and element-wise functions', 'norm(WQ) + dot(WK, WQ) + sum(log(1 + exp(-y .* (X[:, 1, :] * W)))) + sum(tanh(WQ) .* sigmoid(WK) + atan(WQ) .* erf(WK))'],
  ];
  for (const [name, loss] of cases) {
    it(name, () => {
      const m = compileArrayModel({
        label: 'ops', numbers: new Map([['d', 3]]),
        blocks: [{ name: 'WQ', shape: [3, 3], offset: 0 }, { name: 'WK', shape: [3, 3], offset: 9 }, { name: 'W', shape: [3], offset: 18 }, { name: 'c', shape: [], offset: 21 }],
        data: [{ name: 'X', shape: [5, 4, 3], values: X }, { name: 'y', shape: [5], values: y }],
        lets: [], loss,
      });
      for (let trial = 0; trial < 3; trial++) {
        const s = draw(22, 0.7);
        const g = new Float64Array(22);
        const L = m.field(s, g);
        expect(L).toBeCloseTo(m.loss(s), 14);
        for (let i = 0; i < 22; i++) {
          const fd = difference(m.loss, s, i, 1e-3);
          expect(Math.abs(-g[i] - fd), `${name}: component ${i}`).toBeLessThan(1e-8 * (1 + Math.abs(fd)));
        }
      }
    });
  }
});

describe('the exact Jacobian −∇²L (forward mode over the reverse-mode gradient)', () => {
  for (const file of ['transformer-chen-luo', 'factorization-10x10']) {
    it(`${file}: equals differences of the compiled field (1e-7) and is symmetric (1e-12)`, () => {
      const model = modelFromSpec(loadModelFile(join(examples, `${file}.json`)));
      const p = resolveParams(model, {});
      const sys = model.system(p) as ArraySystem;
      const n = sys.stateNames.length;
      const y = draw(n, 0.5);
      const J = new Float64Array(n * n);
      model.jacobian!(p)(0, y, J);
      const f = sys.rhs;
      const plus = new Float64Array(n);
      const minus = new Float64Array(n);
      let worst = 0;
      let scale = 0;
      for (let j = 0; j < n; j += 7) {
        const h = 1e-6;
        const up = Float64Array.from(y); up[j] += h;
        const dn = Float64Array.from(y); dn[j] -= h;
        f(0, up, plus);
        f(0, dn, minus);
        for (let i = 0; i < n; i++) {
          worst = Math.max(worst, Math.abs(J[i * n + j] - (plus[i] - minus[i]) / (2 * h)));
          scale = Math.max(scale, Math.abs(J[i * n + j]));
        }
      }
      expect(worst / scale).toBeLessThan(1e-7);
      let asym = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) asym = Math.max(asym, Math.abs(J[i * n + j] - J[j * n + i]));
      expect(asym / scale).toBeLessThan(1e-12);
    });
  }
});

describe('switched form of the two-layer ReLU file', () => {
  const model = modelFromSpec(loadModelFile(join(examples, 'relu-four-points.json')));
  const p = resolveParams(model, {});
  const sys = model.system(p) as ArraySystem;
  const sw = sys.switched!;
  const xs = [-0.8, -0.25, 0.3, 0.9];

  it('has one switching function per (point, unit): the pre-activations w_k x_i + b_k', () => {
    expect(sw.count).toBe(32);
    const y = draw(24);
    const s = new Float64Array(32);
    sw.evaluate(0, y, s);
    for (let i = 0; i < 4; i++) for (let k = 0; k < 8; k++) expect(s[i * 8 + k]).toBeCloseTo(y[8 + 2 * k] * xs[i] + y[9 + 2 * k], 14);
    expect(sw.label!(2 * 8 + 5)).toBe('relu@f[2][5]');
  });

  it('with modes heaviside(s) its field is the plain field; its rates are differences of s along v', () => {
    const y = draw(24);
    const s = new Float64Array(32);
    sw.evaluate(0, y, s);
    const mode = Float64Array.from(s, (v) => (v > 0 ? 1 : 0));
    const a = new Float64Array(24);
    const b = new Float64Array(24);
    sw.field(0, y, mode, a);
    sys.rhs(0, y, b);
    expect(Array.from(a)).toEqual(Array.from(b));
    const v = draw(24);
    const rates = new Float64Array(32);
    sw.rates(0, y, mode, v, rates);
    const h = 1e-6;
    const up = Float64Array.from(y, (x, i) => x + h * v[i]);
    const dn = Float64Array.from(y, (x, i) => x - h * v[i]);
    const sUp = new Float64Array(32);
    const sDn = new Float64Array(32);
    sw.evaluate(0, up, sUp);
    sw.evaluate(0, dn, sDn);
    for (let k = 0; k < 32; k++) expect(Math.abs(rates[k] - (sUp[k] - sDn[k]) / (2 * h))).toBeLessThan(1e-8);
  });

  it('its plain field equals the built-in two-layer-relu model off kinks (same data, same scaling)', () => {
    const builtIn = findModel('two-layer-relu');
    const pb = resolveParams(builtIn, { m: 8 });
    const y = draw(24);
    const a = new Float64Array(24);
    const b = new Float64Array(24);
    sys.rhs(0, y, a);
    builtIn.flow(pb)(0, y, b);
    for (let i = 0; i < 24; i++) expect(a[i]).toBeCloseTo(b[i], 14);
  });

  it('the Filippov flow holds units on their kinks: pinned pre-activations stay at 0, and the loss never rises', () => {
    const { solution } = solveFlow(flowProblem(model, p, { seed: 0 }));
    expect(solution.status).toBe('success');
    expect(solution.options.kinks).toBe('filippov');
    const held = solution.kinks!.pinnedAtEnd;
    expect(held.length).toBeGreaterThan(0);
    const s = new Float64Array(32);
    sw.evaluate(0, solution.yEnd, s);
    for (const { index, lambda } of held) {
      expect(Math.abs(s[index])).toBeLessThan(1e-8);
      expect(lambda).toBeGreaterThanOrEqual(0);
      expect(lambda).toBeLessThanOrEqual(1);
    }
    // runs record how many functions slide at each save time: 0 at the start, the held ones at the end
    const tr = simulate(model, p, { seed: 0 });
    expect(tr.series.sliding[0]).toBe(0);
    expect(tr.series.sliding[tr.t.length - 1]).toBe(held.length);
    const pins = solution.kinks!.events.filter((e) => e.kind === 'pin');
    const mid = tr.t.findIndex((t) => t > pins[0].t);
    expect(tr.series.sliding[mid]).toBe(pins.filter((e) => e.t <= tr.t[mid]).length);
    const losses = solution.y.map((y) => model.loss(y, p));
    for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThanOrEqual(losses[i - 1] * (1 + 1e-12));
  });
});

describe('long chains in array expressions', () => {
  it('a sum of 5000 terms, a run of 301 signs and a product of 1000 factors compile to one element-wise node each and evaluate exactly', () => {
    const model = (loss: string) => compileArrayModel({ label: 'long', numbers: new Map(), blocks: [{ name: 'W', shape: [3], offset: 0 }], data: [], lets: [], loss });
    const y = Float64Array.of(0.5, -1, 2);
    const sum = model(`sum(${Array.from({ length: 5000 }, (_, i) => (i % 2 ? 'W' : '2 .* W')).join(' + ')})`);
    expect(sum.loss(y)).toBeCloseTo(7500 * 1.5, 9);
    const g = new Float64Array(3);
    sum.field(y, g);
    expect(Array.from(g)).toEqual([-7500, -7500, -7500]);
    expect(model(`sum(${'-'.repeat(301)}W)`).loss(y)).toBe(-1.5);
    const prod = model(`sum(${Array.from({ length: 1000 }, () => '(1 + 1e-3 .* W)').join(' .* ')})`);
    expect(prod.loss(y)).toBeCloseTo(1.0005 ** 1000 + 0.999 ** 1000 + 1.002 ** 1000, 9);
    // one element-wise node for the whole chain, not one per operator
    expect(prod.graph.nodes.filter((n) => n.op === 'map').length).toBeLessThan(10);
  });
});
