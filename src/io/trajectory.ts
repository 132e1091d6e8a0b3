/**
 * Writing a solved trajectory (`gradflow solve`): CSV (t, each state variable, loss: the column
 * order used everywhere) with a JSON record beside it (x.csv → x.json: the provenance record of
 * src/io/provenance.ts and the columns), or one JSON file holding both the record and the data.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import type { Solution } from '../solve/types.js';
import { inputError } from '../util/errors.js';
import type { Provenance } from './provenance.js';

export interface TrajectoryRecord {
  readonly provenance: Provenance;
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

/** The record without the data: provenance, initial state, columns, events, kinks. */
function recordFields(r: TrajectoryRecord): Record<string, unknown> {
  const s = r.solution;
  return {
    ...r.provenance,
    initial_state: r.y0,
    columns: ['t', ...r.stateNames, ...(r.loss ? ['loss'] : [])],
    t_end: s.tEnd,
    events: s.events.map((e) => ({ name: e.name, t: e.t, direction: e.direction, state: Object.fromEntries(r.stateNames.map((k, j) => [k, e.y[j]])) })),
    kinks: s.kinks ?? null,
    switches: s.switches,
  };
}

export function trajectoryJson(r: TrajectoryRecord): string {
  const s = r.solution;
  const state: Record<string, number[]> = {};
  r.stateNames.forEach((name, j) => { state[name] = s.y.map((y) => y[j]); });
  return JSON.stringify({ ...recordFields(r), t: Array.from(s.t), state, loss: r.loss ? Array.from(r.loss) : null }, null, 1);
}

/** The JSON beside a CSV: x.csv → x.json. */
export function sidecarPath(csvPath: string): string {
  return `${csvPath.slice(0, -extname(csvPath).length)}.json`;
}

/** Writes .json, or .csv with its record beside it (x.json); creates the folder. Returns the paths written. */
export function writeTrajectory(path: string, r: TrajectoryRecord): string[] {
  const ext = extname(path).toLowerCase();
  if (ext !== '.csv' && ext !== '.json') throw inputError(`--out ${path}: the file must end in .csv or .json.`);
  try {
    mkdirSync(dirname(path), { recursive: true });
    if (ext === '.json') {
      writeFileSync(path, trajectoryJson(r));
      return [path];
    }
    writeFileSync(path, trajectoryCsv(r));
    writeFileSync(sidecarPath(path), JSON.stringify(recordFields(r), null, 1));
    return [path, sidecarPath(path)];
  } catch (e) {
    throw inputError(`cannot write '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
}
