import { describe, expect, it } from 'vitest';
import { type Stage, detectStages, firstCrossing, summarizeStages } from '../../src/stages/index.js';
import { DLN_S, DLN_U0, deepLinear, dlnGrid, halfTime, withNoise } from './synthetic.js';

const t = dlnGrid();
const { loss, modes } = deepLinear(t);
const tHalf = DLN_S.map((s) => halfTime(s, DLN_U0)); // ≈ 2.4857, 4.7403, 13.1224

/** The checks every run of the deep-linear example must pass; returns the transitions. */
function expectThreeStages(stages: readonly Stage[]): Stage[] {
  const transitions = stages.filter((s) => s.kind === 'transition');
  expect(transitions).toHaveLength(3);
  // plateau, transition, plateau, transition, plateau, transition, converged
  expect(stages.map((s) => s.kind)).toEqual(['plateau', 'transition', 'plateau', 'transition', 'plateau', 'transition', 'converged']);
  transitions.forEach((s, k) => {
    expect(s.tStart).toBeLessThan(tHalf[k]);
    expect(s.tEnd).toBeGreaterThan(tHalf[k]);
    expect(s.movers[0].name).toBe(`u${k + 1}`);
    expect(s.movers[0].relativeChange).toBeGreaterThan(0.9); // mode k is learned (almost) entirely here
  });
  return transitions;
}

describe('the exact deep linear network (s = 3, 1.5, 0.5; u0 = 1e-6; 400 points on [1e-3, 60])', () => {
  const result = detectStages(t, loss, { observables: modes });

  it('has exactly three transitions, in time order, each containing its half-learning time, with plateaus between', () => {
    const transitions = expectThreeStages(result.stages);
    // Measured (defaults): [1.665, 3.054] ∋ 2.4857, [3.603, 6.254] ∋ 4.7403, [8.240, 16.88] ∋ 13.122.
    expect(transitions.map((s) => [s.tStart, s.tEnd])).toEqual([
      [t[269], t[291]],
      [t[297], t[317]],
      [t[327], t[353]],
    ]);
    expect(transitions[0].tStart).toBeCloseTo(1.665, 3);
    expect(transitions[2].tEnd).toBeCloseTo(16.88, 2);
    // The rate peaks of the first two transitions sit within about a grid step (2.8%) of the
    // half-learning times: measured 2.518 (+1.3%) and 4.880 (+2.9%).
    expect(Math.abs(transitions[0].tPeak / tHalf[0] - 1)).toBeLessThan(0.04);
    expect(Math.abs(transitions[1].tPeak / tHalf[1] - 1)).toBeLessThan(0.04);
  });

  it('has plateaus at the levels of the modes still to learn: 5.75, 1.25, 0.125 (Σ s²/2 over the rest)', () => {
    const plateaus = result.stages.filter((s) => s.kind === 'plateau');
    expect(plateaus.map((s) => s.lossLevel)).toHaveLength(3);
    // Measured medians: 5.74999, 1.2194 (a short plateau between close drops), 0.124347.
    expect(plateaus[0].lossLevel).toBeCloseTo(5.75, 4);
    expect(plateaus[1].lossLevel / 1.25).toBeGreaterThan(0.97);
    expect(plateaus[1].lossLevel / 1.25).toBeLessThan(1);
    expect(plateaus[2].lossLevel / 0.125).toBeGreaterThan(0.99);
    expect(plateaus[2].lossLevel / 0.125).toBeLessThan(1);
    for (const p of plateaus) expect(p.peakRate).toBeLessThan(0.5);
  });

  it('labels the exponential tail converged: it starts once L ≤ 1e-3 × the last transition’s start loss, and the rate keeps growing', () => {
    const last = result.stages[result.stages.length - 1];
    const third = result.stages[result.stages.length - 2];
    expect(last.kind).toBe('converged');
    expect(last.iEnd).toBe(t.length - 1);
    expect(last.tStart).toBe(third.tEnd);
    expect(last.lossStart).toBeLessThanOrEqual(1e-3 * third.lossStart);
    expect(loss[last.iStart - 1]).toBeGreaterThan(1e-3 * third.lossStart);
    expect(last.lossEnd).toBeLessThan(1e-40); // L ≈ 2.4e-42 at t = 60: no floor, no NaN
    // r = −d ln L/d ln t ≈ 4 u₃ t → 2t for the last mode alone: ≈ 120 at t = 60.
    expect(result.rate[t.length - 1]).toBeGreaterThan(110);
    expect(result.rate[t.length - 1]).toBeLessThan(121);
  });

  it('tiles the grid: each stage ends where the next starts, from t[0] to t[n-1]', () => {
    const { stages } = result;
    expect(stages[0].iStart).toBe(0);
    expect(stages[stages.length - 1].iEnd).toBe(t.length - 1);
    for (let k = 1; k < stages.length; k++) expect(stages[k].iStart).toBe(stages[k - 1].iEnd);
    for (const s of stages) {
      expect(s.tStart).toBe(t[s.iStart]);
      expect(s.lossEnd).toBe(loss[s.iEnd]);
    }
    // changes add up over stages: Σ change of u1 = u1(end) − u1(start)
    const total = stages.reduce((acc, s) => acc + (s.movers.find((m) => m.name === 'u1')?.change ?? 0), 0);
    expect(total).toBeCloseTo(modes.u1[t.length - 1] - modes.u1[0], 12);
  });

  it('returns the rate it used (smoothed, finite everywhere on this grid) and the options it used', () => {
    expect(result.rate).toHaveLength(t.length);
    expect(result.rate.every(Number.isFinite)).toBe(true);
    expect(result.options).toMatchObject({ rateHigh: 1, rateLow: 0.1, rateValley: 0.5, smooth: 3, minDrop: 1e-3 });
    // between the first two drops the rate never falls to rateLow: the valley splits them
    const between = Array.from(result.rawRate.slice(291, 297));
    expect(Math.min(...between)).toBeGreaterThan(0.19);
    expect(Math.min(...between)).toBeLessThan(0.21);
  });

  it('still finds the three transitions with multiplicative noise 1e-4 and 1e-2 (seeded), and with no smoothing at 1e-4', () => {
    for (const seed of [1, 2, 3]) {
      expectThreeStages(detectStages(t, withNoise(loss, 1e-4, seed), { observables: modes }).stages);
      expectThreeStages(detectStages(t, withNoise(loss, 1e-2, seed), { observables: modes }).stages);
      expectThreeStages(detectStages(t, withNoise(loss, 1e-4, seed), { observables: modes, smooth: 1 }).stages);
    }
  });

  it('merges the first two transitions if the valley test is turned off (rateValley = rateLow)', () => {
    const { stages } = detectStages(t, loss, { observables: modes, rateValley: 0.1 });
    const transitions = stages.filter((s) => s.kind === 'transition');
    expect(transitions).toHaveLength(2);
    expect(transitions[0].tStart).toBeLessThan(tHalf[0]);
    expect(transitions[0].tEnd).toBeGreaterThan(tHalf[1]);
  });

  it('locates the half-learning times on the grid by firstCrossing to within 1e-5 relative', () => {
    DLN_S.forEach((s, k) => {
      const tk = firstCrossing(t, modes[`u${k + 1}`], s / 2, 'rising');
      expect(tk).not.toBeNull();
      // Measured: 2.485671, 4.740254, 13.122046 against 2.485687, 4.740325, 13.122361.
      expect(Math.abs(tk! / tHalf[k] - 1)).toBeLessThan(3e-5);
      expect(firstCrossing(t, modes[`u${k + 1}`], s / 2, 'falling')).toBeNull();
    });
  });

  it('summarizes the stages as a Markdown table, one row per stage', () => {
    const md = summarizeStages(result.stages);
    const lines = md.trimEnd().split('\n');
    expect(lines).toHaveLength(2 + result.stages.length);
    expect(lines[0]).toMatch(/^\| # \| kind \| t start \| t end \|/);
    expect(lines[3]).toMatch(/^\| 2 \| transition \| 1\.665 \| 3\.054 \| 5\.685 \| 1\.24 \| .* \| u1 \+0\.96\d*, u2 \+/);
    expect(lines[8]).toMatch(/^\| 7 \| converged \| 16\.88 \| 60 \| 6\.544e-5 \| 2\.396e-42 \|/);
  });
});
