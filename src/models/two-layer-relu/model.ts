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
import type { EventSpec, RhsFn, Vec } from '../../solve/types.js';
import { makeRng, type Rng } from '../../util/rng.js';
import { geomspace } from '../../util/grid.js';
import { num } from '../params.js';
import type { Model, Params, ScalarObservable, StateBlock } from '../types.js';
import { twoLayerPredictions, rdSlope } from './predictions.js';
import { initialRate } from './train-gd.js';

/** The four training points (x, y). */
export const DATA_X = Float64Array.of(-0.8, -0.25, 0.3, 0.9);
export const DATA_Y = Float64Array.of(0.3, -0.2, 0.25, -0.35);
const N = DATA_X.length;

export function scales(p: Params): { alpha: number; beta1: number; beta2: number; m: number } {
  const m = num(p, 'm');
  const g = num(p, 'gamma');
  const gp = num(p, 'gammaPrime');
  return { alpha: 1, beta1: m ** (-(g + gp) / 2), beta2: m ** (-(g - gp) / 2), m };
}

/** State layout: a (m), then W (m × 2, row k = (w_k,x, w_k,bias)). */
function layout(p: Params): StateBlock[] {
  const m = num(p, 'm');
  return [
    { name: 'a', offset: 0, shape: [m], doc: 'output weights' },
    { name: 'W', offset: m, shape: [m, 2], doc: 'input weights (slope, bias)' },
  ];
}

function init(p: Params, rng: Rng): Vec {
  const { m, beta1, beta2 } = scales(p);
  const y = new Float64Array(3 * m);
  for (let k = 0; k < m / 2; k++) {
    const a = beta1 * rng.normal();
    const w0 = beta2 * rng.normal();
    const w1 = beta2 * rng.normal();
    y[2 * k] = a; // pair (a, w), (−a, w): f ≡ 0 at t = 0
    y[2 * k + 1] = -a;
    for (const j of [2 * k, 2 * k + 1]) {
      y[m + 2 * j] = w0;
      y[m + 2 * j + 1] = w1;
    }
  }
  return y;
}

/** Network outputs at the training points, into `out`. */
function outputs(y: Vec, m: number, alpha: number, out: Float64Array): void {
  for (let i = 0; i < N; i++) {
    const x = DATA_X[i];
    let s = 0;
    for (let k = 0; k < m; k++) {
      const z = y[m + 2 * k] * x + y[m + 2 * k + 1];
      if (z > 0) s += y[k] * z;
    }
    out[i] = s / alpha;
  }
}

function makeLoss(p: Params): (y: Vec) => number {
  const { m, alpha } = scales(p);
  const f = new Float64Array(N);
  return (y) => {
    outputs(y, m, alpha, f);
    let l = 0;
    for (let i = 0; i < N; i++) l += (f[i] - DATA_Y[i]) ** 2;
    return l / (2 * N);
  };
}

function flow(p: Params): RhsFn {
  const { m, alpha } = scales(p);
  const f = new Float64Array(N);
  const r = new Float64Array(N);
  return (_t, y, dy) => {
    outputs(y, m, alpha, f);
    for (let i = 0; i < N; i++) r[i] = (f[i] - DATA_Y[i]) / (N * alpha); // ∂L/∂f_i · (1/α)
    for (let k = 0; k < m; k++) {
      const w0 = y[m + 2 * k];
      const w1 = y[m + 2 * k + 1];
      let da = 0;
      let dw0 = 0;
      let dw1 = 0;
      for (let i = 0; i < N; i++) {
        const x = DATA_X[i];
        const z = w0 * x + w1;
        if (z > 0) { // relu′(z) = heaviside(z), 0 at z = 0
          da += r[i] * z;
          dw0 += r[i] * y[k] * x;
          dw1 += r[i] * y[k];
        }
      }
      dy[k] = -da;
      dy[m + 2 * k] = -dw0;
      dy[m + 2 * k + 1] = -dw1;
    }
  };
}

/** RD(θ_w) relative to the seeded initial state. */
export function relativeChange(y: Vec, y0: Vec, m: number): number {
  let num2 = 0;
  let den2 = 0;
  for (let i = m; i < 3 * m; i++) { num2 += (y[i] - y0[i]) ** 2; den2 += y0[i] ** 2; }
  return Math.sqrt(num2 / den2);
}

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

export const twoLayerRelu: Model = {
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
  predictions: twoLayerPredictions,
  metrics: {
    rd_slope: { doc: 'slope of log RD(θ_w) at the end of training against log m, over m = 100, 400, 1600', value: (ctx) => rdSlope(ctx).slope },
  },
};
