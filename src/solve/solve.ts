/**
 * The single front door: `solve(f, [t0, t1], y0, options)`.
 */
import { inputError } from '../util/errors.js';
import { integrateErk } from './integrate.js';
import { ERK_METHODS } from './methods/index.js';
import { integrateOdex } from './odex.js';
import { resolveOptions } from './options.js';
import { Output } from './output.js';
import { statusMessage } from './status.js';
import type { RhsFn, Solution, SolveOptions } from './types.js';

/**
 * Integrates the ODE y' = f(t, y) from t0 to t1.
 *
 * Arguments:
 * - `f` writes dy/dt into its third argument; it must not allocate or keep `y`.
 * - `span` is [t0, t_end] with t_end > t0.
 * - `y0` is the initial state (copied; never modified).
 * - `options` see {@link SolveOptions}: method (dopri5 by default; dop853; odex; euler with a
 *   fixed step), rtol/atol, maxSteps, h0, hMax, fixed step h, saveAt, events, onStep.
 *
 * Returns: a {@link Solution} whose `status` says how the run ended — `success`, `event` (a terminal
 * event), or a failure: `max_steps`, `step_too_small` (h < 10·eps·|t|), `non_finite` (blow-up: the
 * state or RHS became NaN/±Infinity, ‖y‖∞ exceeded 1e150, or the step collapsed while ‖y‖ escaped
 * to infinity; see blowup.ts). On failure `tEnd`/`yEnd` are the last point reached and the save-at
 * grid is truncated there; `message` names the time and the knob to turn.
 *
 * Throws: `inputError` for invalid input only, never for a failed integration.
 */
export function solve(f: RhsFn, span: readonly [number, number], y0: ArrayLike<number>, options: SolveOptions = {}): Solution {
  if (typeof f !== 'function') throw inputError('Invalid right-hand side: f must be a function (t, y, dydt) => void');
  const ro = resolveOptions(span, y0, options);
  const [t0, t1] = span;
  const y = Float64Array.from(y0);
  const out = new Output(ro, y.length, options.events, options.onStep);
  const run = ro.method === 'odex'
    ? integrateOdex(f, t0, t1, y, ro, out)
    : integrateErk(f, ERK_METHODS[ro.method], t0, t1, y, ro, out);
  const { t, y: ys } = out.saved();
  return {
    status: run.status,
    message: statusMessage(run, { method: ro.method, t1, maxSteps: ro.maxSteps, fixedH: ro.h }),
    t,
    y: ys,
    tEnd: run.tEnd,
    yEnd: run.yEnd,
    events: out.hits,
    stats: { nfev: run.nfev, accepted: run.accepted, rejected: run.rejected },
    options: ro,
  };
}
