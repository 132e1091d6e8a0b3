/**
 * The sweep folder: `sweep.json` (the definition) and `results.jsonl` (one finished cell per
 * line, appended and fsync'ed as each cell ends: src/io/jsonl.ts). A run killed at any moment
 * loses only the cells in flight; a half-written last line is detected, dropped with a warning,
 * and recomputed.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, accessSync, constants } from 'node:fs';
import { JsonLinesWriter, loadJsonLines } from '../io/jsonl.js';
import { join } from 'node:path';
import { inputError } from '../util/errors.js';
import { packageInfo } from '../util/package-info.js';
import { definitionKey, describeDifference, type SweepDefinition } from './definition.js';
import type { CellResult } from './cell.js';
import { findModel } from '../models/registry.js';
import type { Model } from '../models/types.js';
import { provenance } from '../io/provenance.js';

export const DEFINITION_FILE = 'sweep.json';
export const RESULTS_FILE = 'results.jsonl';

export interface LoadedResults {
  readonly results: CellResult[];
  /** Set when a truncated last line was dropped. */
  readonly warning: string | null;
  /** Byte length of the valid prefix (where appending resumes). */
  readonly validBytes: number;
}

/**
 * Creates the folder or checks that it holds the same sweep; refuses a different definition
 * (another model file content, gradflow version, axis, setting, metric or solver flag), naming
 * what differs. `restart` discards what the folder holds and starts over.
 */
export function openSweepDir(dir: string, def: SweepDefinition, restart = false): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw inputError(`cannot write to the output folder '${dir}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  const path = join(dir, DEFINITION_FILE);
  if (restart) {
    rmSync(join(dir, RESULTS_FILE), { force: true });
    rmSync(path, { force: true });
  }
  if (existsSync(path)) {
    const stored = readDefinition(dir);
    if (definitionKey(stored) !== definitionKey(def)) {
      throw inputError(`'${dir}' holds a different sweep (${describeDifference(stored, def)}); its results were not made by this definition. Run with the same definition to resume, --restart to discard them and start over, or choose another --out.`);
    }
    return;
  }
  try {
    writeSweepRecord(dir, def, { status: 'started', message: '' });
  } catch (e) {
    throw inputError(`cannot write '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
}

/**
 * sweep.json: the provenance record (src/io/provenance.ts) of the sweep — written when the folder
 * is made, updated with the status when a run of it ends — and the definition that resumes compare.
 * Written to a temporary file and renamed, so a crash never leaves half a definition.
 */
export function writeSweepRecord(dir: string, def: SweepDefinition, outcome: { status: string; message: string; wallMs?: number; cells?: Readonly<Record<string, number>> }): void {
  const path = join(dir, DEFINITION_FILE);
  let model: Model | null = null;
  try { model = findModel(def.model); } catch { /* a model file that went away: the definition still says what it was */ }
  const record = model
    ? provenance({ command: 'sweep', model, params: def.sets, flags: def.solver, options: { x: def.x, y: def.y, metrics: def.metrics, cell_timeout: def.cellTimeout ?? null }, status: outcome.status, message: outcome.message, wallMs: outcome.wallMs })
    : { gradflow: packageInfo().version, node: process.version, date: new Date().toISOString(), status: outcome.status };
  try {
    writeFileSync(`${path}.tmp`, JSON.stringify({ ...record, cells: outcome.cells ?? null, definition: def }, null, 1));
    renameSync(`${path}.tmp`, path);
  } catch (e) {
    throw inputError(`cannot write '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
}

export function readDefinition(dir: string): SweepDefinition {
  const path = join(dir, DEFINITION_FILE);
  if (!existsSync(path)) throw inputError(`'${dir}' is not a sweep folder (no ${DEFINITION_FILE}).`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw inputError(`${path} is not valid JSON: ${(e as Error).message}.`);
  }
  const def = (raw as { definition?: unknown } | null)?.definition as SweepDefinition | undefined;
  const axis = (a: unknown): boolean => typeof a === 'object' && a !== null && typeof (a as { name?: unknown }).name === 'string';
  if (typeof def !== 'object' || def === null || typeof def.model !== 'string' || !axis(def.x) || !axis(def.y) || !Array.isArray(def.metrics)) {
    throw inputError(`${path} is not a gradflow sweep definition (it needs model, x, y and metrics).`);
  }
  return def;
}

/** What is wrong with a line of results.jsonl as a cell of `def` (null: a valid cell, seen once). */
export function cellProblem(def: SweepDefinition, item: unknown, seen: ReadonlySet<number>): string | null {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return 'not an object';
  const c = item as Record<string, unknown>;
  const nx = def.x.n;
  const cells = def.x.n * def.y.n;
  for (const k of ['index', 'ix', 'iy'] as const) if (!Number.isSafeInteger(c[k]) || (c[k] as number) < 0) return `${k} must be a non-negative integer`;
  const index = c.index as number;
  if (index >= cells) return `index ${index} is outside the grid of ${cells} cells`;
  if (c.ix !== index % nx || c.iy !== Math.floor(index / nx)) return `ix, iy (${String(c.ix)}, ${String(c.iy)}) do not match index ${index}`;
  if (seen.has(index)) return `cell ${index} appears twice`;
  if (typeof c.status !== 'string' || typeof c.message !== 'string') return 'status and message must be strings';
  if (typeof c.metrics !== 'object' || c.metrics === null || Array.isArray(c.metrics)) return 'metrics must be an object';
  for (const [k, v] of Object.entries(c.metrics)) if (v !== null && typeof v !== 'number') return `metric ${k} must be a number or null`;
  if (typeof c.params !== 'object' || c.params === null) return 'params must name the swept parameters';
  return null;
}

/** The folder's finished cells, each checked against the sweep's definition (a foreign or damaged line is an error). */
export function loadResults(dir: string, def: SweepDefinition = readDefinition(dir)): LoadedResults {
  const seen = new Set<number>();
  const { items, warning, validBytes } = loadJsonLines<CellResult>(join(dir, RESULTS_FILE), 'cell', undefined, (item) => {
    const problem = cellProblem(def, item, seen);
    if (problem === null) seen.add((item as CellResult).index);
    return problem;
  });
  return { results: items, warning, validBytes };
}

/** Appends finished cells durably. Truncates a half-written tail first. */
export class ResultWriter extends JsonLinesWriter<CellResult> {
  constructor(dir: string, validBytes: number) {
    super(join(dir, RESULTS_FILE), validBytes);
  }
}
