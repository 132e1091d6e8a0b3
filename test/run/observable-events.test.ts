import { describe, expect, it } from 'vitest';
import { MODELS } from '../../src/models/registry.js';
import { resolveParams } from '../../src/models/params.js';
import { simulate } from '../../src/run/trajectory.js';
import { observableEvent } from '../../src/run/observable-events.js';

describe('events on observables during a run with kinks', () => {
  it('Yang: the neuron-norm crossing is located where the series crosses, by both routes', () => {
    // regression: observables cached by array identity returned stale values for the integrator's
    // reused state buffer, moving the event from τ ≈ 0.52 to τ ≈ 1176
    const yang = MODELS.get('yang')!;
    const p = resolveParams(yang);
    const tr = simulate(yang, p, { events: [observableEvent(yang, p, 'neuron_norm>0.1')], spectra: false });
    const mine = tr.events.find((e) => e.name === 'neuron_norm>0.1')!.t;
    const builtIn = tr.events.find((e) => e.name === 'neuron_norm_0.1')!.t;
    expect(Math.abs(mine - builtIn)).toBeLessThan(1e-9 * builtIn);
    // the series brackets it: below 0.1 at the last save point before, above at the first after
    const n = tr.series.neuron_norm;
    const i = tr.t.findIndex((t) => t > mine);
    expect(n[i - 1]).toBeLessThan(0.1);
    expect(n[i]).toBeGreaterThan(0.1);
  });
});
