/**
 * What happens after each accepted step, the same for every integrator: event detection, save-at
 * values from the dense output, and the user's `onStep` observer. The save-at store is allocated once
 * (saveAt.length × n); a failed or stopped run keeps only the times it reached.
 */
import type { Interpolant } from './dense.js';
import { allFinite } from './vec.js';
import { EventTracker } from './events.js';
import type { EventHit, EventSpec, ResolvedOptions, Vec } from './types.js';

/** Outcome of {@link Output.step}. */
export const StepVerdict = {
  Continue: 0,
  /** A terminal event fired; the run stops at {@link Output.stopT}. */
  Terminal: 1,
  /** The dense output gave a non-finite value at a save-at time ({@link Output.stopT}); the run stops before it. */
  NonFiniteDense: 2,
} as const;
export type StepVerdict = (typeof StepVerdict)[keyof typeof StepVerdict];

/** Collects save-at values and events from accepted steps and feeds the onStep observer. */
export class Output {
  /** Set when step() returns Terminal or NonFiniteDense. */
  stopT = NaN;
  private readonly n: number;
  private readonly ts: Float64Array;
  private readonly store: Float64Array;
  private next = 0;
  private readonly events: EventTracker | null;
  private readonly onStep: ((t: number, y: Vec) => void) | null;

  constructor(ro: ResolvedOptions, n: number, events: readonly EventSpec[] | undefined, onStep: ((t: number, y: Vec) => void) | undefined) {
    this.n = n;
    this.ts = ro.saveAt;
    this.store = new Float64Array(ro.saveAt.length * n);
    this.events = events !== undefined && events.length > 0 ? new EventTracker(events, n) : null;
    this.onStep = onStep ?? null;
  }

  /** Whether any step will need the dense output (interior save-at times or events). */
  needsDense(t0: number, t1: number): boolean {
    if (this.events !== null) return true;
    for (const t of this.ts) if (t !== t0 && t !== t1) return true;
    return false;
  }

  /** Records the initial point: save-at times equal to t0, and g(t0) of each event. */
  start(t0: number, y0: Vec): void {
    while (this.next < this.ts.length && this.ts[this.next] <= t0) this.row(this.next++).set(y0);
    this.events?.start(t0, y0);
  }

  /**
   * After an accepted step [tOld, tNew] ending in yNew: locate events, fill save-at values up to
   * tNew (or up to a terminal event), call onStep. `dense` interpolates inside the step.
   */
  step(tOld: number, tNew: number, yNew: Vec, dense: Interpolant): StepVerdict {
    let tStop = tNew;
    let verdict: StepVerdict = StepVerdict.Continue;
    if (this.events !== null) {
      const te = this.events.step(tOld, tNew, yNew, dense);
      if (!Number.isNaN(te)) {
        tStop = te;
        verdict = StepVerdict.Terminal;
      }
    }
    const ts = this.ts;
    while (this.next < ts.length && ts[this.next] <= tStop) {
      const t = ts[this.next];
      const row = this.row(this.next);
      if (t === tNew) row.set(yNew);
      else {
        dense.evaluate(t, row);
        if (!allFinite(row)) {
          this.stopT = t;
          return StepVerdict.NonFiniteDense;
        }
      }
      this.next++;
    }
    if (verdict === StepVerdict.Terminal) {
      this.stopT = tStop;
      return verdict;
    }
    this.onStep?.(tNew, yNew);
    return StepVerdict.Continue;
  }

  /**
   * Closes a successful run whose last step ended at tEnd (odex may stop an ulp short of t_end):
   * save-at times left over, which can only be t_end itself, take the final state.
   */
  finishAtEnd(yEnd: Vec): void {
    while (this.next < this.ts.length) this.row(this.next++).set(yEnd);
  }

  /** Event crossings recorded so far. */
  get hits(): readonly EventHit[] {
    return this.events?.hits ?? [];
  }

  /** The save-at times reached, and the state at each (views into one buffer). */
  saved(): { t: Float64Array; y: Vec[] } {
    const t = this.ts.slice(0, this.next);
    const y: Vec[] = [];
    for (let j = 0; j < this.next; j++) y.push(this.row(j));
    return { t, y };
  }

  private row(j: number): Vec {
    return this.store.subarray(j * this.n, (j + 1) * this.n);
  }
}
