/**
 * The one definition of what is integrated. Every command — `run`, `check` and the predictions'
 * own runs, `compare`'s reference flow, sweep cells, `solve` on model files — builds its flow
 * problem here: the model's seeded initial state, its horizon, its events, its switching
 * functions (exact kink crossings and sliding modes), its exact Jacobian where the method uses
 * one, and the solver options merged in one order:
 *
 *   the model's defaults  <  the user's flags (--method --rtol …)  <  a run's own fixed settings
 *
 * (a prediction that compares two tolerances keeps them), then `tighten` (check --verify).
 */
import { solve } from '../solve/index.js';
import type { EventSpec, MethodName, RhsFn, Solution, SolveOptions, Vec } from '../solve/types.js';
import type { Model, Params } from '../models/types.js';
import { makeRng } from '../util/rng.js';
import { fmt, GradflowError } from '../util/errors.js';
import { applyFlags, tightened, type SolverFlags } from './solver-flags.js';

export interface FlowProblemOptions {
  /** Seed of the initial state (default: the `seed` parameter, else 0). */
  readonly seed?: number;
  /** The user's solver flags. */
  readonly flags?: SolverFlags;
  /** Settings this run fixes for itself (over the flags). */
  readonly fixed?: SolveOptions;
  /** Multiply rtol and atol by this (check --verify: 0.01). */
  readonly tighten?: number;
  /** Integrate with this method whatever the run fixed (check --verify-with); fixed-step GD stays GD. */
  readonly method?: MethodName;
  /** Save grid (default the model's); its last entry is the end time unless `tEnd` is given. */
  readonly saveAt?: ArrayLike<number>;
  readonly tEnd?: number;
  /** Events beyond the model's own. */
  readonly events?: readonly EventSpec[];
  /** Wall-clock deadline (performance.now() milliseconds): past it the integration is abandoned with an error. */
  readonly deadline?: number;
}

export interface FlowProblem {
  readonly model: Model;
  readonly params: Params;
  readonly seed: number;
  readonly rhs: RhsFn;
  readonly span: readonly [number, number];
  readonly y0: Vec;
  /** Everything `solve` is given; `solve` validates it. */
  readonly options: SolveOptions;
}

/** The options a verification run uses instead: tighter (`tighten`) and/or another method (`method`); GD runs are left alone. */
export function verificationOf(options: SolveOptions, o: { readonly tighten?: number; readonly method?: MethodName }): SolveOptions {
  if (options.method === 'euler') return options;
  let out = options;
  if (o.tighten !== undefined) out = tightened(out, o.tighten);
  if (o.method !== undefined) {
    out = { ...out, method: o.method };
    delete out.h;
  }
  return out;
}

export function seedOf(params: Params): number {
  return typeof params.seed === 'number' ? params.seed : 0;
}

export function flowProblem(model: Model, params: Params, o: FlowProblemOptions = {}): FlowProblem {
  const seed = o.seed ?? seedOf(params);
  const y0 = model.init(params, makeRng(seed));
  const horizon = model.horizon(params);
  const saveAt = o.saveAt ?? horizon.saveAt;
  const tEnd = o.tEnd ?? (o.saveAt ? saveAt[saveAt.length - 1] : horizon.tEnd);
  const t0 = model.t0 ?? 0;
  let options: SolveOptions = { ...applyFlags(horizon.solver, o.flags ?? {}), ...o.fixed };
  options = verificationOf(options, o);
  options.saveAt = saveAt;
  options.events = [...(model.events?.(params) ?? []), ...(o.events ?? []), ...(model.singularities?.(params) ?? [])];
  // a model with kinks brings its switched form: exact crossings and sliding modes unless told otherwise
  if (model.switching && options.switching === undefined) options.switching = model.switching(params);
  // the implicit methods use the exact Jacobian; auto on a field whose kinks are treated runs DOP853 throughout
  const kinksTreated = options.switching !== undefined && options.kinks !== 'smooth-through';
  const implicit = options.method === 'rodas5p' || (options.method === 'auto' && !kinksTreated);
  if (implicit && model.jacobian && options.jacobian === undefined) options.jacobian = model.jacobian(params);
  if (!implicit) delete options.jacobian;
  const deadline = o.deadline;
  if (deadline !== undefined) {
    // checked once per accepted step; a sweep cell must not hold its worker forever
    options.onStep = (t) => {
      if (performance.now() > deadline) throw new GradflowError('solver', `the time limit ran out at t=${fmt(t)} (of ${fmt(tEnd)}); raise the limit, lower --max-steps or loosen --rtol.`);
    };
  }
  return { model, params, seed, rhs: model.flow(params), span: [t0, tEnd], y0, options };
}

/** Integrates a flow problem: the only place the main flow of a model is handed to `solve`. */
export function solveFlow(problem: FlowProblem): { solution: Solution; wallMs: number } {
  const start = performance.now();
  const solution = atPole(solve(problem.rhs, [problem.span[0], problem.span[1]], problem.y0, problem.options));
  return { solution, wallMs: performance.now() - start };
}

/** Names of the events that guard a model's poles (Model.singularities) start with this. */
export const POLE_PREFIX = 'pole: ';

/** A run stopped by a pole guard is a failure at the pole, not an event. */
function atPole(s: Solution): Solution {
  const hit = s.status === 'event' ? s.events.find((e) => e.name.startsWith(POLE_PREFIX)) : undefined;
  if (!hit) return s;
  const where = hit.name.slice(POLE_PREFIX.length);
  return { ...s, status: 'non_finite', message: `the field is singular at t=${fmt(hit.t)}: the denominator ${where} changes sign there (a pole). Stopped at the pole rather than continue on the other side of it; check the expression's domain and the initial values.` };
}
