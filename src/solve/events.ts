/**
 * Event detection and location (SciPy's `handle_events`, diffrax's `Event`).
 *
 * After each accepted step every event function g is evaluated at the step end. A sign change
 * against the last nonzero sign of g means a crossing inside the step; its time is found with Brent's
 * method on t ↦ g(t, y(t)), y(t) from the step's dense output, to |Δt| ≤ 1e-12·max(1, |t|).
 *
 * Zeros: an exact zero of g at a step end is a crossing at that time (in the direction it came from),
 * after which g's sign is unknown until it is nonzero again — so the zero is reported once, and a g
 * that is exactly 0 at t0 does not fire at t0.
 */
import type { Interpolant } from './dense.js';
import type { EventHit, EventSpec, Vec } from './types.js';

/** Relative precision of located event times. */
export const EVENT_TIME_TOL = 1e-12;

/** Tracks the sign of every event function across accepted steps and records the crossings. */
export class EventTracker {
  readonly hits: EventHit[] = [];
  private readonly specs: readonly EventSpec[];
  /** Sign of g at the last accepted point where it was nonzero; 0 if none since t0 or the last zero. */
  private readonly sign: Int8Array;
  /** g at the last accepted point. */
  private readonly gOld: Float64Array;
  private readonly yBuf: Vec;
  // Crossings found in the current step (at most one per event), sorted by time before recording.
  private readonly hitT: Float64Array;
  private readonly hitK: Int32Array;
  private readonly hitDir: Int8Array;
  private nHits = 0;

  constructor(specs: readonly EventSpec[], n: number) {
    this.specs = specs;
    const m = specs.length;
    this.sign = new Int8Array(m);
    this.gOld = new Float64Array(m);
    this.yBuf = new Float64Array(n);
    this.hitT = new Float64Array(m);
    this.hitK = new Int32Array(m);
    this.hitDir = new Int8Array(m);
  }

  /** Records g at the initial point. */
  start(t0: number, y0: Vec): void {
    for (let k = 0; k < this.specs.length; k++) {
      const g = this.specs[k].g(t0, y0);
      this.gOld[k] = g;
      this.sign[k] = g > 0 ? 1 : g < 0 ? -1 : 0;
    }
  }

  /**
   * Checks the accepted step [tOld, tNew] ending in yNew; records the crossings in time order.
   * Returns: the time of the first terminal crossing (the run must stop there; later crossings in
   * the step are dropped), or NaN if there is none.
   */
  step(tOld: number, tNew: number, yNew: Vec, dense: Interpolant): number {
    this.nHits = 0;
    for (let k = 0; k < this.specs.length; k++) {
      const spec = this.specs[k];
      const gNew = spec.g(tNew, yNew);
      const s = this.sign[k];
      const sNew = gNew > 0 ? 1 : gNew < 0 ? -1 : gNew === 0 ? 0 : s; // NaN keeps the old sign
      if (s !== 0 && sNew !== s) {
        const dir = s < 0 ? 1 : -1; // from negative to positive is +1
        const wanted = spec.direction === undefined || spec.direction === 0 || spec.direction === dir;
        if (wanted) {
          const tk = gNew === 0 ? tNew : this.locate(spec, tOld, this.gOld[k], tNew, gNew, dense);
          this.insertHit(tk, k, dir);
        }
      }
      this.gOld[k] = gNew;
      this.sign[k] = sNew;
    }
    return this.nHits === 0 ? NaN : this.record(tNew, yNew, dense);
  }

  private insertHit(t: number, k: number, dir: 1 | -1): void {
    // insertion sort: events are few, and ties keep the order of the specs
    let j = this.nHits++;
    while (j > 0 && this.hitT[j - 1] > t) {
      this.hitT[j] = this.hitT[j - 1];
      this.hitK[j] = this.hitK[j - 1];
      this.hitDir[j] = this.hitDir[j - 1];
      j--;
    }
    this.hitT[j] = t;
    this.hitK[j] = k;
    this.hitDir[j] = dir;
  }

  private record(tNew: number, yNew: Vec, dense: Interpolant): number {
    for (let j = 0; j < this.nHits; j++) {
      const t = this.hitT[j];
      const spec = this.specs[this.hitK[j]];
      const y = new Float64Array(yNew.length);
      if (t === tNew) y.set(yNew);
      else dense.evaluate(t, y);
      this.hits.push({ name: spec.name, t, y, direction: this.hitDir[j] === 1 ? 1 : -1 });
      if (spec.terminal === true) return t;
    }
    return NaN;
  }

  private locate(spec: EventSpec, ta: number, ga: number, tb: number, gb: number, dense: Interpolant): number {
    const y = this.yBuf;
    const phi = (t: number): number => {
      dense.evaluate(t, y);
      return spec.g(t, y);
    };
    if (!Number.isFinite(ga)) ga = phi(ta);
    return brent(phi, ta, ga, tb, gb, EVENT_TIME_TOL * Math.max(1, Math.abs(tb)));
  }
}

/**
 * Brent's method (zeroin): a root of φ in [a, b] with φ(a)·φ(b) < 0, to an absolute precision xtol
 * (the returned point is within xtol of a sign change of φ). Inverse quadratic / secant steps,
 * safeguarded by bisection; the bracket never gets lost.
 */
export function brent(phi: (t: number) => number, a: number, fa: number, b: number, fb: number, xtol: number): number {
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let iter = 0; iter < 200; iter++) {
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a; // keep the root bracketed between b and c
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b; b = c; c = a;
      fa = fb; fb = fc; fc = fa;
    }
    const tol1 = 0.5 * xtol;
    const xm = 0.5 * (c - b);
    if (Math.abs(xm) <= tol1 || fb === 0) return b;
    if (Math.abs(e) >= tol1 && Math.abs(fa) > Math.abs(fb)) {
      const s = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        p = 2 * xm * s; // secant
        q = 1 - s;
      } else {
        const qq = fa / fc; // inverse quadratic interpolation
        const r = fb / fc;
        p = s * (2 * xm * qq * (qq - r) - (b - a) * (r - 1));
        q = (qq - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      p = Math.abs(p);
      if (2 * p < Math.min(3 * xm * q - Math.abs(tol1 * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = xm; // interpolation would leave the bracket or converge too slowly: bisect
        e = d;
      }
    } else {
      d = xm;
      e = d;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol1 ? d : Math.sign(xm) * tol1;
    fb = phi(b);
  }
  return b;
}
