import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSweep } from '../../src/sweep/run-sweep.js';
import { mergeSweeps } from '../../src/sweep/merge.js';
import { loadResults } from '../../src/sweep/store.js';
import { parseShard } from '../../src/sweep/grid.js';
import { defineSweep, type SweepDefinition } from '../../src/sweep/definition.js';
import { runCli, tempDir } from '../helpers/cli.js';

const quiet = { out: () => {}, err: () => {}, interactive: false };
const AXES = ['--x', 'eps=1e-3:1e-1:8:log', '--y', 's3=0.2:1.2:6'];
const METRICS = ['--metric', 'transitions', '--metric', 'event:loss<0.1', '--metric', 'final:W2W1.stable_rank'];

const def: SweepDefinition = defineSweep({
  model: 'deep-linear',
  x: { name: 'eps', lo: 1e-3, hi: 1e-1, n: 8, log: true },
  y: { name: 's3', lo: 0.2, hi: 1.2, n: 6, log: false },
  sets: {},
  metrics: ['transitions', 'event:loss<0.1', 'final:W2W1.stable_rank'],
});

/** Cells as a set: index → status and metric values (wall time differs between runs). */
function cellSet(dir: string): Map<number, string> {
  return new Map(loadResults(dir).results.map((r) => [r.index, JSON.stringify([r.status, r.metrics])]));
}

describe('sweeps', () => {
  it('a sweep killed with SIGKILL and resumed gives the same cells as an uninterrupted one, recomputing none', async () => {
    const reference = tempDir();
    await runSweep(def, reference, { workers: 1, shard: null, io: quiet });
    expect(cellSet(reference).size).toBe(48);

    const dir = tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/entry.ts', 'sweep', 'deep-linear', ...AXES, ...METRICS, '--out', dir, '--workers', '1'], { stdio: 'ignore' });
    const results = join(dir, 'results.jsonl');
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (existsSync(results) && readFileSync(results, 'utf8').split('\n').length > 10) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve();
        }
      }, 5);
      child.on('exit', () => { clearInterval(timer); reject(new Error('the sweep finished before it could be killed')); });
    });
    await new Promise((r) => child.on('exit', r));
    const before = loadResults(dir).results.length;
    expect(before).toBeGreaterThanOrEqual(10);
    expect(before).toBeLessThan(48);

    const summary = await runSweep(def, dir, { workers: 1, shard: null, io: quiet });
    expect(summary.skipped).toBe(before); // no finished cell recomputed
    expect(summary.computed).toBe(48 - before);
    expect(cellSet(dir)).toEqual(cellSet(reference));
  });

  it('shards 1/3, 2/3, 3/3 merged equal the unsharded sweep', async () => {
    const whole = tempDir();
    await runSweep(def, whole, { workers: 2, shard: null, io: quiet });
    const shards = [1, 2, 3].map(() => tempDir());
    for (const [i, d] of shards.entries()) await runSweep(def, d, { workers: 1, shard: parseShard(`${i + 1}/3`), io: quiet });
    expect(shards.map((d) => loadResults(d).results.length)).toEqual([16, 16, 16]);
    const merged = tempDir();
    const r = mergeSweeps(shards, merged);
    expect(r).toMatchObject({ cells: 48, missing: 0 });
    expect(cellSet(merged)).toEqual(cellSet(whole));
  });

  it('refuses a resume with a changed definition, with a clear message', async () => {
    const dir = tempDir();
    await runSweep({ ...def, x: { ...def.x, n: 2 }, y: { ...def.y, n: 2 } }, dir, { workers: 1, shard: null, io: quiet });
    const r = await runCli('sweep', 'deep-linear', ...AXES, ...METRICS, '--out', dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/holds a different sweep \(x: .*"n":2.*"n":8.*\); its results were not made by this definition\. Run with the same definition to resume, --restart to discard them/);
  });

  it('drops a half-written last line with a warning and recomputes that cell', async () => {
    const small: SweepDefinition = { ...def, x: { ...def.x, n: 2 }, y: { ...def.y, n: 2 } };
    const dir = tempDir();
    await runSweep(small, dir, { workers: 1, shard: null, io: quiet });
    const full = cellSet(dir);
    const path = join(dir, 'results.jsonl');
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    writeFileSync(path, `${lines.slice(0, 3).join('\n')}\n${lines[3].slice(0, 25)}`); // killed mid-write
    let err = '';
    const s = await runSweep(small, dir, { workers: 1, shard: null, io: { ...quiet, err: (t) => { err += t; } } });
    expect(err).toMatch(/dropped a half-written last line/);
    expect(s).toMatchObject({ skipped: 3, computed: 1 });
    expect(cellSet(dir)).toEqual(full);
    expect(readFileSync(path, 'utf8').trimEnd().split('\n')).toHaveLength(4);
    appendFileSync(path, 'garbage\n{"index": 0}\n');
    expect(() => loadResults(dir)).toThrow(/line 5 is not valid JSON and is not the last line/);
  });

  it('an unwritable output folder gives a clear message', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'x');
    const r = await runCli('sweep', 'deep-linear', ...AXES, ...METRICS, '--out', join(file, 'sub'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot create the output folder '.*a-file\/sub': ENOTDIR/);
  });

  it('records a failed cell with its status and carries on; a sweep in which every cell failed exits 3', async () => {
    const dir = tempDir();
    const r = await runCli('sweep', 'deep-linear', '--x', 'eps=1e-3:1e-2:2:log', '--y', 's1=2:3:2', '--metric', 'transitions', '--max-steps', '20', '--out', dir, '--workers', '1');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/4 cells computed, 0 already done, 4 failed/);
    const res = loadResults(dir).results;
    expect(res).toHaveLength(4);
    for (const c of res) {
      expect(c.status).toBe('max_steps');
      expect(c.message).toMatch(/max steps \(20\)/i);
    }
    const phase = await runCli('phase', dir);
    expect(phase.err).toMatch(/4 failed/);
  });

  it('rejects bad axes and metrics before running', async () => {
    const bad = async (...args: string[]): Promise<string> => (await runCli('sweep', 'deep-linear', ...args, '--out', tempDir())).err;
    expect(await bad('--x', 'eps=0:1:4:log', '--y', 's3=0.2:1:2', '--metric', 'transitions')).toMatch(/log axis needs lo > 0/);
    expect(await bad('--x', 'zeta=0:1:4', '--y', 's3=0.2:1:2', '--metric', 'transitions')).toMatch(/no parameter 'zeta'/);
    expect(await bad('--x', 'eps=1e-3:1e-2:2', '--y', 's3=0.2:1:2', '--metric', 'final:nope')).toMatch(/unknown observable 'nope'/);
    expect(await bad('--x', 'eps=1e-3:1e-2:2', '--y', 'init=0:1:2', '--metric', 'transitions')).toMatch(/must be numeric/);
  });
});
