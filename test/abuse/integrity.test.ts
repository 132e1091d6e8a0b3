/**
 * Data integrity under careless or concurrent use: one writer per output folder, results files
 * that are not this run's refused line by line, no silent overwrite, names looked up as own
 * properties only. Each case is a reproduction of a defect found by abuse testing.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, tempModel } from '../helpers/cli.js';
import { LOCK_FILE, lockFolder } from '../../src/io/lock.js';

const SWEEP = ['sweep', 'deep-linear', '--x', 'eps=1e-3:1e-2:2:log', '--y', 's3=0.2:0.4:2', '--metric', 'transitions', '--workers', '1'];

describe('one writer per output folder', () => {
  it('a second sweep into a folder in use is refused, naming the holder; the first finishes intact', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/entry.ts', ...SWEEP.slice(0, 2), '--x', 'eps=1e-3:1e-1:6:log', '--y', 's3=0.2:1.2:6', '--metric', 'transitions', '--workers', '1', '--out', dir], { stdio: 'ignore' });
    const lock = join(dir, LOCK_FILE);
    await new Promise<void>((resolve, reject) => {
      const start = Date.now();
      const timer = setInterval(() => {
        if (existsSync(lock)) { clearInterval(timer); resolve(); }
        if (Date.now() - start > 30_000) { clearInterval(timer); reject(new Error('the first sweep never took its lock')); }
      }, 20);
    });
    const second = await runCli('sweep', 'deep-linear', '--x', 'eps=1e-3:1e-1:6:log', '--y', 's3=0.2:1.2:6', '--metric', 'transitions', '--workers', '1', '--out', dir);
    expect(second.code).toBe(2);
    expect(second.err).toMatch(new RegExp(`is in use by gradflow pid ${child.pid} on ${hostname()} \\(sweep deep-linear`));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(existsSync(lock)).toBe(false);
    const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(36);
    expect(new Set(lines.map((l) => (JSON.parse(l) as { index: number }).index)).size).toBe(36);
  }, 120_000);

  it('a lock left by a process that died is taken over', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), command: 'sweep x', since: 'then' }));
    const r = await runCli(...SWEEP, '--out', dir);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  }, 60_000);

  it('a lock held in this process is re-entrant and released once', () => {
    const dir = tempDir();
    const a = lockFolder(dir, 'a');
    const b = lockFolder(dir, 'b');
    b();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    a();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });
});

describe('results files that are not this run\'s are refused, never adopted', () => {
  async function sweepInto(dir: string): Promise<{ code: number; err: string }> {
    return runCli(...SWEEP, '--out', dir);
  }
  it.each([
    ['a foreign line', '{"index":0,"epoch":1}', /line 1 is not a cell of this run \(ix must be a non-negative integer\)/],
    ['a cell outside the grid', '{"index":9,"ix":1,"iy":4,"params":{},"status":"success","message":"","metrics":{},"integrations":1,"wall_ms":1}', /line 1 is not a cell of this run \(index 9 is outside the grid of 4 cells\)/],
  ])('%s', async (_name, line, message) => {
    const dir = tempDir();
    expect((await sweepInto(dir)).code).toBe(0);
    const results = join(dir, 'results.jsonl');
    writeFileSync(results, `${line}\n${readFileSync(results, 'utf8')}`);
    const r = await sweepInto(dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect((await runCli('phase', dir)).err).toMatch(message);
  }, 60_000);

  it('a duplicated line', async () => {
    const dir = tempDir();
    expect((await sweepInto(dir)).code).toBe(0);
    const results = join(dir, 'results.jsonl');
    const text = readFileSync(results, 'utf8');
    writeFileSync(results, text + text.split('\n')[0] + '\n');
    const r = await sweepInto(dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/line 5 is not a cell of this run \(cell \d appears twice\)/);
  }, 60_000);

  it.each([['{}'], ['{"definition":null}'], ['[1,2]']])('sweep.json %s', async (text) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'sweep.json'), text);
    for (const r of [await sweepInto(dir), await runCli('phase', dir)]) {
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/sweep\.json is not a gradflow sweep definition/);
    }
  });

  it('compare: runs.jsonl without its origin, or with a foreign line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'runs.jsonl'), '{"key":"x","run":{}}\n');
    const args = ['compare', 'deep-linear', '--eta', '0.1', '--tau', '1', '--workers', '1', '--out', dir];
    const r = await runCli(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/holds runs \(runs\.jsonl\) with no record of what made them/);
    const fresh = tempDir();
    expect((await runCli(...args.slice(0, -1), fresh)).code).toBe(0);
    writeFileSync(join(fresh, 'runs.jsonl'), `{"key":"x","run":{"tau":1}}\n${readFileSync(join(fresh, 'runs.jsonl'), 'utf8')}`);
    const bad = await runCli(...args.slice(0, -1), fresh);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/line 1 is not a run of this run \(tau, loss, residual and step must be stored arrays\)/);
  }, 60_000);
});

describe('no silent overwrite', () => {
  it('solve --out an existing file, run and check --out a folder with results: refused without --force', async () => {
    const dir = tempDir();
    const csv = join(dir, 'x.csv');
    expect((await runCli('solve', 'factorization', '--out', csv)).code).toBe(0);
    const again = await runCli('solve', 'factorization', '--out', csv);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/x\.csv, .*x\.json already exist: an earlier result\. Use --force/);
    expect((await runCli('solve', 'factorization', '--out', csv, '--force')).code).toBe(0);
    const runDir = join(dir, 'run');
    expect((await runCli('run', 'factorization', '--no-figures', '--out', runDir)).code).toBe(0);
    expect((await runCli('run', 'factorization', '--no-figures', '--out', runDir)).err).toMatch(/trajectory\.csv, .*run\.json already exist/);
    expect((await runCli('run', 'factorization', '--no-figures', '--out', runDir, '--force')).code).toBe(0);
    expect((await runCli('check', 'factorization', '--out', runDir)).err).toMatch(/run\.json already exists/);
  });
});

describe('names are own properties only', () => {
  it.each(['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__'])('%s is no parameter', async (name) => {
    const run = await runCli('run', 'deep-linear', '--set', `${name}=5`, '--no-figures', '--out', tempDir());
    expect(run.code).toBe(2);
    const sweep = await runCli('sweep', 'deep-linear', '--x', `${name}=0:1:2`, '--y', 's3=0.2:0.4:2', '--metric', 'transitions', '--out', tempDir());
    expect(sweep.code).toBe(2);
    expect(run.err + sweep.err).not.toMatch(/internal error/);
  });

  it('an event direction "constructor" is an input error', async () => {
    const file = tempModel({ name: 'f', state: { u: 1 }, loss: 'u^2/2', t_end: 1, events: [{ name: 'e', when: 'u - 0.5', direction: 'constructor' }] });
    const r = await runCli('solve', file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/direction must be "rising", "falling" or "both"/);
  });
});

describe('flags and folders', () => {
  it.each([['1.5'], ['0'], ['-3']])('--workers %s is refused', async (w) => {
    const r = await runCli(...SWEEP, '--workers', w, '--out', tempDir());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--workers must be a positive integer/);
  });

  it.each([['0'], ['-1'], ['1.5'], ['1e20']])('--max-steps %s is refused before any cell runs', async (m) => {
    const out = tempDir();
    const r = await runCli(...SWEEP, '--max-steps', m, '--out', out);
    expect(r.code).toBe(2);
    expect(existsSync(join(out, 'results.jsonl'))).toBe(false);
  });

  it('an event on σ9 of a 3×3 matrix is refused', async () => {
    const r = await runCli('run', 'deep-linear', '--event', 'W2W1.sigma9>0.5', '--no-figures', '--out', tempDir());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/W2W1 has 3 singular values \(sigma1 … sigma3\)/);
  });

  it('figures into a path that cannot be a folder: a message, not an internal error', async () => {
    const dir = tempDir();
    expect((await runCli(...SWEEP, '--out', dir)).code).toBe(0);
    mkdirSync(join(dir, 'phase-transitions.png')); // the figure's own path is taken by a folder: EISDIR
    const r = await runCli('phase', dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot write the figure/);
  }, 60_000);

  it('a model name with HTML is escaped in the report', async () => {
    const file = tempModel({ name: '<script>alert(1)</script>', state: { u: 1 }, loss: 'u^2/2', t_end: 1 });
    const out = tempDir();
    expect((await runCli('check', file, '--out', out)).code).toBe(0);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).not.toMatch(/<script>/);
    expect(md).toMatch(/\\<script\\>/);
  });
});

describe('misleading answers', () => {
  it.each(['dopri5', 'dop853', 'auto', 'rodas5p'])('%s does not step over a pole: −1 − 1e-6/(u − 0.5) from u = 1 stops at u = 0.5', async (method) => {
    const file = tempModel({ name: 'pole', state: { u: 1 }, rhs: { u: '-1 - 1e-6/(u - 0.5)' }, t_end: 3 });
    const out = join(tempDir(), 'p.json');
    const r = await runCli('solve', file, '--method', method, '--out', out);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/pole: non_finite: the field is singular at t=0\.49\d*: the denominator u - 0\.5 changes sign there/);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.status).toBe('non_finite');
    // no saved state lies beyond the pole
    expect(Math.min(...j.state.u)).toBeGreaterThan(0.5 - 1e-6);
  });

  it('a denominator that never vanishes costs nothing and changes nothing', async () => {
    const file = tempModel({ name: 'smooth', state: { u: 1 }, rhs: { u: '-u/(1 + u^2)' }, t_end: 3 });
    const r = await runCli('solve', file);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/success: reached t=3/);
  });
});

describe('bounded time', () => {
  it('a sweep cell past its wall-clock limit is recorded as an error, and the sweep goes on', async () => {
    const { defineSweep } = await import('../../src/sweep/definition.js');
    const { cellsOf } = await import('../../src/sweep/grid.js');
    const { runCell } = await import('../../src/sweep/cell.js');
    const def = { ...defineSweep({ model: 'chen-luo', x: { name: 'eps', lo: 1e-4, hi: 1e-4, n: 1, log: false }, y: { name: 'seed', lo: 1, hi: 1, n: 1, log: false }, sets: {}, metrics: ['final:loss'] }), cellTimeout: 0.05 };
    const start = performance.now();
    const r = runCell(def, cellsOf(def)[0]);
    expect(performance.now() - start).toBeLessThan(5000);
    expect(r.status).toBe('error');
    expect(r.message).toMatch(/the time limit ran out at t=[\d.e+-]+ \(of 27\d+/);
  });
});

describe('numbers beyond float64', () => {
  it('1e309 in a model file is named as out of range, not as null', async () => {
    const r = await runCli('solve', tempModel('{"name":"f","state":{"u":1e309},"loss":"u^2","t_end":1}'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/state\.u must be a finite number \(got a number beyond ±1\.8e308, the float64 range\)/);
  });
});
