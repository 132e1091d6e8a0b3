/** Converting CLI flag strings to typed values, with errors that name the flag. */
import { inputError } from '../util/errors.js';

export function numberFlag(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw inputError(`--${name} ${text}: expected a finite number.`);
  return v;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--workers N`: a positive integer (default: every core). */
export function workersFlag(text: string | undefined, defaultWorkers: number): number {
  const n = numberFlag('workers', text) ?? defaultWorkers;
  if (!Number.isInteger(n) || n < 1) throw inputError(`--workers must be a positive integer (got ${text}).`);
  return n;
}
