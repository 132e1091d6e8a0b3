/** Results are never overwritten silently: a command that would replace an earlier result refuses unless told `--force`. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { inputError } from '../util/errors.js';

/** Throws when any of `files` (paths, or names inside `dir`) exists and `force` is not set. */
export function refuseOverwrite(files: readonly string[], force: boolean, dir?: string): void {
  if (force) return;
  const found = files.map((f) => (dir ? join(dir, f) : f)).filter((f) => existsSync(f));
  if (found.length > 0) throw inputError(`${found.join(', ')} already exist${found.length === 1 ? 's' : ''}: an earlier result. Use --force to overwrite it, or choose another --out.`);
}
