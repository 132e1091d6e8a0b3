/**
 * The Gong check's own figures: P and Q losses with the stages shaded, block
 * norms, the spectrum of W over time coloured by the Q mass of its singular vectors, and the
 * rank-reduction curves at the end of each stage (the analogue of the authors' rank-preservation
 * plots). Time is physical (Σ η for the discrete modes), on a log axis.
 */
import type { TopLevelSpec } from 'vega-lite';
import { linePlot, renderSpec, writeFigure, type Band, type Figure } from '../../report/index.js';
import { BASE_CONFIG } from '../../report/render.js';
import { fmt } from '../../util/errors.js';
import type { CheckContext, Model } from '../types.js';
import type { Trajectory } from '../../run/trajectory.js';
import { analyse } from './analysis.js';
import { engineFor } from './engine.js';
import { blockDiag, spectrumWithMass } from './observables.js';
import { rankProbe } from './probe.js';

function subtitle(tr: Trajectory): string {
  const p = tr.params;
  return `variant ${p.variant}, ${p.qlaw}, normalize=${p.normalize}, ${p.dynamics}, d=${p.d}, ${p.flow} flow`;
}

function stageBands(tr: Trajectory): Band[] {
  const a = analyse(tr);
  const t = a.time;
  const start = t.find((x) => x > 0) ?? 1;
  const end = t[t.length - 1];
  if (a.tP === null) return [];
  const bands: Band[] = [{ from: start, to: Math.max(a.tP, start), label: 'stage 1' }];
  bands.push({ from: Math.max(a.tP, start), to: a.tQ ?? end, label: a.tQ === null ? 'stage 2 (Q not learned)' : 'stage 2' });
  return bands;
}

function positive(tr: Trajectory): { t: Float64Array; keep: (a: Float64Array) => Float64Array } {
  const time = tr.series.time;
  const first = time.findIndex((x) => x > 0);
  const from = first < 0 ? time.length : first;
  return { t: time.subarray(from), keep: (a) => a.subarray(from) };
}

async function spectrumByMass(tr: Trajectory): Promise<Figure> {
  const engine = engineFor(tr.params);
  const d = engine.config.d;
  const time = tr.series.time;
  const values: { t: number; sigma: number; qmass: number; index: number }[] = [];
  tr.solution.y.forEach((y, i) => {
    if (!(time[i] > 0)) return;
    const b = engine.blocks(y);
    const { sigma, qmass } = spectrumWithMass(blockDiag(b.WP, b.WQ, d), d);
    sigma.forEach((s, k) => {
      if (s > 0 && Number.isFinite(s)) values.push({ t: time[i], sigma: s, qmass: qmass[k], index: k + 1 });
    });
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Singular values of W over time, coloured by the Q mass of their singular vectors', subtitle: subtitle(tr) },
    width: 560,
    height: 320,
    config: BASE_CONFIG,
    data: { values },
    mark: { type: 'circle', size: 9, opacity: 0.8 },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'time t', scale: { type: 'log' } },
      y: { field: 'sigma', type: 'quantitative', title: 'singular value σᵢ(W)', scale: { type: 'log' } },
      color: { field: 'qmass', type: 'quantitative', title: 'Q mass', scale: { domain: [0, 1], scheme: 'blueorange' } },
    },
  };
  const { svg, png, warnings } = await renderSpec(spec as unknown as TopLevelSpec);
  return { svg, png, spec: spec as unknown as TopLevelSpec, notes: warnings };
}

async function probeFigure(tr: Trajectory, i: number, label: string): Promise<Figure> {
  const probe = rankProbe(engineFor(tr.params), tr.solution.y[i]);
  const x = probe.fractions;
  return linePlot({
    title: `Rank reduction of W at ${label} (t = ${fmt(Number(tr.series.time[i].toPrecision(3)))})`,
    subtitle: subtitle(tr),
    xLabel: 'rank preservation k/2d',
    yLabel: 'accuracy',
    series: [
      { name: 'P, keep top-k', x, y: probe.topP },
      { name: 'Q, keep top-k', x, y: probe.topQ },
      { name: 'P, keep bottom-k', x, y: probe.bottomP },
      { name: 'Q, keep bottom-k', x, y: probe.bottomQ },
    ],
  });
}

export const gongFigures: NonNullable<Model['figures']> = async (ctx: CheckContext, dir: string) => {
  const tr = ctx.main();
  const out: { title: string; paths: { png: string; svg: string } }[] = [];
  const { t, keep } = positive(tr);
  const bands = stageBands(tr);
  const s = tr.series;
  const losses = await linePlot({
    title: 'P and Q evaluation losses (stages shaded)', subtitle: subtitle(tr), xLabel: 'time t', yLabel: 'logistic loss', xLog: true, yLog: true, bands,
    series: [
      { name: 'P evaluation (W_Q masked)', x: t, y: keep(s.loss_P) },
      { name: 'Q evaluation (W_P masked)', x: t, y: keep(s.loss_Q) },
      { name: 'whole data', x: t, y: keep(s.loss_data) },
    ],
  });
  out.push({ title: 'P and Q losses against t, stages shaded', paths: await writeFigure(dir, 'gong-losses', losses) });
  const norms = await linePlot({
    title: 'Block norms', subtitle: subtitle(tr), xLabel: 'time t', yLabel: 'norm', xLog: true, yLog: true, bands,
    series: [
      { name: '‖W_P‖_F', x: t, y: keep(s.frob_P) },
      { name: '‖W_Q‖_F', x: t, y: keep(s.frob_Q) },
      { name: '‖W_P‖₂', x: t, y: keep(s.spec_P) },
      { name: '‖W_Q‖₂', x: t, y: keep(s.spec_Q) },
    ],
  });
  out.push({ title: '‖W_P‖ and ‖W_Q‖ against t', paths: await writeFigure(dir, 'gong-norms', norms) });
  out.push({ title: 'Spectrum of W over time, coloured by Q mass', paths: await writeFigure(dir, 'gong-spectrum-mass', await spectrumByMass(tr)) });
  const a = analyse(tr);
  if (a.iP >= 0) out.push({ title: 'Rank reduction at the end of stage 1', paths: await writeFigure(dir, 'gong-rank-stage1', await probeFigure(tr, a.iP, 'the end of stage 1')) });
  out.push({ title: 'Rank reduction at the end of the run', paths: await writeFigure(dir, 'gong-rank-end', await probeFigure(tr, a.iEnd, 'the end of the run')) });
  return out;
};
