import { describe, expect, it } from 'vitest';
import { MODELS } from '../../src/models/registry.js';
import { resolveParams } from '../../src/models/params.js';
import { simulate } from '../../src/run/trajectory.js';
import { makeRng } from '../../src/util/rng.js';
import type { Model, Params } from '../../src/models/types.js';

/**
 * −∂L/∂θ_i by central differences with one Richardson step, or null when the stencil straddles a
 * ReLU kink (the estimates at h and h/8 disagree): then the test draws another state.
 */
function negGradFD(model: Model, p: Params, y: Float64Array): Float64Array | null {
  const g = new Float64Array(y.length);
  const z = Float64Array.from(y);
  const richardson = (i: number, h: number): number => {
    const at = (d: number): number => { z[i] = y[i] + d; const v = model.loss(z, p); z[i] = y[i]; return v; };
    const d1 = (at(h) - at(-h)) / (2 * h);
    const d2 = (at(h / 2) - at(-h / 2)) / h;
    return -(4 * d2 - d1) / 3;
  };
  for (let i = 0; i < y.length; i++) {
    const h = 1e-4 * Math.max(1, Math.abs(y[i]));
    const coarse = richardson(i, h);
    const fine = richardson(i, h / 8);
    if (Math.abs(coarse - fine) > 1e-7 * Math.max(1, Math.abs(fine))) return null;
    g[i] = coarse;
  }
  return g;
}

/** Small instances, so that random states rarely sit next to a kink. */
const SMALL: Record<string, Record<string, number>> = { 'two-layer-relu': { m: 8 } };

describe.each([...MODELS.values()])('model $id', (model) => {
  it('vector field = −∇L by central differences at random states (relative 1e-6)', () => {
    const p = resolveParams(model, SMALL[model.id] ?? {});
    const f = model.flow(p);
    const rng = makeRng(99);
    let checked = 0;
    for (let trial = 0; checked < 5 && trial < 50; trial++) {
      const y = model.init(p, rng).map(() => 0.7 * rng.normal());
      const dy = new Float64Array(y.length);
      f(0, y, dy);
      const fd = negGradFD(model, p, y);
      if (fd === null) continue;
      checked++;
      const scale = Math.max(...Array.from(fd, Math.abs));
      for (let i = 0; i < y.length; i++) expect(Math.abs(dy[i] - fd[i])).toBeLessThanOrEqual(1e-6 * scale);
    }
    expect(checked).toBe(5);
  });

  it('the loss never increases along a solved trajectory', () => {
    const p = resolveParams(model);
    const tr = simulate(model, p, { spectra: false });
    expect(['success', 'event']).toContain(tr.solution.status); // 'event': a terminal event such as "trained"
    const L = tr.series.loss;
    for (let i = 1; i < L.length; i++) expect(L[i]).toBeLessThanOrEqual(L[i - 1] * (1 + 1e-12) + 1e-300);
    expect(L[L.length - 1]).toBeLessThan(L[0]);
  });
});
