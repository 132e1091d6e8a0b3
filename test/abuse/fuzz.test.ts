/**
 * Property-based abuse: generated expressions, model files, flags and result folders, fed to the
 * CLI in-process. Whatever the input, gradflow answers with an exit code of 0–3 (never 70, the
 * internal error), without a stack trace, within a bound, and never executes user text.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, tempModel } from '../helpers/cli.js';
import { arrayExpression, expression, flagText, jsonValue, modelKey, resultLine } from './generators.js';

function expectClean(r: { code: number; err: string; out: string }, codes: readonly number[] = [0, 1, 2, 3]): void {
  expect(codes).toContain(r.code);
  expect(r.err).not.toMatch(/internal error/);
  expect(r.err).not.toMatch(/\n\s+at /);
  expect((globalThis as { __gradflowPwned?: unknown }).__gradflowPwned).toBeUndefined();
}

describe('fuzz: no input gives an internal error, a stack trace or an executed payload', () => {
  it('generated loss expressions in a model file (solve)', async () => {
    const codes = new Map<number, number>();
    await fc.assert(fc.asyncProperty(expression, async (loss) => {
      const file = tempModel({ name: 'fuzz', state: { u: 0.5, v: 0.1 }, params: { y: 2 }, loss, t_end: 1, solver: { max_steps: 200 } });
      const r = await runCli('solve', file);
      expectClean(r);
      codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
    }), { numRuns: 300, seed: 20261206 });
    // the generator reaches the compiler and the integrator, not only the parser's rejections
    expect(codes.get(0) ?? 0).toBeGreaterThan(20);
    expect(codes.get(2) ?? 0).toBeGreaterThan(20);
  }, 120_000);

  it('generated array expressions in an array model file (solve and grad)', async () => {
    const codes = new Map<number, number>();
    await fc.assert(fc.asyncProperty(arrayExpression, async (body) => {
      const file = tempModel({
        name: 'fuzz-array', params: { d: 3 },
        arrays: { X: { value: [[[1, 0, 2], [0, 1, 0], [1, 1, 1]], [[0, 2, 1], [1, 0, 0], [2, 1, 0]]] }, c: { value: [1, -1, 0.5] } },
        gaussian: { x: 'd' },
        state: { W: { shape: [3, 3], init: { normal: { sd: 0.5 } } }, v: { shape: [3], init: 'zeros' }, s: 0.3 },
        loss: `sum(${body})`, t_end: 1, solver: { max_steps: 200 },
      });
      const r = await runCli('solve', file);
      expectClean(r);
      codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
      if (r.code === 0) expectClean(await runCli('grad', file));
    }), { numRuns: 200, seed: 20261206 });
    expect(codes.get(0) ?? 0).toBeGreaterThan(10);
    expect(codes.get(2) ?? 0).toBeGreaterThan(10);
  }, 180_000);

  it('array-file keys replaced by junk of any JSON type (solve and check)', async () => {
    const base = {
      name: 'fuzz-keys', params: { d: 3, eps: 0.1 },
      arrays: { c: { value: [1, -1, 0.5], shape: ['d'] } },
      state: { W: { shape: ['d', 'd'], init: { normal: { sd: 'eps' } } } },
      loss: "sum((W * c - c) .^ 2)", t_end: 1, solver: { max_steps: 200 },
      events: [{ name: 'e', when: 'loss - 0.1' }],
      predictions: [{ id: 'p', claim: 'c', source: { paper: 'p', status: 'verified' }, measure: { event_time: 'e' }, predicted: '1', tolerance: { rel: 0.1 } }],
    };
    const keys = fc.constantFrom('arrays', 'state', 'starts', 'gaussian', 'discrete', 'observables', 'matrices', 'predictions', 'data', 'let');
    const junk = fc.oneof(jsonValue, fc.constant({ W: { value: 'W' } }), fc.constant({ x: 'd' }), fc.constant({ s: { values: [1, 2], probs: [0.2, 0.9] } }),
      fc.constant([{ id: 'q', claim: 'c', source: { paper: 'p', status: 'verified' }, measure: { scaling: { param: 'eps', values: [0.1, 0.01], of: { value: 'nope', at: 'end' } } }, predicted: '1', tolerance: { abs: 1 } }]),
      fc.constant({ W: { shape: [3, 'q'], init: 'zeros' } }), fc.constant({ aligned: { W: { value: "c'" } } }));
    await fc.assert(fc.asyncProperty(keys, junk, fc.constantFrom('solve', 'check'), async (key, value, command) => {
      const file = tempModel({ ...base, [key]: value });
      expectClean(await runCli(command, file, ...(command === 'check' ? ['--out', join(tempDir(), 'c')] : [])));
    }), { numRuns: 150, seed: 11 });
  }, 180_000);

  it('generated rhs and event expressions (solve)', async () => {
    await fc.assert(fc.asyncProperty(expression, expression, async (rhs, when) => {
      const file = tempModel({ name: 'fuzz', state: { u: 0.5, v: 0.1 }, params: { y: 2 }, rhs: { u: rhs, v: '-v' }, t_end: 1, events: [{ name: 'e', when }], solver: { max_steps: 200 } });
      expectClean(await runCli('solve', file));
    }), { numRuns: 100, seed: 7 });
  }, 120_000);

  it('generated model-file objects: any keys, any value types', async () => {
    await fc.assert(fc.asyncProperty(fc.dictionary(modelKey, jsonValue, { maxKeys: 8 }), async (obj) => {
      const file = tempModel({ state: { u: 1 }, loss: 'u^2/2', t_end: 1, ...obj });
      expectClean(await runCli('solve', file, '--max-steps', '500'));
    }), { numRuns: 150, seed: 11 });
  }, 120_000);

  it('generated flags on run and sweep', async () => {
    const flag = fc.tuple(fc.constantFrom('--method', '--rtol', '--atol', '--max-steps', '--kinks', '--set', '--event', '--workers'), flagText);
    await fc.assert(fc.asyncProperty(fc.array(flag, { maxLength: 3 }), async (flags) => {
      const args = flags.flatMap(([f, v]) => [f, f === '--set' ? `u=${v}` : f === '--event' ? `loss<${v}` : v]);
      expectClean(await runCli('run', 'factorization', '--no-figures', '--max-steps', '2000', ...args, '--out', tempDir(), '--force'));
      const sweepArgs = args.filter((_, i) => !['--event', '--set'].includes(args[i - (i % 2)]));
      expectClean(await runCli('sweep', 'factorization', '--x', `y=1:2:2`, '--y', 'u=0.1:0.2:2', '--metric', 'final:loss', '--max-steps', '2000', '--workers', '1', ...sweepArgs, '--out', tempDir()));
    }), { numRuns: 40, seed: 3 });
  }, 120_000);

  it('generated flags on compare and check', async () => {
    const flag = fc.tuple(fc.constantFrom('--seeds', '--eta', '--batch', '--data', '--tau', '--momentum', '--langevin', '--observable', '--rtol', '--max-steps'), flagText);
    await fc.assert(fc.asyncProperty(fc.array(flag, { maxLength: 3 }), async (flags) => {
      const args = flags.flatMap(([f, v]) => [f, v]);
      expectClean(await runCli('compare', 'linear-regression-data', '--tau', '1', '--workers', '1', ...args, '--out', tempDir()));
      const checkArgs = args.filter((_, i) => ['--rtol', '--max-steps'].includes(args[i - (i % 2)]));
      expectClean(await runCli('check', 'factorization', ...checkArgs, '--out', tempDir()));
    }), { numRuns: 25, seed: 9 });
  }, 120_000);

  it('generated result folders: garbage lines and definitions are refused, never adopted', async () => {
    const base = tempDir();
    expectClean(await runCli('sweep', 'factorization', '--x', 'y=1:2:2', '--y', 'u=0.1:0.2:2', '--metric', 'final:loss', '--workers', '1', '--out', base), [0]);
    const line = resultLine;
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 3 }), fc.boolean(), async (lines, corruptDefinition) => {
      const dir = join(tempDir(), `f${n++}`);
      expectClean(await runCli('sweep', 'factorization', '--x', 'y=1:2:2', '--y', 'u=0.1:0.2:2', '--metric', 'final:loss', '--workers', '1', '--out', dir), [0]);
      writeFileSync(join(dir, 'results.jsonl'), `${lines.join('\n')}\n`);
      if (corruptDefinition) writeFileSync(join(dir, 'sweep.json'), lines[0]);
      const again = await runCli('sweep', 'factorization', '--x', 'y=1:2:2', '--y', 'u=0.1:0.2:2', '--metric', 'final:loss', '--workers', '1', '--out', dir);
      expectClean(again, [0, 2]);
      const phase = await runCli('phase', dir);
      expectClean(phase, [0, 2]);
      // whatever was accepted is a valid, complete set of distinct cells
      if (again.code === 0) expect(again.err).toMatch(/sweep done: \d+ cells computed, \d+ already done/);
    }), { numRuns: 60, seed: 5 });
  }, 120_000);
});
