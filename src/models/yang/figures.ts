/**
 * The Yang report's figures: loss by sample type with the Algorithm-1 stages shaded, neuron
 * alignment, attention scores (the analogue of the paper's Figure 1c), the attention logits,
 * and the SVM margin of the attention features.
 */
import { linePlot, writeFigure, type Band, type Series } from '../../report/index.js';
import type { CheckContext } from '../types.js';
import { TokenSpanNetwork } from './network.js';
import { summarize, type StateSummary } from './observables.js';
import { NEURONS_FIRST, yangRuns } from './runs.js';
import type { StagedRun } from './training.js';

type Written = { readonly title: string; readonly paths: { readonly png: string; readonly svg: string } };

const summaryCache = new WeakMap<object, StateSummary[]>();

/** Summaries of every saved state of a run (cached per run). */
export function summariesOf(run: { readonly config?: StagedRun['config']; readonly y: readonly Float64Array[] }, net: TokenSpanNetwork): StateSummary[] {
  let s = summaryCache.get(run);
  if (!s) {
    s = run.y.map((y) => summarize(net, y));
    summaryCache.set(run, s);
  }
  return s;
}

export function stageBands(run: StagedRun): Band[] {
  return run.stages.map((s, i) => ({ from: s.start, to: s.end, label: `Stage ${i + 1}: ${s.mode}` }));
}

const pick = (t: Float64Array, xs: readonly StateSummary[], name: string, f: (s: StateSummary) => number): Series => ({ name, x: t, y: xs.map(f) });

export async function yangFigures(ctx: CheckContext, dir: string): Promise<Written[]> {
  const out: Written[] = [];
  const runs = yangRuns(ctx);
  const three = runs.threeStage();
  if (!('error' in three) && three.t.length > 1) {
    const net = new TokenSpanNetwork(three.config);
    const S = summariesOf(three, net);
    const t = three.t;
    const bands = stageBands(three);
    const sub = `three-stage training from the averaged init (K = ${three.config.K}, σ0 = ${three.config.sigma0}); ${three.status}`;
    const lossFig = await linePlot({
      title: 'Yang et al.: loss by sample type', subtitle: sub, xLabel: 'τ = η·steps', yLabel: 'population loss', yLog: true, bands,
      series: [
        pick(t, S, 'total', (s) => s.loss),
        pick(t, S, 'consistent samples', (s) => s.lossConsistent),
        pick(t, S, 'hard samples', (s) => s.lossHard),
      ],
    });
    out.push({ title: 'Loss by sample type against τ (Algorithm 1 stages shaded)', paths: await writeFigure(dir, 'yang-loss-by-type', lossFig) });

    const K = three.config.K;
    const align: Series[] = [];
    for (let j = 0; j < K; j++) align.push(pick(t, S, `⟨ω+, μ${j + 1}⟩`, (s) => s.alignMu[0][j]));
    for (let k = 0; k < K; k++) align.push(pick(t, S, `⟨ω+, c${k + 1}⟩`, (s) => s.alignC[0][k]));
    align.push(pick(t, S, '⟨ω−, μ1⟩', (s) => s.alignMu[1][0]), pick(t, S, '⟨ω−, c1⟩', (s) => s.alignC[1][0]));
    const alignFig = await linePlot({ title: 'Yang et al.: neuron alignment', subtitle: sub, xLabel: 'τ = η·steps', yLabel: 'projection', bands, series: align });
    out.push({ title: 'Neuron alignment with the signals μ_j and identifiers c_k (three-stage run)', paths: await writeFigure(dir, 'yang-neuron-alignment', alignFig) });

    // softmax scores, head +, hard samples (cls 1) and consistent (cls 0): queries r (relevant signal), i (irrelevant), c (identifier)
    const sc = (cls: number, q: number, k: number) => (s: StateSummary) => s.scores[cls][q][k];
    const scoresFig = await linePlot({
      title: 'Yang et al.: attention scores (head +), three-stage run', subtitle: 'r = relevant signal s_kμ_k, i = other signal, c = identifier c_k',
      xLabel: 'τ = η·steps', yLabel: 'softmax score P(query → key)', bands,
      series: [
        pick(t, S, 'hard: r → c', sc(1, 1, 0)),
        pick(t, S, 'hard: r → r', sc(1, 1, 1)),
        pick(t, S, 'hard: r → i', sc(1, 1, 2)),
        pick(t, S, 'hard: i → c', sc(1, 2, 0)),
        pick(t, S, 'hard: c → r', sc(1, 0, 1)),
        pick(t, S, 'hard: c → i', sc(1, 0, 2)),
        pick(t, S, 'consistent: r → c', sc(0, 1, 0)),
      ],
    });
    out.push({ title: 'Attention scores per (query, key) type, the analogue of the paper\'s Figure 1c', paths: await writeFigure(dir, 'yang-attention-scores', scoresFig) });

    const logitFig = await linePlot({
      title: 'Yang et al.: attention logits (head +), three-stage run', subtitle: 'critical subsystem (b, b′, g, g′) against (a, e, f)',
      xLabel: 'τ = η·steps', yLabel: 'logit A[key, query]', bands,
      series: (['b', 'bp', 'g', 'gp', 'a', 'e', 'f'] as const).map((k) => pick(t, S, k.replace('p', '′'), (s) => s.logits[0][k])),
    });
    out.push({ title: 'Attention logits: the critical subsystem (b, b′, g, g′) and (a, e, f)', paths: await writeFigure(dir, 'yang-logits', logitFig) });

    const margin: Series[] = [pick(t, S, 'three-stage (averaged init)', (s) => s.svmMargin)];
    const sl = runs.sliding();
    if (!('error' in sl) && sl.flow.t.length > 1) {
      const netS = new TokenSpanNetwork(three.config);
      const flowRun = { y: sl.flow.y };
      margin.push({ name: 'simultaneous (averaged init)', x: sl.flow.t, y: summariesOf(flowRun, netS).map((s) => s.svmMargin) });
    }
    const marginFig = await linePlot({
      title: 'Yang et al.: separability of the attention features', subtitle: 'hard-margin SVM margin (with bias) of (ζ+_l, ζ−_l) over all queries; 0 = not linearly separable',
      xLabel: 'τ = η·steps', yLabel: 'SVM margin', bands, series: margin,
    });
    out.push({ title: 'SVM margin of the attention features against τ', paths: await writeFigure(dir, 'yang-svm-margin', marginFig) });
  }
  const nf = runs.neuronsFirst();
  if (!('error' in nf) && nf.solution.t.length > 1) {
    const net = new TokenSpanNetwork(nf.c);
    const S = summariesOf({ y: nf.solution.y }, net);
    const t = nf.solution.t;
    const fig = await linePlot({
      title: 'Yang et al.: simultaneous training from a random init', subtitle: `m = ${NEURONS_FIRST.m} neurons per head, readout ±1/m, GD η = ${NEURONS_FIRST.eta}; neurons first at τ = ${nf.tNeurons.toFixed(1)}, attention at τ = ${nf.tAttention.toFixed(1)}`,
      xLabel: 'τ = η·steps', yLabel: 'value',
      series: [
        pick(t, S, 'mean ‖ω‖', (s) => s.neuronNorm),
        pick(t, S, 'max |A|', (s) => s.attnMax),
        pick(t, S, 'mean ⟨ω+, μ1⟩', (s) => s.alignMu[0][0]),
        pick(t, S, 'mean ⟨ω+, c1⟩', (s) => s.alignC[0][0]),
        pick(t, S, 'hard-sample loss', (s) => s.lossHard),
      ],
    });
    out.push({ title: 'Simultaneous training from a random init: neurons before attention (the analogue of the paper\'s Figure 1)', paths: await writeFigure(dir, 'yang-simultaneous-random', fig) });
  }
  return out;
}
