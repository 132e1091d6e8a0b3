/**
 * The sweep folder: `sweep.json` (the definition) and `results.jsonl` (one finished cell per
 * line, appended and fsync'ed as each cell ends: src/io/jsonl.ts). A run killed at any moment
 * loses only the cells in flight; a half-written last line is detected, dropped with a warning,
 * and recomputed.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, accessSync, constants } from 'node:fs';
import { JsonLinesWriter, loadJsonLines } from '../io/jsonl.js';
import { join } from 'node:path';
import { inputError } from '../util/errors.js';
import { packageInfo } from '../util/package-info.js';
import { definitionKey, describeDifference, type SweepDefinition } from './definition.js';
import type { CellResult } from './cell.js';

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
    writeFileSync(path, JSON.stringify({ gradflow: packageInfo().version, node: process.version, date: new Date().toISOString(), definition: def }, null, 1));
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

export function loadResults(dir: string): LoadedResults {
  const { items, warning, validBytes } = loadJsonLines<CellResult>(join(dir, RESULTS_FILE), 'cell');
  return { results: items, warning, validBytes };
}

/** Appends finished cells durably. Truncates a half-written tail first. */
export class ResultWriter extends JsonLinesWriter<CellResult> {
  constructor(dir: string, validBytes: number) {
    super(join(dir, RESULTS_FILE), validBytes);
  }
}
