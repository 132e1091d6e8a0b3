/**
 * The plain explicit Runge–Kutta integrator: a smooth field, adaptive (error control) or fixed
 * steps. The loop itself (blow-up detection, save-at values, events, the step budget) is the
 * shared {@link StepLoop}; this module starts it and lays out the fixed-step grid. Never throws for
 * a failed integration; every ending is a {@link RunOutcome}.
 */
import { ErkStepper } from './erk.js';
import type { ErkMethod } from './methods/index.js';
import type { Output } from './output.js';
import type { RunOutcome } from './status.js';
import { StepLoop, type FixedGrid } from './step-loop.js';
import type { ResolvedOptions, RhsFn, Vec } from './types.js';

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
  const loop = new StepLoop(st, out, t0, t1, ro);
  const finiteAtStart = st.start(t0, y0);
  out.start(t0, st.y);
  if (!finiteAtStart) return loop.end('non_finite', t0, 'non_finite_value');
  return ro.h !== null ? loop.fixed(new UniformGrid(t0, t1, ro.h)) : loop.adaptive(method, f);
}

/**
 * N steps of size h from t0; if (t1 − t0)/h is an integer up to rounding, all N steps use h exactly
 * (so Euler is bit-identical to y ← y + h·f), otherwise the last one is shortened to land on t1.
 * Step k ends at t_k = t0 + k·h, without accumulated drift.
 */
class UniformGrid implements FixedGrid {
  h = 0;
  tNew = 0;
  private k = 0;
  private readonly nSteps: number;
  private readonly exact: boolean;

  constructor(private readonly t0: number, private readonly t1: number, private readonly step: number) {
    const q = (t1 - t0) / step;
    const m = Math.round(q);
    this.exact = m >= 1 && Math.abs(q - m) <= 1e-9 * m;
    this.nSteps = this.exact ? m : Math.ceil(q); // ≥ 1, since t1 > t0 and h > 0
  }

  plan(t: number): void {
    const isLast = this.k === this.nSteps - 1;
    this.h = isLast && !this.exact ? this.t1 - t : this.step;
    this.tNew = isLast ? this.t1 : this.t0 + (this.k + 1) * this.step;
  }

  done(): boolean {
    return ++this.k === this.nSteps;
  }
}
