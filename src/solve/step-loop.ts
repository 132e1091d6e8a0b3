/**
 * The step loop of the explicit Runge–Kutta integrators, shared by the plain one (integrate.ts) and
 * the one for fields with kinks (kinks/integrate.ts): the step budget, landing on t_end, step
 * acceptance by error control (or a fixed-step grid), blow-up detection, and the output of each
 * accepted step (save-at values from the dense output, events, onStep). Never throws for a failed
 * integration; every ending is a {@link RunOutcome}.
 *
 * The base class integrates a smooth field. An integrator that does more with an accepted step
 * overrides {@link StepLoop.take} (the kinks integrator cuts a step at a switch point and restarts
 * the stepper there) and {@link StepLoop.nonFinite} (it may blame a failed sliding solve rather
 * than the field). Nothing in the loop allocates; an outcome is built only when the run ends.
 */
import { isEscaping, minStep, BLOWUP_NORM } from './blowup.js';
import { FAC_MIN, initialStep, StepController } from './controller.js';
import type { ErkStepper } from './erk.js';
import type { ErkMethod } from './methods/index.js';
import { StepVerdict, type Output } from './output.js';
import type { BlowUpCause, RunOutcome } from './status.js';
import type { ResolvedOptions, RhsFn, Vec } from './types.js';
import { allFinite, infNorm } from './vec.js';

/**
 * Where the steps of a fixed-step run go. The loop calls plan(t) before each step and done(t)
 * after it was taken; both must not allocate.
 */
export interface FixedGrid {
  /** Size of the planned step (set by plan). */
  readonly h: number;
  /** End of the planned step (set by plan); the last step ends exactly on t_end. */
  readonly tNew: number;
  /** Plans the step from t, the time reached. */
  plan(t: number): void;
  /** Called once the planned step was taken, with the time reached; true when the run is complete. */
  done(t: number): boolean;
}

/** The adaptive and fixed-step loops over one {@link ErkStepper}, with the step counts and outcomes. */
export class StepLoop {
  accepted = 0;
  rejected = 0;
  /** RHS calls made outside the stepper (the starting-step estimate). */
  extraNfev = 0;
  /** Time reached: t0, then the end of each step taken (or the point where a subclass cut it). */
  protected t: number;

  /**
   * Arguments: st the stepper, started at (t0, y0) before adaptive() or fixed() runs; out receives
   * every accepted step; t1 the end of the span; ro the resolved options (tolerances, hMax, h0,
   * maxSteps).
   */
  constructor(
    protected readonly st: ErkStepper, protected readonly out: Output, t0: number,
    protected readonly t1: number, protected readonly ro: ResolvedOptions,
  ) {
    this.t = t0;
  }

  get steps(): number {
    return this.accepted + this.rejected;
  }

  /**
   * Error-controlled steps from t0 to t1. `rhs` is the field the stepper integrates (for Hairer's
   * starting step when ro.h0 is not given).
   */
  adaptive(method: ErkMethod, rhs: RhsFn): RunOutcome {
    const { st, t1 } = this;
    const tab = method.tableau;
    if (tab.errorOrder === null) throw new Error(`${tab.name} has no error estimate; it needs a fixed step`);
    const { rtol, atol, hMax, maxSteps } = this.ro;
    const ctl = new StepController(tab.errorOrder, method.beta, hMax);
    const y0Norm = infNorm(st.y);
    let h = this.ro.h0;
    if (h === null) {
      const n = st.n;
      h = initialStep(rhs, this.t, st.y, st.slope(), tab.order, rtol, atol, hMax, new Float64Array(n), new Float64Array(n));
      this.extraNfev++;
    }
    h = Math.min(h, hMax);
    let afterReject = false;
    let lastNonFinite = false; // the last rejection was caused by NaN/Inf, not by the error estimate
    for (;;) {
      const t = this.t;
      if (this.steps >= maxSteps) return this.end('max_steps', t);
      let last = false;
      if (t + 1.01 * h >= t1 && t1 - t <= hMax) {
        h = t1 - t; // land on t_end, stretching the step by at most 1 % (Hairer) but never past hMax
        last = true;
      }
      if (h < minStep(t) || t + h === t) {
        if (lastNonFinite) return this.nonFinite(t);
        if (isEscaping(infNorm(st.y), y0Norm, infNorm(st.slope()), t)) return this.end('non_finite', t, 'escape');
        return this.end('step_too_small', t, undefined, { h });
      }
      const err = st.attempt(h, rtol, atol, true);
      if (!(err <= 1)) {
        this.rejected++;
        afterReject = true;
        if (Number.isFinite(err)) {
          lastNonFinite = false;
          h = ctl.rejected(h, err);
        } else {
          // A trial with NaN/Inf: the step may have left the RHS's domain or overflowed, so shrink
          // hard. If f is not finite at the current state itself, no step can help.
          if (!allFinite(st.slope())) return this.nonFinite(t);
          lastNonFinite = true;
          h *= FAC_MIN;
        }
        continue;
      }
      lastNonFinite = false;
      const hNext = ctl.accepted(h, err, afterReject);
      afterReject = false;
      const ended = this.take(h, last ? t1 : t + h);
      if (ended !== null) return ended;
      // t === t1, not `last`: near t_end, t + h can round to t1 although t1 − t > hMax
      if (this.t === t1) return this.end('success', t1);
      h = hNext;
    }
  }

  /** Steps on a fixed grid (no error estimate) until the grid says the run is complete. */
  fixed(grid: FixedGrid): RunOutcome {
    const { st } = this;
    const { rtol, atol, maxSteps } = this.ro;
    for (;;) {
      const t = this.t;
      if (this.steps >= maxSteps) return this.end('max_steps', t);
      grid.plan(t);
      const err = st.attempt(grid.h, rtol, atol, false);
      if (!(err === 0)) return this.nonFinite(t); // y1 not finite
      const ended = this.take(grid.h, grid.tNew);
      if (ended !== null) return ended;
      if (grid.done(this.t)) return this.end('success', this.t1);
    }
  }

  /**
   * The outcome of a run ending at time t, with the current state (or `y`, copied). `extra` adds
   * the fields of a particular ending (h, eventName, kinkMessage).
   */
  end(status: RunOutcome['status'], t: number, cause?: BlowUpCause, extra: Partial<RunOutcome> = {}, y?: Vec): RunOutcome {
    return {
      status, tEnd: t, yEnd: Float64Array.from(y ?? this.st.y), nfev: this.st.nfev + this.extraNfev,
      accepted: this.accepted, rejected: this.rejected, ...(cause ? { cause } : {}), ...extra,
    };
  }

  /**
   * Takes the attempted step [t, tNew] of size h: accepts it, feeds the output and moves
   * {@link StepLoop.t}. Returns an outcome if the run ends here, else null.
   */
  protected take(h: number, tNew: number): RunOutcome | null {
    this.accept(h, tNew);
    return this.reach(tNew);
  }

  /** The outcome when the field is not finite at the current state, at time t. */
  protected nonFinite(t: number): RunOutcome {
    return this.end('non_finite', t, 'non_finite_value');
  }

  /** Makes the attempted step [t, tNew] of size h the current one. */
  protected accept(h: number, tNew: number): void {
    this.st.accept(h, tNew);
    this.accepted++;
  }

  /**
   * The accepted step ends at tNew in the stepper's state: output, then the blow-up check on ‖y1‖∞.
   * Returns an outcome if the run ends here, else null (with t = tNew).
   */
  protected reach(tNew: number): RunOutcome | null {
    const ended = this.emit(this.t, tNew, this.st.y);
    if (ended !== null) return ended;
    this.t = tNew;
    if (this.st.yNewNorm > BLOWUP_NORM) return this.end('non_finite', tNew, 'norm');
    return null;
  }

  /**
   * Feeds the output the accepted stretch [tOld, tNew] ending in yNew (interpolated inside by the
   * stepper's dense output). Returns the outcome if the output stopped the run, else null.
   */
  protected emit(tOld: number, tNew: number, yNew: Vec): RunOutcome | null {
    const verdict = this.out.step(tOld, tNew, yNew, this.st);
    return verdict === StepVerdict.Continue ? null : this.stopped(verdict, tNew);
  }

  /**
   * Ends a run that the output stopped inside the accepted stretch ending at tNew: at a terminal
   * event (with the interpolated state there), or because a save-at value came out non-finite
   * although the stretch's end state is finite (then the run reports that end state and the grid
   * stops before the bad time).
   */
  private stopped(verdict: StepVerdict, tNew: number): RunOutcome {
    if (verdict === StepVerdict.Terminal) {
      const hits = this.out.hits;
      const o = this.end('event', this.out.stopT, undefined, { eventName: hits[hits.length - 1].name });
      this.st.evaluate(this.out.stopT, o.yEnd);
      return o;
    }
    return this.end('non_finite', tNew, 'non_finite_value');
  }
}
