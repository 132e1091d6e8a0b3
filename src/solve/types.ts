/**
 * The contract between the integrators and everything that uses them.
 *
 * The mathematics goes positionally into `solve(f, [t0, t1], y0, options)`; every knob lives in
 * one `SolveOptions` object that is validated once (`resolveOptions`) and then frozen.
 * Nothing here throws on a failed integration: the `Solution` carries a `status` and a
 * `message` that names the time reached and the knob to turn.
 */

import type { KinkMode, KinkRecord, SwitchedSystem } from './kinks/types.js';

export type Vec = Float64Array;

/** Right-hand side written in place: `dydt = f(t, y)`. Must not allocate or keep `y`. */
export type RhsFn = (t: number, y: Vec, dydt: Vec) => void;

/**
 * `rodas5p`: the implicit (Rosenbrock) method for stiff phases; `auto`: DOP853 that switches to
 * Rodas5P where the problem is stiff and back where it no longer is (see src/solve/stiffness.ts).
 */
export type MethodName = 'dopri5' | 'dop853' | 'odex' | 'euler' | 'rodas5p' | 'auto';

/** The Jacobian ∂f/∂y(t, y), written row-major into J (length n²): J[i·n + j] = ∂f_i/∂y_j. */
export type JacobianFn = (t: number, y: Vec, J: Vec) => void;

/**
 * A scalar event function g(t, y). An event fires where g changes sign between two accepted
 * steps, in the given direction (+1: from negative to positive, −1: positive to negative, 0: both).
 * The crossing is located on the dense output to a relative precision of about 1e-12 in t.
 */
export interface EventSpec {
  readonly name: string;
  readonly g: (t: number, y: Vec) => number;
  readonly direction?: -1 | 0 | 1;
  /** Stop the integration at the first crossing. */
  readonly terminal?: boolean;
}

export interface SolveOptions {
  method?: MethodName;
  /** Relative tolerance (> 0). Default 1e-8. */
  rtol?: number;
  /** Absolute tolerance (> 0). Default 1e-10. */
  atol?: number;
  /** Maximum number of accepted plus rejected steps. Default 100 000. */
  maxSteps?: number;
  /** Initial step; default chosen automatically (Hairer's starting-step heuristic). */
  h0?: number;
  /** Largest step allowed; default |t1 − t0|. */
  hMax?: number;
  /**
   * Fixed step. Required for `euler` (it is then gradient descent with learning rate h); for
   * `dopri5`/`dop853` it switches error control off (order studies); `odex` has no fixed-step mode.
   * The last step is shortened to land on t1.
   */
  h?: number;
  /** Times at which the state is reported, ascending and inside [t0, t1]; values come from the dense output. Default [t0, t1]. */
  saveAt?: ArrayLike<number>;
  events?: readonly EventSpec[];
  /**
   * Called after each accepted step with the step's end time and state (do not keep `y`); not
   * called for a step cut short by a terminal event (its state is `Solution.yEnd`).
   */
  onStep?: (t: number, y: Vec) => void;
  /**
   * The vector field's switched form: its switching functions and the field with kink factors as
   * an input (see {@link SwitchedSystem}; model files and coded models with ReLU/max/abs provide
   * it). `f` must be the same field with relu′(0) = 0 (it is what `smooth-through` integrates).
   */
  switching?: SwitchedSystem;
  /**
   * How kinks are treated (see {@link KinkMode}): 'smooth-through', 'exact' (crossings located
   * and stepped to exactly), or 'filippov' (exact crossings plus sliding modes). Default:
   * 'filippov' when `switching` is given and the method is dopri5, dop853 or auto (which then
   * runs DOP853 throughout, never the implicit method); otherwise
   * 'smooth-through' (plain right-hand sides, odex, and euler, which stays plain gradient descent).
   */
  kinks?: KinkMode;
  /**
   * Exact Jacobian ∂f/∂y for `rodas5p` and `auto` (for a gradient flow: −Hessian of the loss).
   * Without it they use forward differences (n RHS calls per Jacobian). Ignored by other methods.
   */
  jacobian?: JacobianFn;
  /**
   * f does not depend on t (every gradient flow). Lets `rodas5p` and `auto` skip ∂f/∂t, which
   * otherwise costs one RHS call per step (a forward difference). Default false.
   */
  autonomous?: boolean;
  /**
   * Integrate in s = log(1 + t − t0) (see src/solve/log-time.ts): for long horizons whose time
   * scales grow with t. Save-at times, events and results stay in t; h0, hMax and h are steps in s.
   */
  logTime?: boolean;
}

export type ResolvedOptions = Readonly<{
  method: MethodName;
  rtol: number;
  atol: number;
  maxSteps: number;
  h0: number | null;
  hMax: number;
  h: number | null;
  saveAt: Float64Array;
  /** How kinks were treated ('smooth-through' when the field came without switching functions). */
  kinks: KinkMode;
  /** Integration in s = log(1 + t − t0). */
  logTime: boolean;
}>;

/**
 * `kink_failure`: the kink treatment could not continue (a sliding mode under kinks 'exact', a
 * singular sliding system, or no consistent set of pinned functions); the message says which.
 */
export type Status = 'success' | 'event' | 'max_steps' | 'step_too_small' | 'non_finite' | 'kink_failure';

export interface EventHit {
  readonly name: string;
  readonly t: number;
  readonly y: Vec;
  /** +1 if g went from negative to positive, −1 otherwise. */
  readonly direction: 1 | -1;
}

export interface SolveStats {
  /** Right-hand-side evaluations. */
  nfev: number;
  accepted: number;
  rejected: number;
  /** Jacobian evaluations (rodas5p, auto); finite-difference Jacobians' RHS calls are in nfev too. */
  njev: number;
  /** LU factorisations (rodas5p, auto). */
  ndec: number;
}

/** One method switch of an `auto` run, at the end of the old method's last step. */
export interface MethodSwitch {
  readonly t: number;
  readonly from: 'dop853' | 'rodas5p';
  readonly to: 'dop853' | 'rodas5p';
  /** `stiff`: Hairer's stiffness test; `non-stiff`: the explicit method became cheaper. */
  readonly reason: 'stiff' | 'non-stiff';
  /** The measurement behind it: h·|λ| estimated by the explicit step, or h·ρ(J) of the implicit one. */
  readonly hLambda: number;
}

export interface Solution {
  readonly status: Status;
  /** One sentence; for a failure it names the time reached and what to change. */
  readonly message: string;
  /** Save-at times actually reached (a failure or terminal event truncates the grid). */
  readonly t: Float64Array;
  /** State at each time in `t`. */
  readonly y: readonly Vec[];
  /** The last time the integration reached, and the state there. */
  readonly tEnd: number;
  readonly yEnd: Vec;
  readonly events: readonly EventHit[];
  readonly stats: SolveStats;
  readonly options: ResolvedOptions;
  /** Crossings, pins and releases of switching functions (runs with kinks 'exact' or 'filippov'). */
  readonly kinks?: KinkRecord;
  /** Where `auto` switched method, in time order (empty for every other method). */
  readonly switches: readonly MethodSwitch[];
}

export type { KinkEvent, KinkMode, KinkRecord, SwitchedSystem } from './kinks/types.js';
