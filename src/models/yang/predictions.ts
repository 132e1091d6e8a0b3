/**
 * What Yang, Wang, Lee, Liang (ICLR 2025) claim, as checks on the reconstructed model. Claims
 * from the abstract and reviews are [V] in substance; the quantitative forms are the technical
 * note's reconstruction [R] (closed forms, velocities, the 9-scalar reduction).
 */
import { fmt } from '../../util/errors.js';
import { logLogSlope } from '../../util/fit.js';
import type { Prediction, Verdict } from '../types.js';
import { stageOneClosedForm } from './closed-form.js';
import { gradientField } from './flow.js';
import { nineOf, nineScalarLoss as nineLoss } from './nine-scalar.js';
import { TokenSpanNetwork } from './network.js';
import { summarize } from './observables.js';
import {
  FLOW_SOLVER, K3_SIMULTANEOUS, kinkRecord, NEURONS_FIRST, SLIDING_ETAS, SLIDING_HORIZON, STAGE3_EXTENSION, yangRuns,
} from './runs.js';
import type { StagedRun } from './training.js';
import { maxAbs } from '../../util/array.js';

const PAPER = 'Yang, Wang, Lee, Liang, ICLR 2025';
const NOTE = 'technical note yang-two-mixture.md';
/** A separable set has SVM margin above this (the margin of a non-separable set computes to ≲ 1e-15). */
export const SEPARABLE = 1e-9;

const notComputable = (detail: string): Verdict => ({ pass: false, measured: NaN, predicted: '—', tolerance: '—', detail: `not computable: ${detail}`, notMeasurable: detail });

/** The three-stage run, or a verdict saying why it is missing or incomplete. */
function threeStage(ctx: Parameters<Prediction['check']>[0]): StagedRun | Verdict {
  const r = yangRuns(ctx).threeStage();
  if ('error' in r) return notComputable(r.error);
  if (r.status !== 'success') return notComputable(`the three-stage flow stopped: ${r.message}`);
  return r;
}
const isVerdict = (x: unknown): x is Verdict => typeof x === 'object' && x !== null && 'pass' in x && 'measured' in x;

/** Indices of the saved states of stage s (1-based), including the boundary state that starts it. */
function stageIndices(run: StagedRun, s: number): number[] {
  const idx: number[] = [];
  run.stage.forEach((st, i) => { if (st === s) idx.push(i); });
  if (s > 1) {
    const first = idx[0];
    if (first !== undefined && first > 0) idx.unshift(first - 1);
  }
  return idx;
}

const stage1HardLoss: Prediction = {
  id: 'stage1-hard-loss-log2',
  claim: 'Under the averaged initialisation, Stage 1 (neurons only, uniform attention) fits the consistent samples while every hard sample keeps output F = 0: the hard-sample loss stays at log 2 for the whole stage.',
  source: { paper: `${PAPER}; ${NOTE}`, where: 'abstract (Stage 1: neurons align with the signals; attention needed for hard samples) [V]; note §2.3, §4.5 (F = 0 exactly) [R]', status: 'reconstructed' },
  check(ctx) {
    const run = threeStage(ctx);
    if (isVerdict(run)) return run;
    const net = new TokenSpanNetwork(run.config);
    let worst = 0;
    let lastCons = NaN;
    const idx = stageIndices(run, 1);
    for (const i of idx) {
      const s = summarize(net, run.y[i]);
      worst = Math.max(worst, Math.abs(s.lossHard - Math.LN2));
      lastCons = s.lossConsistent;
    }
    return {
      pass: worst <= 1e-12,
      measured: worst,
      predicted: 'max |L_hard − log 2| = 0',
      tolerance: '≤ 1e-12',
      detail: `${idx.length} save points on τ ∈ [0, ${fmt(run.stages[0].end)}]; consistent-sample loss at the end of Stage 1 ${fmt(lastCons)}`,
    };
  },
};

const stage1ClosedForm: Prediction = {
  id: 'stage1-closed-form',
  claim: 'In Stage 1 from the averaged initialisation, u = 2α + β follows u + e^u = (5/8)τ + u0 + e^{u0} (sum over queries, η_w = 1; in general v + e^v = (5/8)·agg²·η_w·τ + v0 + e^{v0} with v = agg·u), with β = (α − α0)/2.',
  source: { paper: NOTE, where: '§4.5 closed form, time units of "Read first" 2', status: 'reconstructed' },
  check(ctx) {
    const run = threeStage(ctx);
    if (isVerdict(run)) return run;
    const c = run.config;
    if (c.K !== 2) return notComputable(`the closed form is derived for K = 2 (got K = ${c.K})`);
    const agg = c.aggregate === 'sum' ? 1 : 1 / c.L;
    const cf = stageOneClosedForm(c.sigma0, agg, c.neuronRate);
    const net = new TokenSpanNetwork(c);
    let worst = 0;
    let worstBeta = 0;
    let uEnd = NaN;
    for (const i of stageIndices(run, 1)) {
      net.forward(run.y[i]);
      const W = net.W[0];
      const alpha = 0.5 * (W[2] + W[3]);
      const beta = 0.5 * (W[0] + W[1]);
      const u = 2 * alpha + beta;
      const exact = cf.u(run.t[i]);
      worst = Math.max(worst, Math.abs(u - exact) / Math.max(1, Math.abs(exact)));
      worstBeta = Math.max(worstBeta, Math.abs(beta - (alpha - c.sigma0) / 2));
      uEnd = u;
    }
    const tau1 = run.stages[0].end;
    return {
      pass: worst <= 1e-8 && worstBeta <= 1e-8,
      measured: worst,
      predicted: 'u(τ) from u + e^u = (5/8)τ + u0 + e^{u0}',
      tolerance: `relative error ≤ 1e-8 (flow at rtol ${FLOW_SOLVER.rtol}); |β − (α − α0)/2| ≤ 1e-8`,
      detail: `u(${fmt(tau1)}) = ${fmt(uEnd)} (closed form ${fmt(cf.u(tau1))}); max |β − (α − α0)/2| = ${fmt(worstBeta)}`,
    };
  },
};

/** Velocity of every A_+ entry at the start of Stage 2, by name for K = 2. */
export function stageTwoVelocities(run: StagedRun): { all: Float64Array; p: number; K: number } {
  const c = run.config;
  const start = stageIndices(run, 2)[0];
  const f = gradientField(c, 'attention');
  const dy = new Float64Array(c.n);
  f(run.t[start], run.y[start], dy);
  const p = c.p;
  const all = new Float64Array(p * p);
  if (c.keyQuery === 'combined') all.set(dy.subarray(c.attnOffset(0), c.attnOffset(0) + p * p));
  return { all, p, K: c.K };
}

const stage2Velocities: Prediction = {
  id: 'stage2-identifier-key-fastest',
  claim: 'At the start of Stage 2 the hard samples drive the identifier–signal features, fastest where the class identifier is the key and a signal the query (b, b′): these entries of A have the largest initial velocities.',
  source: { paper: `${PAPER} (Reviewer 1: "the class identifier\'s role as the key [is] crucial"); ${NOTE}`, where: 'Stage 2 theorem [V: abstract]; note §4.6 velocity table [R]', status: 'reconstructed' },
  check(ctx) {
    const run = threeStage(ctx);
    if (isVerdict(run)) return run;
    if (run.config.keyQuery !== 'combined') return notComputable('the entry velocities are defined for the combined key-query matrix');
    const { all, p, K } = stageTwoVelocities(run);
    let minKey = Infinity;
    let maxOther = 0;
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) {
      const v = Math.abs(all[i * p + j]);
      if (i < K && j >= K) minKey = Math.min(minKey, v); // key c_k, query μ_j
      else maxOther = Math.max(maxOther, v);
    }
    const named = K === 2 ? `ḃ = ${fmt(all[2])}, ḃ′ = ${fmt(all[3])}, ġ = ${fmt(all[8])}, ġ′ = ${fmt(all[12])}, ȧ = ${fmt(all[0])}, ė = ${fmt(all[10])}, ḟ = ${fmt(all[11])} (note: 0.0367, −0.0368, −0.0183, 0.0184, −5e-5, 5e-5, 5e-5)` : '';
    return {
      pass: minKey > maxOther,
      measured: minKey / maxOther,
      predicted: 'min |v| over identifier-key entries / max |v| over all other entries > 1',
      tolerance: 'strict',
      detail: `at τ = ${fmt(run.stages[1].start)}: ${named}`,
    };
  },
};

const stage2HardLoss: Prediction = {
  id: 'stage2-hard-loss-falls',
  claim: 'In Stage 2 the attention learns to use the identifier–signal correspondence and solves the hard samples: the hard-sample loss falls from log 2.',
  source: { paper: PAPER, where: 'abstract, Stage 2 (attention feature learning) [V]; note run C: 0.693 → 0.024 [R]', status: 'verified' },
  check(ctx) {
    const run = threeStage(ctx);
    if (isVerdict(run)) return run;
    const net = new TokenSpanNetwork(run.config);
    const idx = stageIndices(run, 2);
    const a = summarize(net, run.y[idx[0]]);
    const b = summarize(net, run.y[idx[idx.length - 1]]);
    return {
      pass: Math.abs(a.lossHard - Math.LN2) <= 1e-12 && b.lossHard < a.lossHard,
      measured: b.lossHard,
      predicted: `< log 2 = ${fmt(Math.LN2)}, from log 2 at the start of Stage 2`,
      tolerance: 'start within 1e-12 of log 2; end strictly below',
      detail: `hard loss ${fmt(a.lossHard)} → ${fmt(b.lossHard)} over τ ∈ [${fmt(run.stages[1].start)}, ${fmt(run.stages[1].end)}]; min hard margin yF ${fmt(a.marginHardMin)} → ${fmt(b.marginHardMin)}; accuracy ${fmt(a.accuracy)} → ${fmt(b.accuracy)}`,
    };
  },
};

const stage2Separable: Prediction = {
  id: 'stage2-features-separable',
  claim: 'In Stage 2 the attention features evolve from a non-separable state (at initialisation) to a well-separated state.',
  source: { paper: PAPER, where: 'abstract, Stage 2 [V]; separability measured as the hard-margin SVM margin of the features (note §7.3) [R]', status: 'verified' },
  check(ctx) {
    const run = threeStage(ctx);
    if (isVerdict(run)) return run;
    const net = new TokenSpanNetwork(run.config);
    const idx = stageIndices(run, 2);
    const a = summarize(net, run.y[idx[0]]).svmMargin;
    const b = summarize(net, run.y[idx[idx.length - 1]]).svmMargin;
    return {
      pass: a <= SEPARABLE && b > SEPARABLE,
      measured: b,
      predicted: 'SVM margin ≤ 0 (not separable) at the start of Stage 2, > 0 at its end',
      tolerance: `separable means margin > ${fmt(SEPARABLE)}`,
      detail: `margin ${fmt(a)} at τ = ${fmt(run.t[idx[0]])} → ${fmt(b)} at τ = ${fmt(run.t[idx[idx.length - 1]])}`,
    };
  },
};

export { logLogSlope };

const stage3Rate: Prediction = {
  id: 'stage3-loss-rate',
  claim: 'In Stage 3 (neurons again, attention frozen) the population loss goes to 0 like 1/τ, τ measured from the start of Stage 3.',
  source: { paper: `${PAPER}; ${NOTE}`, where: 'abstract, Stage 3 ("loss driven towards zero") [V]; rate Θ(1/t) §4.7 [R]', status: 'reconstructed' },
  check(ctx) {
    // The claim is asymptotic. Stage 3 is logistic regression on separable features, L ≈ C/(x + δ)
    // with x = τ − τ₂ and an offset δ set by the loss at the start of the stage, so the log–log
    // slope over a window is about −x/(x + δ): over the note's Stage 3 (x ≤ 1200) it is still
    // −0.8. The exponent is therefore fitted where the claim is about, on Stage 3 continued to
    // ${STAGE3_EXTENSION}× its length (second half of that run); the note-length value is reported too.
    const run = threeStage(ctx);
    if (isVerdict(run)) return run;
    const net = new TokenSpanNetwork(run.config);
    const s3 = run.stages[2];
    const T3 = s3.end - s3.start;
    const xs: number[] = [];
    const ls: number[] = [];
    stageIndices(run, 3).forEach((i) => {
      const x = run.t[i] - s3.start;
      if (x >= T3 / 2) { xs.push(x); ls.push(net.forward(run.y[i])); }
    });
    const shortSlope = logLogSlope(xs, ls);
    const ext = yangRuns(ctx).stage3Extended();
    if ('error' in ext) return notComputable(ext.error);
    if (ext.solution.status !== 'success') return notComputable(`the extended Stage 3 did not finish: ${ext.solution.message}`);
    const ex: number[] = [];
    const el: number[] = [];
    ext.solution.t.forEach((t, i) => {
      const x = t - s3.start;
      if (x >= ext.length / 2) { ex.push(x); el.push(net.forward(ext.solution.y[i])); }
    });
    const slope = logLogSlope(ex, el);
    return {
      pass: Math.abs(slope + 1) <= 0.2,
      measured: slope,
      predicted: 'exponent −1',
      tolerance: '± 0.2',
      detail: `least-squares slope of log L against log(τ − τ₂) over τ − τ₂ ∈ [${fmt(ex[0])}, ${fmt(ex[ex.length - 1])}] (${ex.length} points; Stage 3 continued to ${fmt(ext.length)}); over the second half of the note's Stage 3 (τ − τ₂ ≤ ${fmt(T3)}) the same fit gives ${fmt(shortSlope)}, the pre-asymptotic −x/(x + δ)`,
    };
  },
};

const neuronsFirst: Prediction = {
  id: 'neurons-before-attention',
  claim: 'Training all weights simultaneously from a small random initialisation, the neurons learn before the attention: the mean neuron norm exceeds κ = 0.1 before max |A| does.',
  source: { paper: `${PAPER}; ${NOTE}`, where: 'experiments ("a clear stage-wise learning phenomenon where the neuron weights learn before the attention modules") [V: k117 page]; criterion of "Read first" 4 [R]', status: 'verified' },
  check(ctx) {
    const r = yangRuns(ctx).neuronsFirst();
    if ('error' in r) return notComputable(r.error);
    const { tNeurons, tAttention } = r;
    return {
      pass: Number.isFinite(tNeurons) && Number.isFinite(tAttention) && tNeurons < tAttention,
      measured: tNeurons / tAttention,
      predicted: 'τ(neuron norm > 0.1) / τ(max|A| > 0.1) < 1',
      tolerance: 'strict',
      detail: `random init, m = ${NEURONS_FIRST.m} per head (readout ±1/m), σ0 = ${fmt(r.c.sigma0)}, seed ${ctx.params.seed}; GD with η = ${NEURONS_FIRST.eta} (τ = η·steps): neurons at τ = ${fmt(tNeurons)}, attention at τ = ${fmt(tAttention)} (note, one seeded run: 34.5 and 81.9)`,
    };
  },
};

const slidingVsGd: Prediction = {
  id: 'sliding-flow-matches-gd',
  claim: 'Simultaneous training from the averaged initialisation, continued through its sliding modes (ReLU units pinned on their kinks from τ ≈ 601.76), agrees with discrete gradient descent extrapolated to η → 0.',
  source: { paper: `${PAPER} (the three-stage algorithm "can effectively characterize the actual gradient descent dynamics") ; ${NOTE}`, where: 'abstract [V]; "Read first" 3 (pinning times, Richardson agreement 5e-6) [R]', status: 'reconstructed' },
  check(ctx) {
    const r = yangRuns(ctx).sliding();
    if ('error' in r) return notComputable(r.error);
    const { flow, gd } = r;
    if (flow.status !== 'success') return notComputable(`the sliding-mode continuation is unavailable: ${flow.message}`);
    if (gd.some((g) => g.solution.status !== 'success')) return notComputable(`gradient descent failed: ${gd.map((g) => g.solution.message).join('; ')}`);
    const yF = flow.yEnd;
    const [big, small] = gd.map((g) => g.solution.yEnd);
    const rich = yF.map((_, i) => 2 * small[i] - big[i]);
    const scale = maxAbs(yF);
    const dist = (a: ArrayLike<number>): number => {
      let d = 0;
      for (let i = 0; i < yF.length; i++) d = Math.max(d, Math.abs(a[i] - yF[i]));
      return d / scale;
    };
    const dRich = dist(rich);
    const kr = kinkRecord(flow);
    const pins = kr ? [...new Set(kr.events.filter((e) => e.kind === 'pin').map((e) => fmt(Number(e.t.toFixed(4)))))] : [];
    return {
      pass: dRich <= 1e-4 && dist(small) < dist(big),
      measured: dRich,
      predicted: `flow state at τ = ${SLIDING_HORIZON} = lim_{η→0} GD`,
      tolerance: 'max |θ_flow − (2·GD(η/2) − GD(η))| ≤ 1e-4 relative to max |θ|, and GD closer at the smaller η',
      detail: `GD distances ${gd.map((g, k) => `η = ${g.eta}: ${fmt(dist(g.solution.yEnd))}`).join(', ')}; Richardson (η = ${SLIDING_ETAS.join(', ')}) ${fmt(dRich)}; sliding modes started at τ = ${pins.join(', ') || 'none'} (${kr ? `${kr.stats.maxPinned} units pinned at most` : 'no kink record'})`,
    };
  },
};

const k3Contrast: Prediction = {
  id: 'k3-stagewise-fails-simultaneous-learns',
  claim: 'With K = 3 mixtures, plain simultaneous training still learns the distribution, while the averaged three-stage algorithm leaves the samples whose other two signals both disagree with y stuck at log 2.',
  source: { paper: `${PAPER}; ${NOTE}`, where: 'abstract ("difficulty … even when the number of mixtures equals three, although the transformer can still successfully learn") and Appendix A.3 [V]; note runs D and E [R]', status: 'verified' },
  check(ctx) {
    const r = yangRuns(ctx).k3();
    if ('error' in r) return notComputable(r.error);
    const { three, simultaneous, c3, cSim } = r;
    if (three.status !== 'success') return notComputable(`the K = 3 three-stage flow stopped: ${three.message}`);
    if (simultaneous.status !== 'success') return notComputable(`K = 3 gradient descent stopped: ${simultaneous.message}`);
    const net3 = new TokenSpanNetwork(c3);
    const end3 = summarize(net3, three.y[three.y.length - 1]);
    // stuck: every all-disagree sample has yF ≤ 0 (loss ≥ log 2); every other sample is learned
    let maxStuck = -Infinity;
    let minOther = Infinity;
    net3.forward(three.y[three.y.length - 1]);
    net3.data.types.forEach((tp, t) => {
      const margin = tp.y * net3.F[t];
      if (tp.disagree === c3.K - 1) maxStuck = Math.max(maxStuck, margin);
      else minOther = Math.min(minOther, margin);
    });
    const nAll = net3.data.types.filter((tp) => tp.disagree === c3.K - 1).length;
    const floor = (nAll / net3.T) * Math.LN2; // the loss the three-stage run cannot go below
    const netS = new TokenSpanNetwork(cSim);
    const endS = summarize(netS, simultaneous.yEnd);
    const stuck = maxStuck <= 1e-12 && minOther > 0;
    const learns = endS.loss < floor && endS.accuracy === 1;
    return {
      pass: stuck && learns,
      measured: endS.loss,
      predicted: `simultaneous loss < ${fmt(floor)} (= share of all-disagree types × log 2) with accuracy 1; three-stage all-disagree samples at yF ≤ 0`,
      tolerance: 'strict; yF ≤ 1e-12 for stuck',
      detail: `three-stage (averaged, flow) at τ = ${fmt(three.t[three.t.length - 1])}: loss ${fmt(end3.loss)}, all-disagree loss ${fmt(end3.lossAllDisagree)} (log 2 = ${fmt(Math.LN2)}), max yF over them ${fmt(maxStuck)}, min yF over the others ${fmt(minOther)}; simultaneous (random init, m = ${K3_SIMULTANEOUS.m}, GD η = ${K3_SIMULTANEOUS.eta}) at τ = ${fmt(simultaneous.tEnd)}: loss ${fmt(endS.loss)}, all-disagree loss ${fmt(endS.lossAllDisagree)}, accuracy ${fmt(endS.accuracy)}`,
    };
  },
};

const nineScalar: Prediction = {
  id: 'nine-scalar-reduction',
  claim: 'Under the averaged initialisation the token-span flow stays on the 9-scalar manifold: the 9-scalar system (generated from the closed-form loss of §4.4) reproduces the loss and all nine scalars along the whole three-stage trajectory.',
  source: { paper: NOTE, where: '§4.4, "Read first" 2 (dθ/dτ = −¼ ∂L₉/∂θ)', status: 'reconstructed' },
  check(ctx) {
    const runs = yangRuns(ctx);
    const ts = runs.threeStage();
    if ('error' in ts) return notComputable(ts.error);
    const ns = runs.nineScalar();
    if ('error' in ns) return notComputable(ns.error);
    if (ts.status !== 'success' || ns.status !== 'success') return notComputable(`a run stopped: token-span ${ts.message}; 9-scalar ${ns.message}`);
    const net = new TokenSpanNetwork(ts.config);
    let worstLoss = 0;
    let worstTheta = 0;
    let matched = 0;
    let j = 0;
    ts.t.forEach((t, i) => {
      while (j < ns.t.length && ns.t[j] < t - 1e-9 * Math.max(1, t)) j++;
      if (j >= ns.t.length || Math.abs(ns.t[j] - t) > 1e-9 * Math.max(1, t)) return;
      matched++;
      const th = nineOf(ts.y[i], ts.config.neuronOffset(0));
      const th9 = ns.y[j];
      for (let k = 0; k < 9; k++) worstTheta = Math.max(worstTheta, Math.abs(th[k] - th9[k]));
      worstLoss = Math.max(worstLoss, Math.abs(net.forward(ts.y[i]) - nineLoss(th9)));
    });
    const worst = Math.max(worstLoss, worstTheta);
    return {
      pass: matched === ts.t.length && worst <= 1e-8,
      measured: worst,
      predicted: 'identical trajectories',
      tolerance: `max |Δ loss|, max |Δθ_j| ≤ 1e-8 (both flows at rtol ${FLOW_SOLVER.rtol})`,
      detail: `${matched} of ${ts.t.length} save points compared on τ ∈ [0, ${fmt(ts.t[ts.t.length - 1])}]: max |Δ loss| ${fmt(worstLoss)}, max |Δθ| ${fmt(worstTheta)}; RHS evaluations ${ts.stats.nfev} (token span) vs ${ns.stats.nfev} (9 scalars)`,
    };
  },
};


export const yangPredictions: readonly Prediction[] = [
  stage1HardLoss, stage1ClosedForm, stage2Velocities, stage2HardLoss, stage2Separable, stage3Rate,
  neuronsFirst, slidingVsGd, k3Contrast, nineScalar,
];
