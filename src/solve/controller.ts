/**
 * Step-size control for the embedded Runge–Kutta pairs: Hairer's standard controller with PI
 * stabilisation (DOPRI5's BETA), and Hairer's automatic choice of the first step (HINIT).
 *
 * Reference: Hairer, Nørsett, Wanner, Solving ODEs I, Sect. II.4 (starting step, eq. (4.13) ff.)
 * and the Fortran codes DOPRI5/DOP853; Gustafsson's PI control, ibid. Sect. IV.2.
 */
import type { RhsFn, Vec } from './types.js';

/** Safety factor: aim at err ≈ 0.9^(q+1), not 1, so that most steps are accepted. */
export const SAFETY = 0.9;
/** A step may shrink to no less than FAC_MIN·h (also the cut after a non-finite trial step). */
export const FAC_MIN = 0.2;
/** A step may grow to at most FAC_MAX·h. */
export const FAC_MAX = 10;

/**
 * Hairer's controller: h_new = h·min(FAC_MAX, max(FAC_MIN, SAFETY / (err^α · err_old^(−β)))),
 * with α = 1/(q+1) − 0.75β (q the order of the error estimate) and err_old the last accepted error.
 * β = 0 gives the classical controller. One instance per integration (it keeps err_old).
 */
export class StepController {
  private readonly alpha: number;
  private readonly beta: number;
  private readonly hMax: number;
  /** err of the last accepted step, floored at 1e-4 (Hairer's FACOLD). */
  private errOld = 1e-4;

  constructor(errorOrder: number, beta: number, hMax: number) {
    this.alpha = 1 / (errorOrder + 1) - 0.75 * beta;
    this.beta = beta;
    this.hMax = hMax;
  }

  /**
   * Next step after an accepted step of size h with error err ≤ 1. After a rejection the step
   * may not grow (Hairer: it would likely be rejected again).
   */
  accepted(h: number, err: number, afterReject: boolean): number {
    const fac11 = Math.pow(err, this.alpha);
    let fac = fac11 / Math.pow(this.errOld, this.beta); // 1/fac = err^−α · err_old^β
    fac = Math.max(1 / FAC_MAX, Math.min(1 / FAC_MIN, fac / SAFETY));
    this.errOld = Math.max(err, 1e-4);
    let hNew = Math.min(h / fac, this.hMax);
    if (afterReject) hNew = Math.min(hNew, h);
    return hNew;
  }

  /** Smaller step after a rejected step (err > 1); the PI term is left out, as in DOPRI5. */
  rejected(h: number, err: number): number {
    return h / Math.min(1 / FAC_MIN, Math.pow(err, this.alpha) / SAFETY);
  }
}

/**
 * Hairer's starting step (HINIT), with RMS norms like the error norm:
 * d0 = ‖y0/sc‖, d1 = ‖f0/sc‖, h = 0.01·d0/d1, one explicit Euler step to estimate
 * d2 = ‖(f(t0+h, y0+h f0) − f0)/sc‖/h, then h1 = (0.01/max(d1, d2))^(1/order) and
 * h0 = min(100h, h1, hMax), with sc_i = atol + rtol·|y0_i|.
 *
 * Arguments: yTmp, fTmp scratch buffers of length n. Returns the step; costs one RHS call.
 * If the probe evaluation is not finite the estimate falls back to 1e-3·h (the controller adapts).
 */
export function initialStep(
  f: RhsFn, t0: number, y0: Vec, f0: Vec, order: number, rtol: number, atol: number, hMax: number,
  yTmp: Vec, fTmp: Vec,
): number {
  const n = y0.length;
  let dny = 0;
  let dnf = 0;
  for (let i = 0; i < n; i++) {
    const sk = atol + rtol * Math.abs(y0[i]);
    dny += (y0[i] / sk) ** 2;
    dnf += (f0[i] / sk) ** 2;
  }
  dny = Math.sqrt(dny / n);
  dnf = Math.sqrt(dnf / n);
  let h = dny <= 1e-5 || dnf <= 1e-5 ? 1e-6 : 0.01 * (dny / dnf);
  h = Math.min(h, hMax);
  for (let i = 0; i < n; i++) yTmp[i] = y0[i] + h * f0[i]; // explicit Euler probe
  f(t0 + h, yTmp, fTmp);
  let der2 = 0;
  for (let i = 0; i < n; i++) {
    const sk = atol + rtol * Math.abs(y0[i]);
    der2 += ((fTmp[i] - f0[i]) / sk) ** 2;
  }
  der2 = Math.sqrt(der2 / n) / h; // ≈ ‖y''‖ in the scaled norm
  if (!Number.isFinite(der2)) return Math.min(1e-3 * h, hMax);
  const der12 = Math.max(der2, dnf);
  const h1 = der12 <= 1e-15 ? Math.max(1e-6, h * 1e-3) : Math.pow(0.01 / der12, 1 / order); // h1^order·max(d1,d2) = 0.01
  return Math.min(100 * h, h1, hMax);
}
