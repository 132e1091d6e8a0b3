/**
 * The contract between the integrators and everything that uses them.
 *
 * The mathematics goes positionally into `solve(f, [t0, t1], y0, options)`; every knob lives in
 * one `SolveOptions` object that is validated once (`resolveOptions`) and then frozen.
 * Nothing here throws on a failed integration: the `Solution` carries a `status` and a
 * `message` that names the time reached and the knob to turn.
 */

export type Vec = Float64Array;

/** Right-hand side written in place: `dydt = f(t, y)`. Must not allocate or keep `y`. */
export type RhsFn = (t: number, y: Vec, dydt: Vec) => void;

export type MethodName = 'dopri5' | 'dop853' | 'odex' | 'euler';

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
}>;

export type Status = 'success' | 'event' | 'max_steps' | 'step_too_small' | 'non_finite';

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
}
