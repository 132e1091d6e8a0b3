import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeCheckContext } from '../../src/check/context.js';
import { runChecks } from '../../src/check/run-checks.js';
import { analyze, EPS_SWEEP, sweep } from '../../src/models/chen-luo/analysis.js';
import { chenLuo } from '../../src/models/chen-luo/model.js';
import { STAGE1_VALID } from '../../src/models/chen-luo/predictions.js';
import {
  invariantDrift, solveBlowUp, stage1Energy, stage1EnergyRate, stage1FromFull, stage1Invariants, stage1Rhs, stage1Size, valueClosedForm,
} from '../../src/models/chen-luo/stage1.js';
import { attentionProduct, stage2ClosedForm, stage2Rhs } from '../../src/models/chen-luo/stage2.js';
import { resolveParams } from '../../src/models/params.js';
import { simulate } from '../../src/run/trajectory.js';
import { solve } from '../../src/solve/index.js';
import { makeRng } from '../../src/util/rng.js';
import { randomOrthogonal } from '../../src/linalg/dense.js';
import { tempDir } from '../helpers/cli.js';

const fro = (a: ArrayLike<number>): number => Math.sqrt(Array.from(a).reduce((s, x) => s + x * x, 0));
const randn = (n: number, seed: number, scale = 1): Float64Array => { const r = makeRng(seed); return Float64Array.from({ length: n }, () => scale * r.normal()); };

describe('stage 2 reduced system: the cosh/sinh closed form is the exact solution', () => {
  for (const [label, rankDeficient] of [['full-rank F', false], ['rank-3 F (null space kept by (I − UUᵀ))', true]] as const) {
    it(`${label}: numerical integration agrees with the closed form to 1e-9 (relative)`, () => {
      const d = 6;
      let F = randn(d * d, 21, 0.15);
      if (rankDeficient) { // F = B Cᵀ with B, C of 3 columns
        const B = randn(d * 3, 22, 0.3);
        const C = randn(d * 3, 23, 0.3);
        F = Float64Array.from({ length: d * d }, (_, i) => { const l = Math.floor(i / d); const k = i % d; let s = 0; for (let r = 0; r < 3; r++) s += B[l * 3 + r] * C[k * 3 + r]; return s; });
      }
      const WQ0 = randn(d * d, 24, 1e-3);
      const WK0 = randn(d * d, 25, 1e-3);
      const cf = stage2ClosedForm(F, WQ0, WK0, d);
      if (rankDeficient) expect(cf.sigma[3]).toBeLessThan(1e-12);
      const y0 = new Float64Array(2 * d * d);
      y0.set(WQ0, 0);
      y0.set(WK0, d * d);
      const times = [0, 1, 5, 20, 60];
      const sol = solve(stage2Rhs(F, d), [0, 60], y0, { method: 'dop853', rtol: 1e-13, atol: 1e-18, saveAt: times });
      expect(sol.status).toBe('success');
      expect(cf.sigma[0] * 60).toBeGreaterThan(10); // a real test: the solution grows by e^{>10}
      times.forEach((t, k) => {
        const exact = cf.at(t);
        expect(fro(sol.y[k].map((v, i) => v - exact[i])) / fro(exact)).toBeLessThan(1e-9);
      });
    });
  }

  it('Theorem 3 in the closed form: A/‖A‖ → u₁v₁ᵀ, ‖A‖ grows at 2σ₁, the distance decays at σ₁ − σ₂', () => {
    const d = 5;
    const rng = makeRng(31);
    const U = randomOrthogonal(d, () => rng.normal());
    const V = randomOrthogonal(d, () => rng.normal());
    const sig = [0.5, 0.3, 0.2, 0.1, 0.05]; // F = U diag(σ) Vᵀ
    const F = Float64Array.from({ length: d * d }, (_, i) => sig.reduce((s, sk, k) => s + U[Math.floor(i / d) * d + k] * sk * V[(i % d) * d + k], 0));
    const cf = stage2ClosedForm(F, randn(d * d, 32, 1e-2), randn(d * d, 33, 1e-2), d);
    sig.forEach((sk, k) => expect(cf.sigma[k]).toBeCloseTo(sk, 12));
    const gap = 0.2;
    const u1v1 = Float64Array.from({ length: d * d }, (_, i) => cf.u1[Math.floor(i / d)] * cf.v1[i % d]);
    const dist = (t: number): number => { const A = attentionProduct(cf.at(t), d); const n = fro(A); return fro(A.map((x, i) => x / n - u1v1[i])); };
    const lnA = (t: number): number => Math.log(fro(attentionProduct(cf.at(t), d)));
    const t1 = 30 / gap;
    const t2 = 40 / gap;
    expect(dist(t2)).toBeLessThan(1e-12); // rank collapse onto +u₁v₁ᵀ
    expect((lnA(t2) - lnA(t1)) / (t2 - t1) / (2 * 0.5)).toBeCloseTo(1, 9);
    const ta = 8 / gap;
    const tb = 14 / gap;
    expect(-Math.log(dist(tb) / dist(ta)) / (tb - ta) / gap).toBeCloseTo(1, 2);
  });
});

describe('stage 1 reduced system', () => {
  it('conservation laws (Prop. 2, per index and as matrices) hold along a run to E = 1e9, and d‖w‖²/dt̄ = d‖b‖²/dt̄ = 2E', () => {
    const d = 8;
    for (const seed of [1, 2, 3]) {
      const y0 = randn(stage1Size(d), seed);
      const run = solveBlowUp(y0, d);
      expect(run.blewUp).toBe(true);
      expect(run.drift).toBeLessThan(1e-9);
      expect(invariantDrift(y0, run.yEnd, d)).toBeLessThan(1e-9);
      // the matrix forms wwᵀ − MMᵀ, bbᵀ − MᵀM, relative to their cancelling terms (~E^{2/3})
      const a = stage1Invariants(y0, d);
      const b = stage1Invariants(run.yEnd, d);
      const scale = Math.cbrt(1e9) ** 2;
      expect(fro(a.matW.map((x, i) => x - b.matW[i])) / scale).toBeLessThan(1e-9);
      expect(fro(a.matB.map((x, i) => x - b.matB[i])) / scale).toBeLessThan(1e-9);
      // d‖w‖²/dt̄ = 2⟨w, Mb⟩ = 2E = d‖b‖²/dt̄ at the initial state
      const dy = new Float64Array(y0.length);
      stage1Rhs(d)(0, y0, dy);
      let ww = 0;
      let bb = 0;
      for (let k = 0; k < d; k++) { ww += 2 * y0[k] * dy[k]; bb += 2 * y0[d + d * d + k] * dy[d + d * d + k]; }
      expect(ww).toBeCloseTo(2 * stage1Energy(y0, d), 12);
      expect(bb).toBeCloseTo(2 * stage1Energy(y0, d), 12);
    }
  });

  it('energy identity Ė = ‖Mb‖² + ‖w‖²‖b‖² + ‖Mᵀw‖² ≥ 3E^{4/3} (Eq. 16), checked against a central difference along the flow', () => {
    const d = 5;
    const y0 = randn(stage1Size(d), 9);
    const h = 1e-3;
    const sol = solve(stage1Rhs(d), [0, 0.2 + h], y0, { method: 'dop853', rtol: 1e-13, atol: 1e-15, saveAt: [0.2 - h, 0.2 - h / 2, 0.2, 0.2 + h / 2, 0.2 + h] });
    const [ym, ymh, y, yph, yp] = sol.y;
    const c1 = (stage1Energy(yp, d) - stage1Energy(ym, d)) / (2 * h);
    const c2 = (stage1Energy(yph, d) - stage1Energy(ymh, d)) / h;
    const fd = (4 * c2 - c1) / 3; // Richardson: O(h⁴)
    const rate = stage1EnergyRate(y, d);
    expect(Math.abs(fd - rate) / rate).toBeLessThan(1e-7);
    const E = stage1Energy(y, d);
    if (E > 0) expect(rate).toBeGreaterThanOrEqual(3 * E * Math.cbrt(E));
  });

  it('the self-similar solution w = a p, M = a p qᵀ, b = a q has E = (T* − t̄)^{−3} with T* = 1/a(0), attaining the bound', () => {
    const d = 4;
    const p = randn(d, 41);
    const q = randn(d, 42);
    const np = fro(p);
    const nq = fro(q);
    const a0 = 2;
    const y0 = new Float64Array(stage1Size(d));
    for (let k = 0; k < d; k++) {
      y0[k] = (a0 * p[k]) / np;
      y0[d + d * d + k] = (a0 * q[k]) / nq;
      for (let l = 0; l < d; l++) y0[d + k * d + l] = (a0 * p[k] * q[l]) / (np * nq);
    }
    const run = solveBlowUp(y0, d);
    expect(Math.abs(run.Tstar - 1 / a0)).toBeLessThan(1e-10);
    expect(Math.abs(run.tHit - (1 / a0 - 1e-3))).toBeLessThan(1e-10); // E = 1e9 ⇔ T* − t̄ = 1e-3
    expect(Math.abs(run.slope + 1)).toBeLessThan(1e-10);
    expect(stage1EnergyRate(y0, d)).toBeCloseTo(3 * a0 ** 4, 10); // Ė = 3E^{4/3} with E = a³
  });
});

describe('full model against the reduced systems', () => {
  it('stage 1 at ε = 1e-3: (v W_V, W1, W2)/ε follows (w, M, b) and W_V follows its closed form to O(ε²) on t̄ ≤ 0.9 T̄*', () => {
    const eps = 1e-3;
    const p = resolveParams(chenLuo, { eps });
    const st = chenLuo.setup(p);
    const { d, kappa, offsets: off, stats } = st;
    const tCut = (STAGE1_VALID * st.blowUp.Tstar) / (eps * kappa);
    const times = Float64Array.from({ length: 40 }, (_, i) => (tCut * (i + 1)) / 40);
    const tr = simulate(chenLuo, p, { saveAt: times, spectra: false });
    expect(tr.solution.status).toBe('success');
    const y0r = stage1FromFull(st.y0, d, stats.v, eps, off);
    const red = solve(stage1Rhs(d), [0, eps * kappa * tCut], y0r, { method: 'dop853', rtol: 1e-13, atol: 1e-15, saveAt: Array.from(times, (t) => eps * kappa * t) });
    const WV0 = Float64Array.from(st.y0.subarray(off.WV, off.WV + d * d), (x) => x / eps);
    let worst = 0;
    tr.solution.y.forEach((y, k) => {
      const yf = stage1FromFull(y, d, stats.v, eps, off);
      worst = Math.max(worst, fro(yf.map((x, j) => x - red.y[k][j])) / fro(red.y[k]));
      const WVc = valueClosedForm(WV0, stats.v, red.y[k].subarray(0, d), y0r.subarray(0, d), d);
      worst = Math.max(worst, fro(WVc.map((x, j) => y[off.WV + j] / eps - x)) / fro(WVc));
    });
    expect(worst).toBeLessThan(100 * eps * eps);
    expect(worst).toBeGreaterThan(1e-3 * eps * eps); // the O(ε²) discrepancy is real, not a shared code path
  });
});

describe('gradflow check chen-luo on the defaults', () => {
  it('runs every prediction; all but the ε-sweep condensation slope pass; the figures and report sections are written', async () => {
    const p = resolveParams(chenLuo);
    const ctx = makeCheckContext(chenLuo, p);
    const rows = runChecks(chenLuo, ctx);
    expect(rows.map((r) => r.prediction.id)).toEqual([
      'stage1-blowup', 'stage1-conservation', 'stage1-condensation', 'escape-time', 'plateau-loss', 'plateau-length',
      'rank-collapse', 'rank-collapse-rates', 'stage1-reduced-vs-full', 'stage2-reduced-vs-full',
    ]);
    for (const r of rows.filter((x) => x.prediction.id !== 'stage1-condensation')) {
      expect({ id: r.prediction.id, pass: r.verdict.pass, detail: r.verdict.detail }).toMatchObject({ pass: true });
    }
    // condensation: 1 − min|cos| falls like ε² once ε ≤ 1e-3 (per-decade slope), |cos| → 1
    const runs = sweep(ctx, (q) => chenLuo.setup(q));
    const gaps = runs.map((a) => a.condensationGap);
    expect(EPS_SWEEP).toEqual([1e-2, 1e-3, 1e-4, 1e-5]);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeLessThan(gaps[i - 1]);
    expect(Math.log10(gaps[2] / gaps[3])).toBeGreaterThan(1.8);
    expect(Math.log10(gaps[2] / gaps[3])).toBeLessThan(2.2);
    expect(gaps[3]).toBeLessThan(1e-3);
    // the measurement convention matters: at escape W_V has begun turning toward u*, so the gap
    // there stalls at an ε-independent level (note §8.7)
    const atEscape = runs.map((a) => a.condensationGapAtEscape);
    expect(Math.abs(atEscape[3] / atEscape[2] - 1)).toBeLessThan(0.1);
    expect(atEscape[3]).toBeGreaterThan(100 * gaps[3]);
    expect(analyze(chenLuo.setup(p), ctx.main())).toBe(runs[2]); // the default run is the sweep's ε = 1e-4 run

    const dir = tempDir();
    const figs = await chenLuo.figures!(ctx, dir);
    expect(figs.length).toBeGreaterThanOrEqual(10);
    for (const f of figs) expect(existsSync(f.paths.png)).toBe(true);
    const report = chenLuo.reportSections!(ctx);
    expect(report).toMatch(/## The ε sweep/);
    expect(report).toMatch(/min L̃1 \(bag-of-tokens optimum\) \| 0\.78/);
  });
});
