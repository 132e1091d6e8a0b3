/**
 * Deep linear network y = W2·W1·x with whitened inputs (E[xxᵀ] = I):
 *   Saxe, McClelland, Ganguli, "Exact solutions to the nonlinear dynamics of learning in deep
 *   linear neural networks", ICLR 2014 (eqs. 6–9 and the mode solution of §2).
 *
 * Population loss L = ½‖Σ − W2W1‖²_F with Σ = U·S·Vᵀ; S = diag(s1, s2, s3, 0, …) (n×n), and
 * U, V Haar-random from the seed. Gradient flow (derivations/deep-linear):
 *   Ẇ1 = W2ᵀ(Σ − W2W1),   Ẇ2 = (Σ − W2W1)W1ᵀ.
 * From a balanced aligned start W1 = diag(√u0)Vᵀ, W2 = U diag(√u0) every mode evolves alone:
 *   u(t) = s e^{2st} / (e^{2st} − 1 + s/u0)    (and u0/(1 + 2u0 t) for s = 0),
 * which is the oracle for the tests and the predictions. W1W1ᵀ − W2ᵀW2 is conserved exactly.
 */
import { randomOrthogonal } from '../../linalg/dense.js';
import { makeRng } from '../../util/rng.js';
import { num } from '../params.js';
import type { Params } from '../types.js';

export const TARGETS = ['s1', 's2', 's3'] as const;

/** Target singular values, n of them (s1, s2, s3, then zeros). */
export function targetSpectrum(p: Params): Float64Array {
  const n = num(p, 'n');
  const s = new Float64Array(n);
  TARGETS.forEach((k, i) => { s[i] = num(p, k); });
  return s;
}

/** Σ = U S Vᵀ and the singular vectors, from the seed (drawn before the initial weights). */
export interface Target { readonly n: number; readonly U: Float64Array; readonly V: Float64Array; readonly S: Float64Array; readonly Sigma: Float64Array }

const targetCache = new Map<string, Target>();

export function target(p: Params): Target {
  const key = `${num(p, 'n')}:${num(p, 'seed')}:${targetSpectrum(p).join(',')}`;
  const hit = targetCache.get(key);
  if (hit) return hit;
  const n = num(p, 'n');
  // U and V come from their own stream so that the target does not depend on the init mode
  const rng = makeTargetRng(num(p, 'seed'));
  const U = randomOrthogonal(n, rng);
  const V = randomOrthogonal(n, rng);
  const S = targetSpectrum(p);
  const Sigma = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let acc = 0;
    for (let k = 0; k < n; k++) acc += U[i * n + k] * S[k] * V[j * n + k];
    Sigma[i * n + j] = acc;
  }
  const t = { n, U, V, S, Sigma };
  targetCache.set(key, t);
  return t;
}

function makeTargetRng(seed: number): () => number {
  const r = makeRng((seed ^ 0x5eed5eed) >>> 0);
  return () => r.normal();
}

/** Mode strength from the closed form (aligned, balanced start). */
export function modeStrength(s: number, u0: number, t: number): number {
  if (s === 0) return u0 / (1 + 2 * u0 * t);
  const e = Math.exp(-2 * s * t); // the e^{−2st} form avoids overflow for large t
  return s / (1 + (s / u0 - 1) * e);
}

/** Closed-form half-learning time of a mode: u(t½) = s/2 ⇔ t½ = ln((s − u0)/u0)/(2s). */
export function halfLearningTime(s: number, u0: number): number {
  return Math.log((s - u0) / u0) / (2 * s);
}

