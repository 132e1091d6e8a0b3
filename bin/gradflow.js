#!/usr/bin/env node
// Entry point: runs the compiled CLI (built by `npm ci` through the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/cli/entry.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('gradflow: the compiled CLI is missing; run `npm ci` (or `npm run build`) first.\n');
  process.exit(2);
}
await import(main.href);
