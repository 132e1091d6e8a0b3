/**
 * Step-size control for the Rosenbrock method: Gustafsson's predictive controller as in Hairer's
 * RODAS [R: Hairer & Wanner, Solving ODEs II, Sect. IV.8, and the Fortran rodas.f, from memory].
 * On stiff problems it avoids the cycles of rejections that the classical controller shows when
 * the step size hits the stability-dominated regime.
 */

/** Safety factor. */
export const ROS_SAFETY = 0.9;
/** The step may shrink to no less than ROS_FAC_MIN·h in one go (RODAS: FAC1 = 5). */
export const ROS_FAC_MIN = 0.2;
/** The step may grow to at most ROS_FAC_MAX·h in one go (RODAS: FAC2 = 1/6). */
export const ROS_FAC_MAX = 6;

/**
 * h_new = h / max(1/FAC_MAX, min(1/FAC_MIN, err^(1/(q+1))/SAFETY)), and after the second accepted
 * step the predictive factor (h_acc/h)·(err²/err_acc)^(1/(q+1))/SAFETY, whichever asks for the
 * smaller step; q is the order of the embedded solution. One instance per integration phase.
 */
export class PredictiveController {
  private readonly expo: number;
  private readonly hMax: number;
  private hAcc = NaN;
  private errAcc = NaN;
  private nAccepted = 0;

  constructor(errorOrder: number, hMax: number) {
    this.expo = 1 / (errorOrder + 1);
    this.hMax = hMax;
  }

  private quot(err: number): number {
    return Math.max(1 / ROS_FAC_MAX, Math.min(1 / ROS_FAC_MIN, Math.pow(err, this.expo) / ROS_SAFETY));
  }

  /** Next step after an accepted step of size h with error err ≤ 1 (no growth right after a rejection). */
  accepted(h: number, err: number, afterReject: boolean): number {
    let q = this.quot(err);
    this.nAccepted++;
    if (this.nAccepted > 1) {
      // Gustafsson: (h_acc/h)·(err²/err_acc)^(1/(q+1)) / SAFETY
      let gus = (this.hAcc / h) * Math.pow((err * err) / this.errAcc, this.expo) / ROS_SAFETY;
      gus = Math.max(1 / ROS_FAC_MAX, Math.min(1 / ROS_FAC_MIN, gus));
      q = Math.max(q, gus);
    }
    this.hAcc = h;
    this.errAcc = Math.max(1e-2, err);
    let hNew = Math.min(h / q, this.hMax);
    if (afterReject) hNew = Math.min(hNew, h);
    return hNew;
  }

  /** Smaller step after a rejected step (err > 1); the first step of a phase is cut by 10 (RODAS). */
  rejected(h: number, err: number): number {
    return this.nAccepted === 0 ? 0.1 * h : h / this.quot(err);
  }
}
