/**
 * Training as in the authors' code: full-batch gradient descent until the loss falls below the
 * target, with the learning rate set from the kernel at the start (η = 1/λ_max of the neural
 * tangent kernel on the training points) and halved whenever the loss increases (the step is
 * then retried). Gradient descent is well defined through the ReLU kinks, where the continuous
 * flow of thousands of neurons on four points chatters (see docs on kinks).
 */
import type { Vec } from '../../solve/types.js';
import { makeRng } from '../../util/rng.js';
import { num } from '../params.js';
import type { Model, Params } from '../types.js';
import { DATA_X, init, relativeChange } from './network.js';
import { hypotOf } from '../../util/array.js';

export interface GdResult { readonly reached: boolean; readonly loss: number; readonly rd: number; readonly steps: number }

/** λ_max of the tangent kernel Θ_ij = Σ_θ ∂f_i/∂θ ∂f_j/∂θ (power iteration on the 4×4 matrix). */
function kernelScale(y: Vec, m: number): number {
  const n = DATA_X.length;
  const K = new Float64Array(n * n);
  for (let k = 0; k < m; k++) {
    const a = y[k];
    const w0 = y[m + 2 * k];
    const w1 = y[m + 2 * k + 1];
    for (let i = 0; i < n; i++) {
      const zi = w0 * DATA_X[i] + w1;
      if (zi <= 0) continue;
      for (let j = 0; j < n; j++) {
        const zj = w0 * DATA_X[j] + w1;
        if (zj <= 0) continue;
        K[i * n + j] += zi * zj + a * a * (DATA_X[i] * DATA_X[j] + 1); // ∂f/∂a and ∂f/∂w terms
      }
    }
  }
  let v = new Float64Array(n).fill(1);
  let lambda = 0;
  for (let it = 0; it < 100; it++) {
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) w[i] += K[i * n + j] * v[j];
    lambda = hypotOf(w);
    if (lambda === 0) return 0;
    v = w.map((x) => x / lambda);
  }
  return lambda;
}

/** The starting learning rate n/λ_max(Θ(0)) of the seeded initial state. */
export function initialRate(p: Params): number {
  const y0 = init(p, makeRng(num(p, 'seed')));
  return DATA_X.length / Math.max(kernelScale(y0, num(p, 'm')), 1e-300);
}

export function trainGd(model: Model, p: Params, maxSteps = 100_000): GdResult {
  const m = num(p, 'm');
  const target = num(p, 'lossTarget');
  const y0 = model.init(p, makeRng(num(p, 'seed')));
  const f = model.flow(p);
  const theta = Float64Array.from(y0);
  const trial = new Float64Array(theta.length);
  const g = new Float64Array(theta.length);
  // the loss is (1/2n)Σr², so GD on it is stable for η < 2n/λ_max(Θ); start at n/λ_max
  let eta = initialRate(p);
  let loss = model.loss(theta, p);
  let steps = 0;
  while (loss > target && steps < maxSteps) {
    f(0, theta, g);
    for (let i = 0; i < theta.length; i++) trial[i] = theta[i] + eta * g[i];
    const next = model.loss(trial, p);
    steps++;
    if (!(next <= loss)) { eta /= 2; continue; } // restart the step with half the rate
    theta.set(trial);
    loss = next;
    if (steps % 64 === 0) eta *= 1.1; // let the rate grow back as the kernel grows (condensation)
  }
  return { reached: loss <= target, loss, rd: relativeChange(theta, y0, m), steps };
}
