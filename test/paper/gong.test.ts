/**
 * Gong, Li, Liu, Teng (arXiv 2502.20681), reconstructed: trajectory-level checks of the
 * simulator against independent computations, and the structural result behind the finding.
 */
import { describe, expect, it } from 'vitest';
import { gong } from '../../src/models/gong/model.js';
import { analyse } from '../../src/models/gong/analysis.js';
import { resolveParams } from '../../src/models/params.js';
import { simulate } from '../../src/run/trajectory.js';

describe('gong: reduced L = ∞ flow against the full-matrix flow along a trajectory', () => {
  it('a, p, q and the P/Q losses agree within the sampling error of N = 16384 queries (d = 8, rays, blocks)', () => {
    const base = { d: 8, init: 'symmetric', omega: 0.1, tEnd: 300, saves: 25 };
    const red = simulate(gong, resolveParams(gong, { ...base, flow: 'reduced' }), { spectra: false });
    const full = simulate(gong, resolveParams(gong, { ...base, flow: 'full', N: 16384 }), { spectra: false });
    expect(red.solution.status).toBe('success');
    expect(full.solution.status).toBe('success');
    for (const name of ['a', 'p', 'q', 'loss_P', 'loss_Q']) {
      const r = red.series[name];
      const f = full.series[name];
      for (let i = 0; i < r.length; i++) expect(Math.abs(f[i] - r[i])).toBeLessThan(0.05 * Math.max(Math.abs(r[i]), 0.1));
    }
    // the antithetic sample keeps the full flow on the invariant subspace
    for (const v of full.series.res_P) expect(v).toBeLessThan(1e-10);
    for (const v of full.series.res_Q) expect(v).toBeLessThan(1e-10);
  });
});

describe('gong: the structural reason Q is not learned without normalisation', () => {
  it.each([
    { variant: 'B', qlaw: 'clusters' },
    { variant: 'A', qlaw: 'clusters' },
    { variant: 'B', qlaw: 'rays' },
  ])('%o: along a whole run the Q evaluation loses at least log 2 on every positive query', (setting) => {
    // discrete GD (η = 10): the rays law's flow slides along a kink surface, and the claim holds for every W
    const tr = simulate(gong, resolveParams(gong, { ...setting, normalize: 'off', d: 6, N: 256, tEnd: 2000, saves: 20, dynamics: 'gd', eta1: 10, eta2: 10, t1: 0 }), { spectra: false });
    expect(tr.solution.status).toBe('success');
    for (let i = 0; i < tr.t.length; i++) {
      expect(tr.series.loss_Q_pos[i]).toBeGreaterThanOrEqual(Math.LN2 - 1e-12); // ℓ(m) ≥ log 2 ⇔ m ≤ 0
      expect(tr.series.acc_Q_pos[i]).toBeLessThanOrEqual(0.5);
    }
  });
});

describe('gong: the default law (variant B, rays, blocks) at small scale', () => {
  it('P reaches the loss level first and Q later, with P accuracy kept', () => {
    const tr = simulate(gong, resolveParams(gong, { d: 8, N: 1024, saves: 60 }), { spectra: false });
    const a = analyse(tr);
    expect(tr.solution.status).toBe('success');
    expect(a.tP).not.toBeNull();
    expect(a.tQ).not.toBeNull();
    expect(a.tQ! / a.tP!).toBeGreaterThan(3);
    expect(a.minAccPAfter).toBeGreaterThanOrEqual(0.95);
  });
});
