/**
 * The standard figures of a trajectory: loss against time with stages shaded, the model's
 * scalar observables, and the singular values of each tracked matrix.
 */
import { linePlot, spectrumPlot, writeFigure, type Band, type FigurePaths } from '../report/index.js';
import type { Stage } from '../stages/index.js';
import type { Trajectory } from '../run/trajectory.js';
import type { Model } from '../models/types.js';
import { fmt } from '../util/errors.js';

export interface WrittenFigure { readonly title: string; readonly paths: FigurePaths }

function paramLine(tr: Trajectory): string {
  return Object.entries(tr.params).map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v) : v}`).join(', ');
}

/** Positive times only: figures use log-time axes. */
function positive(tr: Trajectory): { t: Float64Array; keep: (a: Float64Array) => Float64Array } {
  const first = tr.t.findIndex((x) => x > 0);
  const from = first < 0 ? tr.t.length : first;
  return { t: tr.t.subarray(from), keep: (a) => a.subarray(from) };
}

export async function writeStandardFigures(model: Model, tr: Trajectory, stages: readonly Stage[], dir: string): Promise<WrittenFigure[]> {
  const out: WrittenFigure[] = [];
  const { t, keep } = positive(tr);
  const subtitle = paramLine(tr);
  const bands: Band[] = stages.filter((s) => s.kind === 'transition').map((s, i) => ({ from: s.tStart, to: s.tEnd, label: `T${i + 1}` }));
  const lossFig = await linePlot({
    title: `${model.title}: loss`, subtitle, xLabel: 't', yLabel: 'loss L', xLog: true, yLog: true,
    series: [{ name: 'loss', x: t, y: keep(tr.series.loss) }], bands,
  });
  out.push({ title: 'Loss against t (transitions shaded)', paths: await writeFigure(dir, 'loss', lossFig) });

  const obs = model.observables(tr.params).filter((o) => tr.series[o.name]);
  if (obs.length > 0) {
    const fig = await linePlot({
      title: `${model.title}: observables`, subtitle, xLabel: 't', yLabel: 'value', xLog: true,
      series: obs.map((o) => ({ name: o.name, x: t, y: keep(tr.series[o.name]) })), bands,
    });
    out.push({ title: 'Observables against t', paths: await writeFigure(dir, 'observables', fig) });
  }
  for (const [name, sv] of Object.entries(tr.spectra)) {
    const from = tr.t.length - t.length;
    const fig = await spectrumPlot({
      title: `${model.title}: singular values of ${name}`, subtitle, t, sigma: sv.slice(from), yLog: true, bands,
    });
    out.push({ title: `Singular values of ${name}`, paths: await writeFigure(dir, `spectrum-${name}`, fig) });
  }
  return out;
}
