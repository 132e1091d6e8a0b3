import { describe, expect, it } from 'vitest';
import { ErkStepper } from '../../src/solve/erk.js';
import { DOP853, DOPRI5, EULER } from '../../src/solve/methods/index.js';
import { endSlot, exactSum, validateTableau, type Tableau } from '../../src/solve/tableau.js';
import { harmonic } from '../fixtures/problems.js';

/** Σ_j w_j c_j^(k−1), the quadrature condition of order k. */
const moment = (w: readonly number[], c: readonly number[], k: number) => exactSum(w.map((wj, j) => wj * c[j] ** (k - 1)));

describe.each([DOPRI5, DOP853])('tableau $name', (tab: Tableau) => {
  const s = tab.b.length;

  it('rows sum to c (to 1e-14), including the dense-output stages', () => {
    for (let j = 1; j < s; j++) expect(Math.abs(exactSum(tab.a[j]) - tab.c[j])).toBeLessThanOrEqual(1e-14);
    const d = tab.dense!;
    d.a.forEach((row, e) => expect(Math.abs(exactSum(row) - d.c[e])).toBeLessThanOrEqual(1e-14));
  });

  it('Σb = 1 and the error weights sum to 0', () => {
    expect(Math.abs(exactSum(tab.b) - 1)).toBeLessThanOrEqual(1e-14);
    expect(Math.abs(exactSum(tab.bErr!))).toBeLessThanOrEqual(1e-14);
    if (tab.bErr3) expect(Math.abs(exactSum(tab.bErr3))).toBeLessThanOrEqual(1e-14);
  });

  it('b satisfies the quadrature conditions up to its order, and not beyond', () => {
    for (let k = 1; k <= tab.order; k++) expect(Math.abs(moment(tab.b, tab.c, k) - 1 / k)).toBeLessThan(1e-14);
    expect(Math.abs(moment(tab.b, tab.c, tab.order + 1) - 1 / (tab.order + 1))).toBeGreaterThan(1e-6);
  });

  it('the error weights are b − b̂ for an embedded solution of the documented order', () => {
    // DOPRI5: b̂ of order 4; DOP853: b̂₅ of order 5 and b̂₃ of order 3.
    const q = tab.name === 'dopri5' ? 4 : 5;
    for (let k = 1; k <= q; k++) expect(Math.abs(moment(tab.bErr!, tab.c, k))).toBeLessThan(1e-14);
    expect(Math.abs(moment(tab.bErr!, tab.c, q + 1))).toBeGreaterThan(1e-6);
    if (tab.bErr3) {
      for (let k = 1; k <= 3; k++) expect(Math.abs(moment(tab.bErr3, tab.c, k))).toBeLessThan(1e-14);
      expect(Math.abs(moment(tab.bErr3, tab.c, 4))).toBeGreaterThan(1e-6);
    }
  });
});

describe('tableau shapes', () => {
  it('DOP853 has 12 stages, a separate end slope and 3 dense stages; DOPRI5 is FSAL with 7 stages', () => {
    expect(DOP853.b.length).toBe(12);
    expect(DOP853.fsal).toBe(false);
    expect(endSlot(DOP853)).toBe(12);
    expect(DOP853.dense!.c).toHaveLength(3);
    expect(DOP853.dense!.d).toHaveLength(4);
    expect(DOPRI5.b.length).toBe(7);
    expect(DOPRI5.fsal).toBe(true);
    expect(endSlot(DOPRI5)).toBe(6);
    expect(EULER.errorOrder).toBeNull();
  });

  it('validateTableau rejects a broken tableau', () => {
    const broken = { ...DOPRI5, name: 'broken', a: DOPRI5.a.map((r, j) => (j === 3 ? [r[0], r[1], r[2] + 1e-10] : r)) };
    expect(() => validateTableau(broken)).toThrow(/row sum of a\[3\] = c\[3\]/);
    const badErr = { ...DOPRI5, name: 'badErr', bErr: DOPRI5.bErr!.map((x, j) => (j === 0 ? x + 1e-9 : x)) };
    expect(() => validateTableau(badErr)).toThrow(/ΣbErr = 0/);
  });
});

describe.each([DOPRI5, DOP853])('dense output of $name', (tab: Tableau) => {
  /** One accepted step of the harmonic oscillator from its start. */
  function oneStep(h: number) {
    const n = 2;
    const st = new ErkStepper(tab, harmonic.f, n);
    st.start(0, harmonic.y0);
    const y0 = Float64Array.from(st.y);
    const f0 = Float64Array.from(st.slope());
    expect(st.attempt(h, 1e-6, 1e-6, true)).toBeLessThanOrEqual(1); // an acceptable step at this tolerance
    st.accept(h, h);
    const y1 = Float64Array.from(st.y);
    const f1 = new Float64Array(n);
    harmonic.f(h, y1, f1);
    return { st, y0, y1, f0, f1, n };
  }

  it('reproduces the step start at θ = 0 and the step end at θ = 1', () => {
    const { st, y0, y1, n } = oneStep(0.1);
    const out = new Float64Array(n);
    st.evaluateTheta(0, out);
    expect(Array.from(out)).toEqual(Array.from(y0));
    st.evaluateTheta(1, out);
    for (let i = 0; i < n; i++) expect(Math.abs(out[i] - y1[i])).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(y1[i])));
  });

  it('has the slopes f(t0, y0) and f(t1, y1) at its ends (Hermite conditions)', () => {
    const h = 0.1;
    const { st, y0, y1, f0, f1, n } = oneStep(h);
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    const d = 1e-6;
    st.evaluateTheta(d, a);
    st.evaluateTheta(0, b);
    // one-sided differences over d·h = 1e-7: truncation |y''|·dh/2 ≤ 5e-8
    for (let i = 0; i < n; i++) expect(Math.abs((a[i] - b[i]) / (d * h) - f0[i])).toBeLessThan(1e-6);
    st.evaluateTheta(1 - d, a);
    st.evaluateTheta(1, b);
    for (let i = 0; i < n; i++) expect(Math.abs((b[i] - a[i]) / (d * h) - f1[i])).toBeLessThan(1e-6);
    expect(y0).not.toEqual(y1);
  });
});
