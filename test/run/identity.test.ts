/**
 * A result is reused only if everything that produced it is identical: an edited model file
 * (same path, new content) is refused by `sweep` and `compare` resumes, naming what differs; the
 * same file resumes with nothing recomputed; --restart starts over. A sweep cell integrates once.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, tempModel } from '../helpers/cli.js';
import { defineSweep } from '../../src/sweep/definition.js';
import { cellsOf } from '../../src/sweep/grid.js';
import { runCell } from '../../src/sweep/cell.js';
import { loadResults } from '../../src/sweep/store.js';

const regression = (a: number) => ({
  name: 'regression',
  state: { w: 0 },
  params: { a: 2, c: 1 },
  loss: `(w - a)^2/2 + ${a}*c*w^2/2`,
  t_end: 5,
  data: { draw: { x: { normal: [0, 1] } }, let: { y: 'a*x' }, loss: `(y - w*x)^2/2 + ${a}*c*w^2/2` },
});

const sweepArgs = (file: string, out: string): string[] => ['sweep', file, '--x', 'a=1:2:2', '--y', 'c=0:1:2', '--metric', 'final:loss', '--out', out, '--workers', '1'];

describe('sweep resume is keyed by the model file content', () => {
  it('same file: resumed with nothing recomputed; edited file: refused naming the hash; --restart: recomputed with the new numbers', async () => {
    const file = tempModel(regression(0));
    const out = tempDir();
    expect((await runCli(...sweepArgs(file, out))).code).toBe(0);
    const before = loadResults(out).results.map((r) => r.metrics['final:loss']);
    const again = await runCli(...sweepArgs(file, out));
    expect(again.err).toMatch(/0 cells computed, 4 already done/);

    writeFileSync(file, JSON.stringify(regression(1))); // same path, a different loss
    const stale = await runCli(...sweepArgs(file, out));
    expect(stale.code).toBe(2);
    expect(stale.err).toMatch(/holds a different sweep \(model_sha256: "[0-9a-f]{64}" vs "[0-9a-f]{64}"\)/);

    const fresh = await runCli(...sweepArgs(file, out), '--restart');
    expect(fresh.code).toBe(0);
    expect(fresh.err).toMatch(/4 cells computed, 0 already done/);
    const after = loadResults(out).results;
    // the minimum of (w − a)²/2 + c·w²/2 is at w = a/(1 + c): at c = 1 the new loss is a²/4, not 0
    const cell = after.find((r) => r.params.a === 2 && r.params.c === 1)!;
    expect(cell.metrics['final:loss']).toBeCloseTo(1, 6);
    expect(before.every((v) => (v as number) < 1e-3)).toBe(true);
  }, 60_000);

  it('a solver flag is part of the definition', async () => {
    const file = tempModel(regression(0));
    const out = tempDir();
    expect((await runCli(...sweepArgs(file, out))).code).toBe(0);
    const r = await runCli(...sweepArgs(file, out), '--rtol', '1e-6');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/solver: \{\} vs \{"rtol":0\.000001\}/);
  }, 60_000);
});

describe('compare resume is keyed by the model file content', () => {
  it('same file: runs reused; edited file: refused; --restart: trained again', async () => {
    const file = tempModel(regression(0));
    const out = tempDir();
    const args = ['compare', file, '--eta', '0.1', '--tau', '2', '--workers', '1', '--out', out];
    expect((await runCli(...args)).code).toBe(0);
    expect((await runCli(...args)).err).toMatch(/1 finished runs found/);
    writeFileSync(file, JSON.stringify(regression(1)));
    const stale = await runCli(...args);
    expect(stale.code).toBe(2);
    expect(stale.err).toMatch(/holds runs of a different comparison \(file: .*"sha256":"[0-9a-f]{64}".* vs .*"sha256":"[0-9a-f]{64}"/);
    const fresh = await runCli(...args, '--restart');
    expect(fresh.code).toBe(0);
    expect(fresh.err).not.toMatch(/finished runs found/);
    const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    expect(json.model.file.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(json.model.definition.loss).toContain('1*c*w^2/2');
  }, 60_000);
});

describe('a sweep cell integrates once', () => {
  it('its metrics, model predictions included, read the cell\'s own run', () => {
    // half-learning-times and stage-like-transitions read ctx.main(): the cell's run, not a second one
    const def = defineSweep({
      model: 'deep-linear', x: { name: 'eps', lo: 1e-3, hi: 1e-3, n: 1, log: false }, y: { name: 's3', lo: 0.5, hi: 0.5, n: 1, log: false }, sets: {},
      metrics: ['final:loss', 'transitions', 'verdict:half-learning-times', 'verdict:stage-like-transitions'], solver: { maxSteps: 50 },
    });
    const [cell] = cellsOf(def);
    const r = runCell(def, cell);
    // the step budget applies to the one integration: status and metrics come from the same failed run
    expect(r.integrations).toBe(1);
    expect(r.status).toBe('max_steps');
    expect(r.metrics['verdict:stage-like-transitions']).toBe(0);
    const ok = runCell({ ...def, solver: {} }, cell);
    expect(ok.integrations).toBe(1);
    expect(ok.status).toBe('success');
    expect(ok.metrics['verdict:stage-like-transitions']).toBe(1);
    expect(ok.metrics.transitions).toBe(3);
  });
});

describe('sweep.json is the sweep\'s provenance record', () => {
  it('model identity, settings, flags, status and cell counts', async () => {
    const file = tempModel(regression(0));
    const out = tempDir();
    expect((await runCli(...sweepArgs(file, out), '--rtol', '1e-9')).code).toBe(0);
    const j = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8'));
    expect(j).toMatchObject({ command: 'sweep', status: 'complete', cells: { total: 4, done: 4, failed: 0 }, solver_flags: { rtol: 1e-9 } });
    expect(j.model.file.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(j.definition.identity.file.sha256).toBe(j.model.file.sha256);
    expect(j.options.metrics).toEqual(['final:loss']);
  }, 60_000);
});
