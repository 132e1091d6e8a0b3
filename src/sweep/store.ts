/**
 * The sweep folder: `sweep.json` (the definition) and `results.jsonl` (one finished cell per
 * line, appended and fsync'ed as each cell ends). A run killed at any moment loses only the cells
 * in flight; a half-written last line is detected, dropped with a warning, and recomputed.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync, accessSync, constants, ftruncateSync } from 'node:fs';
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
  const path = join(dir, RESULTS_FILE);
  if (!existsSync(path)) return { results: [], warning: null, validBytes: 0 };
  const buf = readFileSync(path);
  const text = buf.toString('utf8');
  const results: CellResult[] = [];
  let pos = 0;
  let warning: string | null = null;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const line = nl < 0 ? text.slice(pos) : text.slice(pos, nl);
    const isLast = nl < 0 || nl === text.length - 1;
    let parsed: CellResult | null = null;
    try {
      parsed = JSON.parse(line) as CellResult;
    } catch {
      parsed = null;
    }
    if (parsed === null || nl < 0) {
      if (!isLast) throw inputError(`${path}: line ${results.length + 1} is not valid JSON and is not the last line; the file is damaged (remove that line to continue).`);
      warning = `${path}: dropped a half-written last line (${line.length} bytes), probably from an interrupted run; that cell will be recomputed.`;
      break;
    }
    results.push(parsed);
    pos = nl + 1;
  }
  return { results, warning, validBytes: Buffer.byteLength(text.slice(0, pos), 'utf8') };
}

/** Appends finished cells durably. Truncates a half-written tail first. */
export class ResultWriter {
  private readonly fd: number;
  constructor(dir: string, validBytes: number) {
    const path = join(dir, RESULTS_FILE);
    try {
      this.fd = openSync(path, existsSync(path) ? 'r+' : 'w');
      ftruncateSync(this.fd, validBytes);
    } catch (e) {
      throw inputError(`cannot write '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
    }
    this.offset = validBytes;
  }
  private offset: number;
  append(result: CellResult): void {
    const bytes = Buffer.from(`${JSON.stringify(result)}\n`, 'utf8');
    writeSync(this.fd, bytes, 0, bytes.length, this.offset);
    this.offset += bytes.length;
    fsyncSync(this.fd); // a finished cell survives SIGKILL and power loss
  }
  close(): void {
    closeSync(this.fd);
  }
}
