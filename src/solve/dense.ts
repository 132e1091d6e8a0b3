/**
 * Dense output: the state at any time inside the last accepted step, written into a caller's buffer.
 *
 * Every integrator exposes its last step through {@link Interpolant}; save-at values and event
 * location use nothing else, so they work the same for the Runge–Kutta methods and for odex.
 */
import type { Vec } from './types.js';

/** The continuous extension of the last accepted step [t_old, t_new]. */
export interface Interpolant {
  /** Writes the state at t ∈ [t_old, t_new] into `out` (length n). Valid until the next step is attempted. */
  evaluate(t: number, out: Vec): void;
}

/**
 * Evaluates Hairer's nested interpolation form (DOPRI5's CONTD5, DOP853's CONTD8):
 * y(θ) = y0 + θ(F0 + θ'(F1 + θ(F2 + θ'(F3 + …)))), θ' = 1 − θ, where F holds nF coefficient
 * vectors of length n back to back. With nF = 1 this is linear interpolation.
 */
export function evaluateNested(F: Float64Array, nF: number, y0: Vec, th: number, out: Vec): void {
  const n = y0.length;
  const th1 = 1 - th;
  for (let i = 0; i < n; i++) {
    let acc = F[(nF - 1) * n + i];
    // the bracket that starts with F_r is multiplied by θ for even r, by θ' for odd r
    for (let r = nF - 2; r >= 0; r--) acc = F[r * n + i] + ((r & 1) === 1 ? th : th1) * acc;
    out[i] = y0[i] + th * acc;
  }
}
