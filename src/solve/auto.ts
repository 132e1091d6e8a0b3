/**
 * The integration loop of the implicit method (`rodas5p`) and of `auto`, which starts with DOP853,
 * switches to Rodas5P where the problem is stiff and back where it no longer is (rules in
 * stiffness.ts). Same contract as `integrateErk`: blow-up detection, events from the dense output
 * of whichever method took the step, the step budget over both methods, and every ending a
 * {@link RunOutcome}; never throws for a failed integration.
 *
 * Save-at times: DOP853 interpolates them; adaptive Rodas5P steps land on them instead
 * ({@link AdaptiveRun}), because Rodas5P's dense output is not accurate enough inside a stiff step
 * (rosenbrock/tableau.ts). The fixed-step mode keeps its steps and interpolates.
 */
import { isEscaping, minStep, BLOWUP_NORM } from './blowup.js';
import { FAC_MIN, initialStep, StepController } from './controller.js';
import { ErkStepper } from './erk.js';
import { DOP853, DOP853_BETA } from './methods/dop853.js';
import { Output, StepVerdict } from './output.js';
import { PredictiveController } from './rosenbrock/controller.js';
import { RosenbrockStepper, type DerivativeSources, type JacobianFn, type TimeDerivativeFn } from './rosenbrock/stepper.js';
import { RODAS5P } from './rosenbrock/tableau.js';
import type { BlowUpCause, RunOutcome } from './status.js';
import {
  DOP853_BOUNDARY, implicitStepCost, spectralRadius, StiffnessMonitor, type MethodSwitch,
} from './stiffness.js';
import type { ResolvedOptions, RhsFn, Vec } from './types.js';
import { allFinite, infNorm } from './vec.js';

/** What the implicit method needs besides f. */
export interface ImplicitSetup {
  /** Exact Jacobian ∂f/∂y, row-major; null: forward differences. */
  readonly jacobian: JacobianFn | null;
  /** f does not depend on t (∂f/∂t = 0); otherwise ∂f/∂t comes from `timeDerivative` or a forward difference. */
  readonly autonomous: boolean;
  readonly timeDerivative?: TimeDerivativeFn;
}

/** A {@link RunOutcome} plus what only the implicit method and `auto` have. */
export interface ImplicitOutcome extends RunOutcome {
  njev: number;
  ndec: number;
  switches: MethodSwitch[];
}

/** The part of a stepper the loop uses (ErkStepper and RosenbrockStepper both have it). */
interface Stepper {
  readonly n: number;
  readonly y: Vec;
  readonly nfev: number;
  readonly yNewNorm: number;
  attempt(h: number, rtol: number, atol: number, withError: boolean): number;
  accept(h: number, tNew: number): void;
  evaluate(t: number, out: Vec): void;
  slope(): Vec;
}

interface Controller {
  accepted(h: number, err: number, afterReject: boolean): number;
  rejected(h: number, err: number): number;
}

/**
 * Integrates y' = f(t, y) over [t0, t1] with Rodas5P (`auto` false) or with automatic switching
 * between DOP853 and Rodas5P (`auto` true). Arguments as `integrateErk`, plus the Jacobian setup.
 */
export function integrateImplicit(
  f: RhsFn, t0: number, t1: number, y0: Vec, ro: ResolvedOptions, out: Output, setup: ImplicitSetup, auto: boolean,
): ImplicitOutcome {
  const n = y0.length;
  const src: DerivativeSources = {
    jacobian: setup.jacobian,
    timeDerivative: setup.timeDerivative ?? (setup.autonomous ? 'zero' : 'fd'),
  };
  const ros = new RosenbrockStepper(RODAS5P, f, n, src);
  const erk = auto ? new ErkStepper(DOP853, f, n) : null;
  const run = new Run(ros, erk);
  const first: Stepper = erk ?? ros;
  const finiteAtStart = erk ? erk.start(t0, y0) : ros.start(t0, y0);
  out.start(t0, first.y);
  if (!finiteAtStart) return run.end('non_finite', t0, first.y, 'non_finite_value');
  if (ro.h !== null) {
    if (auto) throw new Error("integrateImplicit: 'auto' has no fixed-step mode (options should have refused it)");
    return fixedLoop(ros, run, t0, t1, ro.h, ro, out);
  }
  return new AdaptiveRun(f, ros, erk, run, t0, t1, ro, out, src).loop();
}

/** Step counts, switches and the construction of the outcome. */
class Run {
  accepted = 0;
  rejected = 0;
  extraNfev = 0;
  readonly switches: MethodSwitch[] = [];
  constructor(private readonly ros: RosenbrockStepper, private readonly erk: ErkStepper | null) {}

  get steps(): number {
    return this.accepted + this.rejected;
  }

  end(status: RunOutcome['status'], t: number, y: Vec, cause?: BlowUpCause, extra: Partial<RunOutcome> = {}): ImplicitOutcome {
    return {
      status, tEnd: t, yEnd: Float64Array.from(y),
      nfev: this.ros.nfev + (this.erk?.nfev ?? 0) + this.extraNfev,
      accepted: this.accepted, rejected: this.rejected,
      njev: this.ros.njev, ndec: this.ros.ndec, switches: this.switches,
      ...(cause ? { cause } : {}), ...extra,
    };
  }
}

/** Ends a run that Output stopped inside the accepted step [t, tNew] (see StepLoop in step-loop.ts). */
function stopped(verdict: StepVerdict, out: Output, st: Stepper, run: Run, tNew: number): ImplicitOutcome {
  if (verdict === StepVerdict.Terminal) {
    const hits = out.hits;
    const y = new Float64Array(st.n);
    st.evaluate(out.stopT, y);
    return run.end('event', out.stopT, y, undefined, { eventName: hits[hits.length - 1].name });
  }
  return run.end('non_finite', tNew, st.y, 'non_finite_value');
}

const isFiniteAt = (st: Stepper): boolean =>
  st instanceof RosenbrockStepper ? st.pointFinite() : allFinite(st.slope());

/**
 * A save-at time closer to t than this (relative to |t|) is interpolated rather than landed on:
 * the step would be a few ulps long, and the interpolant at θ ≈ 0 is y0 to working precision.
 */
const LAND_MIN_REL = 1e3 * Number.EPSILON;

/**
 * The adaptive loop. Where Rodas5P steps, a step that would pass a save-at time is cut to end on it
 * (a stop time, as t_end is), so that save-at values are step ends: Rodas5P's own dense output has an
 * interior error of O(h⁴) in the stiff limit that the error estimate does not see (tableau.ts), and
 * misses the tolerance by orders of magnitude on stiff problems. After such a cut step the step
 * size resumes at the one the cut interrupted, unless the cut step asked for a smaller one. DOP853's
 * dense output is accurate to its tolerance and is interpolated as before.
 */
class AdaptiveRun {
  private st: Stepper;
  private ctl: Controller;
  private readonly monitor: StiffnessMonitor | null;
  private readonly rhoV: Float64Array;
  private readonly rhoW: Float64Array;

  constructor(
    private readonly f: RhsFn,
    private readonly ros: RosenbrockStepper,
    private readonly erk: ErkStepper | null,
    private readonly run: Run,
    private readonly t0: number,
    private readonly t1: number,
    private readonly ro: ResolvedOptions,
    private readonly out: Output,
    src: DerivativeSources,
  ) {
    this.st = erk ?? ros;
    this.ctl = this.newController();
    const n = ros.n;
    const ftCalls = src.timeDerivative === 'fd' ? 1 : 0;
    this.monitor = erk ? new StiffnessMonitor(implicitStepCost(n, RODAS5P.m.length, src.jacobian !== null, ftCalls)) : null;
    this.rhoV = new Float64Array(n);
    this.rhoW = new Float64Array(n);
    this.saveAt = ro.saveAt;
  }

  private readonly saveAt: Float64Array;
  private nextSave = 0;

  /** The first save-at time after t (Infinity if none); save times are ascending. */
  private saveAfter(t: number): number {
    const ts = this.saveAt;
    while (this.nextSave < ts.length && ts[this.nextSave] <= t) this.nextSave++;
    return this.nextSave < ts.length ? ts[this.nextSave] : Infinity;
  }

  private newController(): Controller {
    return this.st === this.ros
      ? new PredictiveController(RODAS5P.errorOrder, this.ro.hMax)
      : new StepController(DOP853.errorOrder ?? 7, DOP853_BETA, this.ro.hMax);
  }

  loop(): ImplicitOutcome {
    const { run, out, ro, t1 } = this;
    const { rtol, atol, hMax, maxSteps } = ro;
    const y0Norm = infNorm(this.st.y);
    let h = ro.h0;
    if (h === null) {
      const n = this.st.n;
      const order = this.st === this.ros ? RODAS5P.order : DOP853.order;
      h = initialStep(this.f, this.t0, this.st.y, this.st.slope(), order, rtol, atol, hMax, new Float64Array(n), new Float64Array(n));
      run.extraNfev++;
    }
    h = Math.min(h, hMax);
    let t = this.t0;
    let afterReject = false;
    let lastNonFinite = false;
    let spendMark = this.st.nfev; // explicit RHS calls up to the last accepted step
    let hResume = NaN; // the step a cut to a save-at time interrupted (NaN: none)
    for (;;) {
      const st = this.st;
      if (run.steps >= maxSteps) return run.end('max_steps', t, st.y);
      let last = false;
      if (t + 1.01 * h >= t1 && t1 - t <= hMax) {
        h = t1 - t; // land on t_end (see step-loop.ts)
        last = true;
      }
      let land = NaN; // the save-at time this Rodas5P step ends on
      if (st === this.ros) {
        const ts = this.saveAfter(t);
        if (ts < t1 && t + 1.01 * h >= ts && ts - t <= hMax && ts - t > LAND_MIN_REL * Math.abs(ts)) {
          // the same rule as for t_end; a cut after a rejection resumes nothing (h already shrank)
          hResume = ts - t < h && !afterReject ? h : NaN;
          h = ts - t;
          land = ts;
          last = false;
        }
      }
      if (h < minStep(t) || t + h === t) {
        if (lastNonFinite) return run.end('non_finite', t, st.y, 'non_finite_value');
        if (isEscaping(infNorm(st.y), y0Norm, infNorm(st.slope()), t)) return run.end('non_finite', t, st.y, 'escape');
        return run.end('step_too_small', t, st.y, undefined, { h });
      }
      const err = st.attempt(h, rtol, atol, true);
      if (!(err <= 1)) {
        run.rejected++;
        afterReject = true;
        if (Number.isFinite(err)) {
          lastNonFinite = false;
          h = this.ctl.rejected(h, err);
        } else if (err === Infinity) {
          lastNonFinite = false; // I/(hγ) − J singular: a smaller step moves 1/(hγ) off the eigenvalue
          h *= FAC_MIN;
        } else {
          if (!isFiniteAt(st)) return run.end('non_finite', t, st.y, 'non_finite_value');
          lastNonFinite = true;
          h *= FAC_MIN;
        }
        continue;
      }
      lastNonFinite = false;
      let hNext = this.ctl.accepted(h, err, afterReject);
      if (!Number.isNaN(land) && hResume > hNext && hNext >= h) hNext = hResume; // the cut step asked for no smaller step
      hResume = NaN;
      afterReject = false;
      const tNew = last ? t1 : Number.isNaN(land) ? t + h : land;
      st.accept(h, tNew);
      run.accepted++;
      // Hairer's stiffness quotient must be read before the dense output overwrites its stage
      const hLambda = this.monitor && st === this.erk && !last ? this.erk.stiffnessQuotient() : NaN;
      const verdict = out.step(t, tNew, st.y, st);
      if (verdict !== StepVerdict.Continue) return stopped(verdict, out, st, run, tNew);
      t = tNew;
      if (st.yNewNorm > BLOWUP_NORM) return run.end('non_finite', t, st.y, 'norm');
      if (t === t1) return run.end('success', t1, st.y); // not `last`: t + h can round to t1 although t1 − t > hMax (see step-loop.ts)
      h = hNext;
      if (this.monitor === null) continue;
      if (st === this.erk) {
        const spend = st.nfev - spendMark;
        spendMark = st.nfev;
        if (this.monitor.explicitStep(hLambda, spend)) h = this.switchTo(this.ros, t, 'stiff', hLambda, h);
      } else {
        const rho = spectralRadius(this.ros.J, this.ros.n, this.rhoV, this.rhoW); // J at this step's start
        if (this.monitor.implicitStep(hNext, rho)) {
          const hStab = rho > 0 ? (0.5 * DOP853_BOUNDARY) / rho : Infinity;
          h = this.switchTo(this.erk as ErkStepper, t, 'non-stiff', h * rho, Math.min(h, hStab));
          spendMark = this.st.nfev;
        }
      }
    }
  }

  /** Hands the current state to the other method; returns the step it starts with. */
  private switchTo(next: Stepper, t: number, reason: MethodSwitch['reason'], hLambda: number, h: number): number {
    const prev = this.st;
    const y = prev.y;
    if (next === this.ros) this.ros.start(t, y, prev.slope()); // DOP853 already has f(t, y): its next k1
    else (next as ErkStepper).start(t, y);
    this.run.switches.push({
      t, from: prev === this.ros ? 'rodas5p' : 'dop853', to: next === this.ros ? 'rodas5p' : 'dop853', reason, hLambda,
    });
    this.st = next;
    this.ctl = this.newController();
    return Math.min(h, this.ro.hMax);
  }
}

function fixedLoop(st: RosenbrockStepper, run: Run, t0: number, t1: number, h: number, ro: ResolvedOptions, out: Output): ImplicitOutcome {
  // N steps of size h, the last one shortened to land on t1 (see integrate.ts)
  const q = (t1 - t0) / h;
  const m = Math.round(q);
  const exact = m >= 1 && Math.abs(q - m) <= 1e-9 * m;
  const nSteps = exact ? m : Math.ceil(q);
  let t = t0;
  for (let k = 0; k < nSteps; k++) {
    if (run.steps >= ro.maxSteps) return run.end('max_steps', t, st.y);
    const isLast = k === nSteps - 1;
    const hk = isLast && !exact ? t1 - t : h;
    const err = st.attempt(hk, ro.rtol, ro.atol, false);
    if (!(err === 0)) return run.end('non_finite', t, st.y, 'non_finite_value'); // y1 not finite, or singular I/(hγ) − J
    const tNew = isLast ? t1 : t0 + (k + 1) * h;
    st.accept(hk, tNew);
    run.accepted++;
    const verdict = out.step(t, tNew, st.y, st);
    if (verdict !== StepVerdict.Continue) return stopped(verdict, out, st, run, tNew);
    t = tNew;
    if (st.yNewNorm > BLOWUP_NORM) return run.end('non_finite', t, st.y, 'norm');
  }
  return run.end('success', t1, st.y);
}
