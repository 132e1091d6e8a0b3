/**
 * What Saxe, McClelland & Ganguli (ICLR 2014) predict for the deep linear network, as checks.
 * Each verdict carries the measured number, the prediction and the tolerance.
 */
import { detectStages } from '../../stages/index.js';
import { fmt } from '../../util/errors.js';
import { num } from '../params.js';
import type { Prediction, Verdict } from '../types.js';
import { halfLearningTime, modeStrength, target, targetSpectrum, TARGETS } from './target.js';

const SAXE = 'Saxe, McClelland, Ganguli, ICLR 2014';

const closedForm: Prediction = {
  id: 'closed-form-modes',
  claim: 'From a balanced start aligned with the target\'s singular vectors, every singular value of W2W1 follows u(t) = s e^{2st}/(e^{2st} − 1 + s/u0).',
  source: { paper: SAXE, where: '§2, solution of eq. (9)', status: 'verified' },
  check(ctx): Verdict {
    const tr = ctx.run({ init: 'aligned' });
    const S = target(tr.params).S;
    const u0 = num(tr.params, 'u0');
    let worst = 0;
    tr.spectra.W2W1.forEach((sv, i) => {
      for (let k = 0; k < 3; k++) {
        const exact = modeStrength(S[k], u0, tr.t[i]);
        worst = Math.max(worst, Math.abs(sv[k] - exact) / exact);
      }
    });
    return {
      pass: tr.solution.status === 'success' && worst <= 1e-8,
      measured: worst,
      predicted: 'max relative error 0',
      tolerance: '≤ 1e-8 (integrator at rtol 1e-10)',
      detail: `σ1..σ3 of W2W1 at ${tr.t.length} save times, u0 = ${fmt(u0)}`,
    };
  },
};

const halfTimes: Prediction = {
  id: 'half-learning-times',
  claim: 'From small random weights (scale ε) mode k is learned around t½ = ln((s_k − u0)/u0)/(2 s_k) with u0 ≈ ε²: stronger modes first, time ∝ 1/s.',
  source: { paper: SAXE, where: '§2, learning time of a mode (eq. 10)', status: 'verified' },
  check(ctx): Verdict {
    const tr = ctx.main();
    const S = targetSpectrum(tr.params);
    const u0 = num(tr.params, 'eps') ** 2;
    const ratios: number[] = [];
    const times: number[] = [];
    TARGETS.forEach((_, k) => {
      const hit = tr.events.find((e) => e.name === `sigma${k + 1}_half`);
      const measured = hit ? hit.t : NaN;
      times.push(measured);
      ratios.push(measured / halfLearningTime(S[k], u0));
    });
    const worst = ratios.reduce((w, r) => (Number.isFinite(r) ? Math.max(w, Math.abs(Math.log(r))) : Infinity), 0);
    const ordered = times[0] < times[1] && times[1] < times[2];
    return {
      pass: worst <= Math.log(1.5) && ordered,
      measured: Math.exp(worst),
      predicted: 'ratio 1, in order s1, s2, s3',
      tolerance: 'within a factor 1.5',
      detail: `measured t½ = ${times.map(fmt).join(', ')}; closed form ${Array.from(S.slice(0, 3), (s) => fmt(halfLearningTime(s, u0))).join(', ')} (u0 = ε²)`,
    };
  },
};

const stages: Prediction = {
  id: 'stage-like-transitions',
  claim: 'Learning is stage-like: one sharp transition per distinct singular value, separated by plateaus, in order of decreasing singular value.',
  source: { paper: SAXE, where: '§2 and Fig. 3 (stage-like transitions)', status: 'verified' },
  check(ctx): Verdict {
    const tr = ctx.main();
    const observables = { u1: tr.series.u1, u2: tr.series.u2, u3: tr.series.u3 };
    const found = detectStages(tr.t, tr.series.loss, { observables });
    const transitions = found.stages.filter((s) => s.kind === 'transition');
    const movers = transitions.map((s) => s.movers[0]?.name ?? '?');
    const expected = ['u1', 'u2', 'u3'];
    const pass = transitions.length === 3 && movers.every((m, i) => m === expected[i]);
    return {
      pass,
      measured: transitions.length,
      predicted: '3 transitions, led by u1, u2, u3',
      tolerance: 'exact count and order',
      detail: `transitions at t ∈ ${transitions.map((s) => `[${fmt(s.tStart)}, ${fmt(s.tEnd)}]`).join(', ')}; top movers ${movers.join(', ')}`,
    };
  },
};

const conservation: Prediction = {
  id: 'balance-conserved',
  claim: 'Gradient flow conserves W1W1ᵀ − W2ᵀW2.',
  source: { paper: 'Arora, Cohen, Hazan, ICML 2018 (Thm 1); implicit in Saxe et al. 2014', where: 'Theorem 1 (balancedness)', status: 'verified' },
  check(ctx): Verdict {
    const tr = ctx.main();
    const imb = tr.series.imbalance;
    // the norm of the conserved matrix is conserved, so its drift bounds the violation from below
    let drift = 0;
    for (const v of imb) drift = Math.max(drift, Math.abs(v - imb[0]));
    const scale = Math.max(num(tr.params, 's1'), 1);
    return {
      pass: drift / scale <= 1e-8,
      measured: drift / scale,
      predicted: '0',
      tolerance: '≤ 1e-8 relative to s1',
      detail: `‖W1W1ᵀ − W2ᵀW2‖_F went from ${fmt(imb[0])} to ${fmt(imb[imb.length - 1])}`,
    };
  },
};

export const deepLinearPredictions: readonly Prediction[] = [closedForm, halfTimes, stages, conservation];
