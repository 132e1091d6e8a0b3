/**
 * The model seam: everything paper-specific lives behind this interface, and every command
 * (run, check, sweep, compare) works on any registered model through it.
 *
 * A model declares its parameters, its state layout as named blocks, a seeded initializer, its
 * population loss and vector field (−∇L, derived in `derivations/<model>/` and checked against
 * finite differences of the loss), what to measure along a trajectory, and its predictions.
 */
import type { MatrixInput } from '../spectral/index.js';
import type { EventHit, EventSpec, JacobianFn, RhsFn, Solution, SolveOptions, SwitchedSystem, Vec } from '../solve/types.js';
import type { Rng } from '../util/rng.js';

export interface NumberParam {
  readonly kind: 'number';
  readonly default: number;
  /** Inclusive range of sensible values; values outside are rejected. */
  readonly range: readonly [number, number];
  readonly integer?: boolean;
  /** One line: what it means. */
  readonly doc: string;
}

export interface ChoiceParam {
  readonly kind: 'choice';
  readonly default: string;
  readonly choices: readonly string[];
  readonly doc: string;
}

export type ParamSpec = NumberParam | ChoiceParam;
export type ParamValue = number | string;
export type Params = Readonly<Record<string, ParamValue>>;

/** A named block of the flat state: a scalar ([]), a vector ([n]) or a row-major matrix ([r, c]). */
export interface StateBlock {
  readonly name: string;
  readonly offset: number;
  readonly shape: readonly number[];
  readonly doc: string;
}

/** A scalar measured at every save point. */
export interface ScalarObservable {
  readonly name: string;
  readonly doc: string;
  value(y: Vec, t: number): number;
}

/** A matrix whose spectrum is tracked (a state block, or a product such as W2·W1). */
export interface MatrixObservable {
  readonly name: string;
  readonly doc: string;
  matrix(y: Vec): MatrixInput;
}

/** Where a prediction comes from, and whether the claim is verified in the paper or reconstructed. */
export interface Source {
  readonly paper: string;
  /** Theorem, equation or section. */
  readonly where: string;
  readonly status: 'verified' | 'reconstructed';
}

export interface Verdict {
  readonly pass: boolean;
  /** What was measured, as a number (NaN when the measurement itself failed). */
  readonly measured: number;
  /** The predicted value or bound, as text (e.g. "≤ 1e-8", "3 transitions"). */
  readonly predicted: string;
  /** The tolerance or comparison used, as text. */
  readonly tolerance: string;
  /** Supporting numbers, one sentence. */
  readonly detail: string;
  /**
   * Set when the quantity could not be measured (an event that never fired, a failed run, a NaN):
   * the reason. Such a verdict does not pass, and reports say "not measurable", not FAIL.
   */
  readonly notMeasurable?: string;
}

/** One run of a model (src/run/trajectory.ts `simulate`): the solution and everything measured on its save grid. */
export interface Trajectory {
  readonly model: string;
  readonly params: Params;
  readonly seed: number;
  readonly solution: Solution;
  /** Save times reached. */
  readonly t: Float64Array;
  /**
   * Scalar series on `t`: `loss`, each model observable, and per tracked matrix M:
   * `M.sigma1`…, `M.stable_rank`, `M.effective_rank`, `M.numerical_rank`, `M.frobenius`,
   * `M.condensation` (mean |cos| between rows).
   */
  readonly series: Readonly<Record<string, Float64Array>>;
  /** All singular values of each tracked matrix at each save time. */
  readonly spectra: Readonly<Record<string, readonly Float64Array[]>>;
  readonly events: readonly EventHit[];
  readonly wallMs: number;
}

/** Gives a prediction the runs it needs; runs are cached, so predictions can share them. */
export interface CheckContext {
  readonly params: Params;
  /** The model's default run with `params` (save-at grid from `horizon`). */
  main(): Trajectory;
  /**
   * Another run: parameter overrides, and solver settings this run fixes for itself (e.g. one of
   * two tolerances a convergence check compares); everything else follows the user's flags.
   */
  run(overrides: Readonly<Record<string, ParamValue>>, options?: SolveOptions): Trajectory;
  /**
   * Solver options for an integration a model makes itself (a reduced system, a run continued
   * from a recorded state): `fixed` over the user's flags, tightened under `check --verify` —
   * the same rule as `run`. Optional for contexts made outside `check`.
   */
  solver?(fixed: SolveOptions): SolveOptions;
}

export interface Prediction {
  readonly id: string;
  /** The claim in one sentence, as a researcher would state it. */
  readonly claim: string;
  readonly source: Source;
  check(ctx: CheckContext): Verdict;
}

/**
 * The same model trained on finite data, in its full (unreduced) parameters: a seeded sampler
 * of training examples and a per-batch gradient. Used by `src/sgd` to compare discrete training
 * (GD, minibatch SGD, online SGD, Langevin) with the flow.
 */
export interface FiniteSample<Data = unknown> {
  /** Length of the full parameter vector θ. */
  readonly dim: number;
  /**
   * Bytes one drawn example takes in a batch (`sample`), and its shape in words (e.g. "14 tokens
   * × 1024 coordinates"): the size checks of `src/sgd` refuse a data set or batch above the
   * memory limit before drawing it (src/util/limits.ts). Building the finite-sample form must be
   * cheap enough to read these before any training (defer big setup to the first lift or sample).
   */
  readonly exampleBytes: number;
  readonly exampleShape: string;
  /** Full parameters for the flow's initial state (so both start from the same point). */
  lift(yFlow: Vec, rng: Rng): Vec;
  /** Draws `count` training examples. */
  sample(rng: Rng, count: number): Data;
  /**
   * Draws new examples into `data` in place (same count), consuming the same random numbers as
   * `sample` would: online SGD then allocates nothing per step. Optional; without it online SGD
   * calls `sample` every step.
   */
  resample?(rng: Rng, data: Data): void;
  /**
   * Mean loss over the examples `idx` of `data` (all of them when idx is null); writes
   * ∂(mean loss)/∂θ into `grad`. Must not allocate per call.
   */
  lossGrad(theta: Vec, data: Data, idx: Int32Array | null, grad: Vec): number;
  /** The flow's coordinates of θ, written into `out` (length of the flow state). */
  project(theta: Vec, out: Vec): void;
  /** Size of the part of θ outside the flow's coordinates (0 when nothing is reduced). */
  residual?(theta: Vec): number;
}

/**
 * What `gradflow compare` runs when no learning rate, batch or data option is given: settings on
 * the model's own time scales (a learning rate that is small for one model diverges on another).
 */
export interface CompareDefaults {
  /** Learning rates of the full-batch GD runs on the exact population loss (the η-slope). */
  readonly etas: readonly number[];
  /** Batch sizes of the online SGD runs (the B-slope; needs `finiteSample`), at learning rate `batchEta`. */
  readonly batches?: readonly number[];
  readonly batchEta?: number;
  readonly seeds?: number;
  /** Horizon in τ (default: the model's own). */
  readonly tau?: number;
  /** Observables compared (default: the model's first three). */
  readonly observables?: readonly string[];
  /** Stage times read off observables, compared between flow and runs beside the model's events. */
  readonly marks?: readonly StageMark[];
}

/** A stage time: when `observable` first crosses `level` in `direction` (read on the recorded states). */
export interface StageMark {
  readonly name: string;
  readonly observable: string;
  readonly level: number;
  readonly direction: 'rising' | 'falling';
}

export interface Horizon {
  readonly tEnd: number;
  readonly saveAt: Float64Array;
  readonly solver: SolveOptions;
}

/** The file a model was read from: its path and the SHA-256 of its content (what results are keyed by). */
export interface ModelFileInfo {
  readonly path: string;
  readonly sha256: string;
  /** What it defines, as written: `{loss}` or `{rhs: {x: …}}` (recorded beside the hash). */
  readonly definition?: Readonly<Record<string, unknown>>;
}

export interface Model {
  /** Registry key, e.g. 'deep-linear'. */
  readonly id: string;
  /** Model files only: where the model came from. Built-in models are identified by the gradflow version. */
  readonly file?: ModelFileInfo;
  /**
   * 'gradient' (default): the flow is −∇L of `loss`, so gradient descent exists; 'general': a
   * general ODE (a model file with `rhs`), which has no loss (NaN) and no discrete training.
   */
  readonly field?: 'gradient' | 'general';
  /** Start time of the flow (default 0). */
  readonly t0?: number;
  readonly title: string;
  /** Citation: authors, venue, and equation numbers used. */
  readonly cite: string;
  readonly params: Readonly<Record<string, ParamSpec>>;
  layout(p: Params): readonly StateBlock[];
  /** Initial state; all randomness comes from `rng`, seeded by the caller. */
  init(p: Params, rng: Rng): Vec;
  /** Population loss. */
  loss(y: Vec, p: Params): number;
  /** The vector field dθ/dt = −∇L(θ), in place and allocation-free. */
  flow(p: Params): RhsFn;
  /**
   * The flow in switched form, for models with ReLU (or other) kinks: the switching functions
   * (e.g. every pre-activation) and the field with each kink factor relu′ read from a mode array
   * (λ ∈ [0, 1] for a unit held on its kink). With it, runs locate kink crossings exactly and
   * continue sliding modes (see SwitchedSystem in src/solve/kinks/types.ts and docs/kinks.md).
   */
  switching?(p: Params): SwitchedSystem;
  /**
   * The exact Jacobian of the flow, ∂(−∇L)/∂θ = −∇²L, row-major (for the implicit method `rodas5p`
   * and `auto`); without it they use forward differences of `flow` (n RHS calls per Jacobian).
   */
  jacobian?(p: Params): JacobianFn;
  observables(p: Params): readonly ScalarObservable[];
  matrices(p: Params): readonly MatrixObservable[];
  /** Events located on the dense output during a run (e.g. "σ_k first exceeds half its target"). */
  events?(p: Params): readonly EventSpec[];
  /**
   * Where the field is singular: terminal events at sign changes of its denominators, named
   * `pole: …` (model files derive them, src/modelfile/poles.ts). A run that reaches one stops with
   * status `non_finite` instead of stepping over the pole.
   */
  singularities?(p: Params): readonly EventSpec[];
  horizon(p: Params): Horizon;
  readonly predictions: readonly Prediction[];
  /** Finite-sample training in full parameters (see FiniteSample). */
  finiteSample?(p: Params): FiniteSample;
  /** Default settings of `gradflow compare` for this model (see CompareDefaults). */
  compareDefaults?(p: Params): CompareDefaults;
  /**
   * The finite data set the model trains on, as named float64 arrays in row-major (C) order, for
   * `gradflow export-data` (one `.npy` per array plus a `data.json` manifest). Only models with a
   * fixed data set have one (chen-luo: tokens X [n, s, d] and labels y [n]). `title` names the data
   * set; each array's `name` becomes its file name (a letter, then letters, digits or `_`), `doc`
   * says what it holds, index by index. The arrays are the ones the model's own runs use, as
   * copies: a caller may keep or change them.
   */
  dataSet?(p: Params): { readonly title: string; readonly arrays: ReadonlyArray<{ readonly name: string; readonly doc: string; readonly shape: readonly number[]; readonly data: Float64Array }> };
  /** Closed-form solution where one is known: a test oracle. */
  exact?(t: number, y0: Vec, p: Params): Vec | null;
  /**
   * Model-specific figures for `check` (beyond the standard loss/observables/spectra), written
   * into `dir` with `writeFigure` from src/report. Runs come from the same cached context.
   */
  figures?(ctx: CheckContext, dir: string): Promise<ReadonlyArray<{ readonly title: string; readonly paths: { readonly png: string; readonly svg: string } }>>;
  /**
   * Named scalar measurements for sweeps and phase diagrams (`--metric model:NAME`), e.g. the
   * ratio of two stage times. Each computes from the cached runs of a context.
   */
  readonly metrics?: Readonly<Record<string, { readonly doc: string; value(ctx: CheckContext): number }>>;
  /** Extra Markdown sections for the check report (e.g. a finding table across settings). */
  reportSections?(ctx: CheckContext): string;
}
