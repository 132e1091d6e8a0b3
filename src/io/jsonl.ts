/**
 * Durable JSON-lines files for long runs: one finished result per line, appended and fsync'ed as
 * each ends, so a run killed at any moment loses only the work in flight. Reading tolerates a
 * half-written last line (dropped with a warning; appending resumes before it); a damaged line
 * elsewhere is an error that says where.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync, ftruncateSync } from 'node:fs';
import { inputError } from '../util/errors.js';

export interface LoadedLines<T> {
  readonly items: T[];
  /** Set when a truncated last line was dropped. */
  readonly warning: string | null;
  /** Byte length of the valid prefix (where appending resumes). */
  readonly validBytes: number;
}

/**
 * Reads a JSON-lines file (empty when it does not exist); `what` names an item in messages.
 * `validate` checks each parsed line against the file's schema and returns what is wrong (null
 * when it is fine): a line that parses but is not an item of this file (a foreign file, a
 * duplicate) is an error naming the line, never adopted.
 */
export function loadJsonLines<T>(path: string, what: string, reviver?: (key: string, value: unknown) => unknown, validate?: (item: unknown, items: readonly T[]) => string | null): LoadedLines<T> {
  if (!existsSync(path)) return { items: [], warning: null, validBytes: 0 };
  const text = readFileSync(path).toString('utf8');
  const items: T[] = [];
  let pos = 0;
  let warning: string | null = null;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const line = nl < 0 ? text.slice(pos) : text.slice(pos, nl);
    const isLast = nl < 0 || nl === text.length - 1;
    let parsed: T | null = null;
    try {
      parsed = JSON.parse(line, reviver) as T;
    } catch {
      parsed = null;
    }
    if (parsed === null || nl < 0) {
      if (!isLast) throw inputError(`${path}: line ${items.length + 1} is not valid JSON and is not the last line; the file is damaged (remove that line to continue).`);
      warning = `${path}: dropped a half-written last line (${line.length} bytes), probably from an interrupted run; that ${what} will be recomputed.`;
      break;
    }
    const problem = validate?.(parsed, items) ?? null;
    if (problem !== null) {
      throw inputError(`${path}: line ${items.length + 1} is not a ${what} of this run (${problem}); the file was not written by this gradflow run. Use --restart to discard it, or choose another --out.`);
    }
    items.push(parsed);
    pos = nl + 1;
  }
  return { items, warning, validBytes: Buffer.byteLength(text.slice(0, pos), 'utf8') };
}

/** Appends lines durably. Truncates a half-written tail (past `validBytes`) first. */
export class JsonLinesWriter<T> {
  private readonly fd: number;
  private offset: number;
  constructor(path: string, validBytes: number, private readonly replacer?: (key: string, value: unknown) => unknown) {
    try {
      this.fd = openSync(path, existsSync(path) ? 'r+' : 'w');
      ftruncateSync(this.fd, validBytes);
    } catch (e) {
      throw inputError(`cannot write '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
    }
    this.offset = validBytes;
  }
  append(item: T): void {
    const bytes = Buffer.from(`${JSON.stringify(item, this.replacer)}\n`, 'utf8');
    writeSync(this.fd, bytes, 0, bytes.length, this.offset);
    this.offset += bytes.length;
    fsyncSync(this.fd); // a finished item survives SIGKILL and power loss
  }
  close(): void {
    closeSync(this.fd);
  }
}
