/**
 * Yang, Wang, Lee, Liang, "Transformers Provably Learn Two-Mixture of Linear Classification via
 * Gradient Flow" (ICLR 2025), as a gradflow Model: a symmetric two-headed transformer with ReLU
 * neurons on the K-mixture of linear classification, reduced exactly to the p = 2K token span.
 *
 * The paper's full text was not available: the model is the technical note's reconstruction
 * (/work/shared/papers/yang-two-mixture.md, "Model R"), with every unverified choice a switch
 * (params.ts). Tags: [V] verified in a named source, [R] reconstructed.
 */
import { matrixView } from '../../spectral/index.js';
import type { EventSpec, RhsFn, Vec } from '../../solve/types.js';
import { makeRng, type Rng } from '../../util/rng.js';
import type { Model, Params, ScalarObservable } from '../types.js';
import { yangFiniteSample } from './ambient.js';
import { stageOneClosedForm } from './closed-form.js';
import { yangConfig, yangLayout, type YangConfig } from './config.js';
import { yangFigures } from './figures.js';
import { gradientField, threeStageField, type YangField } from './flow.js';
import { yangInit } from './init.js';
import { TokenSpanNetwork } from './network.js';
import { normsByTime } from './norms.js';
import { summarize, type StateSummary } from './observables.js';
import { YANG_PARAMS } from './params.js';
import { yangPredictions } from './predictions.js';
import { yangReportSections } from './report.js';
import { stageGrid, trainStaged } from './training.js';

/** One network per parameter object (observables and the loss run on the save grid only). */
const networks = new WeakMap<Params, TokenSpanNetwork>();
function networkFor(p: Params): TokenSpanNetwork {
  let net = networks.get(p);
  if (!net) {
    net = new TokenSpanNetwork(yangConfig(p));
    networks.set(p, net);
  }
  return net;
}

/**
 * Summaries per state (every observable of a save point comes from one forward pass). Keyed by
 * the array and checked against a copy of its contents: integrators reuse one buffer for the
 * states at which events are evaluated, so identity alone would return a stale summary.
 */
const summaries = new WeakMap<Vec, { copy: Float64Array; summary: StateSummary }>();
function summaryOf(p: Params, y: Vec): StateSummary {
  const hit = summaries.get(y);
  if (hit && hit.copy.length === y.length && hit.copy.every((v, i) => v === y[i])) return hit.summary;
  const summary = summarize(networkFor(p), y);
  summaries.set(y, { copy: Float64Array.from(y), summary });
  return summary;
}

/** Stage boundaries [end of Stage 1, end of Stage 2] of a three-stage schedule. */
const boundaryCache = new Map<string, [number, number]>();
export function stageBoundaries(c: YangConfig, p: Params): [number, number] {
  if (c.stageEnds === 'durations') return [c.tau1, c.tau1 + c.tau2];
  const key = JSON.stringify(p);
  let b = boundaryCache.get(key);
  if (!b) {
    const run = trainStaged(c, yangInit(c, makeSeededRng(p)), { training: 'three-stage' });
    b = [run.stages[0].end, run.stages[1]?.end ?? Infinity];
    boundaryCache.set(key, b);
  }
  return b;
}

const makeSeededRng = (p: Params): Rng => makeRng(typeof p.seed === 'number' ? p.seed : 0);

/** The field of the configured training mode (time-dependent masks for three-stage). */
export function yangField(p: Params): YangField {
  const c = yangConfig(p);
  if (c.training === 'three-stage') return threeStageField(c, stageBoundaries(c, p), new TokenSpanNetwork(c));
  return gradientField(c, c.training, new TokenSpanNetwork(c));
}

function observables(p: Params): ScalarObservable[] {
  const c = yangConfig(p);
  const obs = (name: string, doc: string, f: (s: StateSummary) => number): ScalarObservable => ({ name, doc, value: (y) => f(summaryOf(p, y)) });
  const list: ScalarObservable[] = [
    obs('loss_consistent', 'mean loss over consistent samples (all signals agree with y)', (s) => s.lossConsistent),
    obs('loss_hard', 'mean loss over hard samples (some other signal disagrees with y)', (s) => s.lossHard),
  ];
  if (c.K > 2) list.push(obs('loss_all_disagree', 'mean loss over samples whose other signals all disagree with y', (s) => s.lossAllDisagree));
  list.push(
    obs('margin_min', 'min over sample types of yF', (s) => s.marginMin),
    obs('accuracy', 'fraction of sample types with yF > 0', (s) => s.accuracy),
    obs('neuron_norm', 'mean ‖ω‖ over the neurons of both heads', (s) => s.neuronNorm),
    obs('align_mu', 'head +: mean over neurons and j of ⟨ω, μ_j⟩', (s) => mean(s.alignMu[0])),
    obs('align_c', 'head +: mean over neurons and k of ⟨ω, c_k⟩', (s) => mean(s.alignC[0])),
    obs('attn_max', 'max |A_h entry| over both heads', (s) => s.attnMax),
    ...(['a', 'b', 'bp', 'g', 'gp', 'e', 'f'] as const).map((k) => obs(`logit_${k}`, `head + logit ${k} (note §4.4 table; mean over mixtures for K > 2)`, (s) => s.logits[0][k])),
    obs('svm_margin', 'hard-margin SVM margin (with bias) of the attention features ζ^±_l of all types; 0 = not separable', (s) => s.svmMargin),
    obs('sym_residual', '‖A_− − DA_+D‖_F + ‖ω_− − Dω_+‖_F (head mirror symmetry residual)', (s) => s.symResidualA + s.symResidualW),
  );
  return list;
}

const mean = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0) / a.length;

function events(p: Params): EventSpec[] {
  const norms = normsByTime(new TokenSpanNetwork(yangConfig(p)));
  return [
    { name: 'neuron_norm_0.1', direction: 1, g: (t, y) => norms(t, y).norm - 0.1 },
    { name: 'attn_max_0.1', direction: 1, g: (t, y) => norms(t, y).attn - 0.1 },
  ];
}

export const yang: Model = {
  id: 'yang',
  title: 'Two-headed transformer on a two-mixture classification (Yang et al. 2025)',
  cite: 'H. Yang, Z. Wang, J. D. Lee, Y. Liang, Transformers Provably Learn Two-Mixture of Linear Classification via Gradient Flow, ICLR 2025 (OpenReview AuAj4vRPkv); model reconstructed in the technical note yang-two-mixture.md (§1.2, §2.2, §4.1, §4.4, §4.5)',
  params: YANG_PARAMS,
  layout: (p) => yangLayout(yangConfig(p)),
  init: (p, rng) => yangInit(yangConfig(p), rng),
  loss: (y, p) => networkFor(p).forward(y),
  flow: (p): RhsFn => yangField(p),
  /** The pre-activations as switching functions: exact crossings and Filippov sliding modes (see flow.ts). */
  switching: (p) => yangField(p).switched,
  observables,
  matrices: (p) => {
    const c = yangConfig(p);
    const head = (h: number) => (y: Vec) => {
      const net = networkFor(p);
      net.forward(y);
      return matrixView(Float64Array.from(net.A[h]), c.p, c.p, 0);
    };
    return [
      { name: 'Aplus', doc: 'A_+ (key × query) in the token span', matrix: head(0) },
      { name: 'Aminus', doc: 'A_− (key × query) in the token span', matrix: head(1) },
    ];
  },
  events,
  horizon: (p) => {
    const c = yangConfig(p);
    const tEnd = c.tau1 + c.tau2 + c.tau3;
    const saveAt = c.training === 'three-stage' && c.stageEnds === 'durations'
      ? merge([stageGrid(0, c.tau1), stageGrid(c.tau1, c.tau1 + c.tau2), stageGrid(c.tau1 + c.tau2, tEnd)])
      : stageGrid(0, tEnd);
    return { tEnd, saveAt, solver: { method: 'dopri5', rtol: 1e-8, atol: 1e-10, maxSteps: 200_000 } };
  },
  predictions: yangPredictions,
  finiteSample: yangFiniteSample,
  // both stages of the simultaneous flow (neurons at τ ≈ 0.5, attention at τ ≈ 12.5 by default) fit in τ = 16
  compareDefaults: () => ({ etas: [0.2, 0.1, 0.05, 0.025], batches: [16, 64, 256], batchEta: 0.05, seeds: 4, tau: 16, observables: ['neuron_norm', 'attn_max', 'margin_min'] }),
  exact(t, _y0, p) {
    const c = yangConfig(p);
    const stageOne = c.training === 'neurons' || (c.training === 'three-stage' && t <= stageBoundaries(c, p)[0]);
    if (c.init !== 'averaged' || c.K !== 2 || c.attnScale !== 0 || !stageOne) return null;
    const agg = c.aggregate === 'sum' ? 1 : 1 / c.L;
    const cf = stageOneClosedForm(c.sigma0, agg, c.neuronRate);
    const y = new Float64Array(c.n);
    const alpha = cf.alpha(t);
    const beta = cf.beta(t);
    const D = [1, 1, -1, -1];
    const w = [beta, beta, alpha, alpha]; // ω_+ = α(μ1 + μ2) + β(c1 + c2)
    for (let h = 0; h < c.storedHeads; h++) for (let j = 0; j < 4; j++) y[c.neuronOffset(h) + j] = (h === 0 ? 1 : D[j]) * w[j];
    return y;
  },
  figures: yangFigures,
  reportSections: yangReportSections,
};

function merge(grids: readonly Float64Array[]): Float64Array {
  const all = grids.flatMap((g) => Array.from(g)).sort((a, b) => a - b);
  return Float64Array.from(all.filter((x, i) => i === 0 || x > all[i - 1]));
}
