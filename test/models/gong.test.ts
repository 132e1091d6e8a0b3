import { describe, expect, it } from 'vitest';
import { GONG_PARAMS, gongConfig } from '../../src/models/gong/config.js';
import { FullModel, INNER_ORDER_A } from '../../src/models/gong/full.js';
import { ReducedModel } from '../../src/models/gong/reduced.js';
import { averageA, kappa } from '../../src/models/gong/kernels.js';
import { chiSquareRule, halfNormalRule, normalRule, uniformRule, type Rule } from '../../src/models/gong/quadrature.js';
import { emptyMetrics } from '../../src/models/gong/metrics.js';
import { schedule } from '../../src/models/gong/dynamics.js';
import { firstReach } from '../../src/models/gong/analysis.js';
import { rankProbe } from '../../src/models/gong/probe.js';
import { engineFor } from '../../src/models/gong/engine.js';
import { gong } from '../../src/models/gong/model.js';
import { resolveParams } from '../../src/models/params.js';
import { simulate } from '../../src/run/trajectory.js';
import { solve } from '../../src/solve/index.js';
import { isGradflowError } from '../../src/util/errors.js';
import { makeRng } from '../../src/util/rng.js';
import type { Model, ParamValue } from '../../src/models/types.js';

const MODEL = { id: 'gong', params: GONG_PARAMS } as unknown as Model;
const config = (o: Record<string, ParamValue>) => gongConfig(resolveParams(MODEL, o));
const E = (r: Rule, h: (x: number) => number): number => r.x.reduce((s, x, i) => s + r.w[i] * h(x), 0);

/** Central differences of f at y, one Richardson step. */
function fdGrad(f: (y: Float64Array) => number, y: Float64Array, h = 1e-5): Float64Array {
  const g = new Float64Array(y.length);
  const z = Float64Array.from(y);
  for (let i = 0; i < y.length; i++) {
    const at = (d: number): number => { z[i] = y[i] + d; const v = f(z); z[i] = y[i]; return v; };
    g[i] = (4 * ((at(h / 2) - at(-h / 2)) / h) - (at(h) - at(-h)) / (2 * h)) / 3;
  }
  return g;
}

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst / scale;
}

describe('gong quadrature rules', () => {
  it('reproduce known moments (degree < 2n exactly)', () => {
    expect(E(normalRule(8), (x) => x ** 4)).toBeCloseTo(3, 13);
    expect(E(normalRule(8), (x) => x ** 6)).toBeCloseTo(15, 12);
    expect(E(halfNormalRule(16), (x) => x)).toBeCloseTo(Math.sqrt(2 / Math.PI), 14);
    expect(E(halfNormalRule(16), (x) => x ** 7)).toBeCloseTo(48 * Math.sqrt(2 / Math.PI), 11);
    expect(E(chiSquareRule(12, 15), (x) => x)).toBeCloseTo(15, 12);
    expect(E(chiSquareRule(12, 15), (x) => (x - 15) ** 2)).toBeCloseTo(30, 11);
    expect(E(uniformRule(6), (x) => x ** 5)).toBeCloseTo(1 / 6, 15);
  });
  it('converge spectrally on a smooth non-polynomial integrand (E cos|g| = e^{−1/2})', () => {
    expect(Math.abs(E(halfNormalRule(24), Math.cos) - Math.exp(-0.5))).toBeLessThan(1e-14);
  });
});

describe('gong full-matrix model', () => {
  const cases: Record<string, ParamValue>[] = [
    {},
    { qlaw: 'clusters', normalize: 'off' },
    { qlaw: 'rays', normalize: 'off', readout: 'trained', lambda: 0.1 },
    { variant: 'A', qlaw: 'clusters', normalize: 'off', p0: 0.1, q0: 0.3 },
    { context: 'finite', L: 6, normalizer: 'L+1' },
    { context: 'finite', L: 6, variant: 'A', normalize: 'token', normalizer: 'none' },
  ];
  it.each(cases)('gradient = central differences of the sample loss (%o)', (cs) => {
    const m = new FullModel(config({ d: 4, N: 64, ...cs }));
    const rng = makeRng(5);
    const y = Float64Array.from({ length: m.dim }, () => 0.7 * rng.normal());
    const g = new Float64Array(m.dim);
    m.lossGrad(y, g);
    expect(maxRel(g, fdGrad((z) => m.lossGrad(z, null), y))).toBeLessThan(1e-7);
  });

  it('Variant A: the inner order INNER_ORDER_A agrees with order 96 to 1e-12', () => {
    const a = { value: 0, dw: 0, dc: 0, dSP2: 0, dSQ2: 0 };
    const b = { ...a };
    for (const [w, s1, c, s2] of [[0.7, 0.4, 1.1, 0.9], [-0.3, 1.5, -0.6, 0.2], [10, 0.1, 2, 0.1]]) {
      averageA(w, s1, c, s2, [0.6, 0.2, 0.2], 1, 1, halfNormalRule(INNER_ORDER_A), a);
      averageA(w, s1, c, s2, [0.6, 0.2, 0.2], 1, 1, halfNormalRule(96), b);
      for (const k of ['value', 'dw', 'dc', 'dSP2', 'dSQ2'] as const) expect(Math.abs(a[k] - b[k])).toBeLessThan(1e-10);
    }
  });

  it('κ (blocks) is the mean of ŵ·x̂ᴾ over the sample, within 4 standard errors', () => {
    const c = config({ d: 8, N: 20000, p0: 0, q0: 0 });
    const m = new FullModel(c);
    const vals: number[] = [];
    for (let k = 0; k < m.tokens.count; k++) {
      let s = 0;
      for (let i = 0; i < c.d; i++) s += m.dir.w[i] * m.tokens.x[k * 2 * c.d + i];
      vals.push(m.tokens.y[k] * s);
    }
    const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
    const sd = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length);
    expect(Math.abs(mean - kappa(c, 48))).toBeLessThan((4 * sd) / Math.sqrt(vals.length / 2)); // antithetic pairs share ŵ·x
  });

  it('without normalisation Q alone never classifies a positive query (f_Q ≤ 0, Jensen), any W_Q', () => {
    for (const qlaw of ['clusters', 'rays']) {
      for (const variant of qlaw === 'clusters' ? ['A', 'B'] : ['B']) {
        const m = new FullModel(config({ variant, qlaw, normalize: 'off', d: 6, N: 512 }));
        const rng = makeRng(11);
        const out = emptyMetrics();
        for (let trial = 0; trial < 5; trial++) {
          const y = Float64Array.from({ length: m.dim }, () => rng.normal());
          m.metrics(y, 'Q', out);
          expect(out.accPos).toBeLessThanOrEqual(0.5); // margin ≤ 0: wrong (0) or a tie (½) for every y = +1 query
        }
      }
    }
  });

  it('with blocks normalisation the Q sub-model can classify positive queries', () => {
    const c = config({ d: 6, N: 256, init: 'symmetric', omega: 1 });
    const m = new FullModel(c);
    const y = gong.init(resolveParams(gong, { d: 6, N: 256, init: 'symmetric', omega: 1 }), makeRng(1));
    const out = emptyMetrics();
    m.metrics(y, 'Q', out);
    expect(out.accPos).toBe(1);
    expect(out.accNeg).toBe(1);
  });

  it('the antithetic sample keeps a symmetric W on the invariant subspace (Variant B, rays)', () => {
    const p = resolveParams(gong, { d: 6, N: 300, init: 'symmetric', omega: 0.3 });
    const e = engineFor(p);
    const y = gong.init(p, makeRng(1));
    const g = new Float64Array(e.dim);
    e.lossGrad(y, g);
    const d = 6;
    const { w, zeta, z } = e.full().dir;
    // the W_Q gradient must lie in span{ẑẑᵀ, ζ̂ζ̂ᵀ}, the W_P gradient in span{ŵŵᵀ}
    let offP = 0;
    let offQ = 0;
    let scale = 0;
    const q = (M: Float64Array, o: number, a: Float64Array, b: Float64Array): number => {
      let s = 0;
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) s += a[i] * M[o + i * d + j] * b[j];
      return s;
    };
    const aa = q(g, 0, w, w);
    const pp = q(g, d * d, z, z);
    const qq = q(g, d * d, zeta, zeta);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        offP = Math.max(offP, Math.abs(g[i * d + j] - aa * w[i] * w[j]));
        offQ = Math.max(offQ, Math.abs(g[d * d + i * d + j] - pp * z[i] * z[j] - qq * zeta[i] * zeta[j]));
        scale = Math.max(scale, Math.abs(g[i * d + j]), Math.abs(g[d * d + i * d + j]));
      }
    }
    expect(offP / scale).toBeLessThan(1e-12);
    expect(offQ / scale).toBeLessThan(1e-12);
  });
});

describe('gong reduced flow', () => {
  it.each([{ qlaw: 'clusters', normalize: 'off' }, { qlaw: 'rays', normalize: 'off' }, { qlaw: 'rays', normalize: 'blocks' }])('gradient = central differences of the reduced loss (%o)', (cs) => {
    const r = new ReducedModel(config({ ...cs, flow: 'reduced', d: 8, readout: 'trained', lambda: 0.01, quad: 24 }));
    const y = Float64Array.of(0.8, 0.6, 1.9, 1.7, 0.9);
    const g = new Float64Array(5);
    r.lossGrad(y, g);
    expect(maxRel(g, fdGrad((z) => r.lossGrad(z, null), y, 1e-4))).toBeLessThan(1e-8);
  });

  it('equals the projected full-matrix gradient up to the sampling error (N = 2^15, clusters)', () => {
    const c = config({ qlaw: 'clusters', normalize: 'off', d: 6, N: 32768, quad: 24 });
    const red = new ReducedModel(c);
    const full = new FullModel(c);
    const y = Float64Array.of(0.8, 0.3 * Math.sqrt(5), 1.1 * Math.sqrt(5), 1.7);
    const gr = new Float64Array(4);
    red.lossGrad(y, gr);
    const { WP, WQ } = red.blocks(y);
    const yf = new Float64Array(full.dim);
    yf.set(WP, 0);
    yf.set(WQ, 36);
    const gf = new Float64Array(full.dim);
    full.lossGrad(yf, gf);
    const d = 6;
    const { w, zeta } = red.dir;
    const proj = new Float64Array(4);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        const id = i === j ? 1 : 0;
        proj[0] += gf[i * d + j] * w[i] * w[j];
        proj[1] += (gf[i * d + j] * (id - w[i] * w[j])) / Math.sqrt(5);
        proj[2] += (gf[36 + i * d + j] * (id - zeta[i] * zeta[j])) / Math.sqrt(5);
        proj[3] += gf[36 + i * d + j] * zeta[i] * zeta[j];
      }
    }
    expect(maxRel(proj, gr)).toBeLessThan(3e-2); // O(N^{−1/2}) sampling error
    expect(Math.abs(gr[1])).toBe(0); // b has no effect at L = ∞ (λ = 0)
  });

  it('quadrature: doubling the order 48 changes the field by < 1e-10 (clusters, the near-kink cases p ≪ q and p = 0)', () => {
    const c = config({ qlaw: 'clusters', normalize: 'off', flow: 'reduced', d: 16, readout: 'trained' });
    const lo = new ReducedModel(c, 48);
    const hi = new ReducedModel(c, 96);
    const a = new Float64Array(5);
    const b = new Float64Array(5);
    for (const y of [Float64Array.of(0.1, 0.1, 0.05, 1.3, 1), Float64Array.of(2, -1, 0.01, 4, 1.5), Float64Array.of(0.5, 0.2, 0, 2, 1)]) {
      lo.lossGrad(y, a);
      hi.lossGrad(y, b);
      expect(maxRel(a, b)).toBeLessThan(1e-10);
    }
  });
});

describe('gong dynamics, analysis and probe', () => {
  it("'gd' is gradient descent: one Euler step of the engine = θ − η∇L", () => {
    const p = resolveParams(gong, { d: 4, N: 64, dynamics: 'gd', eta1: 3, eta2: 0.5, t1: 6, tEnd: 7 });
    const e = engineFor(p);
    const s = schedule(e.config);
    expect([s.k1, s.steps]).toEqual([2, 4]);
    expect([s.time(1), s.time(2), s.time(4)]).toEqual([3, 6, 7]);
    const y0 = gong.init(p, makeRng(2));
    const sol = solve(gong.flow(p), [0, s.steps], y0, { method: 'euler', h: 1, saveAt: [0, 1, 2, 3, 4] });
    const y = Float64Array.from(y0);
    const g = new Float64Array(y.length);
    for (let k = 0; k < 4; k++) {
      e.lossGrad(y, g);
      for (let i = 0; i < y.length; i++) y[i] -= s.eta(k) * g[i];
      expect(Array.from(sol.y[k + 1])).toEqual(Array.from(y));
    }
  });

  it("'noisy' is reproducible and its noise has variance 2τη per entry", () => {
    const base = { d: 4, N: 32, dynamics: 'noisy', eta1: 0.5, eta2: 0.5, t1: 0, tEnd: 0.5, tau: 2 };
    const p = resolveParams(gong, base);
    const y0 = new Float64Array(engineFor(p).dim).fill(0); // W = 0: the ReLU gradient vanishes, only noise moves
    const f = gong.flow(p);
    const a = new Float64Array(y0.length);
    const b = new Float64Array(y0.length);
    f(0, y0, a);
    f(0, y0, b);
    expect(Array.from(a)).toEqual(Array.from(b));
    const v = a.reduce((s, x) => s + x * x, 0) / a.length;
    expect(v).toBeGreaterThan(2 * 2 * 0.5 * 0.5); // 32 samples of N(0, 2τη = 2): a loose two-sided band
    expect(v).toBeLessThan(2 * 2 * 0.5 * 2);
  });

  it('firstReach interpolates and returns t[0] when the level already holds', () => {
    expect(firstReach([0, 1, 2], [1, 0.5, 0.1], 0.3, false)).toBeCloseTo(1.5, 14);
    expect(firstReach([0, 1, 2], [0.96, 0.97, 1], 0.95, true)).toBe(0);
    expect(firstReach([0, 1, 2], [0.1, 0.2, 0.3], 0.95, true)).toBeNull();
  });

  it('the rank probe keeps the accuracies at k = 2d and loses P first when Q holds the top directions', () => {
    const p = resolveParams(gong, { d: 4, N: 256, init: 'symmetric', omega: 0.1 });
    const e = engineFor(p);
    const y = gong.init(p, makeRng(1));
    const { zeta, z } = e.full().dir;
    // make W_Q dominant: 5(ẑẑᵀ + ζ̂ζ̂ᵀ) against W_P = 0.1 I
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) y[16 + i * 4 + j] = 5 * (z[i] * z[j] + zeta[i] * zeta[j]);
    const probe = rankProbe(e, y);
    const out = emptyMetrics();
    e.metrics(y, 'P', out);
    expect(probe.topP[probe.topP.length - 1]).toBeCloseTo(out.acc, 12);
    expect(probe.topQ[1]).toBe(1); // k = 2: the two Q directions
    expect(probe.topP[1]).toBeLessThan(0.9); // P's directions dropped
  });

  it('rejects unsupported combinations with an input error', () => {
    const bad: Record<string, ParamValue>[] = [
      { context: 'infinite', normalize: 'token' },
      { variant: 'A', qlaw: 'rays' },
      { flow: 'reduced', variant: 'A', qlaw: 'clusters', normalize: 'off' },
      { flow: 'reduced', dynamics: 'noisy' },
      { normalizer: 'none' },
      { p0: 0.7, q0: 0.6 },
    ];
    for (const b of bad) {
      let err: unknown = null;
      try { config(b); } catch (e) { err = e; }
      expect(isGradflowError(err)).toBe(true);
    }
  });

  it('a short default-law run: losses fall, the P loss first', () => {
    const tr = simulate(gong, resolveParams(gong, { d: 6, N: 256, tEnd: 400, saves: 30 }), { spectra: false });
    expect(tr.solution.status).toBe('success');
    const s = tr.series;
    const e = s.loss_P.length - 1;
    expect(s.loss_P[e]).toBeLessThan(s.loss_P[0]);
    expect(s.loss_Q[e]).toBeLessThan(s.loss_Q[0]);
    expect(s.loss_P[e]).toBeLessThan(s.loss_Q[e]);
  });
});

describe('gong: observables of a state array changed in place', () => {
  it('are recomputed, not served stale from the cache (integrators reuse one buffer for event states)', () => {
    const p = resolveParams(gong, { d: 4, N: 64 });
    const y = gong.init(p, makeRng(3));
    const frob = gong.observables(p).find((o) => o.name === 'frob_P')!;
    const before = frob.value(y, 0);
    for (let i = 0; i < 16; i++) y[i] *= 3; // W_P → 3 W_P in place
    expect(frob.value(y, 0)).toBeCloseTo(3 * before, 12);
    expect(frob.value(y, 0)).toBe(frob.value(Float64Array.from(y), 0));
  });
});

describe('gong: the stage_ratio metric under GD with the η1 → η2 switch', () => {
  it('is t_Q/t_P in physical time Σ η, not the ratio of step counts', async () => {
    const { makeCheckContext } = await import('../../src/check/context.js');
    const { firstCrossing } = await import('../../src/stages/index.js');
    const { LOSS_LEVEL } = await import('../../src/models/gong/analysis.js');
    const p = resolveParams(gong, { dynamics: 'gd', d: 8, N: 256, zeta: 3, eta1: 10, eta2: 4, t1: 400, tEnd: 8000 });
    const ctx = makeCheckContext(gong, p);
    const tr = ctx.main();
    const kP = firstCrossing(tr.t, tr.series.loss_P, LOSS_LEVEL, 'falling')!;
    const kQ = firstCrossing(tr.t, tr.series.loss_Q, LOSS_LEVEL, 'falling')!;
    const sched = schedule(gongConfig(p));
    expect(kP).toBeLessThan(sched.k1); // P before the switch, Q after: the two ratios differ
    expect(kQ).toBeGreaterThan(sched.k1);
    const physical = (k: number): number => (k <= sched.k1 ? k * 10 : sched.k1 * 10 + (k - sched.k1) * 4);
    const ratio = gong.metrics!.stage_ratio.value(ctx);
    expect(Math.abs(ratio - physical(kQ) / physical(kP)) / ratio).toBeLessThan(1e-9);
    expect(Math.abs(ratio - kQ / kP) / ratio).toBeGreaterThan(0.1);
  });
});
