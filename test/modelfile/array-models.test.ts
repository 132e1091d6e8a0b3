/**
 * Array model files against independent implementations: the example files' fields equal the
 * hand-written built-in models' (Chen–Luo transformer.ts, deep linear), their flows reproduce the
 * built-in trajectories, and the ReLU file's gradient equals central differences away from kinks
 * and the kink convention on them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelFile } from '../../src/modelfile/system.js';
import { readModelSpec } from '../../src/modelfile/spec.js';
import { modelFromSpec } from '../../src/models/from-model-file.js';
import { findModel } from '../../src/models/registry.js';
import { resolveParams } from '../../src/models/params.js';
import { flowProblem, solveFlow } from '../../src/run/problem.js';
import { makeRng } from '../../src/util/rng.js';
import type { ArraySystem } from '../../src/modelfile/array-system.js';

const examples = join(__dirname, '..', '..', 'examples');
const raw = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(examples, `${name}.json`), 'utf8')) as Record<string, unknown>;
/** A spec from an example with changes, read as if it were the example file (relative data paths resolve). */
const variant = (name: string, change: (r: Record<string, unknown>) => void) => {
  const r = raw(name);
  change(r);
  return readModelSpec(r, join(examples, `${name}.json`));
};

function maxRelative(a: Float64Array, b: Float64Array): number {
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
  return worst;
}

describe('Chen–Luo transformer file vs src/models/chen-luo/transformer.ts', () => {
  for (const activation of ['identity', 'tanh'] as const) {
    it(`the same vector field at 10 random states (${activation}), to 1e-12 relative`, () => {
      const spec = activation === 'identity' ? loadModelFile(join(examples, 'transformer-chen-luo.json')) : variant('transformer-chen-luo', (r) => { (r.let as Record<string, string>).f = 'tanh(h) * W2'; });
      const file = modelFromSpec(spec);
      const builtIn = findModel('chen-luo');
      const pb = resolveParams(builtIn, { activation });
      const pf = resolveParams(file, {});
      const fieldB = builtIn.flow(pb);
      const fieldF = file.flow(pf);
      const rng = makeRng(11);
      for (let trial = 0; trial < 10; trial++) {
        const y = Float64Array.from({ length: 150 }, () => 0.6 * rng.normal());
        const a = new Float64Array(150);
        const b = new Float64Array(150);
        fieldF(0, y, a);
        fieldB(0, y, b);
        expect(maxRelative(a, b)).toBeLessThan(1e-12);
        expect(Math.abs(file.loss(y, pf) - builtIn.loss(y, pb)) / builtIn.loss(y, pb)).toBeLessThan(1e-13);
      }
    });
  }

  it('the flow from the built-in initial state reproduces the built-in trajectory to 1e-8', () => {
    const builtIn = findModel('chen-luo');
    const pb = resolveParams(builtIn, { eps: 0.05 });
    const file = modelFromSpec(loadModelFile(join(examples, 'transformer-chen-luo.json')));
    const pf = resolveParams(file, {});
    const y0 = builtIn.init(pb, makeRng(1));
    const saveAt = Float64Array.of(0, 10, 100, 400);
    const fixed = { method: 'dop853' as const, rtol: 1e-12, atol: 1e-14, logTime: false };
    const a = solveFlow({ ...flowProblem(file, pf, { saveAt, tEnd: 400, fixed }), y0 }).solution;
    const b = solveFlow({ ...flowProblem(builtIn, pb, { saveAt, tEnd: 400, fixed }), y0 }).solution;
    expect(a.status).toBe('success');
    expect(b.status).toBe('success');
    for (let i = 0; i < saveAt.length; i++) expect(maxRelative(a.y[i], b.y[i])).toBeLessThan(1e-8);
    // the flow has moved: this is a comparison of trajectories, not of two resting states
    expect(maxRelative(a.y[3], y0)).toBeGreaterThan(0.1);
  });
});

describe('deep linear 3×3 file vs the built-in deep-linear model', () => {
  it('the same field at 10 random states and the same flow from the same start (1e-8)', () => {
    const builtIn = findModel('deep-linear');
    const pb = resolveParams(builtIn, {});
    const file = modelFromSpec(loadModelFile(join(examples, 'deep-linear-3x3.json')));
    const pf = resolveParams(file, {});
    const rng = makeRng(5);
    for (let trial = 0; trial < 10; trial++) {
      const y = Float64Array.from({ length: 18 }, () => rng.normal());
      const a = new Float64Array(18);
      const b = new Float64Array(18);
      file.flow(pf)(0, y, a);
      builtIn.flow(pb)(0, y, b);
      expect(maxRelative(a, b)).toBeLessThan(1e-13);
    }
    const y0 = builtIn.init(pb, makeRng(1));
    const saveAt = Float64Array.of(0, 5, 10, 20);
    const fixed = { method: 'dop853' as const, rtol: 1e-12, atol: 1e-14 };
    const a = solveFlow({ ...flowProblem(file, pf, { saveAt, tEnd: 20, fixed }), y0 }).solution;
    const b = solveFlow({ ...flowProblem(builtIn, pb, { saveAt, tEnd: 20, fixed }), y0 }).solution;
    for (let i = 0; i < saveAt.length; i++) expect(maxRelative(a.y[i], b.y[i])).toBeLessThan(1e-8);
    // by t = 20 the two strongest modes are learned: the loss fell below the weakest mode's share, s3²/2
    expect(file.loss(a.y[3], pf)).toBeLessThan(0.5 ** 2 / 2 + 1e-3);
  });
});

describe('two-layer ReLU file', () => {
  const file = modelFromSpec(loadModelFile(join(examples, 'relu-four-points.json')));
  const p = resolveParams(file, {});
  const field = file.flow(p);
  const n = 24;

  it('its gradient equals central differences away from kinks', () => {
    const rng = makeRng(3);
    const xs = [-0.8, -0.25, 0.3, 0.9];
    for (let trial = 0; trial < 10; trial++) {
      const y = Float64Array.from({ length: n }, () => rng.normal());
      // away from kinks: every pre-activation farther from 0 than the difference step can move it
      for (let k = 0; k < 8; k++) for (const x of xs) expect(Math.abs(y[8 + 2 * k] * x + y[9 + 2 * k])).toBeGreaterThan(1e-4);
      const g = new Float64Array(n);
      field(0, y, g);
      const L = file.loss(y, p);
      for (let i = 0; i < n; i++) {
        // error of the difference: rounding ε|L|/h ≈ 2e-11|L| plus truncation h²|L‴|/6 ≈ 2e-11|L‴|
        const h = 1e-5;
        const up = Float64Array.from(y); up[i] += h;
        const dn = Float64Array.from(y); dn[i] -= h;
        const fd = (file.loss(up, p) - file.loss(dn, p)) / (2 * h);
        expect(Math.abs(-g[i] - fd)).toBeLessThan(1e-8 * (1 + L));
      }
    }
  });

  it('on a kink it follows relu′(0) = 0: a unit with zero pre-activation at a point gets no gradient from it', () => {
    // unit 0: w·(x, 1) = 0 at x = 0.3 (the third point), positive at 0.9, negative at the others
    const y = new Float64Array(n);
    const rng = makeRng(9);
    for (let i = 0; i < n; i++) y[i] = 0.3 * rng.normal();
    y[8] = 1; y[9] = -0.3; // W[0] = (1, −0.3): pre-activations −1.1, −0.55, 0, 0.6
    y[0] = 0.7; // a[0]
    const g = new Float64Array(n);
    field(0, y, g);
    // by hand: only the fourth point (pre-activation 0.6 > 0) contributes to unit 0
    const sys = file.system(p) as ArraySystem;
    expect(sys.layout.map((b) => b.name)).toEqual(['a', 'W']);
    const X = [[-0.8, 1], [-0.25, 1], [0.3, 1], [0.9, 1]];
    const target = [0.3, -0.2, 0.25, -0.35];
    const f = X.map(([x, b]) => { let s = 0; for (let k = 0; k < 8; k++) s += y[k] * Math.max(0, y[8 + 2 * k] * x + y[9 + 2 * k] * b); return s; });
    const r3 = (f[3] - target[3]) / 4;
    expect(-g[0]).toBeCloseTo(r3 * 0.6, 14); // ∂L/∂a_0 = Σ_i r_i relu(z_i0): only i = 3
    expect(-g[8]).toBeCloseTo(r3 * y[0] * 0.9, 14); // ∂L/∂W[0][0] = Σ_i r_i a_0 H(z_i0) x_i, H(0) = 0
    expect(-g[9]).toBeCloseTo(r3 * y[0], 14);
  });
});

describe('finite-sample form of an array file ("data": {"samples": "n"})', () => {
  it('a minibatch gradient equals the built-in Chen–Luo minibatch gradient on the same indices; all n indices give the flow', () => {
    const file = modelFromSpec(loadModelFile(join(examples, 'transformer-chen-luo.json')));
    const pf = resolveParams(file, {});
    const builtIn = findModel('chen-luo');
    const pb = resolveParams(builtIn, {});
    const fsFile = file.finiteSample!(pf);
    const fsBuilt = builtIn.finiteSample!(pb);
    const rng = makeRng(4);
    const theta = Float64Array.from({ length: 150 }, () => 0.5 * rng.normal());
    for (const B of [1, 7, 32]) {
      const draw = fsFile.sample(makeRng(B), B) as { count: number; index: Int32Array };
      const a = new Float64Array(150);
      const b = new Float64Array(150);
      const la = fsFile.lossGrad(theta, draw, null, a);
      const lb = fsBuilt.lossGrad(theta, draw, null, b);
      expect(Math.abs(la - lb) / lb).toBeLessThan(1e-13);
      expect(maxRelative(a, b)).toBeLessThan(1e-12);
    }
    // every example once: the minibatch loss is the flow's loss and its gradient the flow's −field
    const all = { count: 48, index: Int32Array.from({ length: 48 }, (_, i) => i) };
    const g = new Float64Array(150);
    const loss = fsFile.lossGrad(theta, all, null, g);
    const field = new Float64Array(150);
    file.flow(pf)(0, theta, field);
    expect(Math.abs(loss - file.loss(theta, pf)) / loss).toBeLessThan(1e-14);
    expect(maxRelative(g.map((x) => -x), field)).toBeLessThan(1e-13);
  });
});

describe('README', () => {
  it('the worked Chen–Luo file in "Array model files" is examples/transformer-chen-luo.json (the keys it shows)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Array model files'));
    const block = /```json\n([\s\S]*?)```/.exec(section)![1];
    const file = raw('transformer-chen-luo');
    const shown = JSON.parse(block) as Record<string, unknown>;
    // every key the README shows is the file's; the file adds its description, events and predictions
    for (const [k, v] of Object.entries(shown)) expect(v, k).toEqual(file[k]);
    expect(Object.keys(shown)).toEqual(expect.arrayContaining(['arrays', 'state', 'let', 'loss', 'data']));
  });
});
