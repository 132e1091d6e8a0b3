/**
 * `gradflow compare` writes each discrete run as it finishes to `runs.jsonl` in its output folder
 * (src/io/jsonl.ts: appended and fsync'ed), keyed by everything that determines the run (model,
 * parameters, setting, seed, horizon, record times, momentum, Langevin temperature, gradflow
 * version). Run again with the same output folder, it reuses the runs it finds and computes only
 * the rest: a comparison killed after an hour resumes without losing the finished runs. Non-finite
 * numbers (a diverged run's last losses) are stored as strings, so they survive JSON.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonLinesWriter, loadJsonLines } from '../io/jsonl.js';
import { inputError } from '../util/errors.js';
import { packageInfo } from '../util/package-info.js';
import type { Params } from '../models/types.js';
import type { DiscreteRun, TrainOptions } from './train.js';

export const RUNS_FILE = 'runs.jsonl';
/** What the runs in a folder were made from (model identity, parameters, solver flags): a resume must match it. */
export const ORIGIN_FILE = 'runs-origin.json';

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
export function runKey(model: string, params: Params, options: TrainOptions, sha256: string | null = null): string {
  const { record, ...rest } = options;
  return JSON.stringify({ gradflow: packageInfo().version, model, sha256, params, ...rest, record: Array.from(record) });
}

/** What is wrong with a line of runs.jsonl (null: a discrete run, seen once). */
function runProblem(item: unknown, keys: ReadonlySet<string>): string | null {
  if (typeof item !== 'object' || item === null) return 'not an object';
  const { key, run } = item as Partial<Line>;
  if (typeof key !== 'string') return 'no run key';
  if (keys.has(key)) return 'the same run appears twice';
  if (typeof run !== 'object' || run === null) return 'no run';
  const r = run as unknown as Record<string, unknown>;
  if (!(r.tau instanceof Float64Array) || !(r.loss instanceof Float64Array) || !(r.residual instanceof Float64Array) || !(r.step instanceof Int32Array)) return 'tau, loss, residual and step must be stored arrays';
  const n = r.tau.length;
  if (r.loss.length !== n || r.step.length !== n || !Array.isArray(r.states) || r.states.length !== n || !r.states.every((x) => x instanceof Float64Array)) return 'its recorded series differ in length';
  if (!['success', 'non_finite', 'max_steps'].includes(r.status as string) || typeof r.message !== 'string' || !Number.isSafeInteger(r.steps)) return 'status, message or steps missing';
  return null;
}

export class RunCheckpoint {
  private readonly done = new Map<string, DiscreteRun>();
  private readonly writer: JsonLinesWriter<Line>;
  /** Set when a half-written last line (an interrupted run) was dropped. */
  readonly warning: string | null;

  /**
   * Opens the folder's checkpoint for runs made from `origin`. Runs made from another origin (an
   * edited model file, another gradflow version, other parameters or solver flags) are refused
   * with what differs; `restart` discards them.
   */
  constructor(dir: string, origin: Readonly<Record<string, unknown>>, restart = false) {
    const path = join(dir, RUNS_FILE);
    const originPath = join(dir, ORIGIN_FILE);
    if (restart) { rmSync(path, { force: true }); rmSync(originPath, { force: true }); }
    const wanted = JSON.stringify(origin);
    if (existsSync(originPath)) {
      let stored: Record<string, unknown> = {};
      try { stored = JSON.parse(readFileSync(originPath, 'utf8')) as Record<string, unknown>; } catch { /* unreadable: treated as different */ }
      if (JSON.stringify(stored) !== wanted) {
        const keys = [...new Set([...Object.keys(stored), ...Object.keys(origin)])].filter((k) => JSON.stringify(stored[k]) !== JSON.stringify(origin[k]));
        throw inputError(`'${dir}' holds runs of a different comparison (${keys.map((k) => `${k}: ${JSON.stringify(stored[k])} vs ${JSON.stringify(origin[k])}`).join('; ') || 'unreadable record'}). Run the same comparison to resume, --restart to discard them, or choose another --out.`);
      }
    } else if (existsSync(path)) {
      throw inputError(`'${dir}' holds runs (${RUNS_FILE}) with no record of what made them (${ORIGIN_FILE}). Use --restart to discard them, or choose another --out.`);
    } else {
      writeFileSync(originPath, JSON.stringify(origin, null, 1));
    }
    const keys = new Set<string>();
    const loaded = loadJsonLines<Line>(path, 'run', reviver, (item) => {
      const problem = runProblem(item, keys);
      if (problem === null) keys.add((item as Line).key);
      return problem;
    });
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
