/**
 * `gradflow compare` writes each discrete run as it finishes to `runs.jsonl` in its output folder
 * (src/io/jsonl.ts: appended and fsync'ed), keyed by everything that determines the run (model,
 * parameters, setting, seed, horizon, record times, momentum, Langevin temperature, gradflow
 * version). Run again with the same output folder, it reuses the runs it finds and computes only
 * the rest: a comparison killed after an hour resumes without losing the finished runs. Non-finite
 * numbers (a diverged run's last losses) are stored as strings, so they survive JSON.
 */
import { join } from 'node:path';
import { JsonLinesWriter, loadJsonLines } from '../io/jsonl.js';
import { packageInfo } from '../util/package-info.js';
import type { Params } from '../models/types.js';
import type { DiscreteRun, TrainOptions } from './train.js';

export const RUNS_FILE = 'runs.jsonl';

interface Line { readonly key: string; readonly run: DiscreteRun }

const TYPED = '__typed';
/** Typed arrays as {__typed: 'f64' | 'i32', v: [...]}; non-finite numbers and −0 as strings (JSON has neither). */
function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (value instanceof Float64Array) return { [TYPED]: 'f64', v: Array.from(value, (x) => (Object.is(x, -0) ? '-0' : Number.isFinite(x) ? x : String(x))) };
  if (value instanceof Int32Array) return { [TYPED]: 'i32', v: Array.from(value) };
  return value;
}
function reviver(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && TYPED in value) {
    const t = value as { [TYPED]: string; v: (number | string)[] };
    return t[TYPED] === 'i32' ? Int32Array.from(t.v as number[]) : Float64Array.from(t.v, Number);
  }
  return value;
}

/** The identity of one discrete run: equal keys give bit-identical runs. */
export function runKey(model: string, params: Params, options: TrainOptions): string {
  const { record, ...rest } = options;
  return JSON.stringify({ gradflow: packageInfo().version, model, params, ...rest, record: Array.from(record) });
}

export class RunCheckpoint {
  private readonly done = new Map<string, DiscreteRun>();
  private readonly writer: JsonLinesWriter<Line>;
  /** Set when a half-written last line (an interrupted run) was dropped. */
  readonly warning: string | null;

  constructor(dir: string) {
    const path = join(dir, RUNS_FILE);
    const loaded = loadJsonLines<Line>(path, 'run', reviver);
    for (const line of loaded.items) this.done.set(line.key, line.run);
    this.warning = loaded.warning;
    this.writer = new JsonLinesWriter<Line>(path, loaded.validBytes, replacer);
  }

  get size(): number { return this.done.size; }
  get(key: string): DiscreteRun | undefined { return this.done.get(key); }
  put(key: string, run: DiscreteRun): void {
    this.done.set(key, run);
    this.writer.append({ key, run });
  }
  close(): void { this.writer.close(); }
}
