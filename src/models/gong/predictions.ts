/**
 * What Gong, Li, Liu, Teng claim, as checks on the reconstructed model, plus the
 * numerical validations (reduced vs full flow, quadrature, kinks). Every verdict carries the
 * measured number; where a claim fails in the setting checked, it fails with its numbers.
 */
import { fmt } from '../../util/errors.js';
import type { Prediction, Verdict } from '../types.js';
import { ACC_LEVEL, analyse, LEARNED_FACTOR, learnedSpectrum } from './analysis.js';
import { engineFor } from './engine.js';
import { agreement, AGREEMENT_SEEDS, KINK_SMOOTH_TOL, kinkCheck, quadratureCheck } from './numerics.js';
import { rankProbe, topKDamage } from './probe.js';

const GONG = 'Gong, Li, Liu, Teng, arXiv 2502.20681';
const NOTE = 'technical note gong-two-stage.md';

/** Stage-1 freeze tolerances [R: note §7.4, "‖W_Q(t)‖_F ≤ c‖W_Q(0)‖_F + ε"]: c = 2, ε = 0; chance ± 0.1. */
export const FREEZE_FACTOR = 2;
export const CHANCE_BAND = 0.1;
export const RATIO_MIN = 3;

const f = (x: number | null): string => (x === null ? 'never' : fmt(x));

const ordering: Prediction = {
  id: 'p-before-q',
  claim: 'P is learned before Q: the Q evaluation loss reaches 0.1·log 2 at least three times later than the P evaluation loss (t_Q/t_P ≥ 3).',
  source: { paper: GONG, where: 'abstract (v2: "first learn P and then Q"); criterion and factor 3 from the note §7.4', status: 'reconstructed' },
  check(ctx): Verdict {
    const a = analyse(ctx.main());
    return {
      pass: a.tP !== null && a.tQ !== null && a.ratio >= RATIO_MIN,
      measured: a.ratio,
      predicted: `t_Q/t_P ≥ ${RATIO_MIN}`,
      tolerance: 'stage times at loss 0.1·log 2',
      detail: `t_P = ${f(a.tP)}, t_Q = ${f(a.tQ)}; by accuracy ≥ 0.95 (direction only): t_P = ${f(a.tPacc)}, t_Q = ${f(a.tQacc)}`,
    };
  },
};

const freeze: Prediction = {
  id: 'stage1-q-frozen',
  claim: 'During stage 1 (t ≤ t_P) ‖W_Q‖_F stays near its initial scale and the Q evaluation stays near chance.',
  source: { paper: GONG, where: 'ICLR reviews (Reviewer 4: "the model will only be able to learn P at first"); note §5.3 item 2', status: 'reconstructed' },
  check(ctx): Verdict {
    const a = analyse(ctx.main());
    const pass = a.tP !== null && a.stage1FrobQ <= FREEZE_FACTOR && a.stage1AccQDev <= CHANCE_BAND;
    return {
      pass,
      measured: a.stage1FrobQ,
      predicted: `max ‖W_Q(t)‖_F/‖W_Q(0)‖_F ≤ ${FREEZE_FACTOR} and max |acc_Q − ½| ≤ ${CHANCE_BAND} on [0, t_P]`,
      tolerance: `factor ${FREEZE_FACTOR}; chance ± ${CHANCE_BAND}`,
      detail: `on [0, t_P = ${f(a.tP)}]: max ‖W_Q‖_F ratio ${fmt(a.stage1FrobQ)}, max |acc_Q − ½| = ${fmt(a.stage1AccQDev)} (acc_Q(0) = ${fmt(ctx.main().series.acc_Q[0])})`,
    };
  },
};

const retention: Prediction = {
  id: 'stage2-q-learned-p-kept',
  claim: 'In stage 2 Q is learned (its loss reaches 0.1·log 2) while the P accuracy never falls below 0.95 after t_P.',
  source: { paper: GONG, where: 'abstract (v2: "while preserving prior knowledge"), [SS] summary', status: 'reconstructed' },
  check(ctx): Verdict {
    const tr = ctx.main();
    const a = analyse(tr);
    const end = tr.series.acc_Q.length - 1;
    return {
      pass: a.tQ !== null && a.minAccPAfter >= ACC_LEVEL,
      measured: a.minAccPAfter,
      predicted: 'min acc_P on [t_P, end] ≥ 0.95 and t_Q reached',
      tolerance: 'accuracy level 0.95',
      detail: `t_Q = ${f(a.tQ)}; final acc_Q = ${fmt(tr.series.acc_Q[end])} (y=+1: ${fmt(tr.series.acc_Q_pos[end])}, y=−1: ${fmt(tr.series.acc_Q_neg[end])}), final loss_Q = ${fmt(tr.series.loss_Q[end])}`,
    };
  },
};

const spectral: Prediction = {
  id: 'spectral-split',
  claim: 'At the end the top singular values of W come from W_Q and the bottom ones from W_P: every learned Q direction lies above every learned P direction.',
  source: { paper: GONG, where: 'abstract (spectral corollary); [SS]: "small eigenvalues encode elementary, large eigenvalues specialized knowledge"', status: 'reconstructed' },
  check(ctx): Verdict {
    const tr = ctx.main();
    const ls = learnedSpectrum(tr);
    const e = tr.series.qmass1.length - 1;
    return {
      pass: ls.q.length > 0 && ls.p.length > 0 && ls.index > 1,
      measured: ls.index,
      predicted: 'separation index min σ(learned, Q) / max σ(learned, P) > 1',
      tolerance: `learned: σ > ${LEARNED_FACTOR}‖W(0)‖₂ = ${fmt(ls.threshold)}; Q or P by the mass of the singular vectors`,
      detail: `learned Q singular values ${ls.q.map(fmt).join(', ') || 'none'}; learned P ${ls.p.map(fmt).join(', ') || 'none'}; σ₁(W_Q)/σ₁(W_P) = ${fmt(tr.series.separation[e])}; Q mass of the top three ${[tr.series.qmass1[e], tr.series.qmass2[e], tr.series.qmass3[e]].map(fmt).join(', ')}, mean Q mass of the bottom half ${fmt(tr.series.qmass_bottom[e])}`,
    };
  },
};

const rankReduction: Prediction = {
  id: 'rank-reduction',
  claim: 'Keeping only the top-k singular directions of W hurts P more than Q (the analogue of the authors\' GPT-2 rank-preservation experiment).',
  source: { paper: GONG, where: 'authors\' code (do_low_rank, draw_final.ipynb rank-preservation plots); note §6.1', status: 'reconstructed' },
  check(ctx): Verdict {
    const tr = ctx.main();
    const engine = engineFor(tr.params);
    const probe = rankProbe(engine, tr.solution.y[tr.solution.y.length - 1]);
    const [dp, dq] = topKDamage(probe);
    return {
      pass: dp > dq,
      measured: dp - dq,
      predicted: 'mean accuracy lost by P > by Q',
      tolerance: 'strict, averaged over k/2d = 0.1 … 0.9 at the end',
      detail: `mean loss of accuracy: P ${fmt(dp)}, Q ${fmt(dq)}; at k/2d = 0.1: P ${fmt(probe.topP[0])}, Q ${fmt(probe.topQ[0])} (full: P ${fmt(probe.topP[probe.topP.length - 1])}, Q ${fmt(probe.topQ[probe.topQ.length - 1])})`,
    };
  },
};

const reducedFull: Prediction = {
  id: 'reduced-vs-full',
  claim: 'The reduced L = ∞ flow and the full-matrix flow (d = 16, N = 4096 queries, symmetric start) agree on a, p, q, the losses and the block norms within the sampling error.',
  source: { paper: 'gradflow numerics', where: `${NOTE} §4.2 (symmetry reduction)`, status: 'reconstructed' },
  check(ctx): Verdict {
    const g = agreement(ctx);
    return {
      pass: g.maxZ <= 4,
      measured: g.maxZ,
      predicted: '|mean of full runs − reduced| ≤ 4 × sample spread',
      tolerance: `spread = std over ${AGREEMENT_SEEDS.length} independent samples`,
      detail: `worst at ${g.worst}; max relative deviation of a single full run ${fmt(g.maxRel)}, sampling spread up to ${fmt(g.maxSpreadRel)} (relative)`,
    };
  },
};

const quadrature: Prediction = {
  id: 'quadrature-converged',
  claim: 'Doubling the quadrature order changes the reduced vector field by less than 1e-10 (relative).',
  source: { paper: 'gradflow numerics', where: 'quadrature convergence of the reduced flow', status: 'reconstructed' },
  check(ctx): Verdict {
    const q = quadratureCheck(ctx);
    return {
      pass: q.maxRel < 1e-10,
      measured: q.maxRel,
      predicted: '< 1e-10',
      tolerance: `order ${q.order} against ${2 * q.order}`,
      detail: q.rows.map((r) => `${r.setting}: ${fmt(r.relChange)} over ${r.states} states`).join('; '),
    };
  },
};

const kinks: Prediction = {
  id: 'kinks-tolerance',
  claim: 'Integrating the finite-sample flow through its ReLU kinks at moderate tolerance gives the same observables as a tight tolerance.',
  source: { paper: 'gradflow numerics', where: 'one kink per sample and score, O(1/N) each', status: 'reconstructed' },
  check(ctx): Verdict {
    const k = kinkCheck(ctx);
    return {
      pass: k.maxDiff <= 1 + 1e-9, // an accuracy step of exactly one query, up to rounding of 1/count
      measured: k.maxDiff,
      predicted: `losses and norms within ${fmt(KINK_SMOOTH_TOL)} (relative to max(1, |value|)); accuracies within one query`,
      tolerance: `rtol ${fmt(k.tolerances[0])} against ${fmt(k.tolerances[1])}; measured in units of the allowance (≤ 1 passes)`,
      detail: `worst ${k.worst}; RHS evaluations ${k.nfev[0]} and ${k.nfev[1]}`,
    };
  },
};

export const gongPredictions: readonly Prediction[] = [ordering, freeze, retention, spectral, rankReduction, reducedFull, quadrature, kinks];
