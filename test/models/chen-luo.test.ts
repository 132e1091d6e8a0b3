import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bagLoss, bagOptimum, paperF } from '../../src/models/chen-luo/bag-of-tokens.js';
import { dataStats, loadDataSetFile, makeAnchor, makeD2, parseDataSetJson, type DataSet } from '../../src/models/chen-luo/data.js';
import { marginLoss } from '../../src/models/chen-luo/losses.js';
import { chenLuo, makeChenLuoModel } from '../../src/models/chen-luo/model.js';
import { balanceDrift } from '../../src/models/chen-luo/observables.js';
import { makeTransformer, offsets } from '../../src/models/chen-luo/transformer.js';
import { resolveParams } from '../../src/models/params.js';
import { simulate } from '../../src/run/trajectory.js';
import { solve } from '../../src/solve/index.js';
import { isGradflowError } from '../../src/util/errors.js';
import { makeRng } from '../../src/util/rng.js';
import { tempDir } from '../helpers/cli.js';

const d2 = makeD2({ d: 6, sets: 12, s: 4, seed: 1 });

/** ∂L/∂θ_i by central differences with one Richardson step (error O(h⁴)). */
function gradFD(loss: (y: Float64Array) => number, y: Float64Array): Float64Array {
  const g = new Float64Array(y.length);
  const z = Float64Array.from(y);
  for (let i = 0; i < y.length; i++) {
    const h = 1e-3 * Math.max(1, Math.abs(y[i]));
    const at = (dx: number): number => { z[i] = y[i] + dx; const v = loss(z); z[i] = y[i]; return v; };
    const d1 = (at(h) - at(-h)) / (2 * h);
    const d2h = (at(h / 2) - at(-h / 2)) / h;
    g[i] = (4 * d2h - d1) / 3;
  }
  return g;
}

describe('chen-luo: the exact gradient (§4.1) against finite differences', () => {
  for (const activation of ['identity', 'tanh'] as const) {
    for (const lossName of ['exp', 'logistic'] as const) {
      it(`σ = ${activation}, ℓ = ${lossName}: −∇L and ∇_A L at random states (relative 1e-8)`, () => {
        const tf = makeTransformer(d2, activation, marginLoss(lossName));
        const off = tf.offsets;
        const rng = makeRng(7);
        for (let trial = 0; trial < 3; trial++) {
          const y = Float64Array.from({ length: off.size }, () => 0.5 * rng.normal());
          const field = new Float64Array(off.size);
          tf.negGradient(y, field);
          const fd = gradFD((z) => tf.lossAt(z), y);
          const scale = Math.max(...Array.from(fd, Math.abs));
          expect(scale).toBeGreaterThan(1e-3); // a non-trivial gradient
          for (let i = 0; i < y.length; i++) expect(Math.abs(field[i] + fd[i])).toBeLessThanOrEqual(1e-8 * scale);
          // ∇_A L: the loss as a function of A alone, with W_Q = A (as rows) and W_K = I
          const GA = new Float64Array(36);
          const yA = Float64Array.from(y);
          for (let l = 0; l < 6; l++) for (let k = 0; k < 6; k++) {
            let a = 0;
            for (let m = 0; m < 6; m++) a += y[off.WQ + l * 6 + m] * y[off.WK + k * 6 + m];
            yA[off.WQ + l * 6 + k] = a;
            yA[off.WK + l * 6 + k] = l === k ? 1 : 0;
          }
          tf.attentionGradient(y, GA);
          const GAtoo = new Float64Array(36);
          tf.negGradient(y, new Float64Array(off.size), GAtoo);
          expect(GAtoo).toEqual(GA); // the field's by-product is the same ∇_A L
          const fdA = gradFD((z) => tf.lossAt(z), yA).subarray(off.WQ, off.WQ + 36); // ∂L/∂W_Q at W_K = I is ∂L/∂A
          const scaleA = Math.max(...Array.from(fdA, Math.abs));
          for (let i = 0; i < 36; i++) expect(Math.abs(GA[i] - fdA[i])).toBeLessThanOrEqual(1e-8 * scaleA);
        }
      });
    }
  }

  it('the softmax and the losses stay finite at large scores and margins', () => {
    const tf = makeTransformer(d2, 'identity', marginLoss('logistic'));
    const y = Float64Array.from({ length: tf.offsets.size }, (_, i) => (i % 3) - 1).map((v) => 40 * v);
    const out = new Float64Array(y.length);
    tf.negGradient(y, out);
    expect(Number.isFinite(tf.lossAt(y))).toBe(true);
    expect(out.every(Number.isFinite)).toBe(true);
  });

  it('Eq. 15 F equals −∇_A L at A = 0 for σ = id (exp and logistic)', () => {
    const st = dataStats(d2);
    for (const lossName of ['exp', 'logistic'] as const) {
      const loss = marginLoss(lossName);
      const tf = makeTransformer(d2, 'identity', loss);
      const off = tf.offsets;
      const rng = makeRng(3);
      const y = Float64Array.from({ length: off.size }, (_, i) => (i < off.WV ? 0 : 0.6 * rng.normal()));
      const u = new Float64Array(6);
      for (let l = 0; l < 6; l++) for (let m = 0; m < 6; m++) for (let q = 0; q < 6; q++) u[l] += y[off.WV + l * 6 + m] * y[off.W1 + m * 6 + q] * y[off.W2 + q];
      const F = paperF(d2, st, loss, u);
      const GA = new Float64Array(36);
      tf.attentionGradient(y, GA);
      const scale = Math.max(...Array.from(F, Math.abs));
      for (let i = 0; i < 36; i++) expect(Math.abs(F[i] + GA[i])).toBeLessThanOrEqual(1e-13 * scale);
    }
  });
});

describe('chen-luo: data sets', () => {
  it('D2: every token set appears in all s cyclic rotations (one mean token per set), labels ±1 of both signs', () => {
    const { n, s, d, X, y } = d2;
    expect([n, s, d]).toEqual([48, 4, 6]);
    const { xbar } = dataStats(d2);
    for (let set = 0; set < 12; set++) {
      for (let r = 1; r < s; r++) {
        for (let k = 0; k < d; k++) expect(xbar[(set * s + r) * d + k]).toBeCloseTo(xbar[set * s * d + k], 14);
        // rotation r holds token (j + r) mod s of rotation 0 at position j
        for (let j = 0; j < s; j++) for (let k = 0; k < d; k++) expect(X[((set * s + r) * s + j) * d + k]).toBe(X[(set * s * s + ((j + r) % s)) * d + k]);
      }
    }
    expect(Array.from(y).every((v) => v === 1 || v === -1)).toBe(true);
    expect(new Set(y).size).toBe(2);
    expect(makeD2({ d: 6, sets: 12, s: 4, seed: 1 }).X).toEqual(X); // seeded
  });

  it('D2 (seed 1): the bag-of-tokens optimum is attained (a plateau exists) and is a stationary minimum', () => {
    const st = dataStats(d2);
    const loss = marginLoss('exp');
    const opt = bagOptimum(d2, st, loss);
    expect(opt.attained).toBe(true);
    expect(opt.gradNorm).toBeLessThan(1e-12);
    const rng = makeRng(5);
    for (let k = 0; k < 20; k++) {
      const u = opt.u.map((x) => x + 0.05 * rng.normal());
      expect(bagLoss(d2, st, loss, u)).toBeGreaterThan(opt.value);
    }
  });

  it('a data set whose mean tokens are separable has no plateau (bag-of-tokens optimum not attained), for both losses', () => {
    const X = new Float64Array([1, 0, 1, 0.2, /* sample 2 */ -1, 0, -1, 0.3]); // n = 2, s = 2, d = 2
    const data: DataSet = { name: 'separable', n: 2, s: 2, d: 2, X, y: new Float64Array([1, -1]) };
    expect(bagOptimum(data, dataStats(data), marginLoss('exp')).attained).toBe(false);
    expect(bagOptimum(data, dataStats(data), marginLoss('logistic')).attained).toBe(false);
    // D2 with data seed 10: some token sets are pure and their means separable from the mixed ones
    const pure = makeD2({ d: 6, sets: 12, s: 4, seed: 10 });
    expect(bagOptimum(pure, dataStats(pure), marginLoss('exp')).attained).toBe(false);
  });

  it('Newton converges where the loss can no longer resolve its decrease (D2, data seed 3), to the optimum gradient descent finds', () => {
    const data = makeD2({ d: 6, sets: 12, s: 4, seed: 3 });
    const st = dataStats(data);
    const loss = marginLoss('exp');
    const opt = bagOptimum(data, st, loss);
    expect(opt.attained).toBe(true);
    expect(opt.gradNorm).toBeLessThan(1e-13);
    // plain gradient descent from 0, step 1/λ_max-ish, to the same point
    const u = new Float64Array(6);
    for (let it = 0; it < 20000; it++) {
      const g = new Float64Array(6);
      for (let i = 0; i < data.n; i++) {
        let m = 0;
        for (let k = 0; k < 6; k++) m += st.xbar[i * 6 + k] * u[k];
        const c = (loss.d1(data.y[i] * m) * data.y[i]) / data.n;
        for (let k = 0; k < 6; k++) g[k] += c * st.xbar[i * 6 + k];
      }
      for (let k = 0; k < 6; k++) u[k] -= 0.5 * g[k];
    }
    for (let k = 0; k < 6; k++) expect(u[k]).toBeCloseTo(opt.u[k], 8);
  });

  it('D2 at larger d (teacher vectors scaled by √(d/6)) keeps a finite plateau with sets = 2d, as the benchmark uses', () => {
    for (const d of [16, 32]) {
      const data = makeD2({ d, sets: 2 * d, s: 4, seed: 1 });
      expect(bagOptimum(data, dataStats(data), marginLoss('exp')).attained).toBe(true);
    }
  });

  it('anchor task: shapes, labels ±1 of both signs, seeded', () => {
    const a = makeAnchor({ d: 8, sequences: 64, s: 5, keys: 16, seed: 2 });
    expect([a.n, a.s, a.d, a.X.length]).toEqual([64, 5, 8, 64 * 5 * 8]);
    expect(new Set(a.y)).toEqual(new Set([1, -1]));
    expect(makeAnchor({ d: 8, sequences: 64, s: 5, keys: 16, seed: 2 }).y).toEqual(a.y);
  });

  it('anchor task: every sequence holds exactly one anchor among its first s−1 tokens, and the label is the parity of (next key + a mod 2)', () => {
    const d = 8;
    const s = 6;
    const keys = 12;
    const a = makeAnchor({ d, sequences: 200, s, keys, seed: 9 });
    // recover token ids from the (seeded) embedding: every row equals one embedding row exactly
    const rng = makeRng(9);
    const embed = Float64Array.from({ length: (4 + keys) * d }, () => rng.normal() / Math.sqrt(d));
    const idOf = (row: Float64Array): number => {
      for (let t = 0; t < 4 + keys; t++) if (row.every((v, k) => v === embed[t * d + k])) return t + 1;
      return -1;
    };
    for (let i = 0; i < a.n; i++) {
      const ids = Array.from({ length: s }, (_, j) => idOf(a.X.subarray((i * s + j) * d, (i * s + j + 1) * d)));
      expect(ids.every((t) => t >= 1)).toBe(true);
      const anchors = ids.map((t, j) => (t <= 4 ? j : -1)).filter((j) => j >= 0);
      expect(anchors).toHaveLength(1);
      expect(anchors[0]).toBeLessThan(s - 1);
      const target = ids[anchors[0] + 1] + (ids[anchors[0]] % 2);
      expect(a.y[i]).toBe(target % 2 === 0 ? 1 : -1);
    }
  });
});

describe('chen-luo: data sets from JSON', () => {
  const good = { name: 'tiny', X: [[[1, 0], [0, 1], [1, 1]], [[0, 1], [1, 0], [-1, 0]]], y: [1, -1] };
  const bad = (obj: unknown): string => {
    try {
      parseDataSetJson(typeof obj === 'string' ? obj : JSON.stringify(obj), 'test.json');
    } catch (e) {
      expect(isGradflowError(e)).toBe(true);
      return (e as Error).message;
    }
    throw new Error('expected an input error');
  };

  it('parses a valid file into row-major tokens', () => {
    const data = parseDataSetJson(JSON.stringify(good), 'test.json');
    expect([data.n, data.s, data.d, data.name]).toEqual([2, 3, 2, 'tiny']);
    expect(Array.from(data.X)).toEqual([1, 0, 0, 1, 1, 1, 0, 1, 1, 0, -1, 0]);
    expect(Array.from(data.y)).toEqual([1, -1]);
  });

  it('rejects bad input with messages that name the place', () => {
    expect(bad('{')).toMatch(/not valid JSON/);
    expect(bad([1, 2])).toMatch(/expected an object/);
    expect(bad({ ...good, extra: 1 })).toMatch(/unknown key\(s\) 'extra'/);
    expect(bad({ X: [], y: [] })).toMatch(/"X" must be a non-empty array/);
    expect(bad({ X: good.X, y: [1] })).toMatch(/"y" has 1 labels but "X" has 2 samples/);
    expect(bad({ X: [[[1, 0]], [[0, 1]]], y: [1, -1] })).toMatch(/X\[0\] must be an array of at least 2 tokens/);
    expect(bad({ X: [good.X[0], [[0, 1], [1, 0]]], y: [1, -1] })).toMatch(/X\[1\] has 2 tokens, expected 3/);
    expect(bad({ X: [good.X[0], [[0, 1], [1, 0, 2], [1, 1]]], y: [1, -1] })).toMatch(/X\[1\]\[1\] has 3 coordinates, expected d = 2/);
    expect(bad({ X: [good.X[0], [[0, 1], [1, 'a'], [1, 1]]], y: [1, -1] })).toMatch(/X\[1\]\[1\]\[1\] must be a finite number \(got "a"\)/);
    expect(bad({ X: good.X, y: [1, 0] })).toMatch(/y\[1\] must be 1 or -1 \(got 0\)/);
    expect(bad({ X: good.X, y: [1, 1], name: 3 })).toMatch(/"name" must be a string/);
    // S = Σ y_i Σ_j X_ij = 0: no condensation direction
    expect(bad({ X: [[[1, 0], [0, 1]], [[1, 0], [0, 1]]], y: [1, -1] })).toMatch(/S = Σ_i y_i Σ_j X_ij is zero/);
  });

  it('a missing file is an input error; a file data set drives the model', () => {
    expect(() => loadDataSetFile('/nonexistent/chen-luo.json')).toThrow(/cannot read data file '\/nonexistent\/chen-luo.json' \(ENOENT\)/);
    const path = join(tempDir(), 'data.json');
    writeFileSync(path, JSON.stringify(good));
    const model = makeChenLuoModel(loadDataSetFile(path));
    expect(Object.keys(model.params)).not.toContain('dataSeed');
    const p = resolveParams(model, { eps: 0.1 });
    const st = model.setup(p);
    expect(st.d).toBe(2);
    expect(st.stats.normS).toBeCloseTo(Math.hypot(2, 1), 12); // S = (2, 2) − (0, 1)
    const tr = simulate(model, p, { saveAt: Float64Array.from([0, 1, 2]), spectra: false });
    expect(tr.solution.status).toBe('success');
    expect(tr.series.loss[2]).toBeLessThan(tr.series.loss[0]);
  });
});

describe('chen-luo: invariants of the full flow', () => {
  it('W_QᵀW_Q − W_KᵀW_K, W_VᵀW_V − W1W1ᵀ and (σ = id) W1ᵀW1 − W2W2ᵀ are conserved (relative drift ≤ 1e-9)', () => {
    for (const activation of ['identity', 'tanh'] as const) {
      const tf = makeTransformer(d2, activation, marginLoss('exp'));
      const off = offsets(6);
      const rng = makeRng(11);
      const y0 = Float64Array.from({ length: off.size }, () => 0.3 * rng.normal());
      const sol = solve((_t, y, dy) => tf.negGradient(y, dy), [0, 30], y0, { method: 'dop853', rtol: 1e-12, atol: 1e-14 });
      expect(sol.status).toBe('success');
      expect(tf.lossAt(sol.yEnd)).toBeLessThan(0.9 * tf.lossAt(y0)); // the weights really moved
      expect(balanceDrift(y0, sol.yEnd, 6, off, 'attention', false)).toBeLessThan(1e-9);
      expect(balanceDrift(y0, sol.yEnd, 6, off, 'outer', activation === 'identity')).toBeLessThan(1e-9);
      if (activation === 'tanh') expect(balanceDrift(y0, sol.yEnd, 6, off, 'outer', true)).toBeGreaterThan(1e-4); // not an invariant with tanh
    }
  });

  it('the registered model resolves its defaults to D2 at ε = 1e-4 with a finite plateau', () => {
    const st = chenLuo.setup(resolveParams(chenLuo));
    expect(st.data.n).toBe(48);
    expect(st.eps).toBe(1e-4);
    expect(st.bag.attained).toBe(true);
    expect(st.blowUp.blewUp).toBe(true);
    expect(st.tEnd).toBeGreaterThan(st.tEscPredicted + st.plateauPredicted);
  });
});
