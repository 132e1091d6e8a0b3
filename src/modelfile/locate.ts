/** Finds a model file from a CLI argument: a path, or the name of a bundled example. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { packageInfo } from '../util/package-info.js';
import { inputError } from '../util/errors.js';

export function examplesDir(): string {
  return join(packageInfo().root, 'examples');
}

export function bundledExamples(): string[] {
  return readdirSync(examplesDir()).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

export function resolveModelPath(arg: string): string {
  if (existsSync(arg)) return arg;
  if (!/[\\/]/.test(arg) && !arg.endsWith('.json')) {
    const bundled = join(examplesDir(), `${arg}.json`);
    if (existsSync(bundled)) return bundled;
  }
  throw inputError(`no model file '${arg}'. Give a path to a .json model file or a bundled example: ${bundledExamples().join(', ')}.`);
}
