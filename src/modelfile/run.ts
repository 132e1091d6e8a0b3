/** Solving a model file: build the system, merge solver options (flags over file over defaults), integrate. */
import { solve } from '../solve/index.js';
import type { MethodName, Solution, SolveOptions } from '../solve/types.js';
import { buildSystem, type ExpressionSystem } from './system.js';
import type { ModelSpec } from './spec.js';

export interface SolverFlags {
  method?: string;
  rtol?: number;
  atol?: number;
  maxSteps?: number;
  h?: number;
}

export interface ModelRun {
  readonly system: ExpressionSystem;
  readonly solution: Solution;
  readonly loss: Float64Array | null;
  readonly wallMs: number;
}

/** The solver options a model file asks for (its `solver` block), before CLI flags. */
export function solveModelOptions(spec: ModelSpec): SolveOptions {
  const o: SolveOptions = {};
  const d = spec.solver;
  if (d.method !== undefined) o.method = d.method as MethodName;
  if (d.rtol !== undefined) o.rtol = d.rtol;
  if (d.atol !== undefined) o.atol = d.atol;
  if (d.maxSteps !== undefined) o.maxSteps = d.maxSteps;
  return o;
}

export function solveModel(spec: ModelSpec, overrides: ReadonlyMap<string, number>, flags: SolverFlags = {}): ModelRun {
  const system = buildSystem(spec, overrides);
  const pick = <K extends keyof SolverFlags>(k: K): SolverFlags[K] => flags[k] ?? (spec.solver as SolverFlags)[k];
  const options: SolveOptions = {
    method: (pick('method') ?? 'dopri5') as MethodName,
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
  const start = performance.now();
  const solution = solve(system.rhs, [spec.t0, spec.tEnd], system.y0, options);
  const wallMs = performance.now() - start;
  const lossAt = system.lossAt;
  const loss = lossAt ? Float64Array.from(solution.t, (t, i) => lossAt(t, solution.y[i])) : null;
  return { system, solution, loss, wallMs };
}
