/**
 * The integration loop for the explicit Runge–Kutta methods: adaptive (error control) or fixed
 * steps, with blow-up detection, save-at values, events and the step budget. Never throws for a
 * failed integration; every ending is a {@link RunOutcome}.
 */
import { isEscaping, minStep, BLOWUP_NORM } from './blowup.js';
import { FAC_MIN, initialStep, StepController } from './controller.js';
import { ErkStepper } from './erk.js';
import type { ErkMethod } from './methods/index.js';
import { Output, StepVerdict } from './output.js';
import type { RunOutcome, BlowUpCause } from './status.js';
import type { ResolvedOptions, RhsFn, Vec } from './types.js';
import { allFinite, infNorm } from './vec.js';

/**
 * Integrates y' = f(t, y) over [t0, t1] with a Runge–Kutta method.
 *
 * Arguments: y0 the (validated) initial state; ro the resolved options (`ro.h` set: fixed steps);
 * out receives every accepted step. Returns how the run ended, with the statistics.
 */
export function integrateErk(
  f: RhsFn, method: ErkMethod, t0: number, t1: number, y0: Vec, ro: ResolvedOptions, out: Output,
): RunOutcome {
  const st = new ErkStepper(method.tableau, f, y0.length);
  const run = new Run(st);
  const finiteAtStart = st.start(t0, y0);
  out.start(t0, st.y);
  if (!finiteAtStart) return run.end('non_finite', t0, 'non_finite_value');
  return ro.h !== null ? fixedLoop(st, run, t0, t1, ro.h, ro, out) : adaptiveLoop(f, method, st, run, t0, t1, ro, out);
}

/** Step counts and the construction of the outcome. */
class Run {
  accepted = 0;
  rejected = 0;
  extraNfev = 0;
  constructor(private readonly st: ErkStepper) {}

  get steps(): number {
    return this.accepted + this.rejected;
  }

  end(status: RunOutcome['status'], t: number, cause?: BlowUpCause, extra: Partial<RunOutcome> = {}): RunOutcome {
    return {
      status, tEnd: t, yEnd: Float64Array.from(this.st.y), nfev: this.st.nfev + this.extraNfev,
      accepted: this.accepted, rejected: this.rejected, ...(cause ? { cause } : {}), ...extra,
    };
  }
}

/**
 * Ends a run that Output stopped inside the accepted step [t, tNew]: at a terminal event (with the
 * interpolated state there), or because a save-at value came out non-finite although the step's
 * end state is finite (then the run reports that end state and the grid stops before the bad time).
 */
function stopped(verdict: StepVerdict, out: Output, st: ErkStepper, run: Run, tNew: number): RunOutcome {
  if (verdict === StepVerdict.Terminal) {
    const hits = out.hits;
    const o = run.end('event', out.stopT, undefined, { eventName: hits[hits.length - 1].name });
    st.evaluate(out.stopT, o.yEnd);
    return o;
  }
  return run.end('non_finite', tNew, 'non_finite_value');
}

function adaptiveLoop(
  f: RhsFn, method: ErkMethod, st: ErkStepper, run: Run, t0: number, t1: number, ro: ResolvedOptions, out: Output,
): RunOutcome {
  const tab = method.tableau;
  if (tab.errorOrder === null) throw new Error(`${tab.name} has no error estimate; it needs a fixed step`);
  const { rtol, atol, hMax, maxSteps } = ro;
  const ctl = new StepController(tab.errorOrder, method.beta, hMax);
  const y0Norm = infNorm(st.y);
  let h = ro.h0;
  if (h === null) {
    const n = st.n;
    h = initialStep(f, t0, st.y, st.slope(), tab.order, rtol, atol, hMax, new Float64Array(n), new Float64Array(n));
    run.extraNfev++;
  }
  h = Math.min(h, hMax);
  let t = t0;
  let afterReject = false;
  let lastNonFinite = false; // the last rejection was caused by NaN/Inf, not by the error estimate
  for (;;) {
    if (run.steps >= maxSteps) return run.end('max_steps', t);
    let last = false;
    if (t + 1.01 * h >= t1 && t1 - t <= hMax) {
      h = t1 - t; // land on t_end, stretching the step by at most 1 % (Hairer) but never past hMax
      last = true;
    }
    if (h < minStep(t) || t + h === t) {
      if (lastNonFinite) return run.end('non_finite', t, 'non_finite_value');
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
        // A trial with NaN/Inf: the step may have left the RHS's domain or overflowed, so shrink
        // hard. If f is not finite at the current state itself, no step can help.
        if (!allFinite(st.slope())) return run.end('non_finite', t, 'non_finite_value');
        lastNonFinite = true;
        h *= FAC_MIN;
      }
      continue;
    }
    lastNonFinite = false;
    const hNext = ctl.accepted(h, err, afterReject);
    afterReject = false;
    const tNew = last ? t1 : t + h;
    st.accept(h, tNew);
    run.accepted++;
    const verdict = out.step(t, tNew, st.y, st);
    if (verdict !== StepVerdict.Continue) return stopped(verdict, out, st, run, tNew);
    t = tNew;
    if (st.yNewNorm > BLOWUP_NORM) return run.end('non_finite', t, 'norm');
    if (last) return run.end('success', t1);
    h = hNext;
  }
}

function fixedLoop(st: ErkStepper, run: Run, t0: number, t1: number, h: number, ro: ResolvedOptions, out: Output): RunOutcome {
  // N steps of size h; if (t1 − t0)/h is an integer up to rounding, all N steps use h exactly (so
  // Euler is bit-identical to y ← y + h·f), otherwise the last one is shortened to land on t1.
  const q = (t1 - t0) / h;
  const m = Math.round(q);
  const exact = m >= 1 && Math.abs(q - m) <= 1e-9 * m;
  const nSteps = exact ? m : Math.ceil(q);
  let t = t0;
  for (let k = 0; k < nSteps; k++) {
    if (run.steps >= ro.maxSteps) return run.end('max_steps', t);
    const isLast = k === nSteps - 1;
    const hk = isLast && !exact ? t1 - t : h;
    const err = st.attempt(hk, ro.rtol, ro.atol, false);
    if (!(err === 0)) return run.end('non_finite', t, 'non_finite_value'); // y1 not finite
    const tNew = isLast ? t1 : t0 + (k + 1) * h; // t_k = t0 + k·h, no accumulated drift
    st.accept(hk, tNew);
    run.accepted++;
    const verdict = out.step(t, tNew, st.y, st);
    if (verdict !== StepVerdict.Continue) return stopped(verdict, out, st, run, tNew);
    t = tNew;
    if (st.yNewNorm > BLOWUP_NORM) return run.end('non_finite', t, 'norm');
  }
  return run.end('success', t1);
}
