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
