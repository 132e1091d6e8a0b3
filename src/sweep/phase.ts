/** A phase diagram from a sweep folder: one metric as a heatmap over the two axes. */
import { inputError } from '../util/errors.js';
import { findModel } from '../models/registry.js';
import { heatmap, writeFigure, type FigurePaths, type Series } from '../report/index.js';
import { axisValues } from './definition.js';
import { loadResults, readDefinition } from './store.js';

export interface PhaseOptions {
  readonly metric?: string;
  readonly contours?: readonly number[];
  readonly colorLog?: boolean;
  readonly curves?: readonly Series[];
  readonly title?: string;
}

export async function phaseDiagram(dir: string, opts: PhaseOptions = {}): Promise<{ paths: FigurePaths; metric: string; filled: number; failed: number; total: number }> {
  const def = readDefinition(dir);
  const { results, warning } = loadResults(dir);
  void warning;
  const metric = opts.metric ?? def.metrics[0];
  const known = new Set(results.flatMap((r) => Object.keys(r.metrics)));
  if (!def.metrics.includes(metric) && !known.has(metric)) throw inputError(`--metric ${metric}: this sweep recorded ${[...new Set([...def.metrics, ...known])].join(', ')}.`);
  const xs = Array.from(axisValues(def.x));
  const ys = Array.from(axisValues(def.y));
  const z = ys.map(() => xs.map((): number | null => null));
  const failed = ys.map(() => xs.map(() => false));
  let filled = 0;
  let nFailed = 0;
  for (const r of results) {
    const bad = r.status !== 'success' && r.status !== 'event';
    if (bad) { failed[r.iy][r.ix] = true; nFailed++; }
    const v = r.metrics[metric];
    if (typeof v === 'number') { z[r.iy][r.ix] = v; filled++; }
  }
  let model = def.model;
  let xDoc = '';
  let yDoc = '';
  try {
    const m = findModel(def.model);
    model = m.title;
    xDoc = m.params[def.x.name]?.doc ?? '';
    yDoc = m.params[def.y.name]?.doc ?? '';
  } catch { /* a model file that moved: label with names only */ }
  const fig = await heatmap({
    title: opts.title ?? `${model}: ${metric}`,
    subtitle: `${results.length} of ${xs.length * ys.length} cells${nFailed ? `, ${nFailed} failed (grey ×)` : ''}${Object.keys(def.sets).length ? `; ${Object.entries(def.sets).map(([k, v]) => `${k}=${v}`).join(', ')}` : ''}`,
    xLabel: xDoc ? `${def.x.name}: ${xDoc}` : def.x.name,
    yLabel: yDoc ? `${def.y.name}: ${yDoc}` : def.y.name,
    x: xs, y: ys, z, xLog: def.x.log, yLog: def.y.log,
    colorLabel: metric, colorLog: opts.colorLog, failed,
    contours: opts.contours ? { levels: opts.contours } : undefined,
    curves: opts.curves,
  });
  const base = `phase-${metric.replace(/[^A-Za-z0-9_.-]+/g, '_')}`;
  const paths = await writeFigure(dir, base, fig);
  return { paths, metric, filled, failed: nFailed, total: xs.length * ys.length };
}
