/** `gradflow solve` with the implicit machinery: auto by default, the exact Jacobian, --log-time. */
import { describe, expect, it } from 'vitest';
import { runCli, tempModel } from '../helpers/cli.js';

describe('gradflow solve (auto, rodas5p, --log-time)', () => {
  it('uses auto by default and says where it switched and how many Jacobians it used', async () => {
    const r = await runCli('solve', 'depth3-chain');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^depth3-chain: success: reached t=3000 with auto \(rtol 1e-8, atol 1e-10\): \d+ RHS calls/);
    expect(r.err).toMatch(/, \d+ Jacobians, \d+ LU, switched to rodas5p at t=\d+(\.\d+)? \(stiff\)/);
  });

  it('--method rodas5p runs the implicit method throughout; --log-time integrates in log time', async () => {
    const model = tempModel({
      name: 'decay', state: { y: 1 }, rhs: { y: '-y/(1 + t)' }, t_end: 1e6, save_at: [0, 1, 1e3, 1e6],
    });
    const r = await runCli('solve', model, '--method', 'rodas5p', '--log-time', '--rtol', '1e-10');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/with rodas5p .*Jacobians.*, in log time/);
    const rows = r.out.trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    expect(rows.map((row) => row[0])).toEqual([0, 1, 1e3, 1e6]);
    for (const [t, y] of rows) expect(Math.abs(y - 1 / (1 + t))).toBeLessThan(1e-9);
  });

  it('a model file may ask for log time in its solver block; a non-boolean is refused', async () => {
    const ok = tempModel({ name: 'g', state: { w: 0 }, loss: 'softplus(-w)', t_end: 1e6, solver: { log_time: true } });
    const r = await runCli('solve', ok);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/with auto .*in log time/);
    const bad = tempModel({ name: 'g', state: { w: 0 }, loss: 'softplus(-w)', t_end: 10, solver: { log_time: 'yes' } });
    const e = await runCli('solve', bad);
    expect(e.code).toBe(2);
    expect(e.err).toMatch(/solver\.log_time must be true or false/);
  });
});
