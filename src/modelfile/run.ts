/** Solving a model file: build the system, merge solver options (flags over file over defaults), integrate. */
import { solve } from '../solve/index.js';
import type { KinkMode, MethodName, Solution, SolveOptions } from '../solve/types.js';
import { buildSystem, type ExpressionSystem } from './system.js';
import type { ModelSpec } from './spec.js';

export interface SolverFlags {
  method?: string;
  rtol?: number;
  atol?: number;
  maxSteps?: number;
  h?: number;
  /** Kink treatment (default: exact crossings plus sliding for fields with kinks, see SolveOptions.kinks). */
  kinks?: string;
  /** Integrate in s = log(1 + t − t0) (SolveOptions.logTime). */
  logTime?: boolean;
}

/**
 * The method of a model file that names none: `auto` (DOP853, switching to Rodas5P with the exact
 * symbolic Jacobian where the flow turns stiff). The library's own default stays dopri5.
 */
export const MODEL_FILE_METHOD: MethodName = 'auto';

/**
 * The method of a model file with kinks (relu, max/min, abs, …) that names none: dop853, the
 * explicit method of `auto`, because exact kink crossings and sliding modes (kinks 'filippov', the
 * default there) run with dopri5 and dop853 only. With kinks 'smooth-through' it is `auto` again.
 */
export const MODEL_FILE_KINK_METHOD: MethodName = 'dop853';

export interface ModelRun {
  readonly system: ExpressionSystem;
  readonly solution: Solution;
  readonly loss: Float64Array | null;
  readonly wallMs: number;
}

/** The solver options a model file asks for (its `solver` block, the method defaulting to auto), before CLI flags. */
export function solveModelOptions(spec: ModelSpec): SolveOptions {
  const o: SolveOptions = {};
  const d = spec.solver;
  o.method = (d.method ?? MODEL_FILE_METHOD) as MethodName;
  if (d.rtol !== undefined) o.rtol = d.rtol;
  if (d.atol !== undefined) o.atol = d.atol;
  if (d.maxSteps !== undefined) o.maxSteps = d.maxSteps;
  if (d.kinks !== undefined) o.kinks = d.kinks as KinkMode;
  if (d.logTime !== undefined) o.logTime = d.logTime;
  return o;
}

export function solveModel(spec: ModelSpec, overrides: ReadonlyMap<string, number>, flags: SolverFlags = {}): ModelRun {
  const system = buildSystem(spec, overrides);
  const pick = <K extends keyof SolverFlags>(k: K): SolverFlags[K] => flags[k] ?? (spec.solver as SolverFlags)[k];
  const smoothThrough = pick('kinks') === 'smooth-through';
  const options: SolveOptions = {
    method: (pick('method') ?? (system.switched && !smoothThrough ? MODEL_FILE_KINK_METHOD : MODEL_FILE_METHOD)) as MethodName,
    saveAt: spec.saveAt,
    events: system.events,
  };
  const rtol = pick('rtol');
  const atol = pick('atol');
  const maxSteps = pick('maxSteps');
  const h = pick('h');
  if (rtol !== undefined) options.rtol = rtol;
  if (atol !== undefined) options.atol = atol;
  if (maxSteps !== undefined) options.maxSteps = maxSteps;
  if (h !== undefined) options.h = h;
  if (system.switched) options.switching = system.switched;
  const kinks = pick('kinks');
  if (kinks !== undefined) options.kinks = kinks as KinkMode;
  // auto on a field with kinks treated exactly stays with DOP853 (SolveOptions.kinks): no Jacobian needed
  const kinkedAuto = options.method === 'auto' && system.switched && kinks !== 'smooth-through';
  if ((options.method === 'rodas5p' || options.method === 'auto') && !kinkedAuto) {
    // the exact Jacobian (−Hessian of the loss), compiled only for the methods that use it
    if (system.jacobian) options.jacobian = system.jacobian();
    if (system.autonomous !== undefined) options.autonomous = system.autonomous;
  }
  if (pick('logTime') === true) options.logTime = true;
  const start = performance.now();
  const solution = solve(system.rhs, [spec.t0, spec.tEnd], system.y0, options);
  const wallMs = performance.now() - start;
  const lossAt = system.lossAt;
  const loss = lossAt ? Float64Array.from(solution.t, (t, i) => lossAt(t, solution.y[i])) : null;
  return { system, solution, loss, wallMs };
}
