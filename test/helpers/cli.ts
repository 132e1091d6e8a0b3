import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

export interface CliResult { code: number; out: string; err: string }

/** Runs the CLI in-process with captured output. */
export async function runCli(...argv: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => { out += t; }, err: (t) => { err += t; }, interactive: false });
  return { code, out, err };
}

/** Writes a model object (or raw text) to a fresh temporary file and returns its path. */
export function tempModel(model: unknown, name = 'model.json'): string {
  const dir = mkdtempSync(join(tmpdir(), 'gradflow-test-'));
  const path = join(dir, name);
  writeFileSync(path, typeof model === 'string' ? model : JSON.stringify(model));
  return path;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'gradflow-test-'));
}
