/**
 * Two-layer ReLU network at large width, the setting of the phase diagram of
 *   T. Luo, Z.-Q. J. Xu, Z. Ma, Y. Zhang, "Phase diagram for two-layer ReLU neural networks at
 *   infinite-width limit", JMLR 22(71), 2021 (Theorems 1–2; measurement as in the authors' code).
 *
 * f(x) = (1/α) Σ_k a_k relu(w_k·x̄), x̄ = (x, 1) (bias absorbed), a_k ~ N(0, β1²), w_k ~ N(0, β2² I),
 * with the scalings written through γ = −log(β1β2/α)/log m and γ′ = −log(β1/β2)/log m. We take
 * α = 1, β1 = m^{−(γ+γ′)/2}, β2 = m^{−(γ−γ′)/2} [R: any split with these γ, γ′ gives the same
 * regime; this one keeps the output unscaled]. The initialization is antisymmetric (neurons in
 * pairs with opposite a), so f ≡ 0 at t = 0, as in the authors' code. Loss: MSE on four fixed 1-d
 * points, L = (1/2n) Σ (f(x_i) − y_i)². Flow: −∇L, with relu′(0) = 0.
 *
 * The order parameter is the relative change of the input weights at the end of training,
 * RD = ‖W(T) − W(0)‖_F/‖W(0)‖_F, and the regime is read from the slope of log RD against log m:
 * negative: linear (RD → 0), positive: condensed (RD → ∞), about zero: critical.
 */
import type { EventSpec, Vec } from '../../solve/types.js';
import { makeRng } from '../../util/rng.js';
import { geomspace } from '../../util/grid.js';
import { num } from '../params.js';
import type { Model, Params, ScalarObservable } from '../types.js';
import { flow, init, layout, makeLoss, relativeChange } from './network.js';
import { rdSlope, twoLayerPredictions } from './predictions.js';
import { initialRate } from './train-gd.js';

function observables(p: Params): ScalarObservable[] {
  const m = num(p, 'm');
  const y0 = init(p, makeRng(num(p, 'seed'))); // the run's own initial state (same seed)
  return [{
    name: 'rd',
    doc: 'relative change of the input weights ‖W − W(0)‖_F/‖W(0)‖_F',
    value: (y) => relativeChange(y, y0, m),
  }];
}

function events(p: Params): EventSpec[] {
  const loss = makeLoss(p);
  const target = num(p, 'lossTarget');
  return [{ name: 'trained', g: (_t, y) => loss(y) - target, direction: -1, terminal: true }];
}

/**
 * The flow alone, without its checks: what the checks train copies of at other widths and
 * scalings (they need a Model for its parameters, initialization, flow and loss, and building
 * them from this one, not from `twoLayerRelu`, keeps predictions.ts from importing this module).
 */
const flowModel: Model = {
  id: 'two-layer-relu',
  title: 'Two-layer ReLU network at large width (Luo, Xu, Ma, Zhang 2021)',
  cite: 'T. Luo, Z.-Q. J. Xu, Z. Ma, Y. Zhang, Phase diagram for two-layer ReLU neural networks at infinite-width limit, JMLR 22(71), 2021, Theorems 1–2',
  params: {
    gamma: { kind: 'number', default: 0.5, range: [0, 3], doc: 'γ = −log(β1β2/α)/log m (the NTK scaling is 1/2, mean field 1)' },
    gammaPrime: { kind: 'number', default: 0, range: [-3, 3], doc: 'γ′ = −log(β1/β2)/log m' },
    m: { kind: 'number', default: 400, range: [2, 100000], integer: true, doc: 'width (even: neurons come in antisymmetric pairs)' },
    lossTarget: { kind: 'number', default: 1e-6, range: [1e-14, 1], doc: 'training stops when the loss falls below this' },
    seed: { kind: 'number', default: 1, range: [0, 2 ** 32 - 1], integer: true, doc: 'seed of the initial weights' },
  },
  layout,
  init,
  loss: (y, p) => makeLoss(p)(y),
  flow,
  observables,
  matrices: (p) => {
    const m = num(p, 'm');
    return [{ name: 'W', doc: 'input weights', matrix: (y: Vec) => ({ data: y, offset: m, rows: m, cols: 2 }) }];
  },
  events,
  horizon: (p) => {
    // Gradient descent at half the kernel-scaled rate (time τ = η·steps), stopped by the 'trained'
    // event: thousands of ReLU units on four points keep crossing their kinks, and an adaptive
    // integrator of the continuous flow chatters there (over 10⁶ steps at rtol 1e-7).
    const h = 0.5 * initialRate(p);
    const tEnd = 50_000 * h;
    const saveAt = new Float64Array(121);
    saveAt.set(geomspace(h, tEnd, 120), 1);
    return { tEnd, saveAt, solver: { method: 'euler', h, maxSteps: 60_000 } };
  },
  predictions: [],
};

export const twoLayerRelu: Model = {
  ...flowModel,
  predictions: twoLayerPredictions(flowModel),
  metrics: {
    rd_slope: { doc: 'slope of log RD(θ_w) at the end of training against log m, over m = 100, 400, 1600', value: (ctx) => rdSlope(flowModel, ctx).slope },
  },
};
