/**
 * Chen & Luo (arXiv 2510.06954, NeurIPS 2025): a one-layer transformer trained by gradient flow
 * from small initialization — condensation of the outer parameters (stage 1), then rank collapse
 * of the key–query matrices (stage 2). The full model on a finite binary data set, with both
 * reduced systems as oracles (stage1.ts, stage2.ts).
 *
 * `chenLuo` generates its data from the parameters (D2 or the binary anchor task);
 * {@link makeChenLuoModel} with a fixed data set (e.g. {@link loadDataSetFile}) gives the same
 * model on any JSON data set.
 */
import { analyze } from './analysis.js';
import type { EventSpec, Vec } from '../../solve/types.js';
import type { Rng } from '../../util/rng.js';
import { num } from '../params.js';
import type { Model, ParamSpec, Params, StateBlock } from '../types.js';
import { dataSetArrays, type DataSet } from './data.js';
import { makeChenLuoFigures, makeChenLuoReport } from './figures.js';
import { ATTENTION_LEVEL, EVENT } from './measure.js';
import { chenLuoMatrices, chenLuoObservables } from './observables.js';
import { makeChenLuoPredictions } from './predictions.js';
import { chenLuoFiniteSampleFor } from './finite-sample.js';
import { dataFrom, initialState, setupCache, type ChenLuoSetup, type DataSource } from './setup.js';
import { solverOptions } from './solver.js';
import { makeTransformer } from './transformer.js';

const CITE = 'Z.-A. Chen, T. Luo, From Condensation to Rank Collapse: A Two-Stage Analysis of Transformer Training Dynamics, NeurIPS 2025 (arXiv 2510.06954): model Def. 3 / Eq. 1–4, Prop. 1–2, Theorems 1–3, Eq. 14–15; with the derived time scales of the gradflow technical note (§4.4, §8.7)';

const MODEL_PARAMS: Record<string, ParamSpec> = {
  eps: { kind: 'number', default: 1e-4, range: [1e-8, 0.3], doc: 'initialization scale ε: every entry of W_Q, W_K, W_V, W1, W2 is N(0, ε²)' },
  activation: { kind: 'choice', default: 'identity', choices: ['identity', 'tanh'], doc: 'σ of the feed-forward layer: identity (the paper\'s stage-2 analysis, App. A.3 / B.2) or tanh (its Def. 3)' },
  loss: { kind: 'choice', default: 'exp', choices: ['exp', 'logistic'], doc: 'margin loss ℓ(yf): exponential (the paper) or logistic' },
  seed: { kind: 'number', default: 1, range: [0, 2 ** 32 - 1], integer: true, doc: 'seed of the initial weights' },
};

const DATA_PARAMS: Record<string, ParamSpec> = {
  data: { kind: 'choice', default: 'd2', choices: ['d2', 'anchor'], doc: 'data set: the note\'s toy set D2, or the binary anchor-function task (a JSON file: makeChenLuoModel(loadDataSetFile(path)))' },
  d: { kind: 'number', default: 6, range: [2, 64], integer: true, doc: 'model width = token dimension d' },
  s: { kind: 'number', default: 4, range: [2, 64], integer: true, doc: 'tokens per sequence s (the last one is the query)' },
  sets: { kind: 'number', default: 12, range: [1, 2000], integer: true, doc: 'D2: number of random token sets (n = sets·s rotations)' },
  sequences: { kind: 'number', default: 64, range: [1, 20000], integer: true, doc: 'anchor task: number of sequences n' },
  keys: { kind: 'number', default: 16, range: [2, 1000], integer: true, doc: 'anchor task: number of key tokens' },
  dataSeed: { kind: 'number', default: 1, range: [0, 2 ** 32 - 1], integer: true, doc: 'seed of the data set (tokens, teacher, embedding)' },
};

function layout(setup: ChenLuoSetup): StateBlock[] {
  const { d, offsets: off } = setup;
  return [
    { name: 'WQ', offset: off.WQ, shape: [d, d], doc: 'query matrix W_Q' },
    { name: 'WK', offset: off.WK, shape: [d, d], doc: 'key matrix W_K' },
    { name: 'WV', offset: off.WV, shape: [d, d], doc: 'value matrix W_V' },
    { name: 'W1', offset: off.W1, shape: [d, d], doc: 'feed-forward matrix W^[1]' },
    { name: 'W2', offset: off.W2, shape: [d], doc: 'readout vector W^[2]' },
  ];
}

/** ‖W_Q W_Kᵀ‖_F without allocation (for the event function). */
function attentionNorm(y: Vec, d: number, qOff: number, kOff: number): number {
  let acc = 0;
  for (let l = 0; l < d; l++) {
    for (let k = 0; k < d; k++) {
      let a = 0;
      for (let m = 0; m < d; m++) a += y[qOff + l * d + m] * y[kOff + k * d + m];
      acc += a * a;
    }
  }
  return Math.sqrt(acc);
}

/**
 * The Chen–Luo model with its data from the parameters (`source.kind === 'params'`) or one fixed
 * data set. `id` is 'chen-luo' in both cases; a fixed data set drops the data parameters.
 */
export function makeChenLuoModel(fixed?: DataSet): Model & { setup(p: Params): ChenLuoSetup } {
  const source: DataSource = fixed ? { kind: 'fixed', data: fixed } : { kind: 'params' };
  const setup = setupCache(source);
  const params = fixed ? MODEL_PARAMS : { ...DATA_PARAMS, ...MODEL_PARAMS };
  return {
    id: 'chen-luo',
    title: fixed ? `Chen–Luo transformer on ${fixed.name}` : 'Chen–Luo transformer: condensation, then key–query rank collapse',
    cite: CITE,
    params,
    setup,
    layout: (p) => layout(setup(p)),
    init(p: Params, rng: Rng): Vec {
      const { d } = setup(p);
      return initialState(d, num(p, 'eps'), rng);
    },
    loss: (y, p) => setup(p).transformer.lossAt(y),
    flow(p) {
      const st = setup(p);
      const tf = makeTransformer(st.data, st.activation, st.loss); // own workspace
      return (_t, y, dy) => tf.negGradient(y, dy);
    },
    observables: (p) => chenLuoObservables(setup(p)),
    matrices: (p) => chenLuoMatrices(setup(p)),
    events(p) {
      const st = setup(p);
      const tf = makeTransformer(st.data, st.activation, st.loss);
      const { d, offsets: off } = st;
      const events: EventSpec[] = [
        { name: EVENT.escape, direction: -1 as const, g: (_t: number, y: Vec) => tf.lossAt(y) - st.escapeLevel },
        { name: EVENT.attention, direction: 1 as const, g: (_t: number, y: Vec) => attentionNorm(y, d, off.WQ, off.WK) - ATTENTION_LEVEL },
      ];
      if (st.bag.attained) events.push({ name: EVENT.plateauExit, direction: -1 as const, g: (_t: number, y: Vec) => tf.lossAt(y) - 0.9 * st.bag.value });
      return events;
    },
    horizon(p) {
      const st = setup(p);
      return { tEnd: st.tEnd, saveAt: st.saveAt, solver: solverOptions(st.eps) };
    },
    predictions: makeChenLuoPredictions(setup),
    finiteSample: chenLuoFiniteSampleFor(setup),
    // only the data set, not the whole setup (bag-of-tokens optimum, stage-1 blow-up): the same arrays
    dataSet: (p) => dataSetArrays(dataFrom(source, p)),
    // GD on the exp loss diverges at η = 1 through the sharp loss drop after escape; η ≤ 0.4 is stable
    compareDefaults: () => ({ etas: [0.4, 0.2, 0.1], batches: [8, 32, 128], batchEta: 0.2, seeds: 2, observables: ['cos_u_v', 'A_align', 'attention_entropy'] }),
    figures: makeChenLuoFigures(setup),
    reportSections: makeChenLuoReport(setup),
    metrics: {
      escape_ratio: {
        doc: 't_esc·ε / (T̄*·ns/‖S‖): 1 when the escape time follows Theorem 1 without a log factor',
        value: (ctx) => { const a = analyze(setup(ctx.params), ctx.main()); return (a.tEsc * a.setup.eps) / (a.setup.blowUp.Tstar * a.setup.tau); },
      },
      plateau_length: {
        doc: 'time from escape to plateau exit (first L < 0.9 min L̃1); NaN without a plateau',
        value: (ctx) => { const a = analyze(setup(ctx.params), ctx.main()); return a.tExit - a.tEsc; },
      },
    },
  };
}

/** The registered model: data from the parameters (D2 by default). */
export const chenLuo = makeChenLuoModel();
