import { describe, expect, it } from 'vitest';
import { yang } from '../../src/models/yang/model.js';
import { resolveParams } from '../../src/models/params.js';
import { train } from '../../src/sgd/train.js';
import { deviation, flowAt } from '../../src/sgd/compare.js';
import { linspace } from '../../src/util/grid.js';

describe('Yang: finite-sample GD in ambient dimension against the token-span flow', () => {
  it('d = 32, n = 4096, η = 0.05: neurons learn before attention, as in the flow, and both stage times are within 10%', () => {
    // the flow (simultaneous training, defaults) has its neuron stage at τ ≈ 0.52 (mean ‖ω‖ reaches
    // 0.1) and its attention stage at τ ≈ 12.5 (max |A| reaches 0.1): run to τ = 14, 280 GD steps
    const p = resolveParams(yang, { d: 32 });
    const T = 14;
    const run = train(yang, p, { schedule: { kind: 'constant', eta: 0.05 }, data: { kind: 'sample', n: 4096 }, batch: 4096, tauEnd: T, seed: 1, record: linspace(0, T, 281) });
    expect(run.status).toBe('success');
    expect(run.steps).toBe(280);
    const dev = deviation(yang, p, run, flowAt(yang, p, 1, run.tau));
    const byName = Object.fromEntries(dev.events.map((e) => [e.name, e]));
    const neurons = byName['neuron_norm_0.1'];
    const attention = byName['attn_max_0.1'];
    expect(neurons.flow).not.toBeNull();
    expect(attention.flow).not.toBeNull();
    expect(neurons.flow!).toBeLessThan(attention.flow!); // the flow's order
    expect(dev.sameEventOrder).toBe(true); // and the run's
    for (const e of [neurons, attention]) expect(Math.abs(e.run! - e.flow!) / e.flow!).toBeLessThan(0.1);
    // noise-free tokens: the gradient stays in the token span, so the projection loses nothing
    expect(Math.max(...run.residual)).toBeLessThan(1e-12);
  });
});
