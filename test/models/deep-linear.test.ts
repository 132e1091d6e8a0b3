import { describe, expect, it } from 'vitest';
import { deepLinear } from '../../src/models/deep-linear/model.js';
import { halfLearningTime, modeStrength } from '../../src/models/deep-linear/target.js';
import { resolveParams } from '../../src/models/params.js';
import { simulate } from '../../src/run/trajectory.js';
import { geomspace } from '../../src/util/grid.js';
import { detectStages } from '../../src/stages/index.js';
import { makeCheckContext } from '../../src/check/context.js';
import { runChecks } from '../../src/check/run-checks.js';

describe('deep linear network', () => {
  it('aligned balanced start: every singular value of W2W1 matches the closed form to 1e-8 at 50 log-spaced times', () => {
    const p = resolveParams(deepLinear, { init: 'aligned', u0: 1e-3, s1: 3, s2: 1.5, s3: 0.5 });
    const saveAt = geomspace(1e-2, 40, 50);
    const tr = simulate(deepLinear, p, { saveAt, fixed: { method: 'dop853', rtol: 1e-12, atol: 1e-14 } });
    expect(tr.solution.status).toBe('success');
    expect(tr.t).toHaveLength(50);
    const S = [3, 1.5, 0.5];
    tr.spectra.W2W1.forEach((sv, i) => {
      S.forEach((s, k) => {
        const exact = modeStrength(s, 1e-3, tr.t[i]);
        expect(Math.abs(sv[k] - exact) / exact).toBeLessThan(1e-8);
      });
    });
    // the exact state reproduces the run too (the model's own oracle)
    const yExact = deepLinear.exact!(40, new Float64Array(18), p)!;
    const yEnd = tr.solution.yEnd;
    for (let i = 0; i < 18; i++) expect(Math.abs(yEnd[i] - yExact[i])).toBeLessThan(1e-8);
  });

  it('small random start (ε = 1e-3): three transitions in order of decreasing singular value, half-times within 1.5× of the closed form', () => {
    const p = resolveParams(deepLinear, { init: 'random', eps: 1e-3, seed: 3 });
    const tr = simulate(deepLinear, p);
    expect(tr.solution.status).toBe('success');
    const { stages } = detectStages(tr.t, tr.series.loss, { observables: { u1: tr.series.u1, u2: tr.series.u2, u3: tr.series.u3 } });
    const transitions = stages.filter((s) => s.kind === 'transition');
    expect(transitions).toHaveLength(3);
    expect(transitions.map((s) => s.movers[0].name)).toEqual(['u1', 'u2', 'u3']);
    [3, 1.5, 0.5].forEach((s, k) => {
      const hit = tr.events.find((e) => e.name === `sigma${k + 1}_half`);
      expect(hit).toBeDefined();
      const ratio = hit!.t / halfLearningTime(s, 1e-6);
      expect(ratio).toBeGreaterThan(1 / 1.5);
      expect(ratio).toBeLessThan(1.5);
    });
  });

  it('conserves W1W1ᵀ − W2ᵀW2', () => {
    const tr = simulate(deepLinear, resolveParams(deepLinear, { init: 'random', eps: 0.3 }), { spectra: false });
    const imb = tr.series.imbalance;
    for (const v of imb) expect(Math.abs(v - imb[0])).toBeLessThan(1e-8);
    expect(imb[0]).toBeGreaterThan(0.1); // a non-trivial invariant
  });

  it('every prediction passes on the defaults', () => {
    const p = resolveParams(deepLinear);
    const rows = runChecks(deepLinear, makeCheckContext(deepLinear, p));
    for (const r of rows) expect({ id: r.prediction.id, pass: r.verdict.pass, detail: r.verdict.detail }).toMatchObject({ pass: true });
  });
});
