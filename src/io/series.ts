/** Writing a model run: all series as CSV and a JSON record of how the run was made. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Trajectory } from '../run/trajectory.js';
import type { Stage } from '../stages/index.js';
import { inputError } from '../util/errors.js';
import { packageInfo } from '../util/package-info.js';

export function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw inputError(`cannot create the output folder '${dir}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
}

export function seriesCsv(tr: Trajectory): string {
  const names = Object.keys(tr.series);
  const rows = Array.from(tr.t, (t, i) => [String(t), ...names.map((n) => String(tr.series[n][i]))].join(','));
  return `${['t', ...names].join(',')}\n${rows.join('\n')}\n`;
}

export function writeRun(dir: string, tr: Trajectory, stages: readonly Stage[]): { csv: string; json: string } {
  ensureDir(dir);
  const csv = join(dir, 'trajectory.csv');
  const json = join(dir, 'run.json');
  writeFileSync(csv, seriesCsv(tr));
  const s = tr.solution;
  writeFileSync(json, JSON.stringify({
    gradflow: packageInfo().version,
    model: tr.model,
    params: tr.params,
    seed: tr.seed,
    options: { ...s.options, saveAt: undefined, save_points: s.options.saveAt.length },
    status: s.status,
    message: s.message,
    stats: s.stats,
    wall_ms: tr.wallMs,
    events: tr.events.map((e) => ({ name: e.name, t: e.t, direction: e.direction })),
    kinks: s.kinks ?? null,
    stages: stages.map((st) => ({ kind: st.kind, t_start: st.tStart, t_end: st.tEnd, loss_start: st.lossStart, loss_end: st.lossEnd, movers: st.movers.slice(0, 3).map((m) => m.name) })),
    final_state: Array.from(s.yEnd),
  }, null, 1));
  return { csv, json };
}
