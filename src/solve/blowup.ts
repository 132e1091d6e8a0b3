/**
 * When a run counts as a blow-up (status `non_finite`), shared by all integrators.
 *
 * 1. The state or the right-hand side is NaN or ±Infinity where the integrator cannot avoid it
 *    (smaller steps do not help), or
 * 2. ‖y‖∞ exceeds {@link BLOWUP_NORM} = 1e150 at an accepted step: far beyond any meaningful state of a
 *    gradient flow, yet far enough below the float64 limit (1.8e308) that a quadratic RHS still
 *    evaluates without overflow, or
 * 3. the step size collapses below 10·eps·|t| while the state escapes: ‖y‖∞ has grown more than
 *    {@link BLOWUP_GROWTH}-fold over max(1, ‖y0‖∞) and changes on a time scale ‖y‖∞/‖f‖∞ below
 *    {@link BLOWUP_TIMESCALE}·max(1, |t|). This is a finite-time singularity (y' = y² near t = 1 stalls at
 *    ‖y‖ ≈ 1e13, long before 1e150, because float64 cannot resolve time any finer). A collapse
 *    without these signs (a kink or discontinuity of the RHS) is `step_too_small` instead.
 */

/** ‖y‖∞ above which an accepted state counts as blown up. */
export const BLOWUP_NORM = 1e150;
/** Growth of ‖y‖∞ relative to max(1, ‖y0‖∞) that, with a collapsed step, marks an escape to infinity. */
export const BLOWUP_GROWTH = 1e6;
/** Relative time scale ‖y‖/‖y'‖ below which, with a collapsed step, the state is escaping. */
export const BLOWUP_TIMESCALE = 1e-6;

/** Smallest step allowed at time t: below it, t + h differs from t in only a few ulps. */
export function minStep(t: number): number {
  return 10 * Number.EPSILON * Math.abs(t);
}

/** Rule 3 above: is a step-size collapse at time t an escape to infinity? */
export function isEscaping(yNorm: number, y0Norm: number, fNorm: number, t: number): boolean {
  if (!Number.isFinite(fNorm)) return true;
  return yNorm > BLOWUP_GROWTH * Math.max(1, y0Norm) && yNorm < BLOWUP_TIMESCALE * Math.max(1, Math.abs(t)) * fNorm;
}
