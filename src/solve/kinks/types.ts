/**
 * The contract for vector fields with kinks (ReLU, max/min, abs, heaviside, sign): a *switched*
 * vector field f(t, y, mode) whose kink factors are an explicit input, plus its switching
 * functions s_i(t, y). See src/solve/kinks/integrate.ts for what the integrator does with them,
 * and docs/kinks.md for the user-facing account.
 */
import type { Vec } from '../types.js';

/**
 * How `solve` treats kinks of the vector field.
 * - `smooth-through`: integrate the plain field f(t, y) as if it were smooth (the behaviour before
 *   kinks were handled; steps over a kink lose order, and a sliding mode stalls or chatters).
 * - `exact`: locate every sign change of a switching function on the dense output, end the step
 *   there and continue on the other branch; a sliding mode (the flow pushes a switching function
 *   onto zero from both sides) ends the run with status `kink_failure`.
 * - `filippov`: exact crossings plus sliding modes: a function pushed onto zero from both sides is
 *   held there with its kink factor λ ∈ [0, 1] chosen so that it stays at zero, and released when
 *   λ leaves [0, 1].
 */
export type KinkMode = 'smooth-through' | 'exact' | 'filippov';

/**
 * A vector field with kinks in switched form.
 *
 * `mode[i]` is the kink factor of switching function i: heaviside(s_i) ∈ {0, 1} on either side
 * of the surface s_i = 0 (relu′(s_i) = mode[i], sign(s_i) = 2·mode[i] − 1), and λ_i ∈ [0, 1]
 * while the function is held on its surface. Requirements:
 * 1. With mode[i] = heaviside(s_i(t, y)) for every i, `field` equals the plain vector field
 *    (off the surfaces; on a surface the caller decides the mode).
 * 2. For fixed modes `field` is smooth in (t, y): each branch's own formula, continued past its
 *    surface (e.g. relu(s) as mode·s), so a Runge–Kutta step with fixed modes keeps its order.
 * 3. On the surfaces s_i = 0 the field is affine in each mode[i] (true when relu values are
 *    written mode·s and derivative factors as mode).
 * `rates` must be exact (no finite differences): it is what holds pinned functions at zero.
 */
export interface SwitchedSystem {
  /** Number of switching functions K. */
  readonly count: number;
  /** Name of switching function i, for records and messages (default `s<i>`). */
  label?(i: number): string;
  /** s_i(t, y) for i < K into `out` (length K). */
  evaluate(t: number, y: Vec, out: Vec): void;
  /** dy/dt with every kink factor read from `mode` (length K); in place, allocation-free. */
  field(t: number, y: Vec, mode: Vec, dydt: Vec): void;
  /**
   * ds_i/dt along a velocity v, for i < K: ∂s_i/∂t + ∇_y s_i(t, y)·v, with the kink factors of
   * nested kinks (a switching function that itself contains a kink) read from `mode`.
   */
  rates(t: number, y: Vec, mode: Vec, v: Vec, out: Vec): void;
  /**
   * Optional accelerator: ∂field/∂mode[i] at (t, y, mode) into `out` (length n), exact. Without
   * it the sliding solve takes the difference f(mode + e_i) − f(mode), one field call per pinned
   * function; a model whose kink factor i touches few parameters (one unit's weights) can do it
   * in O(those parameters).
   */
  column?(t: number, y: Vec, mode: Vec, i: number, out: Vec): void;
  /**
   * Optional accelerator: `rates` for the listed functions only, out[a] = ds_(indices[a])/dt for
   * a < count. Without it each sliding solve evaluates all K rates |pinned| + 2 times.
   */
  ratesAt?(t: number, y: Vec, mode: Vec, v: Vec, indices: Int32Array, count: number, out: Vec): void;
}

/** One change of a switching function's treatment during a run. */
export interface KinkEvent {
  /**
   * `cross`: the function changed sign and the field switched branch; `pin`: it is held at zero
   * (sliding); `release`: it leaves zero again.
   */
  readonly kind: 'cross' | 'pin' | 'release';
  readonly t: number;
  /** Index of the switching function. */
  readonly index: number;
  readonly label: string;
  /**
   * cross: +1 from s < 0 to s > 0, −1 the other way; pin: the side it arrived from (+1: s > 0;
   * −1 for a function exactly zero at t0, by heaviside(0) = 0); release: the side it leaves to.
   */
  readonly side: 1 | -1;
}

/** What the kink treatment did during a run (`Solution.kinks`). */
export interface KinkRecord {
  readonly mode: KinkMode;
  /** Number of switching functions. */
  readonly count: number;
  /** Crossings, pins and releases in time order. */
  readonly events: readonly KinkEvent[];
  /** Functions held at zero at the end of the run, with their kink factor λ. */
  readonly pinnedAtEnd: ReadonlyArray<{ readonly index: number; readonly label: string; readonly lambda: number }>;
  readonly stats: Readonly<{
    /** Points where a step was ended early to switch branches, pin or release. */
    switchPoints: number;
    /** Calls of `SwitchedSystem.field` (each sliding solve makes |pinned| + 2 or more). */
    fieldCalls: number;
    /** Solves of the sliding system for λ. */
    slidingSolves: number;
    /** Largest number of functions held at zero at once. */
    maxPinned: number;
  }>;
}
