import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

describe('gradflow solve', () => {
  it('writes t, the state and the loss at the save-at times (CSV) and a one-line summary', async () => {
    const out = join(tempDir(), 'f.csv');
    const r = await runCli('solve', 'factorization', '--method', 'dop853', '--out', out);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^scalar-factorization: success: reached t=50 with dop853 \(rtol 1e-8, atol 1e-10\): \d+ RHS calls, \d+ accepted \/ \d+ rejected steps/);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('t,u,v,loss');
    expect(lines).toHaveLength(1 + 61); // t0 plus the 60-point geometric grid
    const [t, u, v, loss] = lines[lines.length - 1].split(',').map(Number);
    expect(t).toBe(50);
    expect(loss).toBeCloseTo((u * v - 2) ** 2 / 2, 15);
  });

  it('applies --set and records options, parameters and version in JSON', async () => {
    const out = join(tempDir(), 'f.json');
    const r = await runCli('solve', 'factorization', '--set', 'y=3', '--set', 'u=0.2', '--rtol', '1e-9', '--out', out);
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    // every settable parameter of a model file: its params and its initial values
    expect(j.params).toEqual({ y: 3, u: 0.2, v: 0.1 });
    expect(j.initial_state).toEqual({ u: 0.2, v: 0.1 });
    expect(j.solver.rtol).toBe(1e-9);
    expect(j.solver_flags).toEqual({ rtol: 1e-9 });
    expect(j.status).toBe('success');
    expect(j.gradflow).toMatch(/^\d+\.\d+\.\d+/);
    expect(j.node).toBe(process.version);
    const bytes = readFileSync(join('examples', 'factorization.json'));
    expect(j.model.file.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(j.model.definition.loss).toBe(JSON.parse(bytes.toString()).loss);
    expect(j.state.u[j.state.u.length - 1] * j.state.v[j.state.v.length - 1]).toBeCloseTo(3, 6);
  });

  it('euler with --h is discrete gradient descent', async () => {
    const out = join(tempDir(), 'gd.json');
    const r = await runCli('solve', 'factorization', '--method', 'euler', '--h', '0.01', '--out', out);
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.stats.accepted).toBe(5000);
  });
});

describe('gradflow grad', () => {
  it('prints the simplified gradient', async () => {
    const r = await runCli('grad', 'factorization');
    expect(r.code).toBe(0);
    expect(r.out).toContain('dL/du = (u * v - y) * v');
    expect(r.out).toContain('dL/dv = (u * v - y) * u');
  });
  it('prints LaTeX', async () => {
    const r = await runCli('grad', 'factorization', '--latex');
    expect(r.out).toContain('\\frac{\\partial L}{\\partial u} = \\left(u \\, v - y\\right) \\, v');
  });
  it('--help works on every command', async () => {
    for (const cmd of ['solve', 'grad', 'demo']) {
      const r = await runCli(cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Usage: gradflow/);
    }
  });
});
