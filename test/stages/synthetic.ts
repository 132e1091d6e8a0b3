/** Synthetic losses with known stage structure for the stage-detection tests. */
import { geomspace } from '../../src/util/grid.js';
import { makeRng } from '../../src/util/rng.js';

/** Target strengths of the deep-linear example and its initial mode strength. */
export const DLN_S = [3, 1.5, 0.5] as const;
export const DLN_U0 = 1e-6;

/** Half-learning time of a mode: u(t_k) = s/2 at t_k = ln((s − u0)/u0) / (2s). */
export function halfTime(s: number, u0: number): number {
  return Math.log((s - u0) / u0) / (2 * s);
}

/**
 * The exact deep-linear-network loss: modes u_k(t) = s e^{2st} / (e^{2st} − 1 + s/u0) and
 * L = Σ (s_k − u_k)²/2, with the residual s − u = s (s/u0 − 1)/(e^{2st} − 1 + s/u0) computed
 * directly so that L stays accurate (relative) as it decays to ~1e-42, with no cancellation floor.
 */
export function deepLinear(
  t: Float64Array,
  S: readonly number[] = DLN_S,
  u0 = DLN_U0,
): { loss: Float64Array; modes: Record<string, Float64Array> } {
  const loss = new Float64Array(t.length);
  const modes: Record<string, Float64Array> = {};
  S.forEach((s, k) => {
    const u = new Float64Array(t.length);
    const A = s / u0;
    for (let i = 0; i < t.length; i++) {
      const residual = (s * (A - 1)) / (Math.exp(2 * s * t[i]) - 1 + A);
      u[i] = s - residual;
      loss[i] += (residual * residual) / 2;
    }
    modes[`u${k + 1}`] = u;
  });
  return { loss, modes };
}

/** The grid of the deep-linear tests: 400 log-spaced points from 1e-3 to 60. */
export const dlnGrid = (): Float64Array => geomspace(1e-3, 60, 400);

/** n seeded standard normal numbers. */
export function normals(n: number, seed: number): Float64Array {
  const rng = makeRng(seed);
  return Float64Array.from({ length: n }, () => rng.normal());
}

/** loss · (1 + sd·ξ) with seeded standard normal ξ. */
export function withNoise(loss: Float64Array, sd: number, seed: number): Float64Array {
  const xi = normals(loss.length, seed);
  return loss.map((l, i) => l * (1 + sd * xi[i]));
}

/**
 * A loss with a prescribed rate profile r(x, i) in x = ln t (i = grid index): ln L(t_i) = −∫ r dx by
 * the trapezoid rule on the grid, L(t_0) = 1, so detection can be tested against the rate it sees.
 * (On a uniform grid in x the three-point derivative of this L at i is (r_{i−1} + 2r_i + r_{i+1})/4.)
 */
export function lossFromRate(t: Float64Array, r: (x: number, i: number) => number): Float64Array {
  const L = new Float64Array(t.length);
  let lnL = 0;
  L[0] = 1;
  for (let i = 1; i < t.length; i++) {
    const x0 = Math.log(t[i - 1]);
    const x1 = Math.log(t[i]);
    lnL -= ((r(x0, i - 1) + r(x1, i)) / 2) * (x1 - x0);
    L[i] = Math.exp(lnL);
  }
  return L;
}

/** A logistic drop in log time from `from` to `to` centred at tau: the rate peaks at tau. */
export function logisticDrop(t: Float64Array, from: number, to: number, tau: number, steepness: number): Float64Array {
  return t.map((x) => to + (from - to) / (1 + (x / tau) ** steepness));
}
