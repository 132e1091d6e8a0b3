/**
 * The integration loop for switched vector fields (kinks 'exact' and 'filippov') with dopri5 or
 * dop853, adaptive or with a fixed step.
 *
 * Between switch points the stepper integrates a smooth field: the current branch of every free
 * switching function (each kink factor fixed at 0 or 1) and, for pinned functions, the sliding
 * field with λ solved at every evaluation. After each accepted step the {@link KinkSwitcher} looks
 * for a sign change of a free function or a λ leaving [0, 1]; if there is one, the step is cut at
 * the earliest such time t* (located on the step's dense output), the output receives the step
 * [t, t*], the configuration is decided at t* and the stepper restarts there on the new branch.
 * So no step ever straddles a kink and the method keeps its order: the only extra error is the
 * dense output's at t* (O(h^5) for dopri5, O(h^8) for dop853), once per switch point.
 *
 * Pinned functions are held at zero by projection: after a step, if truncation or rounding moved a
 * pinned s_i off zero, one Newton step along the switching directions moves it back (then the
 * stepper restarts, one extra RHS evaluation). Where the pinned functions are linear in the state
 * and the sliding field is exactly tangent (s = x, say) nothing moves and no projection happens.
 */
import { isEscaping, minStep, BLOWUP_NORM } from '../blowup.js';
import { FAC_MIN, initialStep, StepController } from '../controller.js';
import { ErkStepper } from '../erk.js';
import type { ErkMethod } from '../methods/index.js';
import { Output, StepVerdict } from '../output.js';
import type { BlowUpCause, RunOutcome } from '../status.js';
import type { ResolvedOptions, Vec } from '../types.js';
import { allFinite, infNorm } from '../vec.js';
import { fmt } from '../../util/errors.js';
import { KinkSwitcher } from './switcher.js';
import type { KinkRecord, SwitchedSystem } from './types.js';

/** Consecutive switch points without progress in time after which the run stops (Zeno behaviour). */
export const MAX_STALLED_SWITCHES = 64;

/** What {@link integrateSwitched} returns: the outcome and the kink record. */
export interface SwitchedRun {
  readonly run: RunOutcome;
  readonly record: KinkRecord;
}

/**
 * Integrates the switched system over [t0, t1] (ro.kinks is 'exact' or 'filippov').
 * Same arguments as `integrateErk`, with the switched system in place of the plain field.
 */
export function integrateSwitched(
  sys: SwitchedSystem, method: ErkMethod, t0: number, t1: number, y0: Vec, ro: ResolvedOptions, out: Output,
): SwitchedRun {
  const n = y0.length;
  const sw = new KinkSwitcher(sys, n, ro.kinks === 'filippov');
  const st = new ErkStepper(method.tableau, sw.rhs, n);
  const run = new Run(st, sw);
  const y = Float64Array.from(y0);
  const started = sw.start(t0, y);
  const finiteAtStart = st.start(t0, y);
  out.start(t0, st.y);
  const done = (o: RunOutcome): SwitchedRun => ({ run: o, record: sw.record(ro.kinks) });
  if (!started) return done(run.end('kink_failure', t0));
  if (!finiteAtStart) return done(run.end(sw.failure !== null ? 'kink_failure' : 'non_finite', t0, 'non_finite_value'));
  const loop = new Loop(sw, st, run, out, t0, t1, ro);
  return done(ro.h !== null ? loop.fixed(ro.h) : loop.adaptive(method));
}

/** Step counts and outcomes (as in integrate.ts, plus the kink failure message). */
class Run {
  accepted = 0;
  rejected = 0;
  extraNfev = 0;
  constructor(private readonly st: ErkStepper, private readonly sw: KinkSwitcher) {}

  get steps(): number {
    return this.accepted + this.rejected;
  }

  end(status: RunOutcome['status'], t: number, cause?: BlowUpCause, extra: Partial<RunOutcome> = {}, y?: Vec): RunOutcome {
    const kink = status === 'kink_failure' ? { kinkMessage: this.sw.failure ?? `The kink treatment failed at t=${fmt(t)}.` } : {};
    return {
      status, tEnd: t, yEnd: Float64Array.from(y ?? this.st.y), nfev: this.st.nfev + this.extraNfev,
      accepted: this.accepted, rejected: this.rejected, ...(cause ? { cause } : {}), ...kink, ...extra,
    };
  }
}

class Loop {
  private t: number;
  private stalled = 0;
  private readonly yBuf: Vec;

  constructor(
    private readonly sw: KinkSwitcher, private readonly st: ErkStepper, private readonly run: Run,
    private readonly out: Output, t0: number, private readonly t1: number, private readonly ro: ResolvedOptions,
  ) {
    this.t = t0;
    this.yBuf = new Float64Array(st.n);
  }

  adaptive(method: ErkMethod): RunOutcome {
    const { st, run, ro, t1 } = this;
    const tab = method.tableau;
    if (tab.errorOrder === null) throw new Error(`${tab.name} has no error estimate; it needs a fixed step`);
    const { rtol, atol, hMax, maxSteps } = ro;
    const ctl = new StepController(tab.errorOrder, method.beta, hMax);
    const y0Norm = infNorm(st.y);
    let h = ro.h0;
    if (h === null) {
      const n = st.n;
      h = initialStep(this.sw.rhs, this.t, st.y, st.slope(), tab.order, rtol, atol, hMax, new Float64Array(n), new Float64Array(n));
      run.extraNfev++;
    }
    h = Math.min(h, hMax);
    let afterReject = false;
    let lastNonFinite = false;
    for (;;) {
      const t = this.t;
      if (run.steps >= maxSteps) return run.end('max_steps', t);
      let last = false;
      if (t + 1.01 * h >= t1 && t1 - t <= hMax) {
        h = t1 - t;
        last = true;
      }
      if (h < minStep(t) || t + h === t) {
        if (lastNonFinite) return this.nonFinite(t);
        if (isEscaping(infNorm(st.y), y0Norm, infNorm(st.slope()), t)) return run.end('non_finite', t, 'escape');
        return run.end('step_too_small', t, undefined, { h });
      }
      const err = st.attempt(h, rtol, atol, true);
      if (!(err <= 1)) {
        run.rejected++;
        afterReject = true;
        if (Number.isFinite(err)) {
          lastNonFinite = false;
          h = ctl.rejected(h, err);
        } else {
          if (!allFinite(st.slope())) return this.nonFinite(t);
          lastNonFinite = true; // a stage left the sliding system's domain, or the field overflowed: shrink hard
          h *= FAC_MIN;
        }
        continue;
      }
      lastNonFinite = false;
      const hNext = ctl.accepted(h, err, afterReject);
      afterReject = false;
      const ended = this.afterStep(h, last ? t1 : t + h);
      if (ended !== null) return ended;
      if (this.t === t1) return run.end('success', t1);
      h = hNext;
    }
  }

  fixed(h: number): RunOutcome {
    const { st, run, ro, t1 } = this;
    let tBase = this.t; // steps are t_k = tBase + k·h from the last switch point, without drift
    let k = 0;
    for (;;) {
      const t = this.t;
      if (run.steps >= ro.maxSteps) return run.end('max_steps', t);
      const isLast = t1 - t <= h * (1 + 1e-9);
      const tNew = isLast ? t1 : tBase + (k + 1) * h;
      const err = st.attempt(tNew - t, ro.rtol, ro.atol, false);
      if (!(err === 0)) return this.nonFinite(t);
      const switches = this.sw.switchPoints;
      const ended = this.afterStep(tNew - t, tNew);
      if (ended !== null) return ended;
      if (this.t === t1) return run.end('success', t1);
      if (this.sw.switchPoints !== switches || this.t !== tNew) {
        tBase = this.t;
        k = 0;
      } else k++;
    }
  }

  /**
   * Accepts the attempted step [t, tNew], cuts it at a switch point if there is one, feeds the
   * output and restarts the stepper where needed. Returns an outcome if the run ends here.
   */
  private afterStep(h: number, tNew: number): RunOutcome | null {
    const { st, sw, run, out } = this;
    const t = this.t;
    st.accept(h, tNew);
    run.accepted++;
    const tS = sw.inspect(t, tNew, st.y, st);
    if (sw.failure !== null) return run.end('kink_failure', tNew);
    if (Number.isNaN(tS)) {
      const verdict = out.step(t, tNew, st.y, st);
      if (verdict !== StepVerdict.Continue) return this.stopped(verdict, tNew);
      this.t = tNew;
      if (st.yNewNorm > BLOWUP_NORM) return run.end('non_finite', tNew, 'norm');
      this.yBuf.set(st.y);
      if (sw.settle(tNew, this.yBuf) && !st.start(tNew, this.yBuf)) return this.nonFinite(tNew);
      this.stalled = 0;
      return null;
    }
    // the step ends at the switch point tS ∈ [t, tNew]
    const yS = this.yBuf;
    yS.set(sw.yStar);
    if (tS > t) {
      const verdict = out.step(t, tS, yS, st);
      if (verdict !== StepVerdict.Continue) return this.stopped(verdict, tS);
    }
    this.stalled = tS - t <= 1e-12 * Math.max(1, Math.abs(t)) ? this.stalled + 1 : 0;
    this.t = tS;
    if (this.stalled > MAX_STALLED_SWITCHES) {
      sw.failure = `More than ${MAX_STALLED_SWITCHES} kink switches at t=${fmt(tS)} without progress in time `
        + '(Zeno behaviour: the switching functions there keep changing branch within one rounding error).';
      return run.end('kink_failure', tS, undefined, {}, yS);
    }
    if (!sw.switchAt(tS, yS)) return run.end('kink_failure', tS, undefined, {}, yS);
    if (!st.start(tS, yS)) return this.nonFinite(tS);
    return null;
  }

  /** A terminal user event or a non-finite save-at value inside the (possibly cut) step. */
  private stopped(verdict: StepVerdict, tNew: number): RunOutcome {
    const { out, run, st } = this;
    if (verdict === StepVerdict.Terminal) {
      const hits = out.hits;
      const o = run.end('event', out.stopT, undefined, { eventName: hits[hits.length - 1].name });
      st.evaluate(out.stopT, o.yEnd);
      return o;
    }
    return run.end('non_finite', tNew, 'non_finite_value');
  }

  /** A non-finite field at the current state: a failed sliding solve there, or a genuine blow-up. */
  private nonFinite(t: number): RunOutcome {
    return this.sw.failure !== null || this.sw.diagnose(t, this.st.y)
      ? this.run.end('kink_failure', t)
      : this.run.end('non_finite', t, 'non_finite_value');
  }
}
