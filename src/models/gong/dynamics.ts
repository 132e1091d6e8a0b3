/**
 * The three dynamics modes (technical note §3.3):
 * - 'flow': gradient flow dθ/dt = −∇L, integrated with error control (dopri5);
 * - 'gd': gradient descent θ ← θ − η_k ∇L with η_k = η1 until the physical time Σ η reaches t1,
 *   then η2 [V: a large constant then an annealed rate, ICLR reviews];
 * - 'noisy': the same plus Langevin noise θ ← θ − η_k∇L + √(2τη_k)·ξ_k, ξ_k ~ N(0, I) seeded per
 *   step [G: a surrogate for the large-learning-rate SGD noise of Li–Wei–Ma].
 *
 * The discrete modes run through the engine's 'euler' method with step h = 1 on the iteration
 * index k: the right-hand side is F(k, θ) = −η_k ∇L(θ) (+ noise_k), so one Euler step is one GD
 * step exactly, and the noise is a pure function of (seed, k). The observable `time` converts k to
 * the physical time τ_k = Σ_{j<k} η_j, which is what the stage times use.
 *
 * In pure gradient flow a learning-rate schedule only rescales time (dθ/dt = −η(t)∇L is the flow
 * at τ = ∫η), so 'flow' has no schedule: stages in 'flow' come from the loss landscape alone.
 */
import { inputError } from '../../util/errors.js';
import { makeRng } from '../../util/rng.js';
import type { RhsFn } from '../../solve/types.js';
import type { GongConfig } from './config.js';
import type { Engine } from './engine.js';

export interface Schedule {
  /** Steps at η1, total steps (discrete modes); 0 and 0 for 'flow'. */
  readonly k1: number;
  readonly steps: number;
  /** Physical time after k steps (identity for 'flow'). */
  time(k: number): number;
  eta(k: number): number;
}

/** Largest number of discrete steps a run may take. */
export const MAX_STEPS = 2_000_000;

export function schedule(c: GongConfig): Schedule {
  if (c.dynamics === 'flow') return { k1: 0, steps: 0, time: (t) => t, eta: () => 1 };
  const tSwitch = Math.min(c.t1, c.tEnd);
  const k1 = Math.round(tSwitch / c.eta1);
  const k2 = Math.max(0, Math.round((c.tEnd - k1 * c.eta1) / c.eta2));
  const steps = k1 + k2;
  if (steps > MAX_STEPS) throw inputError(`gong: dynamics=${c.dynamics} needs ${steps} steps (> ${MAX_STEPS}); raise eta1/eta2 or lower tEnd.`);
  if (steps < 1) throw inputError('gong: the discrete run has no step; raise tEnd.');
  return {
    k1,
    steps,
    time: (k) => (k <= k1 ? k * c.eta1 : k1 * c.eta1 + (k - k1) * c.eta2),
    eta: (k) => (k < k1 ? c.eta1 : c.eta2),
  };
}

/** A seed for step k of the noise stream (splitmix-style mixing of seed and k). */
function stepSeed(seed: number, k: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (k >>> 0), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13) ^ Math.floor(k / 4294967296), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** The right-hand side for the engine: −∇L (flow), or one scheduled GD step per unit of k. */
export function rhs(engine: Engine): RhsFn {
  const c = engine.config;
  const g = new Float64Array(engine.dim);
  if (c.dynamics === 'flow') {
    return (_t, y, dy) => {
      engine.lossGrad(y, g);
      for (let i = 0; i < g.length; i++) dy[i] = -g[i];
    };
  }
  const s = schedule(c);
  const noisy = c.dynamics === 'noisy' && c.tau > 0;
  return (t, y, dy) => {
    const k = Math.round(t);
    const eta = s.eta(k);
    engine.lossGrad(y, g);
    for (let i = 0; i < g.length; i++) dy[i] = -eta * g[i];
    if (noisy) {
      const rng = makeRng(stepSeed(c.seed, k));
      const amp = Math.sqrt(2 * c.tau * eta); // Var = 2τη per entry
      for (let i = 0; i < g.length; i++) dy[i] += amp * rng.normal();
    }
  };
}
