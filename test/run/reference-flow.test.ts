/**
 * `compare`'s reference flow is the flow `run` integrates: for every registered model and every
 * bundled model file, solved at the run's own tolerances it reproduces the run's trajectory at
 * every save time (within 10·rtol; in fact bit for bit, since both are one flow problem). Yang
 * from the averaged start, trained simultaneously, pins units on their kinks at τ = 601.76 and
 * 1273.22: integrated smooth-through (what compare did before the seam) it stalls there.
 */
import { describe, expect, it } from 'vitest';
import { MODELS, findModel } from '../../src/models/registry.js';
import { bundledExamples } from '../../src/modelfile/locate.js';
import { resolveParams } from '../../src/models/params.js';
import { simulate } from '../../src/run/trajectory.js';
import { flowAt } from '../../src/sgd/compare.js';
import type { SolverFlags } from '../../src/run/solver-flags.js';
import type { Params } from '../../src/models/types.js';

const SETTINGS: Readonly<Record<string, Readonly<Record<string, string | number>>>> = { yang: { training: 'simultaneous', init: 'averaged' } };

/** max over save times and components of |run − reference| / (rtol·|reference| + atol), at the run's tolerances. */
function gap(name: string, extra: SolverFlags = {}): { worst: number; tEnd: number } {
  const model = findModel(name);
  const p: Params = resolveParams(model, SETTINGS[name] ?? {});
  const tr = simulate(model, p, { spectra: false });
  expect(tr.solution.status, `${name}: ${tr.solution.message}`).toBe('success');
  const o = tr.solution.options;
  const idx = Array.from(tr.t.keys()).filter((i) => tr.t[i] > (model.t0 ?? 0));
  const flow = flowAt(model, p, tr.seed, idx.map((i) => tr.t[i]), { rtol: o.rtol, atol: o.atol, ...extra });
  let worst = 0;
  idx.forEach((i, k) => {
    const a = tr.solution.y[i];
    const b = flow.states[k];
    for (let j = 0; j < a.length; j++) worst = Math.max(worst, Math.abs(a[j] - b[j]) / (o.rtol * Math.abs(b[j]) + o.atol));
  });
  return { worst, tEnd: tr.t[tr.t.length - 1] };
}

describe('compare\'s reference flow is run\'s flow', () => {
  const continuous = [...MODELS.keys(), ...bundledExamples()].filter((n) => {
    const m = findModel(n);
    return m.field !== 'general' && m.horizon(resolveParams(m, SETTINGS[n] ?? {})).solver.method !== 'euler';
  });

  it('covers every continuous model and bundled gradient-flow file', () => {
    expect(continuous).toEqual(expect.arrayContaining(['deep-linear', 'chen-luo', 'yang', 'gong', 'factorization', 'relu-sliding', 'abs-sliding']));
  });

  it.each(continuous)('%s: equal at every save time within 10·rtol', (name) => {
    const { worst } = gap(name);
    expect(worst).toBeLessThan(10);
  }, 60_000);

  it('yang past its pinning times (τ = 601.76, 1273.22): the kink treatment is what makes them equal', () => {
    const same = gap('yang');
    expect(same.tEnd).toBeGreaterThan(1273.22);
    expect(same.worst).toBeLessThan(10);
    // smooth-through chatters on the pinned units: it cannot get past the first pinning time
    expect(() => gap('yang', { kinks: 'smooth-through', maxSteps: 20_000 })).toThrow(/reference flow failed.*at t=(\d+)/);
    try { gap('yang', { kinks: 'smooth-through', maxSteps: 20_000 }); } catch (e) {
      const t = Number(/at t=([\d.]+)/.exec((e as Error).message)![1]);
      expect(t).toBeGreaterThan(601); // it reaches the pinning time, then stalls there
      expect(t).toBeLessThan(1273.22);
    }
  }, 60_000);

  it('models without a continuous flow are refused with the reason', () => {
    expect(() => flowAt(MODELS.get('two-layer-relu')!, resolveParams(MODELS.get('two-layer-relu')!), 1, [1])).toThrow(/fixed-step gradient descent.*no continuous flow/);
    const arenstorf = findModel('arenstorf');
    expect(() => flowAt(arenstorf, resolveParams(arenstorf), 1, [1])).toThrow(/general ODE .*no gradient to descend/);
  });
});
