/**
 * Writing a model run: every series as CSV, in the one column order used everywhere
 * (t, state…, loss, observables…, tracked-matrix summaries…), and `run.json`: the provenance
 * record (src/io/provenance.ts) with the run's events, kink record, stages and labelled final state.
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Model, Trajectory } from '../models/types.js';
import type { StageOutcome } from '../run/stages.js';
import { inputError } from '../util/errors.js';
import { stateColumns } from './columns.js';
import { provenance, type ProvenanceInput } from './provenance.js';

export function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw inputError(`cannot create the output folder '${dir}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
}

/** The CSV's lines: header, then one row per save time (written one by one: a long run's table can exceed a string's length). */
export function* seriesCsvLines(model: Model, tr: Trajectory): Generator<string> {
  const n = tr.solution.yEnd.length;
  const stateNames = stateColumns(model.layout(tr.params), n);
  const names = ['loss', ...Object.keys(tr.series).filter((k) => k !== 'loss')];
  yield `${['t', ...stateNames, ...names].join(',')}\n`;
  for (let i = 0; i < tr.t.length; i++) yield `${[String(tr.t[i]), ...Array.from(tr.solution.y[i], String), ...names.map((k) => String(tr.series[k][i]))].join(',')}\n`;
}

function writeLines(path: string, lines: Iterable<string>): void {
  const fd = openSync(path, 'w');
  try {
    for (const line of lines) writeSync(fd, line);
  } finally {
    closeSync(fd);
  }
}

export type RunRecordInput = Omit<ProvenanceInput, 'model' | 'params' | 'seed' | 'solver' | 'status' | 'message' | 'stats' | 'wallMs'>;


export function writeRun(dir: string, model: Model, tr: Trajectory, stages: StageOutcome, record: RunRecordInput): { csv: string; json: string } {
  ensureDir(dir);
  const csv = join(dir, 'trajectory.csv');
  const json = join(dir, 'run.json');
  writeLines(csv, seriesCsvLines(model, tr));
  const s = tr.solution;
  const names = stateColumns(model.layout(tr.params), s.yEnd.length);
  writeFileSync(json, JSON.stringify({
    ...provenance({ ...record, model, params: tr.params, seed: tr.seed, solver: s.options, status: s.status, message: s.message, stats: s.stats, wallMs: tr.wallMs }),
    t_end: s.tEnd,
    events: tr.events.map((e) => ({ name: e.name, t: e.t, direction: e.direction })),
    kinks: s.kinks ?? null,
    switches: s.switches,
    stages: stages.stages.map((st) => ({ kind: st.kind, t_start: st.tStart, t_end: st.tEnd, loss_start: st.lossStart, loss_end: st.lossEnd, movers: st.movers.slice(0, 3).map((m) => m.name) })),
    no_stages_reason: stages.reason ?? null,
    final_state: Object.fromEntries(names.map((k, i) => [k, s.yEnd[i]])),
  }, null, 1));
  return { csv, json };
}
