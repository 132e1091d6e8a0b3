import { describe, expect, it } from 'vitest';
import { yang } from '../../src/models/yang/model.js';
import { yangConfig, type YangConfig } from '../../src/models/yang/config.js';
import { makeDataset } from '../../src/models/yang/data.js';
import { gradientField, stageRates, threeStageField, type StageMode } from '../../src/models/yang/flow.js';
import { yangInit } from '../../src/models/yang/init.js';
import { TokenSpanNetwork } from '../../src/models/yang/network.js';
import { yangParams } from '../../src/models/yang/params.js';
import { summarize } from '../../src/models/yang/observables.js';
import { stageOneClosedForm, solveVPlusExpV } from '../../src/models/yang/closed-form.js';
import { resolveParams } from '../../src/models/params.js';
import { solve } from '../../src/solve/index.js';
import { makeRng } from '../../src/util/rng.js';
import type { ParamValue } from '../../src/models/types.js';

const cfg = (o: Record<string, ParamValue> = {}): YangConfig => yangConfig(yangParams(o));

/** A random state whose pre-activations all stay ≥ 1e-3 away from their kinks (so central differences see a smooth loss). */
function smoothState(c: YangConfig, seed: number, scale = 0.7): Float64Array {
  const rng = makeRng(seed);
  const net = new TokenSpanNetwork(c);
  for (let tries = 0; tries < 200; tries++) {
    const y = Float64Array.from({ length: c.n }, () => scale * rng.normal());
    net.forward(y);
    if (net.pre.every((v) => Math.abs(v) > 1e-3)) return y;
  }
  throw new Error('no smooth state found');
}

/** ∂L/∂θ by central differences with one Richardson step. */
function gradFD(c: YangConfig, y: Float64Array): Float64Array {
  const net = new TokenSpanNetwork(c);
  const g = new Float64Array(y.length);
  const z = Float64Array.from(y);
  for (let i = 0; i < y.length; i++) {
    const h = 1e-4 * Math.max(1, Math.abs(y[i]));
    const at = (d: number): number => { z[i] = y[i] + d; const v = net.forward(z); z[i] = y[i]; return v; };
    const d1 = (at(h) - at(-h)) / (2 * h);
    const d2 = (at(h / 2) - at(-h / 2)) / h;
    g[i] = (4 * d2 - d1) / 3;
  }
  return g;
}

describe('yang: data', () => {
  it('K·2^K equiprobable types, y = s_k, consistent iff every sign agrees, hard otherwise; padding is zero', () => {
    for (const [K, pad] of [[2, 0], [3, 1], [4, 2]]) {
      const d = makeDataset(K, pad);
      expect(d.types).toHaveLength(K * 2 ** K);
      expect(d.L).toBe(K + 1 + pad);
      expect(d.weight * d.types.length).toBeCloseTo(1, 15);
      for (const t of d.types) {
        expect(t.y).toBe(t.s[t.k]);
        expect(t.consistent).toBe(t.s.every((v) => v === t.y));
        expect(t.hard).toBe(!t.consistent);
        expect(t.index[0]).toBe(t.k);
        for (let l = K + 1; l < d.L; l++) expect(t.sign[l]).toBe(0);
      }
      // consistent: 2 per mixture; all-disagree: 2 per mixture
      expect(d.types.filter((t) => t.consistent)).toHaveLength(2 * K);
      expect(d.types.filter((t) => t.disagree === K - 1)).toHaveLength(2 * K);
      // the label is balanced inside every class
      expect(d.types.filter((t) => t.hard).reduce((s, t) => s + t.y, 0)).toBe(0);
    }
  });
});

describe('yang: the reduced flow is −R∇L for every switch combination', () => {
  const combos: Record<string, ParamValue>[] = [];
  for (const keyQuery of ['combined', 'separate']) for (const aggregate of ['sum', 'mean']) for (const symmetry of ['free', 'imposed']) {
    for (const init of ['averaged', 'symmetric-random', 'random', 'mean-field']) {
      if (symmetry === 'imposed' && init === 'random') continue;
      for (const training of ['simultaneous', 'neurons', 'attention']) {
        const m = init === 'averaged' ? 1 : 3;
        combos.push({ keyQuery, aggregate, symmetry, init, training, m, attnScale: 0.3, meanFieldTime: init === 'mean-field' ? 'per-particle' : 'finite-m', etaW: 1.5, etaA: 0.5, dk: keyQuery === 'separate' ? 3 : 0 });
      }
    }
  }
  // K = 3 and padding on a few
  combos.push({ K: 3, pad: 1, m: 2, init: 'symmetric-random', symmetry: 'imposed' }, { K: 3, keyQuery: 'separate', attnScale: 0.2, m: 2, init: 'random', aggregate: 'mean' }, { K: 2, pad: 2, m: 2, init: 'random' });

  it.each(combos.map((o, i) => [i, o] as const))('combination %i', (i, o) => {
    const c = cfg(o);
    const y = smoothState(c, 100 + i);
    const mode: StageMode = c.training === 'three-stage' ? 'simultaneous' : c.training;
    const f = gradientField(c, mode);
    const dy = new Float64Array(c.n);
    f(0, y, dy);
    const g = gradFD(c, y);
    const rates = stageRates(c, mode);
    const half = c.symmetry === 'imposed' ? 0.5 : 1; // imposed: the free flow's head-+ velocity = −½∇L(θ+, Sθ+)
    const attnEnd = c.storedHeads * c.attnSize;
    const expected = g.map((v, j) => -half * (j < attnEnd ? rates.attention : rates.neuron) * v);
    const scale = Math.max(...Array.from(expected, Math.abs));
    expect(scale).toBeGreaterThan(1e-6);
    for (let j = 0; j < c.n; j++) expect(Math.abs(dy[j] - expected[j])).toBeLessThanOrEqual(1e-6 * scale);
  });

  it('per-particle mean-field time multiplies the neuron rate by m; finite-m keeps the finite-m flow', () => {
    const a = cfg({ init: 'mean-field', m: 8, meanFieldTime: 'per-particle' });
    const b = cfg({ init: 'mean-field', m: 8, meanFieldTime: 'finite-m' });
    expect(a.neuronRate).toBe(8);
    expect(b.neuronRate).toBe(1);
    expect(cfg({ init: 'symmetric-random', m: 8, meanFieldTime: 'per-particle' }).neuronRate).toBe(1); // only init=mean-field
  });

  it('the three-stage field applies the stage masks by time', () => {
    const c = cfg({ training: 'three-stage', m: 2, init: 'random', attnScale: 0.3 });
    const y = smoothState(c, 7);
    const f = threeStageField(c, [10, 20]);
    const masked = (mode: StageMode): Float64Array => { const d = new Float64Array(c.n); gradientField(c, mode)(0, y, d); return d; };
    for (const [t, mode] of [[5, 'neurons'], [15, 'attention'], [25, 'neurons']] as const) {
      const d = new Float64Array(c.n);
      f(t, y, d);
      expect(Array.from(d)).toEqual(Array.from(masked(mode)));
      // switched form: the stage boundaries are the switching functions τ − τ_a, τ − τ_b (rate 1)
      const sys = f.switched;
      const s = new Float64Array(sys.count);
      sys.evaluate(t, y, s);
      expect([s[sys.count - 2], s[sys.count - 1]]).toEqual([t - 10, t - 20]);
      const modes = Float64Array.from(s, (v) => (v > 0 ? 1 : 0));
      const sw = new Float64Array(c.n);
      sys.field(t, y, modes, sw);
      expect(Array.from(sw)).toEqual(Array.from(masked(mode)));
      const r = new Float64Array(sys.count);
      sys.rates(t, y, modes, sw, r);
      expect([r[sys.count - 2], r[sys.count - 1]]).toEqual([1, 1]);
    }
  });
});

describe('yang: switching functions (pre-activations) for the kink treatment', () => {
  it('rates are the exact directional derivatives of the pre-activations (central differences, 1e-7)', () => {
    for (const o of [{ m: 3, init: 'random', attnScale: 0.4 }, { m: 2, init: 'symmetric-random', symmetry: 'imposed', keyQuery: 'separate', attnScale: 0.4 }, { K: 3, pad: 1, m: 2, init: 'random', attnScale: 0.3 }] as Record<string, ParamValue>[]) {
      const c = cfg(o);
      const y = smoothState(c, 11);
      const f = gradientField(c, 'simultaneous');
      const sys = f.switched;
      const v = Float64Array.from({ length: c.n }, (_, i) => Math.sin(i + 1));
      const r = new Float64Array(sys.count);
      sys.rates(0, y, new Float64Array(sys.count), v, r);
      const sp = new Float64Array(sys.count);
      const sm = new Float64Array(sys.count);
      const h = 1e-6;
      sys.evaluate(0, y.map((x, i) => x + h * v[i]), sp);
      sys.evaluate(0, y.map((x, i) => x - h * v[i]), sm);
      const scale = Math.max(...Array.from(r, Math.abs));
      for (let i = 0; i < sys.count; i++) expect(Math.abs((sp[i] - sm[i]) / (2 * h) - r[i])).toBeLessThan(1e-7 * scale);
      // with symmetry imposed head −'s pre-activations are head +'s on the mirrored types: listed once
      expect(sys.count).toBe(c.storedHeads * c.K * 2 ** c.K * c.m * c.L);
      if (c.storedHeads === 1) {
        const net = f.net;
        net.forward(y);
        const T = net.T;
        net.data.types.forEach((tp, t) => {
          const u = net.data.types.findIndex((q) => q.k === tp.k && q.s.every((v, j) => v === -tp.s[j]));
          for (let r = 0; r < c.m; r++) for (let l = 0; l < c.L; l++) expect(net.pre[((T + t) * c.m + r) * c.L + l]).toBe(net.pre[(u * c.m + r) * c.L + l]);
        });
      }
    }
  });

  it('with modes = heaviside(pre) the switched field is the plain field; on a surface it is affine in that mode', () => {
    const c = cfg();
    const y = yangInit(c, makeRng(1)); // averaged init: every hard pre-activation is exactly 0
    const f = gradientField(c, 'simultaneous');
    const net = f.net;
    net.forward(y);
    const zero = Array.from(net.pre.keys()).filter((i) => net.pre[i] === 0);
    expect(zero).toHaveLength(24); // 2 heads × 4 hard types × 3 queries
    const modes = Float64Array.from(net.pre, (v) => (v > 0 ? 1 : 0));
    const plain = new Float64Array(c.n);
    const sw = new Float64Array(c.n);
    f(0, y, plain);
    f.switched.field(0, y, modes, sw);
    expect(Array.from(sw)).toEqual(Array.from(plain));
    const at = (lam: number): Float64Array => { modes[zero[0]] = lam; const d = new Float64Array(c.n); f.switched.field(0, y, modes, d); return d; };
    const f0 = at(0);
    const f1 = at(1);
    const f3 = at(0.3);
    for (let j = 0; j < c.n; j++) expect(f3[j]).toBeCloseTo(0.7 * f0[j] + 0.3 * f1[j], 14);
    expect(Math.max(...Array.from(f1, (v, j) => Math.abs(v - f0[j])))).toBeGreaterThan(1e-4); // the mode matters
  });
});

describe('yang: symmetries', () => {
  it('D-symmetric starts stay D-symmetric (A_− = DA_+D, ω_− = Dω_+ to rounding), and F is odd: F(DX) = −F(X)', () => {
    const c = cfg({ init: 'symmetric-random', m: 4, attnScale: 0.2 });
    const y0 = yangInit(c, makeRng(5));
    const f = gradientField(c, 'simultaneous');
    // the mirror symmetry of the field holds pointwise, so any integrator keeps it: fixed steps here
    const sol = solve(f, [0, 20], y0, { method: 'dopri5', h: 0.05, kinks: 'smooth-through' });
    expect(sol.status).toBe('success');
    const net = new TokenSpanNetwork(c);
    const s = summarize(net, sol.yEnd);
    expect(s.symResidualA + s.symResidualW).toBeLessThan(1e-12);
    net.forward(sol.yEnd);
    // type (k, s) and (k, −s) are mirror images: F(DX) = −F(X)
    const { types } = net.data;
    types.forEach((tp, t) => {
      const u = types.findIndex((q) => q.k === tp.k && q.s.every((v, j) => v === -tp.s[j]));
      expect(net.F[u]).toBeCloseTo(-net.F[t], 13);
    });
  });

  it('imposed symmetry: head + moves exactly as in the free flow on the symmetric manifold', () => {
    for (const keyQuery of ['combined', 'separate']) {
      const free = cfg({ init: 'symmetric-random', m: 3, attnScale: 0.4, keyQuery });
      const imposed = cfg({ init: 'symmetric-random', m: 3, attnScale: 0.4, keyQuery, symmetry: 'imposed' });
      for (let seed = 1; seed <= 5; seed++) {
        const yf = yangInit(free, makeRng(seed));
        const yi = yangInit(imposed, makeRng(seed));
        // the same draws: head + of the free state is the imposed state
        for (let i = 0; i < imposed.attnSize; i++) expect(yf[i]).toBe(yi[i]);
        const df = new Float64Array(free.n);
        const di = new Float64Array(imposed.n);
        gradientField(free, 'simultaneous')(0, yf, df);
        gradientField(imposed, 'simultaneous')(0, yi, di);
        const scale = Math.max(...Array.from(df, Math.abs));
        for (let i = 0; i < imposed.attnSize; i++) expect(Math.abs(di[i] - df[i])).toBeLessThan(1e-13 * scale);
        for (let i = 0; i < imposed.neuronSize; i++) expect(Math.abs(di[imposed.neuronOffset(0) + i] - df[free.neuronOffset(0) + i])).toBeLessThan(1e-13 * scale);
        expect(Math.abs(new TokenSpanNetwork(free).forward(yf) - new TokenSpanNetwork(imposed).forward(yi))).toBeLessThan(1e-15);
      }
    }
  });
});

describe('yang: Stage 1 closed form (note §4.5)', () => {
  it('v + e^v = R is solved to rounding', () => {
    for (const R of [1e-3, 0.5, 1, 3, 251.004, 1e6]) {
      const v = solveVPlusExpV(R);
      expect(Math.abs(v + Math.exp(v) - R)).toBeLessThan(1e-13 * Math.max(1, R));
    }
  });

  it.each([['sum', 0], ['mean', 0], ['sum', 2], ['mean', 1]] as const)('the neuron flow from the averaged init follows it (aggregate %s, pad %i) to 1e-9', (aggregate, pad) => {
    const p = resolveParams(yang, { training: 'neurons', aggregate, pad, etaW: 1.3 });
    const c = yangConfig(p);
    const y0 = yang.init(p, makeRng(1));
    // every pre-activation leaves its kink transversally at τ = 0+ and never returns (β > 0, β < 2α),
    // so the plain field is exact here; compared at the accepted steps (no interpolation error)
    const agg = aggregate === 'sum' ? 1 : 1 / c.L;
    const cf = stageOneClosedForm(1e-3, agg, 1.3);
    const net = new TokenSpanNetwork(c);
    let steps = 0;
    const sol = solve(yang.flow(p), [0, 800], y0, {
      method: 'dop853', rtol: 1e-13, atol: 1e-15, kinks: 'smooth-through',
      onStep: (t, y) => {
        steps++;
        const exact = yang.exact!(t, y0, p)!;
        for (let j = 0; j < c.n; j++) expect(Math.abs(y[j] - exact[j])).toBeLessThan(1e-9 * Math.max(1, Math.abs(exact[j])));
        const s = summarize(net, y);
        expect(Math.abs(s.lossHard - Math.LN2)).toBeLessThan(1e-13);
        expect(Math.abs(s.lossConsistent - cf.lossConsistent(t))).toBeLessThan(1e-9);
      },
    });
    expect(sol.status).toBe('success');
    expect(steps).toBeGreaterThan(20);
    // the note's number (sum, η_w = 1): u + e^u = 251.004 at τ = 400
    if (aggregate === 'sum') {
      const u = stageOneClosedForm(1e-3, 1, 1).u(400);
      expect(u + Math.exp(u)).toBeCloseTo(251.004, 3);
    }
  });
});

describe('yang: observables', () => {
  it('uniform attention: features not separable (SVM margin 0), scores 1/L, logits 0', () => {
    const c = cfg({ training: 'neurons' });
    const y = yangInit(c, makeRng(1));
    y[c.neuronOffset(0) + 0] = 0.3; // any neurons: attention alone decides separability
    const s = summarize(new TokenSpanNetwork(c), y);
    expect(s.svmMargin).toBeLessThan(1e-12);
    for (const cls of s.scores) for (const row of cls) for (const v of row) expect(v).toBeCloseTo(1 / 3, 14);
    expect(s.attnMax).toBe(0);
  });

  it('the identifier-as-key structure of the note\'s Stage-2 end state separates the features', () => {
    const c = cfg();
    const net = new TokenSpanNetwork(c);
    const y = yangInit(c, makeRng(1));
    const A = [[1.37, 0, 3.48, -3.19], [0, 1.37, -3.19, 3.48], [-2.59, 2.43, -0.83, 0.87], [2.43, -2.59, 0.87, -0.83]];
    const D = [1, 1, -1, -1];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) { y[i * 4 + j] = A[i][j]; y[16 + i * 4 + j] = D[i] * D[j] * A[i][j]; }
    const s = summarize(net, y);
    expect(s.svmMargin).toBeGreaterThan(0.1);
    expect(s.logits[0]).toMatchObject({ b: 3.48, bp: -3.19, g: -2.59, gp: 2.43 });
    expect(s.logits[1].b).toBe(-3.48); // head −: identifier–signal entries negated
    expect(s.symResidualA).toBe(0);
    expect(s.swapResidual).toBe(0);
  });
});

describe('yang: bad input', () => {
  it('rejects contradictory switches with messages that name the fix', () => {
    expect(() => yangConfig(resolveParams(yang, { m: 4 }))).toThrow(/init=averaged has one neuron per head/);
    expect(() => yangConfig(resolveParams(yang, { keyQuery: 'separate' }))).toThrow(/needs attnScale > 0/);
    expect(() => yangConfig(resolveParams(yang, { symmetry: 'imposed', init: 'random', m: 2 }))).toThrow(/contradictory/);
    expect(() => yang.finiteSample!(resolveParams(yang, { d: 3 }))).toThrow(/at least 2K = 4/);
    expect(() => yang.finiteSample!(resolveParams(yang, { training: 'three-stage' }))).toThrow(/one mode at a time/);
    expect(() => resolveParams(yang, { init: 'lazy' })).toThrow(/init must be one of/);
  });
});
