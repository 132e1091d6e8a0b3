/**
 * The network of the two-layer ReLU model, shared by the flow (`model.ts`) and the gradient-descent
 * training of its checks (`train-gd.ts`): the data, the scalings, the state layout, the seeded
 * antisymmetric initialization, the outputs, the loss, its gradient flow and the order parameter
 * RD. This module imports neither of the others, so model.ts → predictions.ts → train-gd.ts →
 * network.ts has no cycle. The setting and conventions are documented in `model.ts`.
 */
import type { RhsFn, Vec } from '../../solve/types.js';
import type { Rng } from '../../util/rng.js';
import { num } from '../params.js';
import type { Params, StateBlock } from '../types.js';

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
export function layout(p: Params): StateBlock[] {
  const m = num(p, 'm');
  return [
    { name: 'a', offset: 0, shape: [m], doc: 'output weights' },
    { name: 'W', offset: m, shape: [m, 2], doc: 'input weights (slope, bias)' },
  ];
}

export function init(p: Params, rng: Rng): Vec {
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

export function makeLoss(p: Params): (y: Vec) => number {
  const { m, alpha } = scales(p);
  const f = new Float64Array(N);
  return (y) => {
    outputs(y, m, alpha, f);
    let l = 0;
    for (let i = 0; i < N; i++) l += (f[i] - DATA_Y[i]) ** 2;
    return l / (2 * N);
  };
}

export function flow(p: Params): RhsFn {
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
