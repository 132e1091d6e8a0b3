/**
 * The integrator for switched vector fields (kinks 'exact' and 'filippov') with dopri5 or dop853,
 * adaptive or with a fixed step: the shared {@link StepLoop} (step-loop.ts), with each accepted
 * step handed to the switcher.
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
import { ErkStepper } from '../erk.js';
import type { ErkMethod } from '../methods/index.js';
import type { Output } from '../output.js';
import type { RunOutcome } from '../status.js';
import { StepLoop, type FixedGrid } from '../step-loop.js';
import type { ResolvedOptions, Vec } from '../types.js';
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
  const loop = new KinkLoop(sw, st, out, t0, t1, ro);
  const y = Float64Array.from(y0);
  const started = sw.start(t0, y);
  const finiteAtStart = st.start(t0, y);
  out.start(t0, st.y);
  const done = (o: RunOutcome): SwitchedRun => ({ run: o, record: sw.record(ro.kinks) });
  if (!started) return done(loop.kinkFailure(t0));
  if (!finiteAtStart) return done(sw.failure !== null ? loop.kinkFailure(t0) : loop.end('non_finite', t0, 'non_finite_value'));
  return done(ro.h !== null ? loop.fixed(new SwitchPointGrid(sw, t0, t1, ro.h)) : loop.adaptive(method, sw.rhs));
}

/** The shared step loop, with each accepted step cut at a switch point where there is one. */
class KinkLoop extends StepLoop {
  private stalled = 0;
  private readonly yBuf: Vec;

  constructor(private readonly sw: KinkSwitcher, st: ErkStepper, out: Output, t0: number, t1: number, ro: ResolvedOptions) {
    super(st, out, t0, t1, ro);
    this.yBuf = new Float64Array(st.n);
  }

  /** The outcome kink_failure at t (with the state y, or the current one), with the switcher's message. */
  kinkFailure(t: number, y?: Vec): RunOutcome {
    const kinkMessage = this.sw.failure ?? `The kink treatment failed at t=${fmt(t)}.`;
    return this.end('kink_failure', t, undefined, { kinkMessage }, y);
  }

  /**
   * Accepts the attempted step [t, tNew], cuts it at a switch point if there is one, feeds the
   * output and restarts the stepper where needed. Returns an outcome if the run ends here.
   */
  protected override take(h: number, tNew: number): RunOutcome | null {
    const { st, sw } = this;
    const t = this.t;
    this.accept(h, tNew);
    const tS = sw.inspect(t, tNew, st.y, st);
    if (sw.failure !== null) return this.kinkFailure(tNew);
    if (Number.isNaN(tS)) {
      const ended = this.reach(tNew);
      if (ended !== null) return ended;
      this.yBuf.set(st.y);
      if (sw.settle(tNew, this.yBuf) && !st.start(tNew, this.yBuf)) return this.nonFinite(tNew);
      this.stalled = 0;
      return null;
    }
    // the step ends at the switch point tS ∈ [t, tNew]
    const yS = this.yBuf;
    yS.set(sw.yStar);
    if (tS > t) {
      const ended = this.emit(t, tS, yS);
      if (ended !== null) return ended;
    }
    this.stalled = tS - t <= 1e-12 * Math.max(1, Math.abs(t)) ? this.stalled + 1 : 0;
    this.t = tS;
    if (this.stalled > MAX_STALLED_SWITCHES) {
      sw.failure = `More than ${MAX_STALLED_SWITCHES} kink switches at t=${fmt(tS)} without progress in time `
        + '(Zeno behaviour: the switching functions there keep changing branch within one rounding error).';
      return this.kinkFailure(tS, yS);
    }
    if (!sw.switchAt(tS, yS)) return this.kinkFailure(tS, yS);
    if (!st.start(tS, yS)) return this.nonFinite(tS);
    return null;
  }

  /** A non-finite field at the current state: a failed sliding solve there, or a genuine blow-up. */
  protected override nonFinite(t: number): RunOutcome {
    return this.sw.failure !== null || this.sw.diagnose(t, this.st.y)
      ? this.kinkFailure(t)
      : this.end('non_finite', t, 'non_finite_value');
  }
}

/**
 * Fixed steps t_k = tBase + k·h counted from the last switch point (no drift between switch
 * points); the step that reaches within h(1 + 1e-9) of t1 lands on t1 exactly.
 */
class SwitchPointGrid implements FixedGrid {
  h = 0;
  tNew = 0;
  private tBase: number;
  private k = 0;
  /** Switch points before the planned step: a change means the step was cut and the grid restarts. */
  private switches = 0;

  constructor(private readonly sw: KinkSwitcher, t0: number, private readonly t1: number, private readonly step: number) {
    this.tBase = t0;
  }

  plan(t: number): void {
    const isLast = this.t1 - t <= this.step * (1 + 1e-9);
    this.tNew = isLast ? this.t1 : this.tBase + (this.k + 1) * this.step;
    this.h = this.tNew - t;
    this.switches = this.sw.switchPoints;
  }

  done(t: number): boolean {
    if (t === this.t1) return true;
    if (this.sw.switchPoints !== this.switches || t !== this.tNew) {
      this.tBase = t;
      this.k = 0;
    } else this.k++;
    return false;
  }
}
