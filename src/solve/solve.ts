/**
 * The single front door: `solve(f, [t0, t1], y0, options)`.
 */
import { inputError } from '../util/errors.js';
import { integrateErk } from './integrate.js';
import { integrateSwitched } from './kinks/integrate.js';
import { ERK_METHODS } from './methods/index.js';
import { integrateOdex } from './odex.js';
import { resolveOptions } from './options.js';
import { Output } from './output.js';
import { statusMessage } from './status.js';
import type { KinkRecord, MethodSwitch, RhsFn, Solution, SolveOptions } from './types.js';
import type { RunOutcome } from './status.js';
import { integrateImplicit, type ImplicitSetup } from './auto.js';
import { LogTime } from './log-time.js';

/**
 * Integrates the ODE y' = f(t, y) from t0 to t1.
 *
 * Arguments:
 * - `f` writes dy/dt into its third argument; it must not allocate or keep `y`.
 * - `span` is [t0, t_end] with t_end > t0.
 * - `y0` is the initial state (copied; never modified).
 * - `options` see {@link SolveOptions}: method (dopri5 by default; dop853; odex; euler with a
 *   fixed step; rodas5p, implicit, for stiff problems; auto, DOP853 switching to Rodas5P where
 *   the problem is stiff), rtol/atol, maxSteps, h0, hMax, fixed step h, saveAt, events, onStep, and for
 *   fields with kinks `switching` (the switched form) and `kinks` (how kinks are treated; exact
 *   crossings plus sliding modes by default when `switching` is given, see src/solve/kinks);
 *   for rodas5p/auto `jacobian` (exact ∂f/∂y; finite differences without it) and `autonomous`;
 *   `logTime` to integrate in s = log(1 + t − t0) (see docs/stiff.md).
 *
 * Returns: a {@link Solution} whose `status` says how the run ended — `success`, `event` (a terminal
 * event), or a failure: `max_steps`, `step_too_small` (h < 10·eps·|t|), `non_finite` (blow-up: the
 * state or RHS became NaN/±Infinity, ‖y‖∞ exceeded 1e150, or the step collapsed while ‖y‖ escaped
 * to infinity; see blowup.ts). On failure `tEnd`/`yEnd` are the last point reached and the save-at
 * grid is truncated there; `message` names the time and the knob to turn. `kink_failure` ends a run
 * whose kinks could not be continued (a sliding mode under kinks 'exact', a singular sliding
 * system); with kinks 'exact' or 'filippov' the solution records crossings, pins and releases in `kinks`.
 * `switches` lists where `auto` changed method; `stats.njev`/`stats.ndec` count Jacobians and LUs.
 *
 * Throws: `inputError` for invalid input only, never for a failed integration.
 */
export function solve(f: RhsFn, span: readonly [number, number], y0: ArrayLike<number>, options: SolveOptions = {}): Solution {
  if (typeof f !== 'function') throw inputError('Invalid right-hand side: f must be a function (t, y, dydt) => void');
  const ro = resolveOptions(span, y0, options);
  const [tStart, tFinal] = span;
  const y = Float64Array.from(y0);
  // With logTime the integrators run in s = log(1 + t − t0) and everything is mapped back to t.
  const lt = ro.logTime ? new LogTime(tStart, tFinal) : null;
  const rs = lt ? lt.options(ro, options.hMax !== undefined) : ro;
  const [t0, t1] = lt ? [0, lt.s1] : [tStart, tFinal];
  const rhs = lt ? lt.field(f) : f;
  const out = new Output(rs, y.length, lt ? lt.events(options.events) : options.events, lt ? lt.onStep(options.onStep) : options.onStep);
  let run: RunOutcome;
  let kinks: KinkRecord | undefined;
  let implicit: { njev: number; ndec: number; switches: MethodSwitch[] } | null = null;
  if (ro.kinks !== 'smooth-through' && options.switching !== undefined && ro.method !== 'odex' && ro.method !== 'euler' && ro.method !== 'rodas5p') {
    const erk = ERK_METHODS[ro.method === 'auto' ? 'dop853' : ro.method]; // auto with kinks: DOP853 throughout
    ({ run, record: kinks } = integrateSwitched(options.switching, erk, t0, t1, y, rs, out));
  } else if (ro.method === 'rodas5p' || ro.method === 'auto') {
    const r = integrateImplicit(rhs, t0, t1, y, rs, out, implicitSetup(options, lt), ro.method === 'auto');
    run = r;
    implicit = lt ? { ...r, switches: lt.switches(r.switches) } : r;
  } else {
    run = ro.method === 'odex'
      ? integrateOdex(rhs, t0, t1, y, rs, out)
      : integrateErk(rhs, ERK_METHODS[ro.method], t0, t1, y, rs, out);
  }
  if (lt) run = lt.outcome(run, tFinal);
  const saved = out.saved();
  const t = lt ? lt.times(saved.t.length, ro.saveAt) : saved.t;
  const ys = saved.y;
  return {
    status: run.status,
    message: statusMessage(run, { method: ro.method, t1: tFinal, maxSteps: ro.maxSteps, fixedH: ro.h }) + kinkHint(run.status, ro.kinks, options),
    t,
    y: ys,
    tEnd: run.tEnd,
    yEnd: run.yEnd,
    events: lt ? lt.hits(out.hits) : out.hits,
    stats: { nfev: run.nfev, accepted: run.accepted, rejected: run.rejected, njev: implicit?.njev ?? 0, ndec: implicit?.ndec ?? 0 },
    options: ro,
    ...(kinks ? { kinks } : {}),
    switches: implicit?.switches ?? [],
  };
}

/** The Jacobian and ∂f/∂t for rodas5p and auto, in log time when asked. */
function implicitSetup(options: SolveOptions, lt: LogTime | null): ImplicitSetup {
  const autonomous = options.autonomous === true;
  const jac = options.jacobian ?? null;
  if (!lt) return { jacobian: jac, autonomous };
  // in s the field is never autonomous, but for an autonomous f its s-derivative is the field itself
  return {
    jacobian: jac && lt.jacobian(jac),
    autonomous: false,
    ...(autonomous ? { timeDerivative: LogTime.autonomousTimeDerivative } : {}),
  };
}

/** A stalled smooth-through run of a field with kinks: point at the kink treatment. */
function kinkHint(status: RunOutcome['status'], kinks: string, options: SolveOptions): string {
  if (kinks !== 'smooth-through' || options.switching === undefined) return '';
  if (status !== 'max_steps' && status !== 'step_too_small') return '';
  return ` The field has ${options.switching.count} kink(s) and was integrated smooth-through; kinks 'filippov' `
    + '(the default for dopri5/dop853) locates crossings and continues sliding modes.';
}
