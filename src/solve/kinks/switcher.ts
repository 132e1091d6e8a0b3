/**
 * The state of a switched vector field during a run: which branch each switching function is on,
 * which are held at zero (pinned) with which kink factor λ, and the decisions at switch points.
 *
 * Between switch points the integrator sees an ordinary smooth right-hand side ({@link KinkSwitcher.rhs}):
 * the field with fixed modes, or, with pinned functions, the sliding field f(t, y, λ(t, y)) with
 * λ solving the sliding system at every evaluation (src/solve/kinks/sliding.ts). After each
 * accepted step {@link KinkSwitcher.inspect} looks for
 *   - crossings: a free function on the wrong side of zero for its mode at the step end, and
 *   - releases: a pinned function whose λ left [0, 1] (beyond LAMBDA_SLACK),
 * locates the earliest on the step's dense output (Brent, to 1e-12·max(1, |t|)), and the driver
 * ends the step there. {@link KinkSwitcher.switchAt} then decides the new configuration
 * ({@link KinkSwitcher.resolve}), holds pinned functions exactly on their surfaces (a Newton
 * projection along the switching directions) and records what changed.
 *
 * The decision at a switch point, for the set Z of functions on their surfaces (the pinned ones
 * and the ones just arriving or leaving), is an active-set iteration on the rates of s_j with its
 * kink factor at 0 and at 1, r0 and r1 (the others held):
 *   - a pinned function whose λ lies outside [0, 1] is released to the side its field points to;
 *   - a free function must move off into its own side, or stay on the lower branch by the
 *     convention heaviside(0) = 0 ({@link consistentFree}); if not, it takes the branch that
 *     gradient descent with heaviside(0) = 0 takes from s_j = 0 as η → 0 ({@link gdLimitBranch}):
 *     GD first uses factor 0; if that moves s_j down (r0 < 0) it stays below; if it leaves s_j at
 *     zero (r0 = 0) it stays there, held (pinned with λ = 0) if the upper side pushes back (r1 < 0),
 *     on the lower branch otherwise; if it moves s_j up (r0 > 0) it stays above when r1 > 0 and
 *     chatters across, i.e. slides with λ = r0/(r0 − r1) ∈ (0, 1], when r1 ≤ 0. A function just
 *     released keeps the side it was released to if that side does not push it back.
 *   - several free functions on their surfaces at once start from the configuration GD reaches
 *     taking them together ({@link KinkSwitcher.simultaneousStart}), then the one-at-a-time checks.
 * One change per iteration, until the configuration is consistent. With kinks 'exact' pinning is
 * not allowed: a tangent case continues on the tangent branch, a genuine sliding mode (r0 > 0 > r1)
 * ends the run with a message naming the function.
 */
import { brent, EVENT_TIME_TOL } from '../events.js';
import type { Interpolant } from '../dense.js';
import type { RhsFn, Vec } from '../types.js';
import { fmt } from '../../util/errors.js';
import { SlidingSolver, SlidingStatus } from './sliding.js';
import type { KinkEvent, KinkRecord, SwitchedSystem } from './types.js';

/** λ may leave [0, 1] by this much before a release is located (rounding of the sliding solve). */
export const LAMBDA_SLACK = 1e-10;
/** Rates below this fraction of the larger one-sided rate count as zero in the decisions. */
const RATE_TOL = 1e-12;
/**
 * The same for a function just released: at the release point λ is on its bound to within the
 * location tolerance, so the rate on the chosen side is zero up to that; it must not point back
 * by more than this fraction.
 */
const RELEASE_RATE_TOL = 1e-8;
/** Projection iterations at a switch point. */
const PROJECT_ITERS = 3;

/**
 * The branch that gradient descent with heaviside(0) = 0 takes from s = 0 in the limit η → 0,
 * given the rates r0, r1 of s with its kink factor at 0 and at 1 (see the module header).
 */
export function gdLimitBranch(r0: number, r1: number, tol: number): 0 | 1 | 'pin' {
  if (r0 < -tol) return 0;
  if (r0 <= tol) return r1 < -tol ? 'pin' : 0;
  return r1 > tol ? 1 : 'pin';
}

/**
 * Whether a free function on its surface with mode m is consistent: it moves off into its own
 * side, or stays on the surface on the lower branch by the convention heaviside(0) = 0 — unless
 * the upper side pushes it back, in which case it is held there (pinned with λ = 0) so that it
 * stays exactly at zero; symmetrically for a tangent upper branch with the lower side pushing up.
 */
function consistentFree(m: number, r0: number, r1: number, tol: number): boolean {
  if (m === 1) return r1 > tol || (Math.abs(r1) <= tol && r0 <= tol);
  return r0 < -tol || (Math.abs(r0) <= tol && r1 >= -tol);
}

/** How far λ is from leaving [0, 1] past `bound` (> 0 inside). */
function releaseGap(lam: number, bound: 0 | 1): number {
  return bound === 0 ? lam : 1 - lam;
}

/** A function that changes treatment at a switch point. */
interface Candidate {
  readonly index: number;
  readonly kind: 'cross' | 'release';
  /** Release only: the bound λ passed (0 or 1). */
  readonly bound: 0 | 1;
  /** The change's indicator at the step's start and end (> 0: not yet happened; see locate). */
  readonly ga: number;
  readonly gb: number;
  t: number;
}

export class KinkSwitcher {
  /** Committed kink factors: 0/1 for free functions, λ for pinned ones. */
  readonly mode: Vec;
  /** Pinned indices [0, np). */
  readonly pinned: Int32Array;
  np = 0;
  readonly isPinned: Uint8Array;
  readonly events: KinkEvent[] = [];
  /** Set when the run must end with status kink_failure. */
  failure: string | null = null;
  switchPoints = 0;
  maxPinned = 0;
  /** Right-hand side for the stepper: the switched field with the committed configuration. */
  readonly rhs: RhsFn;
  /** State at the switch point found by the last {@link KinkSwitcher.inspect}. */
  readonly yStar: Vec;

  private readonly sys: SwitchedSystem;
  private readonly allowPin: boolean;
  private readonly n: number;
  private readonly K: number;
  private readonly sliding: SlidingSolver;
  private plainCalls = 0;
  private readonly work: Vec;
  private readonly sA: Vec;
  private readonly sB: Vec;
  private readonly sT: Vec;
  private readonly yT: Vec;
  private readonly f: Vec;
  private readonly r: Vec;
  private readonly sP: Float64Array;
  /**
   * |s_i| left at a switch point where a free function ended a rounding error on the wrong side of
   * (or exactly on) its surface; until it is seen strictly on its own side, it counts as crossing
   * only beyond 4× this floor. (A branch tangent to the surface, e.g. a dead ReLU unit under kinks
   * 'exact', would otherwise be "crossed" again at every step.)
   */
  private readonly sFloor: Float64Array;
  /** λ of the pinned functions at the end of the last inspected step. */
  private readonly lamEnd: Float64Array;
  private candidates: Candidate[] = [];
  // the last sliding solve: where, and its λ (a cache for the end-of-step check)
  private lastT = NaN;
  private readonly lastY: Vec;
  private readonly lastLam: Float64Array;
  private lastOk = false;

  constructor(sys: SwitchedSystem, n: number, allowPin: boolean) {
    const K = sys.count;
    this.sys = sys;
    this.n = n;
    this.K = K;
    this.allowPin = allowPin;
    this.mode = new Float64Array(K);
    this.pinned = new Int32Array(K);
    this.isPinned = new Uint8Array(K);
    this.work = new Float64Array(K);
    this.sA = new Float64Array(K);
    this.sB = new Float64Array(K);
    this.sT = new Float64Array(K);
    this.yT = new Float64Array(n);
    this.yStar = new Float64Array(n);
    this.f = new Float64Array(n);
    this.r = new Float64Array(K);
    this.sP = new Float64Array(K);
    this.lastY = new Float64Array(n);
    this.lastLam = new Float64Array(K);
    this.lamEnd = new Float64Array(K);
    this.sFloor = new Float64Array(K);
    this.sliding = new SlidingSolver(sys, n);
    this.rhs = (t, y, dydt) => {
      if (this.np === 0) {
        this.sys.field(t, y, this.mode, dydt);
        this.plainCalls++;
        return;
      }
      this.work.set(this.mode);
      if (this.solveAt(t, y, this.work, dydt) !== SlidingStatus.Ok) dydt.fill(NaN); // the step is rejected
    };
  }

  /** Name of switching function i. */
  label(i: number): string {
    return this.sys.label?.(i) ?? `s${i}`;
  }

  /**
   * Sets the modes from the signs of s at (t0, y0) (heaviside(0) = 0) and decides the functions
   * that are exactly zero there. May move y0 onto pinned surfaces. Returns false on failure.
   */
  start(t0: number, y0: Vec): boolean {
    const { sys, sA } = this;
    sys.evaluate(t0, y0, sA);
    const zero: Candidate[] = [];
    for (let i = 0; i < this.K; i++) {
      this.mode[i] = sA[i] > 0 ? 1 : 0;
      if (sA[i] === 0) zero.push({ index: i, kind: 'cross', bound: 0, ga: 0, gb: 0, t: t0 });
    }
    if (zero.length === 0) return true;
    return this.decide(t0, y0, zero, true);
  }

  /**
   * Checks the accepted step [ta, tb] ending in yb. Returns NaN if nothing changes in it; else the
   * time t* of the earliest crossing or release, with the state there in {@link KinkSwitcher.yStar}
   * (to be passed to {@link KinkSwitcher.switchAt} after the output has taken the step up to t*).
   * Returns NaN with {@link KinkSwitcher.failure} set if the sliding system fails at yb.
   */
  inspect(ta: number, tb: number, yb: Vec, dense: Interpolant): number {
    const { sys, sA, sB, K, mode } = this;
    sys.evaluate(tb, yb, sB);
    const cand: Candidate[] = [];
    for (let i = 0; i < K; i++) {
      if (this.isPinned[i] === 1) continue;
      const up = mode[i] === 1;
      const s = sB[i];
      const wrongSide = (up ? s < 0 : s > 0) && Math.abs(s) > 4 * this.sFloor[i];
      const arrived = s === 0 && (up ? sA[i] > 0 : sA[i] < 0);
      const sigma = up ? 1 : -1; // σ·s > 0 on the function's own side
      if (wrongSide || arrived) cand.push({ index: i, kind: 'cross', bound: 0, ga: sigma * sA[i], gb: sigma * s, t: NaN });
    }
    if (this.np > 0) {
      // at the step end of dopri5 this is the cached last stage; a failure here is reported
      if (!this.lambdaAt(tb, yb)) return NaN;
      this.lamEnd.set(this.lastLam.subarray(0, this.np));
      for (let a = 0; a < this.np; a++) {
        const lam = this.lamEnd[a];
        const j = this.pinned[a];
        if (lam < -LAMBDA_SLACK) cand.push({ index: j, kind: 'release', bound: 0, ga: releaseGap(this.mode[j], 0), gb: releaseGap(lam, 0), t: NaN });
        else if (lam > 1 + LAMBDA_SLACK) cand.push({ index: j, kind: 'release', bound: 1, ga: releaseGap(this.mode[j], 1), gb: releaseGap(lam, 1), t: NaN });
      }
    }
    if (cand.length === 0) return NaN;
    let tStar = Infinity;
    for (const c of cand) {
      c.t = this.locate(c, ta, tb, dense);
      if (this.failure !== null) return NaN;
      tStar = Math.min(tStar, c.t);
    }
    const tTol = 4 * EVENT_TIME_TOL * Math.max(1, Math.abs(tb));
    if (tStar === tb) this.yStar.set(yb);
    else dense.evaluate(tStar, this.yStar);
    // simultaneous changes: located within the time tolerance, or already past their surface at t*
    this.sys.evaluate(tStar, this.yStar, this.sT);
    this.candidates = cand.filter((c) => c.t <= tStar + tTol
      || (c.kind === 'cross' && (mode[c.index] === 1 ? this.sT[c.index] <= 0 : this.sT[c.index] > 0)));
    return tStar;
  }

  /**
   * At the switch point found by inspect: decides the new configuration, projects `y` (in place)
   * onto the pinned surfaces, records the changes. Returns false on failure.
   */
  switchAt(t: number, y: Vec): boolean {
    this.switchPoints++;
    const cand = this.candidates;
    this.candidates = [];
    return this.decide(t, y, cand, false);
  }

  /**
   * After an ordinary accepted step ending in (tb, y): commits λ (warm start for the next solves)
   * and pulls pinned functions back onto their surfaces if rounding or truncation moved them.
   * Returns true if y was changed (the stepper must restart from it).
   */
  settle(tb: number, y: Vec): boolean {
    this.sA.set(this.sB);
    for (let i = 0; i < this.K; i++) if (this.sFloor[i] !== 0 && (this.mode[i] === 1 ? this.sB[i] > 0 : this.sB[i] < 0)) this.sFloor[i] = 0;
    if (this.np === 0) return false;
    for (let a = 0; a < this.np; a++) this.mode[this.pinned[a]] = this.lamEnd[a];
    let drift = 0;
    for (let a = 0; a < this.np; a++) drift = Math.max(drift, Math.abs(this.sB[this.pinned[a]]));
    if (drift === 0) return false;
    if (!this.isLast(tb, y) && !this.lambdaAt(tb, y)) return false;
    for (let a = 0; a < this.np; a++) this.sP[a] = this.sB[this.pinned[a]];
    this.sliding.project(y, this.sP);
    this.sys.evaluate(tb, y, this.sA);
    return true;
  }

  /** Whether the sliding system fails at (t, y); if so {@link KinkSwitcher.failure} says why. */
  diagnose(t: number, y: Vec): boolean {
    if (this.np === 0) return false;
    this.lastOk = false;
    return !this.lambdaAt(t, y);
  }

  /** The record for `Solution.kinks`. */
  record(mode: KinkRecord['mode']): KinkRecord {
    const pinnedAtEnd = Array.from(this.pinned.subarray(0, this.np), (i) => ({ index: i, label: this.label(i), lambda: this.mode[i] }));
    return {
      mode,
      count: this.K,
      events: this.events,
      pinnedAtEnd,
      stats: {
        switchPoints: this.switchPoints,
        fieldCalls: this.plainCalls + this.sliding.fieldCalls,
        slidingSolves: this.sliding.solves,
        maxPinned: this.maxPinned,
      },
    };
  }

  // ---------------------------------------------------------------------------------------------

  /** Sliding solve at (t, y) with the committed configuration; caches λ. False (with failure) if it fails. */
  private lambdaAt(t: number, y: Vec): boolean {
    if (this.isLast(t, y)) return true;
    this.work.set(this.mode);
    const st = this.solveAt(t, y, this.work, this.f);
    if (st !== SlidingStatus.Ok) {
      this.failure = this.slidingFailure(t, st);
      return false;
    }
    return true;
  }

  private solveAt(t: number, y: Vec, modeBuf: Vec, dydt: Vec): SlidingStatus {
    const st = this.sliding.solve(t, y, modeBuf, this.pinned, this.np, dydt);
    this.lastT = t;
    this.lastY.set(y);
    for (let a = 0; a < this.np; a++) this.lastLam[a] = modeBuf[this.pinned[a]];
    this.lastOk = st === SlidingStatus.Ok;
    return st;
  }

  private isLast(t: number, y: Vec): boolean {
    if (!this.lastOk || t !== this.lastT) return false;
    for (let k = 0; k < this.n; k++) if (y[k] !== this.lastY[k]) return false;
    return true;
  }

  /** Time in [ta, tb] where candidate c changes (Brent on the dense output); ta if it already has at ta. */
  private locate(c: Candidate, ta: number, tb: number, dense: Interpolant): number {
    const i = c.index;
    const xtol = EVENT_TIME_TOL * Math.max(1, Math.abs(tb));
    let g: (tau: number) => number;
    if (c.kind === 'cross') {
      const sigma = this.mode[i] === 1 ? 1 : -1;
      g = (tau) => {
        dense.evaluate(tau, this.yT);
        this.sys.evaluate(tau, this.yT, this.sT);
        return sigma * this.sT[i];
      };
    } else {
      g = (tau) => {
        dense.evaluate(tau, this.yT);
        this.work.set(this.mode);
        // where the sliding system has no solution the pinned set is past its sliding region: released
        if (this.solveAt(tau, this.yT, this.work, this.f) !== SlidingStatus.Ok) return -1;
        return releaseGap(this.work[i], c.bound);
      };
    }
    let ga = c.ga;
    const gb = c.gb;
    if (gb === 0) return tb;
    if (!(ga > 0)) {
      // it switched at ta and is a rounding error off zero there: bracket from the first point clearly on its side
      let found = false;
      for (let k = 1; k < 16 && !found; k++) {
        const tau = ta + ((tb - ta) * k) / 16;
        const gk = g(tau);
        if (gk > 0) {
          ta = tau;
          ga = gk;
          found = true;
        }
      }
      if (!found) return ta;
    }
    return brent(g, ta, ga, tb, gb, xtol);
  }

  /**
   * Applies the candidates' proposed changes, finds a consistent configuration, projects y onto the
   * pinned surfaces and records what changed. `initial`: the zeros at t0 (arrivals by convention
   * from mode 0).
   */
  private decide(t: number, y: Vec, cand: readonly Candidate[], initial: boolean): boolean {
    const zSet = new Set<number>();
    for (let a = 0; a < this.np; a++) zSet.add(this.pinned[a]);
    for (const c of cand) zSet.add(c.index);
    const Z = [...zSet];
    const before = new Map(Z.map((i) => [i, { pinned: this.isPinned[i] === 1, mode: this.mode[i] }]));
    const released = new Map<number, 0 | 1>();
    for (const c of cand) {
      const i = c.index;
      if (c.kind === 'release') {
        this.unpin(i, c.bound);
        released.set(i, c.bound);
      } else if (!initial) {
        this.mode[i] = 1 - this.mode[i]; // arrival: start from the far side (resolve decides)
      }
    }
    if (!this.resolve(t, y, Z, released)) return false;
    if (!this.project(t, y)) return false;
    this.sys.evaluate(t, y, this.sA);
    for (const i of Z) {
      const si = this.sA[i];
      const onSide = this.mode[i] === 1 ? si > 0 : si < 0;
      this.sFloor[i] = this.isPinned[i] === 0 && !onSide ? Math.abs(si) : 0;
    }
    for (const i of Z) {
      const b = before.get(i);
      if (b === undefined) continue;
      const nowPinned = this.isPinned[i] === 1;
      const side = (m: number): 1 | -1 => (m === 1 ? 1 : -1);
      let kind: KinkEvent['kind'] | null = null;
      let s: 1 | -1 = 1;
      if (!b.pinned && nowPinned) { kind = 'pin'; s = side(b.mode); } // at t0: −1, as heaviside(0) = 0
      else if (b.pinned && !nowPinned) { kind = 'release'; s = side(this.mode[i]); }
      else if (!b.pinned && !nowPinned && this.mode[i] !== b.mode) { kind = 'cross'; s = side(this.mode[i]); }
      if (kind !== null) this.events.push({ kind, t, index: i, label: this.label(i), side: s });
    }
    this.maxPinned = Math.max(this.maxPinned, this.np);
    return true;
  }

  /** The active-set iteration described in the module header. */
  private resolve(t: number, y: Vec, Z: readonly number[], released: Map<number, 0 | 1>): boolean {
    if (!this.simultaneousStart(t, y, Z, released)) return false;
    const maxIter = 4 * Z.length + 16;
    for (let iter = 0; iter < maxIter; iter++) {
      if (this.np > 0) {
        this.work.set(this.mode);
        const st = this.solveAt(t, y, this.work, this.f);
        if (st !== SlidingStatus.Ok) {
          this.failure = this.slidingFailure(t, st);
          return false;
        }
        for (let a = 0; a < this.np; a++) this.mode[this.pinned[a]] = this.lastLam[a];
        // 1. pinned functions whose λ left [0, 1]: release the worst to the side its field points to
        let worst = -1;
        let worstBy = 0;
        for (let a = 0; a < this.np; a++) {
          const lam = this.lastLam[a];
          const by = Math.max(-LAMBDA_SLACK - lam, lam - 1 - LAMBDA_SLACK);
          if (by > worstBy) { worstBy = by; worst = a; }
        }
        if (worst >= 0) {
          const j = this.pinned[worst];
          const lam = this.lastLam[worst];
          const d = this.sliding.diagonal(worst);
          const r1 = (1 - lam) * d; // rate of s_j with λ_j = 1, others held (r_j(λ) = 0 at the solution)
          const r0 = -lam * d;
          const side = r1 > 0 ? 1 : r0 < 0 ? 0 : lam > 1 ? 1 : 0;
          this.unpin(j, side);
          released.set(j, side);
          continue;
        }
      }
      // 2. free functions on their surfaces take the gradient-descent limit branch
      let changed = false;
      for (const j of Z) {
        if (this.isPinned[j] === 1) continue;
        const m = this.mode[j];
        const r1 = this.rateWithMode(t, y, j, 1);
        const r0 = this.rateWithMode(t, y, j, 0);
        this.mode[j] = m;
        const scale = Math.max(Math.abs(r0), Math.abs(r1));
        const tol = RATE_TOL * scale;
        const rel = released.get(j);
        const relTol = RELEASE_RATE_TOL * scale;
        if (rel !== undefined && rel === m && (m === 1 ? r1 >= -relTol : r0 <= relTol)) continue; // released, not pushed back
        if (rel === undefined && consistentFree(m, r0, r1, tol)) continue;
        let target = gdLimitBranch(r0, r1, tol);
        if (target === 'pin' && !this.allowPin) {
          // exact crossings only: a tangent branch continues the solution, a sliding mode does not
          if (Math.abs(r0) <= tol) target = 0;
          else if (Math.abs(r1) <= tol) target = 1;
          else {
            this.failure = `At t=${fmt(t)}, the switching function ${this.label(j)} is pushed onto its kink from both sides `
              + `(a sliding mode: ds/dt = ${fmt(r0)} below, ${fmt(r1)} above): no branch continues the solution with kinks 'exact'; `
              + "use kinks 'filippov' (the default), which holds it at zero.";
            return false;
          }
        }
        if (target === m) continue;
        if (target === 'pin') this.pin(j, Math.min(1, Math.max(0, r0 / (r0 - r1)))); // the one-surface λ, a starting guess
        else this.mode[j] = target;
        changed = true;
        break;
      }
      if (!changed) return true;
    }
    const names = Z.slice(0, 5).map((i) => this.label(i)).join(', ') + (Z.length > 5 ? ', …' : '');
    this.failure = `At t=${fmt(t)}, no consistent choice of pinned and free switching functions was found among ${Z.length} `
      + `(${names}) after ${maxIter} trials: a degenerate Filippov configuration (several surfaces meet with non-unique sliding).`;
    return false;
  }

  /**
   * A first guess for several functions on their surfaces at once, taken all together as gradient
   * descent takes them: every free one (not just released) starts with factor 0 (heaviside(0) = 0);
   * those whose rate is then positive go up together to factor 1; those of them whose rate is not
   * positive there either are pinned. (Taken one at a time with the others held, coupled functions
   * can settle in a configuration GD never visits: from the averaged start of the Yang model 24
   * pre-activations are exactly zero, each alone would slide, together they all rise.) The
   * one-at-a-time iteration in resolve then checks and corrects this guess.
   */
  private simultaneousStart(t: number, y: Vec, Z: readonly number[], released: Map<number, 0 | 1>): boolean {
    const free = Z.filter((j) => this.isPinned[j] === 0 && !released.has(j));
    if (free.length < 2) return true;
    for (const j of free) this.mode[j] = 0;
    if (!this.ratesNow(t, y)) return false;
    let scale = 0;
    for (const j of free) scale = Math.max(scale, Math.abs(this.r[j]));
    const up = free.filter((j) => this.r[j] > RATE_TOL * scale);
    if (up.length === 0) return true;
    for (const j of up) this.mode[j] = 1;
    if (!this.ratesNow(t, y)) return false;
    for (const j of up) {
      if (!(this.r[j] > RATE_TOL * scale)) {
        if (!this.allowPin) continue; // resolve reports the sliding mode or continues a tangent branch
        this.pin(j, 1);
      }
    }
    return true;
  }

  /** Rates of all functions at (t, y) with the committed configuration (λ solved for the pinned), into this.r. */
  private ratesNow(t: number, y: Vec): boolean {
    if (this.np > 0) {
      this.work.set(this.mode);
      const st = this.solveAt(t, y, this.work, this.f);
      if (st !== SlidingStatus.Ok) {
        this.failure = this.slidingFailure(t, st);
        return false;
      }
      this.sys.rates(t, y, this.work, this.f, this.r);
    } else {
      this.sys.field(t, y, this.mode, this.f);
      this.sys.rates(t, y, this.mode, this.f, this.r);
    }
    this.plainCalls++;
    return true;
  }

  /** ds_j/dt with mode_j set to `side` (the committed λ for the pinned ones); leaves mode_j = side. */
  private rateWithMode(t: number, y: Vec, j: number, side: 0 | 1): number {
    this.mode[j] = side;
    this.sys.field(t, y, this.mode, this.f);
    this.sys.rates(t, y, this.mode, this.f, this.r);
    this.plainCalls++;
    return this.r[j];
  }

  /** Newton projection of y onto the pinned surfaces (a few iterations, fresh solves). */
  private project(t: number, y: Vec): boolean {
    let prev = Infinity;
    for (let it = 0; it < PROJECT_ITERS && this.np > 0; it++) {
      this.sys.evaluate(t, y, this.sT);
      let drift = 0;
      for (let a = 0; a < this.np; a++) drift = Math.max(drift, Math.abs(this.sT[this.pinned[a]]));
      if (drift === 0 || drift >= 0.5 * prev) break;
      prev = drift;
      if (!this.lambdaAt(t, y)) return false;
      for (let a = 0; a < this.np; a++) this.sP[a] = this.sT[this.pinned[a]];
      this.sliding.project(y, this.sP);
      this.lastOk = false; // y moved
    }
    if (this.np > 0) {
      if (!this.lambdaAt(t, y)) return false;
      for (let a = 0; a < this.np; a++) this.mode[this.pinned[a]] = this.lastLam[a];
    }
    return true;
  }

  private pin(j: number, lambda: number): void {
    this.isPinned[j] = 1;
    this.pinned[this.np++] = j;
    this.mode[j] = lambda;
    this.lastOk = false;
  }

  private unpin(j: number, side: 0 | 1): void {
    this.isPinned[j] = 0;
    const a = this.pinned.subarray(0, this.np).indexOf(j);
    if (a >= 0) {
      this.pinned.copyWithin(a, a + 1, this.np);
      this.np--;
    }
    this.mode[j] = side;
    this.lastOk = false;
  }

  private slidingFailure(t: number, st: SlidingStatus): string {
    const names = Array.from(this.pinned.subarray(0, Math.min(this.np, 5)), (i) => this.label(i)).join(', ') + (this.np > 5 ? ', …' : '');
    if (st === SlidingStatus.Singular) {
      return `At t=${fmt(t)}, the sliding system of the ${this.np} switching function(s) held at zero (${names}) is singular: `
        + 'their kink factors do not determine their rates (two functions may describe the same surface, e.g. x − y and 2y − 2x, '
        + 'or a function\'s rate does not depend on its own kink factor), so the sliding motion is not unique.';
    }
    return `At t=${fmt(t)}, the kink factors of the ${this.np} switching function(s) held at zero (${names}) did not converge `
      + '(the field is far from affine in them, or the sliding system is ill-conditioned).';
  }
}
