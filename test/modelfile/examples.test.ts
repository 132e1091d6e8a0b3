import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readModelSpec } from '../../src/modelfile/spec.js';
import { loadModelFile } from '../../src/modelfile/system.js';
import { solveModel } from '../../src/modelfile/run.js';
import { examplesDir } from '../../src/modelfile/locate.js';

const example = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(examplesDir(), `${name}.json`), 'utf8')) as Record<string, unknown>;

describe('scalar factorization (u v − y)²/2', () => {
  it('conserves u² − v² to 1e-10 over t ∈ [0, 50] from an unbalanced start', () => {
    const spec = readModelSpec({ ...example('factorization'), save_at: { lin: [0, 50, 501] } }, 'factorization');
    const run = solveModel(spec, new Map(), { method: 'dop853', rtol: 1e-12, atol: 1e-14 });
    expect(run.solution.status).toBe('success');
    const [u0, v0] = run.y0;
    const c0 = u0 ** 2 - v0 ** 2;
    let worst = 0;
    for (const y of run.solution.y) worst = Math.max(worst, Math.abs(y[0] * y[0] - y[1] * y[1] - c0));
    expect(worst).toBeLessThan(1e-10);
    // and it really moved: the product reached the target
    const yEnd = run.solution.y[run.solution.y.length - 1];
    expect(yEnd[0] * yEnd[1]).toBeCloseTo(2, 8);
  });

  it.each(['dopri5', 'dop853', 'odex'])('from a balanced start the product follows the logistic closed form (%s, 1e-9 relative)', (method) => {
    const p0 = 1e-3;
    const y = 2;
    const spec = readModelSpec({ ...example('factorization'), state: { u: Math.sqrt(p0), v: Math.sqrt(p0) }, t_end: 10, save_at: { geom: [1e-3, 10, 50] } }, 'f');
    const run = solveModel(spec, new Map(), { method, rtol: 1e-12, atol: 1e-16 });
    expect(run.solution.status).toBe('success');
    run.solution.t.forEach((t, i) => {
      const exact = y / (1 + (y / p0 - 1) * Math.exp(-2 * y * t)); // uv(t)
      const got = run.solution.y[i][0] * run.solution.y[i][1];
      expect(Math.abs(got - exact) / exact).toBeLessThan(1e-9);
    });
  });
});

describe('depth-3 chain events', () => {
  it('the time the loss first drops below half its initial value agrees between dopri5 and dop853 to 1e-8', () => {
    const base = example('depth3-chain');
    const [a, b, c] = [1e-3, 2e-3, -1.5e-3];
    const half = (a * b * c - 2) ** 2 / 4;
    const spec = readModelSpec({ ...base, events: [{ name: 'half', when: `loss - ${half}`, direction: 'falling', terminal: true }] }, 'chain');
    const times = (['dopri5', 'dop853'] as const).map((method) => {
      const run = solveModel(spec, new Map(), { method, rtol: 1e-10, atol: 1e-14 });
      expect(run.solution.status).toBe('event');
      expect(run.solution.events).toHaveLength(1);
      return run.solution.events[0].t;
    });
    expect(times[0]).toBeGreaterThan(10); // a real plateau, not an instant drop
    expect(Math.abs(times[0] - times[1]) / times[1]).toBeLessThan(1e-8);
  });
});

describe('Arenstorf orbit in the general-ODE form', () => {
  it('dop853 at rtol = atol = 1e-10 returns to its start after one period within 5e-6, in at most 3000 RHS calls', () => {
    const file = loadModelFile(join(examplesDir(), 'arenstorf.json'));
    // only the end point: dense output at the example's 200 save times costs DOP853 3 extra RHS calls per step
    const spec = { ...file, saveAt: Float64Array.of(0, file.tEnd) };
    const run = solveModel(spec, new Map(), {});
    expect(run.solution.status).toBe('success');
    const end = run.solution.yEnd;
    const start = Array.from(run.y0);
    const err = Math.hypot(end[0] - start[0], end[1] - start[1]);
    expect(err).toBeLessThan(5e-6);
    expect(run.solution.stats.nfev).toBeLessThanOrEqual(3000);
  });
});
