/**
 * Solver flags on every command, recorded in every output; general-ODE files in run and check;
 * failed runs end with a status and a message, never an internal error; check --verify.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const json = (path: string): Record<string, any> => JSON.parse(readFileSync(path, 'utf8'));

describe('solver flags', () => {
  it('check deep-linear --rtol 1e-12 --method dop853: the flags reach every run and are recorded', async () => {
    const out = tempDir();
    const r = await runCli('check', 'deep-linear', '--rtol', '1e-12', '--atol', '1e-14', '--method', 'dop853', '--out', out);
    expect(r.code).toBe(0);
    const run = json(join(out, 'run.json'));
    expect(run.solver).toMatchObject({ method: 'dop853', rtol: 1e-12, atol: 1e-14 });
    expect(run.solver_flags).toEqual({ method: 'dop853', rtol: 1e-12, atol: 1e-14 });
    const check = json(join(out, 'check.json'));
    expect(check.command).toBe('check');
    expect(check.passed).toBe(4);
    expect(check.predictions.map((p: { id: string }) => p.id)).toContain('balance-conserved');
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/Solver flags: method = dop853, rtol = 1e-12, atol = 1e-14/);
    // at rtol 1e-6 the closed-form claim (to 1e-8) cannot be confirmed: the flag reaches the prediction's own run
    const loose = tempDir();
    expect((await runCli('check', 'deep-linear', '--rtol', '1e-6', '--out', loose)).code).toBe(1);
    const measured = (dir: string, id: string): { measured: number; pass: boolean } => json(join(dir, 'check.json')).predictions.find((p: { id: string }) => p.id === id);
    expect(measured(loose, 'closed-form-modes').pass).toBe(false);
    expect(measured(out, 'closed-form-modes').measured).toBeLessThan(measured(loose, 'closed-form-modes').measured / 100);
    expect(measured(out, 'balance-conserved').measured).toBeLessThan(measured(loose, 'balance-conserved').measured / 100);
  }, 60_000);

  it('run takes the flags; a bad flag is an input error naming the valid values', async () => {
    const out = tempDir();
    const r = await runCli('run', 'factorization', '--method', 'dopri5', '--rtol', '1e-6', '--max-steps', '5000', '--no-figures', '--out', out);
    expect(r.code).toBe(0);
    expect(json(join(out, 'run.json')).solver).toMatchObject({ method: 'dopri5', rtol: 1e-6, maxSteps: 5000 });
    const bad = await runCli('run', 'factorization', '--method', 'rk4', '--out', tempDir());
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--method: unknown method; valid methods are dopri5, dop853, odex, euler, rodas5p, auto \(got 'rk4'\)/);
    expect((await runCli('check', 'deep-linear', '--kinks', 'sometimes', '--out', tempDir())).err).toMatch(/--kinks: valid values are smooth-through, exact, filippov \(got 'sometimes'\)/);
    expect((await runCli('sweep', 'deep-linear', '--x', 'eps=1e-3:1e-2:2', '--y', 's3=0.2:0.4:2', '--metric', 'transitions', '--max-steps', '2.5', '--out', tempDir())).err).toMatch(/--max-steps must be a positive integer/);
  });

  it('run writes one column order: t, state…, loss, observables…; run.json labels the final state', async () => {
    const out = tempDir();
    expect((await runCli('run', 'deep-linear', '--no-figures', '--out', out)).code).toBe(0);
    const header = readFileSync(join(out, 'trajectory.csv'), 'utf8').split('\n')[0].split(',');
    expect(header.slice(0, 3)).toEqual(['t', 'W1[0][0]', 'W1[0][1]']);
    const loss = header.indexOf('loss');
    expect(header.slice(1, loss).every((h) => /^W[12]\[\d+\]\[\d+\]$/.test(h))).toBe(true);
    expect(header[loss + 1]).not.toMatch(/\.sigma/); // observables before the tracked-matrix summaries
    const run = json(join(out, 'run.json'));
    expect(Object.keys(run.final_state)).toEqual(header.slice(1, loss));
    expect(run).toMatchObject({ command: 'run', model: { id: 'deep-linear', file: null }, seed: 1, status: 'success' });
    expect(run.node).toBe(process.version);
  });

  it('solve --out x.csv writes x.json beside it with the record', async () => {
    const out = join(tempDir(), 'x.csv');
    expect((await runCli('solve', 'factorization', '--out', out)).code).toBe(0);
    const side = json(out.replace(/\.csv$/, '.json'));
    expect(side).toMatchObject({ command: 'solve', status: 'success', columns: ['t', 'u', 'v', 'loss'] });
    expect(side.model.file.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('t,u,v,loss');
  });
});

describe('general ODEs and failed runs end with a status, not an internal error', () => {
  it('run arenstorf: success, no stages and why', async () => {
    const out = tempDir();
    const r = await runCli('run', 'arenstorf', '--out', out);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/arenstorf: success .*no stages \(arenstorf is a general ODE \(rhs\), not a gradient flow/);
    expect(json(join(out, 'run.json')).no_stages_reason).toMatch(/general ODE/);
    expect(existsSync(join(out, 'figures', 'observables.png'))).toBe(true);
  });

  it('check arenstorf: a report that says there are no stages', async () => {
    const out = tempDir();
    const r = await runCli('check', 'arenstorf', '--out', out);
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/No stages: arenstorf is a general ODE/);
  });

  it('compare arenstorf is refused before any training', async () => {
    const r = await runCli('compare', 'arenstorf', '--out', tempDir());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/general ODE .* no gradient to descend/);
    expect(r.err).not.toMatch(/\[1\//);
  });

  it('run yang --set init=random --set m=4: the solver status and its message (exit 3)', async () => {
    const r = await runCli('run', 'yang', '--set', 'init=random', '--set', 'm=4', '--no-figures', '--out', tempDir());
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/yang: kink_failure at t=0\.00\d+ .*no stages \(/);
    expect(r.err).toMatch(/Zeno/);
    expect(r.err).not.toMatch(/internal error/);
  }, 60_000);
});

describe('check --verify', () => {
  it('measures every prediction again 100× tighter and reports how far each number moved', async () => {
    const out = tempDir();
    const r = await runCli('check', 'deep-linear', '--verify', '--out', out);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/verified at 100× tighter tolerances: 0 verdict\(s\) flip/);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/\| measured again with every integration 100× tighter in rtol and atol \|/);
    const check = json(join(out, 'check.json'));
    const closed = check.predictions.find((p: { id: string }) => p.id === 'closed-form-modes');
    // the closed-form error is an integration error: it shrinks when the run is tightened
    expect(closed.verify.measured).toBeLessThan(closed.measured);
    expect(closed.verify.flipped).toBe(false);
    const count = check.predictions.find((p: { id: string }) => p.id === 'stage-like-transitions');
    expect(count.verify.moved).toBe(0);
  }, 60_000);

  it('--verify-with a second method: every run (the predictions\' own included) with it, at the same tolerances', async () => {
    const out = tempDir();
    const r = await runCli('check', 'deep-linear', '--verify-with', 'dopri5', '--out', out);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/verified with dopri5: 0 verdict\(s\) flip/);
    const check = json(join(out, 'check.json'));
    expect(check.options.verify_with).toBe('dopri5');
    const closed = check.predictions.find((p: { id: string }) => p.id === 'closed-form-modes');
    // dop853 (the model's) and dopri5 at rtol 1e-10 agree with the closed form to well under 1e-8, differently
    expect(closed.verify.measured).not.toBe(closed.measured);
    expect(closed.verify.measured).toBeLessThan(1e-8);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/measured again with dopri5 at the same tolerances/);
    expect((await runCli('check', 'deep-linear', '--verify-with', 'rk4', '--out', tempDir())).code).toBe(2);
  }, 60_000);
});
