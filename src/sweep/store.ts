/**
 * The sweep folder: `sweep.json` (the definition) and `results.jsonl` (one finished cell per
 * line, appended and fsync'ed as each cell ends: src/io/jsonl.ts). A run killed at any moment
 * loses only the cells in flight; a half-written last line is detected, dropped with a warning,
 * and recomputed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, accessSync, constants } from 'node:fs';
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

/** Creates the folder or checks that it holds the same sweep; refuses a different definition. */
export function openSweepDir(dir: string, def: SweepDefinition): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw inputError(`cannot write to the output folder '${dir}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  const path = join(dir, DEFINITION_FILE);
  if (existsSync(path)) {
    const stored = readDefinition(dir);
    if (definitionKey(stored) !== definitionKey(def)) {
      throw inputError(`'${dir}' holds a different sweep (${describeDifference(stored, def)}). Resume with the same definition, or choose another --out.`);
    }
    return;
  }
  try {
    writeFileSync(path, JSON.stringify({ gradflow: packageInfo().version, definition: def }, null, 1));
  } catch (e) {
    throw inputError(`cannot write '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
}

export function readDefinition(dir: string): SweepDefinition {
  const path = join(dir, DEFINITION_FILE);
  if (!existsSync(path)) throw inputError(`'${dir}' is not a sweep folder (no ${DEFINITION_FILE}).`);
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { definition: SweepDefinition }).definition;
  } catch (e) {
    throw inputError(`${path} is not valid JSON: ${(e as Error).message}.`);
  }
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
