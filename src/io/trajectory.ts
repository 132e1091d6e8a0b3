/**
 * Writing a solved trajectory: CSV (t, each state variable, loss) or JSON (the same columns
 * plus the model, parameters, resolved solver options, status, statistics, events and the
 * gradflow version, so a result file says how it was made).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import type { Solution } from '../solve/types.js';
import { inputError } from '../util/errors.js';
import { packageInfo } from '../util/package-info.js';

export interface TrajectoryRecord {
  readonly model: string;
  readonly source: string;
  readonly stateNames: readonly string[];
  readonly params: Readonly<Record<string, number>>;
  readonly y0: Readonly<Record<string, number>>;
  readonly solution: Solution;
  /** Loss at each save time (gradient flows), or null. */
  readonly loss: Float64Array | null;
  readonly wallMs: number;
}

/** Shortest decimal that reads back to the same float64. */
const num = (x: number): string => String(x);

export function trajectoryCsv(r: TrajectoryRecord): string {
  const header = ['t', ...r.stateNames, ...(r.loss ? ['loss'] : [])].join(',');
  const rows = Array.from(r.solution.t, (t, i) => {
    const cells = [num(t), ...Array.from(r.solution.y[i], num)];
    if (r.loss) cells.push(num(r.loss[i]));
    return cells.join(',');
  });
  return `${header}\n${rows.join('\n')}\n`;
}

export function trajectoryJson(r: TrajectoryRecord): string {
  const s = r.solution;
  const state: Record<string, number[]> = {};
  r.stateNames.forEach((name, j) => { state[name] = s.y.map((y) => y[j]); });
  return JSON.stringify({
    gradflow: packageInfo().version,
    model: r.model,
    source: r.source,
    params: r.params,
    initial_state: r.y0,
    options: { ...s.options, saveAt: undefined },
    status: s.status,
    message: s.message,
    stats: s.stats,
    wall_ms: r.wallMs,
    t_end: s.tEnd,
    t: Array.from(s.t),
    state,
    loss: r.loss ? Array.from(r.loss) : null,
    events: s.events.map((e) => ({ name: e.name, t: e.t, direction: e.direction, state: Array.from(e.y) })),
    kinks: s.kinks ?? null,
    switches: s.switches,
  }, null, 1);
}

/** Writes .csv or .json by the file's extension; creates the folder. */
export function writeTrajectory(path: string, r: TrajectoryRecord): void {
  const ext = extname(path).toLowerCase();
  if (ext !== '.csv' && ext !== '.json') throw inputError(`--out ${path}: the file must end in .csv or .json.`);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, ext === '.csv' ? trajectoryCsv(r) : trajectoryJson(r));
  } catch (e) {
    throw inputError(`cannot write '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
}
