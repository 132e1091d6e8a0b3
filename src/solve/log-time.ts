/**
 * Log-time integration: the integrator runs in s = log(1 + t − t0) instead of t, so that a horizon
 * of 1e6 is s ≈ 13.8 and a geometric save-at grid in t is uniform in s.
 *
 * With t(s) = t0 + expm1(s), dt/ds = 1 + t − t0 = e^s, the system becomes
 *   dy/ds = g(s, y) = e^s · f(t(s), y),   ∂g/∂y = e^s · ∂f/∂y,
 *   ∂g/∂s = g + e^(2s) · ∂f/∂t   (= g for an autonomous f).
 * Flows whose time scales grow with t (implicit-bias dynamics: ‖w‖ ~ log t, loss ~ 1/t) have
 * steps of roughly constant size in s, so the step count grows like log t_end instead of with the
 * stability or accuracy limit in t.
 *
 * What the caller sees is in t: save-at times (exactly the ones asked for), event times and tEnd
 * are mapped back, and so are the status message and the method switches. Step-size options
 * (h0, hMax, h) are steps in s. Event times are located to 1e-12 in s, i.e. to a relative
 * precision of about 1e-12·max(1, s) in 1 + t − t0.
 */
import { inputError, fmt } from '../util/errors.js';
import type { JacobianFn, TimeDerivativeFn } from './rosenbrock/stepper.js';
import type { RunOutcome } from './status.js';
import type { MethodSwitch } from './stiffness.js';
import type { EventHit, EventSpec, ResolvedOptions, RhsFn, Vec } from './types.js';

/** The change of variables s = log(1 + t − t0) of one run. */
export class LogTime {
  readonly t0: number;
  /** The end of the run in s. */
  readonly s1: number;

  constructor(t0: number, t1: number) {
    this.t0 = t0;
    this.s1 = Math.log1p(t1 - t0);
  }

  /** s(t) = log(1 + t − t0). */
  s(t: number): number {
    return Math.log1p(t - this.t0);
  }

  /** t(s) = t0 + expm1(s). */
  t(s: number): number {
    return this.t0 + Math.expm1(s);
  }

  /** g(s, y) = e^s·f(t(s), y). */
  field(f: RhsFn): RhsFn {
    const t0 = this.t0;
    return (s, y, dyds) => {
      f(t0 + Math.expm1(s), y, dyds);
      const scale = Math.exp(s); // dt/ds
      for (let i = 0; i < dyds.length; i++) dyds[i] *= scale;
    };
  }

  /** ∂g/∂y = e^s·∂f/∂y(t(s), y). */
  jacobian(jac: JacobianFn): JacobianFn {
    const t0 = this.t0;
    return (s, y, J) => {
      jac(t0 + Math.expm1(s), y, J);
      const scale = Math.exp(s);
      for (let i = 0; i < J.length; i++) J[i] *= scale;
    };
  }

  /** ∂g/∂s for an autonomous f: g itself (see the header). */
  static autonomousTimeDerivative: TimeDerivativeFn = (_s, _y, g0, out) => {
    out.set(g0);
  };

  /** The options in s: save-at times mapped (must stay distinct), hMax defaulting to s1. */
  options(ro: ResolvedOptions, hMaxGiven: boolean): ResolvedOptions {
    const saveAt = Float64Array.from(ro.saveAt, (t) => this.s(t));
    for (let i = 1; i < saveAt.length; i++) {
      if (!(saveAt[i] > saveAt[i - 1])) {
        throw inputError(`Invalid option 'saveAt': saveAt[${i - 1}] = ${fmt(ro.saveAt[i - 1])} and saveAt[${i}] = ${fmt(ro.saveAt[i])} `
          + 'fall on the same log time s = log(1 + t − t0) in float64; thin the grid or integrate without logTime');
      }
    }
    saveAt[saveAt.length - 1] = Math.min(saveAt[saveAt.length - 1], this.s1);
    return Object.freeze({ ...ro, saveAt, hMax: hMaxGiven ? ro.hMax : this.s1 });
  }

  /** Event functions of (t, y) as functions of (s, y). */
  events(events: readonly EventSpec[] | undefined): EventSpec[] | undefined {
    return events?.map((ev) => ({ ...ev, g: (s: number, y: Vec) => ev.g(this.t(s), y) }));
  }

  onStep(onStep: ((t: number, y: Vec) => void) | undefined): ((s: number, y: Vec) => void) | undefined {
    return onStep && ((s, y) => onStep(this.t(s), y));
  }

  /** The outcome in t: tEnd (exactly t1 on success) and the collapsed step as a step in t. */
  outcome<O extends RunOutcome>(run: O, t1: number): O {
    const tEnd = run.status === 'success' ? t1 : this.t(run.tEnd);
    const h = run.h === undefined ? {} : { h: run.h * Math.exp(run.tEnd) };
    return { ...run, tEnd, ...h };
  }

  /** Save-at times reached: the caller's own times, not their round trip through s. */
  times(reached: number, saveAt: Float64Array): Float64Array {
    return saveAt.slice(0, reached);
  }

  hits(hits: readonly EventHit[]): EventHit[] {
    return hits.map((e) => ({ ...e, t: this.t(e.t) }));
  }

  switches(switches: readonly MethodSwitch[]): MethodSwitch[] {
    return switches.map((w) => ({ ...w, t: this.t(w.t) }));
  }
}
