/**
 * The sliding (Filippov) vector field of a set P of switching functions held at zero.
 *
 * Each pinned function's kink factor becomes an unknown λ_j ∈ [0, 1], chosen so that the pinned
 * functions do not move: r_i(λ) = ds_i/dt = ∂s_i/∂t + ∇s_i·f(t, y, λ) = 0 for i ∈ P. On the
 * surfaces f is affine in each λ_j, so column j of the Jacobian is exact from one extra field
 * evaluation: c_j = ∂f/∂λ_j = f(λ + e_j) − f(λ), J_ij = ∂r_i/∂λ_j. Where f is affine in λ jointly
 * (one-hidden-layer ReLU models) one Newton step solves the system; where it is only affine in
 * each λ_j separately (nested kinks, or a stage point a rounding error off the surface, where
 * relu(s) = λ·s is not quite zero) chord iterations with the same J finish the job.
 *
 * Cost of one solve: |P| + 2 field and rates evaluations and an O(|P|³) factorisation; with the
 * system's optional `column` and `ratesAt` (see SwitchedSystem) 2 field calls, |P| columns and
 * |P| + 2 rates of the pinned functions only.
 *
 * Reference: A. F. Filippov, Differential Equations with Discontinuous Righthand Sides, Kluwer
 * 1988, §2.4 (the convex combination on one surface); V. I. Utkin, Sliding Modes in Control and
 * Optimization, Springer 1992, Ch. 2 (equivalent control, several surfaces) [V].
 */
import type { Vec } from '../types.js';
import { BlockLu } from './block-lu.js';
import type { SwitchedSystem } from './types.js';

/** Outcome of {@link SlidingSolver.solve}. */
export const SlidingStatus = {
  Ok: 0,
  /** The pinned surfaces are not independent along the switching directions (J singular). */
  Singular: 1,
  /**
   * Chord iterations did not reach |Δλ| ≤ 1e-12 (strongly nonlinear in λ, J ill-conditioned), or
   * |λ| exceeded LAMBDA_MAX (the state is far outside the sliding region of the pinned set).
   */
  NoConvergence: 2,
} as const;
export type SlidingStatus = (typeof SlidingStatus)[keyof typeof SlidingStatus];

/** λ is converged when a further chord step would change it by at most this (relative to max(1, |λ|)). */
const LAMBDA_TOL = 1e-12;
/** Chord iterations allowed while each step is at most half the previous one (linear convergence). */
const MAX_CHORD = 40;
/** |λ| beyond which the solve gives up: the pinned set is far outside its sliding region there. */
const LAMBDA_MAX = 1e6;

export class SlidingSolver {
  /** Calls of sys.field made by this solver. */
  fieldCalls = 0;
  /** Completed solves. */
  solves = 0;
  /** Order of the last solve's system. */
  np = 0;
  private readonly sys: SwitchedSystem;
  private readonly n: number;
  private readonly fj: Vec;
  private readonly r: Vec;
  private rjP = new Float64Array(0);
  private cap = 0;
  private cols = new Float64Array(0);
  private J = new Float64Array(0);
  private rP = new Float64Array(0);
  private step = new Float64Array(0);
  private readonly lu = new BlockLu();

  constructor(sys: SwitchedSystem, n: number) {
    this.sys = sys;
    this.n = n;
    this.fj = new Float64Array(n);
    this.r = new Float64Array(sys.count);
  }

  private ensure(np: number): void {
    if (np <= this.cap) return;
    const cap = Math.max(np, 2 * this.cap, 4);
    this.cap = cap;
    this.cols = new Float64Array(cap * this.n);
    this.J = new Float64Array(cap * cap);
    this.rP = new Float64Array(cap);
    this.step = new Float64Array(cap);
    this.rjP = new Float64Array(cap);
  }

  /**
   * Solves r_P(λ) = 0 and writes the sliding field f(t, y, λ) into `dydt`.
   *
   * Arguments: `mode` holds the free functions' modes and, at the pinned indices, the starting λ;
   * it receives the solved λ. `pinned[0…np−1]` are the pinned indices (np ≥ 1).
   * Returns a {@link SlidingStatus}; on failure `dydt` is left with the field at the starting λ.
   */
  solve(t: number, y: Vec, mode: Vec, pinned: Int32Array, np: number, dydt: Vec): SlidingStatus {
    this.ensure(np);
    this.np = np;
    const { sys, n, fj, cols, J, rP, step } = this;
    const rj = this.rjP;
    sys.field(t, y, mode, dydt);
    this.fieldCalls++;
    this.pinnedRates(t, y, mode, dydt, pinned, np, rP);
    for (let b = 0; b < np; b++) {
      const j = pinned[b];
      const off = b * n;
      if (sys.column) {
        sys.column(t, y, mode, j, fj); // c_j = ∂f/∂λ_j
        for (let k = 0; k < n; k++) {
          cols[off + k] = fj[k];
          fj[k] += dydt[k];
        }
        this.pinnedRates(t, y, mode, fj, pinned, np, rj);
      } else {
        const lam = mode[j];
        mode[j] = lam + 1; // f is affine in λ_j: the difference is ∂f/∂λ_j exactly
        sys.field(t, y, mode, fj);
        this.pinnedRates(t, y, mode, fj, pinned, np, rj);
        mode[j] = lam;
        this.fieldCalls++;
        for (let k = 0; k < n; k++) cols[off + k] = fj[k] - dydt[k]; // c_j = f(λ + e_j) − f(λ)
      }
      for (let a = 0; a < np; a++) J[a * np + b] = rj[a] - rP[a]; // J_ab = ∂r_a/∂λ_b
    }
    if (!this.lu.factor(J, np)) return SlidingStatus.Singular;
    for (let a = 0; a < np; a++) step[a] = -rP[a];
    this.lu.solve(step); // Δλ = −J⁻¹ r
    let prev = Infinity;
    for (let it = 0; it < MAX_CHORD; it++) {
      let big = 1;
      for (let a = 0; a < np; a++) {
        mode[pinned[a]] += step[a];
        big = Math.max(big, Math.abs(mode[pinned[a]]));
      }
      sys.field(t, y, mode, dydt);
      this.fieldCalls++;
      this.pinnedRates(t, y, mode, dydt, pinned, np, step);
      for (let a = 0; a < np; a++) step[a] = -step[a];
      this.lu.solve(step); // the next chord step, from the residual at the new λ
      let size = 0;
      for (let a = 0; a < np; a++) size = Math.max(size, Math.abs(step[a]));
      if (!(big <= LAMBDA_MAX)) return SlidingStatus.NoConvergence;
      // converged, or stagnating at the rounding floor of r (then λ is as good as it gets)
      if (size <= LAMBDA_TOL * big || (size <= 1e-9 * big && size >= 0.5 * prev)) {
        // apply the last (tiny) chord step to λ and, through the columns, to the field: f is
        // affine in λ, so this removes the rounding residual of r without another evaluation
        for (let b = 0; b < np; b++) {
          const d = step[b];
          if (d === 0) continue;
          mode[pinned[b]] += d;
          const off = b * n;
          for (let k = 0; k < n; k++) dydt[k] += cols[off + k] * d;
        }
        this.solves++;
        return SlidingStatus.Ok;
      }
      if (size > 0.5 * prev) return SlidingStatus.NoConvergence; // not contracting
      prev = size;
    }
    return SlidingStatus.NoConvergence;
  }

  /** out[a] = ds_(pinned[a])/dt along v, through `ratesAt` when the system has it. */
  private pinnedRates(t: number, y: Vec, mode: Vec, v: Vec, pinned: Int32Array, np: number, out: Float64Array): void {
    if (this.sys.ratesAt) {
      this.sys.ratesAt(t, y, mode, v, pinned, np, out);
      return;
    }
    this.sys.rates(t, y, mode, v, this.r);
    for (let a = 0; a < np; a++) out[a] = this.r[pinned[a]];
  }

  /** ∂r_a/∂λ_a of the last solve (negative where both sides' fields point into surface a). */
  diagonal(a: number): number {
    return this.J[a * this.np + a];
  }

  /**
   * One Newton step of y toward the pinned surfaces, along the switching directions of the last
   * solve: y ← y − C·J⁻¹·s_P, with C = [c_j]. Because J = ∇s_P·C, this moves s_P to zero to first
   * order while changing y only in the directions the kink factors act on.
   * `sP[a]` is s at pinned[a]; it is overwritten.
   */
  project(y: Vec, sP: Float64Array): void {
    const { n, np, cols } = this;
    this.lu.solve(sP);
    for (let b = 0; b < np; b++) {
      const d = sP[b];
      if (d === 0) continue;
      const off = b * n;
      for (let k = 0; k < n; k++) y[k] -= cols[off + k] * d;
    }
  }
}
