/**
 * The abuse campaign behind the reliability table: many generated hostile or careless inputs per
 * category, run through the CLI in-process, tallied by outcome. `npx tsx scripts/abuse-campaign.ts [RUNS]`
 * (RUNS per generated category, default 400). Internal errors, hangs and corrupted results must be 0.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { main } from '../src/cli/main.js';
import { tempDir, tempModel } from '../test/helpers/cli.js';
import { expression, flagText, jsonValue, modelKey, PAYLOADS, resultLine } from '../test/abuse/generators.js';

interface Tally { tried: number; ran: number; rejected: number; internal: number; hangs: number; corrupted: number; examples: string[] }
const HANG_MS = 30_000;
const tallies = new Map<string, Tally>();

async function cli(category: string, argv: string[], check?: (code: number) => boolean): Promise<number> {
  const t = tallies.get(category) ?? { tried: 0, ran: 0, rejected: 0, internal: 0, hangs: 0, corrupted: 0, examples: [] };
  tallies.set(category, t);
  t.tried++;
  let err = '';
  const start = performance.now();
  const code = await main(argv, { out: () => {}, err: (s) => { err += s; }, interactive: false });
  if (performance.now() - start > HANG_MS) t.hangs++;
  if (code === 70 || /internal error|\n\s+at /.test(err)) { t.internal++; if (t.examples.length < 3) t.examples.push(`${argv.join(' ').slice(0, 160)} → ${err.slice(0, 200)}`); }
  else if (code === 2) t.rejected++;
  else t.ran++;
  if (check && !check(code)) t.corrupted++;
  if ((globalThis as { __gradflowPwned?: unknown }).__gradflowPwned !== undefined) throw new Error(`payload executed: ${argv.join(' ')}`);
  return code;
}

const runs = Number(process.argv[2] ?? 400);
const sample = <T>(arb: fc.Arbitrary<T>, n: number, seed: number): T[] => fc.sample(arb, { numRuns: n, seed });

// 1. injection payloads in loss, rhs and event expressions
for (const p of [...PAYLOADS, 'process.exit(1)', 'require("fs")', 'this.constructor', 'globalThis', '__proto__.x', 'eval("1")', 'Function("return 1")()', 'import("fs")', 'x => x', 'u; u']) {
  await cli('injection payloads (loss, rhs, when)', ['solve', tempModel({ state: { u: 1 }, loss: p, t_end: 1 })]);
  await cli('injection payloads (loss, rhs, when)', ['solve', tempModel({ state: { u: 1 }, rhs: { u: p }, t_end: 1 })]);
  await cli('injection payloads (loss, rhs, when)', ['solve', tempModel({ state: { u: 1 }, loss: 'u^2', t_end: 1, events: [{ name: 'e', when: p }] })]);
}
// 2. generated expressions
for (const e of sample(expression, runs, 1)) await cli('generated expressions', ['solve', tempModel({ state: { u: 0.5, v: 0.1 }, params: { y: 2 }, loss: e, t_end: 1, solver: { max_steps: 500 } })]);
// 3. long and deep expressions
for (const n of [100, 1500, 3000, 10_000, 20_000]) {
  await cli('long and deep expressions', ['solve', tempModel({ state: { u: 1 }, loss: Array.from({ length: n }, (_, i) => `${i + 1}*u^2/2`).join(' + '), t_end: 1 })]);
  await cli('long and deep expressions', ['solve', tempModel({ state: { u: 1 }, loss: `(${Array.from({ length: n }, () => '(1 + 1e-9*u)').join(' * ')})`, t_end: 1 })]);
  await cli('long and deep expressions', ['solve', tempModel({ state: { u: 1 }, loss: `max(${Array.from({ length: n }, (_, i) => `u - ${i}`).join(', ')})^2`, t_end: 1 })]);
  await cli('long and deep expressions', ['solve', tempModel({ state: { u: 1 }, loss: Array.from({ length: Math.min(n, 2000) }, (_, i) => `relu(u - ${i / 1000})`).join(' + '), t_end: 1 })]);
  await cli('long and deep expressions', ['solve', tempModel({ state: { u: 1 }, loss: `${'('.repeat(n)}u${')'.repeat(n)}^2`, t_end: 1 })]);
  await cli('long and deep expressions', ['solve', tempModel({ state: { u: 1 }, loss: `${'exp('.repeat(Math.min(n, 5000))}u${')'.repeat(Math.min(n, 5000))}`, t_end: 1 })]);
}
// 4. generated model files
for (const obj of sample(fc.dictionary(modelKey, jsonValue, { maxKeys: 8 }), runs, 2)) await cli('generated model files', ['solve', tempModel({ state: { u: 1 }, loss: 'u^2/2', t_end: 1, ...obj }), '--max-steps', '500']);
// 5. generated flags
const flag = fc.tuple(fc.constantFrom('--method', '--rtol', '--atol', '--max-steps', '--kinks', '--set', '--event', '--workers', '--seeds', '--eta', '--batch', '--data', '--tau', '--momentum'), flagText);
for (const flags of sample(fc.array(flag, { maxLength: 3 }), runs, 3)) {
  const args = flags.flatMap(([f, v]) => [f, f === '--set' ? `u=${v}` : f === '--event' ? `loss<${v}` : v]);
  const runFlags = args.filter((_, i) => ['--method', '--rtol', '--atol', '--max-steps', '--kinks', '--set', '--event'].includes(args[i - (i % 2)]));
  await cli('generated flags (run, check, sweep, compare)', ['run', 'factorization', '--no-figures', '--max-steps', '2000', ...runFlags, '--out', tempDir()]);
  const compareFlags = args.filter((_, i) => !['--event', '--kinks', '--method'].includes(args[i - (i % 2)]));
  await cli('generated flags (run, check, sweep, compare)', ['compare', 'linear-regression-data', '--tau', '1', '--workers', '1', ...compareFlags, '--out', tempDir()]);
}
// 6. resource requests
for (const argv of [
  ['compare', 'deep-linear', '--seeds', '100000'], ['compare', 'deep-linear', '--data', 'online', '--batch', '1e9'], ['compare', 'deep-linear', '--data', 'n=999999999999'],
  ['compare', 'yang', '--set', 'd=1024', '--set', 'K=5', '--set', 'pad=8', '--data', 'n=50000'], ['compare', 'deep-linear', '--eta', '1e9'], ['compare', 'deep-linear', '--eta', '1e9', '--tau', '1e15', '--data', 'online', '--batch', '4'],
  ['sweep', 'deep-linear', '--x', 'eps=1e-3:1e-2:10001', '--y', 's3=0.2:0.4:2', '--metric', 'transitions'], ['sweep', 'deep-linear', '--x', 'eps=1e-3:1e-2:2', '--y', 's3=0.2:0.4:2', '--metric', 'transitions', '--max-steps', '1e20'],
]) await cli('resource requests', [...argv, '--out', tempDir()]);
await cli('resource requests', ['solve', tempModel({ state: { u: 1 }, loss: 'u^2', t_end: 1, save_at: { lin: [0, 1, 2e6] } })]);
// 7. prototype names
for (const name of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__', 'prototype', '__defineGetter__']) {
  await cli('names from the prototype chain', ['run', 'deep-linear', '--set', `${name}=5`, '--no-figures', '--out', tempDir()]);
  await cli('names from the prototype chain', ['sweep', 'deep-linear', '--x', `${name}=0:1:2`, '--y', 's3=0.2:0.4:2', '--metric', 'transitions', '--out', tempDir()]);
  await cli('names from the prototype chain', ['sweep', 'deep-linear', '--x', 'eps=1e-3:1e-2:2', '--y', 's3=0.2:0.4:2', '--metric', `model:${name}`, '--out', tempDir()]);
  await cli('names from the prototype chain', ['solve', tempModel({ state: { u: 1 }, loss: 'u^2', t_end: 1, events: [{ name: 'e', when: 'u', direction: name }] })]);
}
// 8. damaged result folders: never adopted, never mixed
const base = ['sweep', 'factorization', '--x', 'y=1:2:2', '--y', 'u=0.1:0.2:2', '--metric', 'final:loss', '--workers', '1'];
for (const [i, lines] of sample(fc.tuple(fc.array(resultLine, { minLength: 1, maxLength: 3 }), fc.boolean()), runs, 4).entries()) {
  const dir = join(tempDir(), `f${i}`);
  await main([...base, '--out', dir], { out: () => {}, err: () => {}, interactive: false });
  writeFileSync(join(dir, 'results.jsonl'), `${lines[0].join('\n')}\n`);
  if (lines[1]) writeFileSync(join(dir, 'sweep.json'), lines[0][0]);
  // refused: the file is left exactly as found; accepted: it holds distinct cells of this 2×2 sweep only
  const before = readFileSync(join(dir, 'results.jsonl'), 'utf8');
  const intact = (code: number): boolean => {
    const after = existsSync(join(dir, 'results.jsonl')) ? readFileSync(join(dir, 'results.jsonl'), 'utf8') : '';
    if (code === 2) return after === before;
    const cells = after.trim().split('\n').map((l) => JSON.parse(l) as { index: number; ix: number; iy: number });
    return cells.length <= 4 && new Set(cells.map((c) => c.index)).size === cells.length && cells.every((c) => c.index === c.iy * 2 + c.ix);
  };
  await cli('damaged result folders (sweep, phase)', [...base, '--out', dir], intact);
  await cli('damaged result folders (sweep, phase)', ['phase', dir]);
}

// 9. two sweeps into one folder at once (separate processes; the second starts once the first is writing)
for (let trial = 0; trial < 3; trial++) {
  const dir = tempDir();
  const argv = ['--import', 'tsx', 'src/cli/entry.ts', 'sweep', 'deep-linear', '--x', 'eps=1e-4:1e-1:16:log', '--y', 's3=0.2:1.2:12', '--metric', 'transitions', '--workers', '1', '--out', dir];
  const start = (): Promise<number> => new Promise((resolve) => spawn(process.execPath, argv, { stdio: 'ignore' }).on('exit', (c) => resolve(c ?? -1)));
  const first = start();
  for (let waited = 0; waited < 30_000 && !existsSync(join(dir, '.gradflow.lock')); waited += 20) await new Promise((r) => setTimeout(r, 20));
  const codes = await Promise.all([first, start()]);
  const t = tallies.get('two sweeps into one folder') ?? { tried: 0, ran: 0, rejected: 0, internal: 0, hangs: 0, corrupted: 0, examples: [] };
  tallies.set('two sweeps into one folder', t);
  t.tried += 2;
  for (const c of codes) { if (c === 2) t.rejected++; else if (c === 0) t.ran++; else t.internal++; }
  const cells = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { index: number });
  if (cells.length !== 192 || new Set(cells.map((c) => c.index)).size !== 192) t.corrupted++;
}

const rows = [...tallies.entries()];
const total = rows.reduce((a, [, t]) => ({ tried: a.tried + t.tried, ran: a.ran + t.ran, rejected: a.rejected + t.rejected, internal: a.internal + t.internal, hangs: a.hangs + t.hangs, corrupted: a.corrupted + t.corrupted }), { tried: 0, ran: 0, rejected: 0, internal: 0, hangs: 0, corrupted: 0 });
console.log('| category | inputs | ran (exit 0, 1, 3) | clean rejections (exit 2) | internal errors | hangs | corrupted or mixed results |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const [name, t] of rows) console.log(`| ${name} | ${t.tried} | ${t.ran} | ${t.rejected} | ${t.internal} | ${t.hangs} | ${t.corrupted} |`);
console.log(`| **all** | ${total.tried} | ${total.ran} | ${total.rejected} | ${total.internal} | ${total.hangs} | ${total.corrupted} |`);
for (const [name, t] of rows) for (const e of t.examples) console.log(`internal error (${name}): ${e}`);
