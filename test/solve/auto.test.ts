/**
 * `auto`: DOP853 that switches to Rodas5P (with the exact symbolic Jacobian of model files) where
 * the flow turns stiff and back where it no longer is. The depth-3 chain to t = 3000, a problem
 * whose stiffness fades (so the run switches back), and the cost of not being stiff.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readModelSpec } from '../../src/modelfile/spec.js';
import { solveModel } from '../../src/modelfile/run.js';
import { examplesDir } from '../../src/modelfile/locate.js';
import { solve } from '../../src/solve/index.js';
import type { RhsFn, Solution } from '../../src/solve/index.js';
import { arenstorf, maxAbsDiff } from '../fixtures/problems.js';

const example = (name: string) => readModelSpec(JSON.parse(readFileSync(join(examplesDir(), `${name}.json`), 'utf8')), name);

/** max over the save-at grid of ‖y − y_ref‖∞ (same grid). */
function gridError(sol: Solution, ref: Solution): number {
  expect(Array.from(sol.t)).toEqual(Array.from(ref.t));
  return Math.max(...sol.y.map((y, i) => maxAbsDiff(y, ref.y[i])));
}

describe('depth-3 chain (abc − 2)²/2 from (1e-3, 2e-3, −1.5e-3) to t = 3000 at rtol = atol = 1e-10', () => {
  const spec = example('depth3-chain');
  const run = (method: string, tol: number) => solveModel(spec, new Map(), { method, rtol: tol, atol: tol }).solution;
  const ref = run('dop853', 1e-13);
  const dop853 = run('dop853', 1e-10);
  const auto = run('auto', 1e-10);

  it('the reference (dop853 at 1e-13) agrees with rodas5p at 1e-13 to 1e-10 on the whole grid', () => {
    expect(ref.status).toBe('success');
    expect(gridError(run('rodas5p', 1e-13), ref)).toBeLessThan(1e-10);
  });

  it('auto is as accurate as dop853 (grid error within 2× of it) with at most 2000 RHS plus Jacobian evaluations', () => {
    expect(auto.status).toBe('success');
    const eAuto = gridError(auto, ref);
    const eDop = gridError(dop853, ref);
    expect(eAuto).toBeLessThanOrEqual(2 * eDop);
    expect(auto.stats.nfev + auto.stats.njev).toBeLessThanOrEqual(2000);
    // dop853 alone spends more than ten times as much, nearly all of it at the minimum
    expect(dop853.stats.nfev).toBeGreaterThan(10 * (auto.stats.nfev + auto.stats.njev));
  });

  it('switches once, to rodas5p, after the loss has dropped, by Hairer\'s test (h·|λ| > 6.1)', () => {
    expect(auto.switches).toHaveLength(1);
    const [sw] = auto.switches;
    expect(sw).toMatchObject({ from: 'dop853', to: 'rodas5p', reason: 'stiff' });
    expect(sw.hLambda).toBeGreaterThan(6.1);
    const drop = auto.events.find((e) => e.name === 'loss_below_1');
    expect(drop).toBeDefined();
    expect(sw.t).toBeGreaterThan(drop!.t);
    expect(auto.stats.njev).toBeGreaterThan(0);
  });
});

describe('a problem whose stiffness fades: y′ = −λ(t)(y − sin t) + cos t, λ(t) = 1e4·e^(−t), y = sin t', () => {
  const lam = (t: number) => 1e4 * Math.exp(-t);
  const f: RhsFn = (t, y, d) => { d[0] = -lam(t) * (y[0] - Math.sin(t)) + Math.cos(t); };
  const jacobian = (t: number, _y: Float64Array, J: Float64Array) => { J[0] = -lam(t); };
  const saveAt = Array.from({ length: 61 }, (_, i) => i / 2);
  const opts = { rtol: 1e-8, atol: 1e-10, saveAt, jacobian } as const;
  const auto = solve(f, [0, 30], [0], { method: 'auto', ...opts });
  const dop853 = solve(f, [0, 30], [0], { method: 'dop853', ...opts });
  const rodas = solve(f, [0, 30], [0], { method: 'rodas5p', ...opts });
  const cost = (s: Solution) => s.stats.nfev + s.stats.njev;

  it('switches to rodas5p while λ is large and back to dop853 once the explicit method is cheaper again', () => {
    expect(auto.status).toBe('success');
    expect(auto.switches.map((s) => [s.to, s.reason])).toEqual([['rodas5p', 'stiff'], ['dop853', 'non-stiff']]);
    const [into, back] = auto.switches;
    expect(into.t).toBeLessThan(1);
    expect(into.hLambda).toBeGreaterThan(6.1);
    // back where DOP853 is stable at the implicit method's own step, h·ρ(J) < 6.1, and λ has decayed 10-fold at least
    expect(back.hLambda).toBeLessThan(6.1);
    expect(lam(back.t)).toBeLessThan(lam(into.t) / 10);
  });

  it('stays within 1e-6 of sin t on the grid, for fewer RHS plus Jacobian evaluations than either method alone', () => {
    auto.t.forEach((t, i) => expect(Math.abs(auto.y[i][0] - Math.sin(t))).toBeLessThan(1e-6));
    expect(cost(auto)).toBeLessThan(Math.min(cost(dop853), cost(rodas)));
  });
});

describe('auto on a problem that is never stiff', () => {
  it('Arenstorf: takes exactly dop853\'s steps (bit-identical end state, same RHS calls) and never switches', () => {
    const opts = { rtol: 1e-10, atol: 1e-10 };
    const a = solve(arenstorf.f, arenstorf.span, arenstorf.y0, { method: 'auto', ...opts });
    const d = solve(arenstorf.f, arenstorf.span, arenstorf.y0, { method: 'dop853', ...opts });
    expect(a.switches).toEqual([]);
    expect(Array.from(a.yEnd)).toEqual(Array.from(d.yEnd));
    expect(a.stats).toEqual(d.stats);
  });
});
