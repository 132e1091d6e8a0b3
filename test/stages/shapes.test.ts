import { describe, expect, it } from 'vitest';
import { detectStages, lossRate } from '../../src/stages/index.js';
import { geomspace } from '../../src/util/grid.js';
import { DLN_S, DLN_U0, deepLinear, dlnGrid, lossFromRate, logisticDrop } from './synthetic.js';

const kinds = (t: ArrayLike<number>, L: ArrayLike<number>, o = {}): string =>
  detectStages(t, L, o)
    .stages.map((s) => s.kind[0])
    .join('');
const count = (t: ArrayLike<number>, L: ArrayLike<number>, o = {}): number =>
  detectStages(t, L, o).stages.filter((s) => s.kind === 'transition').length;

describe('the rate r = −d ln L / d ln t', () => {
  it('is the exponent of a power law, exactly (up to rounding) on a log grid', () => {
    const t = geomspace(1e-3, 1e3, 200);
    const { rate, rawRate } = lossRate(t, t.map((x) => 7 * x ** -0.05));
    for (let i = 0; i < t.length; i++) {
      expect(rawRate[i]).toBeCloseTo(0.05, 12);
      expect(rate[i]).toBeCloseTo(0.05, 12);
    }
  });

  it('is c·t for e^(−ct), to 1e-3 relative in the interior of a 300-point grid (second-order differences)', () => {
    const t = geomspace(1e-2, 20, 300);
    const { rawRate } = lossRate(t, t.map((x) => Math.exp(-2 * x)));
    let worst = 0;
    for (let i = 1; i < t.length - 1; i++) worst = Math.max(worst, Math.abs(rawRate[i] / (2 * t[i]) - 1));
    expect(worst).toBeLessThan(1e-3); // measured: 3.7e-4 (Δ ln t = 0.026)
    expect(worst).toBeGreaterThan(1e-6); // and it is a difference, not the exact derivative
  });

  it('is NaN at t ≤ 0 and finite from the first t > 0; a loss that reaches 0 exactly gives finite rates', () => {
    const t = new Float64Array([0, ...geomspace(1e-2, 1e3, 200)]);
    const L = t.map((x) => Math.exp(-x)); // e^(−1000) underflows to 0
    expect(L[t.length - 1]).toBe(0);
    const { rate, floor } = lossRate(t, L);
    expect(rate[0]).toBeNaN();
    for (let i = 1; i < t.length; i++) expect(Number.isFinite(rate[i])).toBe(true);
    expect(floor).toBe(1e-300);
  });
});

describe('simple shapes', () => {
  it('a single logistic drop (1 → 0.1 around τ = 2) is one transition containing τ, between two plateaus', () => {
    const t = geomspace(1e-2, 1e3, 300);
    const L = logisticDrop(t, 1, 0.1, 2, 6);
    const { stages } = detectStages(t, L);
    expect(stages.map((s) => s.kind)).toEqual(['plateau', 'transition', 'plateau']);
    const [, tr, after] = stages;
    expect(tr.tStart).toBeLessThan(2);
    expect(tr.tEnd).toBeGreaterThan(2);
    // measured: [1.055, 5.744], L 0.981 → 0.1016, peak r = 3.08 at t = 2.46 (the log-derivative
    // of 0.1 + 0.9/(1 + (t/2)^6) peaks after the midpoint of the drop)
    expect(tr.lossStart).toBeGreaterThan(0.97);
    expect(tr.lossEnd).toBeLessThan(0.103);
    expect(after.lossLevel).toBeCloseTo(0.1, 6);
    expect(tr.peakRate).toBeGreaterThan(3);
    expect(tr.tPeak).toBeGreaterThan(2);
    expect(tr.tPeak).toBeLessThan(2.6);
  });

  it('a logistic drop to 0 (tail t^−6, r → 6) is one transition, then converged', () => {
    const t = geomspace(1e-2, 1e3, 300);
    expect(kinds(t, logisticDrop(t, 1, 0, 2, 6))).toBe('ptc');
  });

  it('a constant loss has no stages, with a reason, and rate 0, also from t = 0 and for L ≡ 0', () => {
    const t = new Float64Array([0, ...geomspace(1e-3, 10, 100)]);
    for (const c of [2, 0]) {
      const { stages, rate, noStagesReason } = detectStages(t, new Float64Array(t.length).fill(c));
      expect(stages).toEqual([]);
      expect(noStagesReason).toBe(`the loss is constant (L = ${c} at all 101 save points): no stages`);
      expect(rate[0]).toBeNaN();
      expect(rate.slice(1).every((r) => r === 0)).toBe(true);
    }
    // Not constant by one point: detection runs, and finds one plateau.
    const L = new Float64Array(t.length).fill(2);
    L[50] = 2 * (1 + 1e-15);
    expect(kinds(t, L)).toBe('p');
  });

  it('a power law t^−0.05 has no transition (r = 0.05 < rateLow); t^−0.5, a slow decline without a core, is a plateau too', () => {
    const t = geomspace(1e-3, 1e3, 300);
    expect(kinds(t, t.map((x) => x ** -0.05))).toBe('p');
    const slow = detectStages(t, t.map((x) => x ** -0.5)).stages;
    expect(slow).toHaveLength(1);
    expect(slow[0].peakRate).toBeCloseTo(0.5, 10);
    // …and a steep power law t^−2 (r = 2 everywhere) is one transition, cut where L has fallen 1000-fold
    const steep = detectStages(t, t.map((x) => x ** -2)).stages;
    expect(steep.map((s) => s.kind)).toEqual(['transition', 'converged']);
    expect(steep[1].lossStart / steep[0].lossStart).toBeLessThanOrEqual(1e-3);
  });

  it('e^−t: the transition starts where r = t passes rateLow (t ≈ 0.1) and converged begins where L ≤ 1e-3·L(start)', () => {
    const t = new Float64Array([0, ...geomspace(1e-3, 1e3, 400)]); // L underflows to 0 after t ≈ 745
    const { stages } = detectStages(t, t.map((x) => Math.exp(-x)));
    expect(stages.map((s) => s.kind)).toEqual(['plateau', 'transition', 'converged']);
    expect(stages[1].tStart).toBeGreaterThan(0.09);
    expect(stages[1].tStart).toBeLessThan(0.11);
    // L(tStart) e^(−Δt) = 1e-3 L(tStart) ⇒ Δt = ln 1000 = 6.91
    expect(stages[2].tStart - stages[1].tStart).toBeGreaterThan(6.9);
    expect(stages[2].tStart - stages[1].tStart).toBeLessThan(7.1);
  });
});

describe('hysteresis, valleys and short gaps', () => {
  const t = geomspace(1e-2, 1e2, 400); // Δ ln t = 0.0231
  const bump = (x: number, c: number, w: number): number => Math.exp(-(((x - c) / w) ** 2));

  it('a rate that oscillates around rateHigh (0.6 … 1.4) for two e-folds is one transition, not one per crossing', () => {
    const r = (x: number): number => 0.02 + Math.exp(-((x / 1.5) ** 8)) * (1 + 0.4 * Math.sin(25 * x));
    const L = lossFromRate(t, r);
    const { stages, rate } = detectStages(t, L, { smooth: 1 });
    let cores = 0;
    for (let i = 0; i < t.length; i++) if (rate[i] >= 1 && !(rate[i - 1] >= 1)) cores++;
    expect(cores).toBe(10); // the rate crosses rateHigh upward 10 times…
    expect(stages.map((s) => s.kind)).toEqual(['plateau', 'transition', 'plateau']); // …one transition
    // Splitting at every dip below rateHigh (rateValley 0.95) would find one transition per core.
    expect(count(t, L, { smooth: 1, rateValley: 0.95 })).toBe(cores);
  });

  it('noise around rateLow at the shoulders does not add transitions either', () => {
    const r = (x: number): number => 0.1 + 0.03 * Math.sin(37 * x) + 3 * bump(x, 0, 0.4);
    expect(kinds(t, lossFromRate(t, r), { smooth: 1 })).toBe('ptp');
  });

  it('two drops whose rate dips to 0.39 between them (never to rateLow) are two transitions; to 0.65, one', () => {
    const two = (c: number) => (x: number): number => 0.02 + 3 * bump(x, -c, 0.3) + 3 * bump(x, c, 0.3);
    const dip = lossFromRate(t, two(0.5)); // r(0) = 0.02 + 6 e^(−25/9) = 0.39
    expect(kinds(t, dip)).toBe('ptptp');
    expect(kinds(t, dip, { rateValley: 0.1 })).toBe('ptp'); // the valley test off: hysteresis alone merges them
    expect(kinds(t, lossFromRate(t, two(0.45)))).toBe('ptp'); // r(0) = 0.02 + 6 e^(−2.25) = 0.65
  });

  it('a single point under rateLow between two cores is merged (minGapPoints 2) unless the options allow it', () => {
    // Prescribed rate 3 with three zeros at 199–201: the measured rate is 0 at 200 only, 0.75 at 199 and 201.
    const L = lossFromRate(t, (_x, i) => (i >= 150 && i <= 250 && (i < 199 || i > 201) ? 3 : 0));
    const { rate } = detectStages(t, L, { smooth: 1 });
    expect(Array.from(rate.slice(198, 203), (r) => Math.round(r * 100) / 100)).toEqual([2.25, 0.75, 0, 0.75, 2.25]);
    expect(kinds(t, L, { smooth: 1 })).toBe('ptp'); // one transition
    expect(kinds(t, L, { smooth: 1, minGapPoints: 1 })).toBe('ptptp'); // t[201]/t[200] = 1.0234 ≥ 1.02
    expect(kinds(t, L, { smooth: 1, minGapPoints: 1, minGapRatio: 1.03 })).toBe('ptp');
  });

  it('a 0.02% step on a very fine grid reaches r ≥ 1 but is dropped by minDrop (1e-3); minDrop 1e-4 keeps it', () => {
    const fine = geomspace(1, 1.01, 201); // Δ ln t = 5e-5
    const L = fine.map((x) => 1 - 2e-4 / (1 + Math.exp(-(Math.log(x) - 0.005) / 2e-5)));
    expect(Math.max(...lossRate(fine, L).rate)).toBeGreaterThan(1);
    expect(count(fine, L)).toBe(0);
    expect(count(fine, L, { minDrop: 1e-4 })).toBe(1);
  });
});

describe('numerical floors and grids', () => {
  it('a loss computed with cancellation (s − u → ~1e-33, then exact zeros) keeps three transitions and a converged tail', () => {
    const t = dlnGrid();
    const L = new Float64Array(t.length);
    for (let i = 0; i < t.length; i++) {
      for (const s of DLN_S) {
        const E = Math.exp(2 * s * t[i]);
        L[i] += (s - (s * E) / (E - 1 + s / DLN_U0)) ** 2 / 2; // rounding noise below ~1e-30
      }
    }
    for (const smooth of [1, 3]) expect(kinds(t, L, { smooth })).toBe('ptptptc');
    // Without the resolution cut the noisy tail ends the last transition early with a plateau at L = 0.
    expect(kinds(t, L, { smooth: 1, lossResolution: 0 })).toBe('ptptptp');
  });

  it('a grid starting at t = 0 gives the same stages, the first starting at 0', () => {
    const g = dlnGrid();
    const t = new Float64Array([0, ...g.slice(1)]);
    const { loss, modes } = deepLinear(t);
    const { stages, rate } = detectStages(t, loss, { observables: modes });
    expect(rate[0]).toBeNaN();
    expect(stages[0].tStart).toBe(0);
    expect(stages.map((s) => s.kind[0]).join('')).toBe('ptptptc');
    expect(stages.filter((s) => s.kind === 'transition').map((s) => s.movers[0].name)).toEqual(['u1', 'u2', 'u3']);
  });

  it('ranks movers by change relative to each observable’s own range, so units do not matter', () => {
    const t = dlnGrid();
    const { loss, modes } = deepLinear(t);
    const observables = { big: modes.u1.map((u) => 1000 * u), small: modes.u2.map((u) => u / 1000), flat: new Float64Array(t.length).fill(4) };
    const { stages } = detectStages(t, loss, { observables, maxMovers: 2 });
    const [first, second] = stages.filter((s) => s.kind === 'transition');
    expect(first.movers.map((m) => m.name)).toEqual(['big', 'small']);
    expect(second.movers.map((m) => m.name)).toEqual(['small', 'big']);
    expect(first.movers[0].relativeChange).toBeCloseTo(0.9607, 4);
    expect(first.movers[0].change).toBeCloseTo(0.9607 * 1000 * (modes.u1[399] - modes.u1[0]), -1);
    const all = detectStages(t, loss, { observables, maxMovers: Infinity }).stages[1].movers;
    expect(all.map((m) => [m.name, m.relativeChange])).toContainEqual(['flat', 0]);
  });
});
