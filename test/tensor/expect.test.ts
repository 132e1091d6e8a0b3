/**
 * expect(…, x) over x ~ N(0, I_d): the closed forms against Monte Carlo, against Gauss–Hermite
 * quadrature and against the published expressions; Wick moments exactly; errors.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileArrayModel, type ArraySource } from '../../src/tensor/compile.js';
import { gaussHermite } from '../../src/tensor/expect.js';
import { loadModelFile } from '../../src/modelfile/system.js';
import { modelFromSpec } from '../../src/models/from-model-file.js';
import { resolveParams } from '../../src/models/params.js';
import type { ArraySystem } from '../../src/modelfile/array-system.js';
import { makeRng } from '../../src/util/rng.js';
import { inputErrorOf } from '../helpers/errors.js';

const examples = join(__dirname, '..', '..', 'examples');

/** A model over W [k, d], a [k] and fixed teacher V [m, d], b [m] with x ~ N(0, I_d). */
function teacherStudent(loss: string, V: Float64Array, k: number, m: number, d: number, extra: Partial<ArraySource> = {}) {
  return compileArrayModel({
    label: 'ts', numbers: new Map([['d', d]]),
    blocks: [{ name: 'W', shape: [k, d], offset: 0 }, { name: 'a', shape: [k], offset: k * d }],
    data: [{ name: 'V', shape: [m, d], values: V }, { name: 'b', shape: [m], values: Float64Array.from({ length: m }, () => 1) }],
    lets: [], loss, gaussians: [{ name: 'x', size: d }], ...extra,
  });
}

describe('ReLU teacher–student: the closed form (arc-cosine kernel) against Monte Carlo with 10⁶ samples', () => {
  const model = modelFromSpec(loadModelFile(join(examples, 'relu-teacher-student.json')));
  const p = resolveParams(model, {});
  const sys = model.system(p) as ArraySystem;
  const d = 10;
  const V = sys.spec.array!.arrays.find((a) => a.name === 'V')!.source as { value: { data: Float64Array } };
  const teacher = V.value.data;

  it('says which form it used', () => {
    expect(sys.compiled.notes.join('\n')).toMatch(/expect\(…, x\): 21 terms: arc-cosine kernel ×21/);
  });

  it('loss and gradient within 5 standard errors at 5 random weight settings', () => {
    const rng = makeRng(77);
    const n = 1_000_000;
    const x = new Float64Array(d);
    for (let setting = 0; setting < 5; setting++) {
      const y = Float64Array.from({ length: 44 }, () => 0.6 * rng.normal());
      const field = new Float64Array(44);
      const L = sys.compiled.field(y, field);
      const sum = new Float64Array(45);
      const sq = new Float64Array(45);
      const g = new Float64Array(45);
      const pre = new Float64Array(4);
      for (let s = 0; s < n; s++) {
        for (let j = 0; j < d; j++) x[j] = rng.normal();
        let r = 0;
        for (let k = 0; k < 4; k++) {
          let u = 0;
          for (let j = 0; j < d; j++) u += y[k * d + j] * x[j];
          pre[k] = u;
          r += y[40 + k] * Math.max(0, u);
        }
        for (let q = 0; q < 2; q++) {
          let v = 0;
          for (let j = 0; j < d; j++) v += teacher[q * d + j] * x[j];
          r -= Math.max(0, v);
        }
        g[44] = r * r / 2; // the sample loss
        for (let k = 0; k < 4; k++) {
          g[40 + k] = r * Math.max(0, pre[k]); // ∂/∂a_k
          const h = pre[k] > 0 ? r * y[40 + k] : 0;
          for (let j = 0; j < d; j++) g[k * d + j] = h * x[j]; // ∂/∂W_kj
        }
        for (let i = 0; i < 45; i++) { sum[i] += g[i]; sq[i] += g[i] * g[i]; }
      }
      for (let i = 0; i < 45; i++) {
        const mean = sum[i] / n;
        const se = Math.sqrt(Math.max(sq[i] / n - mean * mean, 0) / n);
        const exact = i === 44 ? L : -field[i];
        expect(Math.abs(exact - mean), `setting ${setting}, component ${i}: closed form ${exact}, Monte Carlo ${mean} ± ${se}`).toBeLessThan(5 * se);
      }
    }
  });
});

describe('erf teacher–student: Saad–Solla closed form, the published expression, and Gauss–Hermite', () => {
  const d = 6;
  const rng = makeRng(5);
  const V = Float64Array.from({ length: 2 * d }, () => rng.normal() / Math.sqrt(d));
  const loss = "expect((a' * erf(W * x / sqrt(2)) - b' * erf(V * x / sqrt(2)))^2 / 2, x)";

  it('equals Saad & Solla (1995) pairwise I₂ = (2/π) asin(C_ij/√((1 + C_ii)(1 + C_jj))) to 1e-13', () => {
    const m = teacherStudent(loss, V, 3, 2, d);
    expect(m.notes.join()).toMatch(/Saad–Solla erf kernel ×\d+/);
    for (let trial = 0; trial < 5; trial++) {
      const y = Float64Array.from({ length: 3 * d + 3 }, () => 0.7 * rng.normal());
      const rows = [0, 1, 2].map((k) => y.subarray(k * d, k * d + d));
      const teach = [0, 1].map((q) => V.subarray(q * d, q * d + d));
      const dot = (u: Float64Array, v: Float64Array) => u.reduce((s, ui, j) => s + ui * v[j], 0);
      const I2 = (u: Float64Array, v: Float64Array) => (2 / Math.PI) * Math.asin(dot(u, v) / Math.sqrt((1 + dot(u, u)) * (1 + dot(v, v))));
      const a = y.subarray(3 * d);
      let L = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) L += a[i] * a[j] * I2(rows[i], rows[j]) / 2;
      for (let i = 0; i < 3; i++) for (let q = 0; q < 2; q++) L -= a[i] * I2(rows[i], teach[q]);
      for (let q = 0; q < 2; q++) for (let r = 0; r < 2; r++) L += I2(teach[q], teach[r]) / 2;
      expect(Math.abs(m.loss(y) - L) / L).toBeLessThan(1e-13);
    }
  });

  it('Gauss–Hermite quadrature (forced, order 60) gives the same loss and gradient to 1e-10', () => {
    const closed = teacherStudent(loss, V, 3, 2, d);
    const quad = teacherStudent(loss, V, 3, 2, d, { expectation: { forceQuadrature: true, order: 60 } });
    expect(quad.notes.join()).toMatch(/Gauss–Hermite quadrature \(order 60, 2 forms\)/);
    // where the quadrature applies: pre-activations of order 1 (|w| ≲ 1); steeper units need more points
    for (let trial = 0; trial < 3; trial++) {
      const y = Float64Array.from({ length: 3 * d + 3 }, () => 0.3 * rng.normal());
      const g1 = new Float64Array(y.length);
      const g2 = new Float64Array(y.length);
      const l1 = closed.field(y, g1);
      const l2 = quad.field(y, g2);
      expect(Math.abs(l1 - l2)).toBeLessThan(1e-10);
      for (let i = 0; i < y.length; i++) expect(Math.abs(g1[i] - g2[i])).toBeLessThan(1e-10);
    }
  });
});

describe('other closed forms', () => {
  const d = 4;
  const w = Float64Array.of(0.3, -0.5, 0.8, 0.1);
  const v = Float64Array.of(-0.2, 0.4, 0.6, -0.7);
  const dot = (p: Float64Array, q: Float64Array) => p.reduce((s, pi, j) => s + pi * q[j], 0);
  const model = (loss: string) => compileArrayModel({
    label: 'forms', numbers: new Map([['d', d]]),
    blocks: [{ name: 'w', shape: [d], offset: 0 }, { name: 'v', shape: [d], offset: d }],
    data: [], lets: [], loss, gaussians: [{ name: 'x', size: d }],
  });
  const y = Float64Array.from([...w, ...v]);

  it('Isserlis: E[(w·x)⁴] = 3|w|⁴ and E[(w·x)²(v·x)²] = |w|²|v|² + 2(w·v)², exactly', () => {
    expect(model("expect((w' * x)^4, x)").loss(y)).toBeCloseTo(3 * dot(w, w) ** 2, 14);
    expect(model("expect((w' * x)^2 * (v' * x)^2, x)").loss(y)).toBeCloseTo(dot(w, w) * dot(v, v) + 2 * dot(w, v) ** 2, 14);
    expect(model("expect((w' * x)^3 * (v' * x), x)").loss(y)).toBeCloseTo(3 * dot(w, w) * dot(w, v), 14);
    expect(model("expect((w' * x)^3, x)").loss(y)).toBe(0);
  });

  it('the kink cases equal the formulas of closed-forms.md computed by hand', () => {
    const qw = dot(w, w);
    const qv = dot(v, v);
    const C = dot(w, v);
    const theta = Math.acos(C / Math.sqrt(qw * qv));
    expect(model("expect(relu(w' * x) * (v' * x), x)").loss(y)).toBeCloseTo(C / 2, 15);
    expect(model("expect(relu(w' * x), x)").loss(y)).toBeCloseTo(Math.sqrt(qw / (2 * Math.PI)), 15);
    expect(model("expect(relu(w' * x)^2, x)").loss(y)).toBeCloseTo(qw / 2, 15);
    expect(model("expect(relu(w' * x) * relu(v' * x), x)").loss(y)).toBeCloseTo(Math.sqrt(qw * qv) * (Math.sin(theta) + (Math.PI - theta) * Math.cos(theta)) / (2 * Math.PI), 15);
    expect(model("expect(heaviside(w' * x) * heaviside(v' * x), x)").loss(y)).toBeCloseTo((Math.PI - theta) / (2 * Math.PI), 15);
    expect(model("expect(Phi(w' * x), x)").loss(y)).toBe(0.5);
  });

  it('the smooth cases (Stein for erf and Φ, Sheppard, φ) equal 60-point Gauss–Hermite to 1e-12', () => {
    for (const body of ["Phi(w' * x) * Phi(v' * x)", "erf(w' * x) * (v' * x)", "Phi(w' * x) * (v' * x)", "phi(w' * x)", "erf(w' * x)^2", "Phi(w' * x)^2"]) {
      const closed = model(`expect(${body}, x)`);
      const quad = compileArrayModel({ label: 'q', numbers: new Map([['d', d]]), blocks: [{ name: 'w', shape: [d], offset: 0 }, { name: 'v', shape: [d], offset: d }], data: [], lets: [], loss: `expect(${body}, x)`, gaussians: [{ name: 'x', size: d }], expectation: { forceQuadrature: true, order: 60 } });
      expect(closed.notes.join(), body).not.toMatch(/Gauss–Hermite/);
      expect(quad.notes.join(), body).toMatch(/Gauss–Hermite/);
      expect(Math.abs(closed.loss(y) - quad.loss(y)), body).toBeLessThan(1e-12);
    }
  });

  it('a bias is integrated by quadrature, which says so (and agrees with the 1-D integral)', () => {
    const m = model("expect(tanh(w' * x + 0.3)^2, x, 80)");
    expect(m.notes.join()).toMatch(/Gauss–Hermite quadrature \(order 80, 1 form\)/);
    expect(model("expect(tanh(w' * x + 0.3)^2, x)").notes.join()).toMatch(/order 24, 1 form/);
    // E[tanh(σz + 0.3)²] by a fine trapezoid rule in z
    const s = Math.sqrt(dot(w, w));
    let acc = 0;
    const h = 1e-3;
    for (let z = -12; z <= 12; z += h) acc += Math.tanh(s * z + 0.3) ** 2 * Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI) * h;
    expect(m.loss(y)).toBeCloseTo(acc, 9);
  });

  it('Gauss–Hermite rules integrate polynomials of degree 2n − 1 exactly', () => {
    const { nodes, weights } = gaussHermite(10);
    const moment = (k: number) => nodes.reduce((s, z, i) => s + weights[i] * z ** k, 0);
    expect(moment(0)).toBeCloseTo(1, 14);
    expect(moment(2)).toBeCloseTo(1, 13);
    expect(moment(4)).toBeCloseTo(3, 12);
    expect(moment(18)).toBeCloseTo(34459425, 0); // 17!! 
    expect(Math.abs(moment(7))).toBeLessThan(1e-10);
  });

  it('errors: the variable outside expect, an unexpandable body, too many forms for quadrature', () => {
    expect(inputErrorOf(() => model("sum(x .* w)"))).toMatch(/the random variable 'x' may appear only inside expect\(…, x\)/);
    expect(inputErrorOf(() => model("expect(sum(softmax(w .* x)), x)"))).toMatch(/expect\(…\) cannot expand softmax of a value that depends on the random variable/);
    expect(inputErrorOf(() => model("expect(relu(relu(w' * x) - 1), x)"))).toMatch(/needs every term to be a product of linear forms .* and of functions of one linear form each/);
    expect(inputErrorOf(() => model("expect(tanh(x[1]) * tanh(x[2]) * tanh(x[3]) * tanh(x[4]), x)"))).toMatch(/involves 4 linear forms with no closed form/);
    expect(inputErrorOf(() => model("expect(w, x)"))).toMatch(/it must be a scalar/);
    expect(inputErrorOf(() => model("expect(sum(w), y)"))).toMatch(/a random variable declared in "gaussian" or "discrete" \(declared: x\)/);
  });
});

describe('finite discrete laws', () => {
  const model = (loss: string) => compileArrayModel({
    label: 'discrete', numbers: new Map([['d', 3]]),
    blocks: [{ name: 'w', shape: [3], offset: 0 }, { name: 'a', shape: [], offset: 3 }],
    data: [], lets: [], loss,
    gaussians: [{ name: 'x', size: 3 }],
    discrete: [{ name: 's', values: { shape: [2], data: Float64Array.of(-1, 1) }, probs: [0.3, 0.7] }, { name: 'z', values: { shape: [2, 3], data: Float64Array.of(1, 0, 2, -1, 1, 0) }, probs: [0.5, 0.5] }],
  });
  const y = Float64Array.of(0.4, -0.3, 0.9, 1.7);

  it('an exact weighted sum over the values, with its gradient', () => {
    const m = model('expect((s * a - 1)^2, s)');
    const a = y[3];
    expect(m.loss(y)).toBeCloseTo(0.3 * (-a - 1) ** 2 + 0.7 * (a - 1) ** 2, 14);
    const g = new Float64Array(4);
    m.field(y, g);
    expect(-g[3]).toBeCloseTo(0.3 * 2 * (-a - 1) * -1 + 0.7 * 2 * (a - 1), 13);
    expect(m.notes.join()).toMatch(/exact sum over 2 values/);
  });

  it('array values, and nested with a Gaussian expectation', () => {
    // E_z[(w·z)²] over z ∈ {(1, 0, 2), (−1, 1, 0)} with probability ½ each
    const m = model("expect((w' * z)^2, z)");
    expect(m.loss(y)).toBeCloseTo(0.5 * (0.4 + 1.8) ** 2 + 0.5 * (-0.4 - 0.3) ** 2, 14);
    // E_s E_x relu(s·w·x) = √(|w|²/2π) whatever the sign s
    const nested = model("expect(expect(relu(s * (w' * x)), x), s)");
    expect(nested.loss(y)).toBeCloseTo(Math.sqrt((0.16 + 0.09 + 0.81) / (2 * Math.PI)), 14);
  });
});
