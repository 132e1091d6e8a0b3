/**
 * Solving a model file: its Model (src/models/from-model-file.ts) through the flow-problem seam,
 * with the user's flags over the file's `solver` block over the model-file defaults.
 */
import type { Solution } from '../solve/types.js';
import { flowProblem, solveFlow } from '../run/problem.js';
import type { SolverFlags } from '../run/solver-flags.js';
import { modelFromSpec, type FileModel, type FileSystem } from '../models/from-model-file.js';
import { resolveParams } from '../models/params.js';
import type { Params } from '../models/types.js';
import type { ModelSpec } from './spec.js';

export { MODEL_FILE_KINK_METHOD, MODEL_FILE_METHOD, solveModelOptions } from './solver-defaults.js';

/** CLI-shaped solver flags (the method as text; `solve` validates it and lists the valid ones). */
export type ModelFileFlags = Omit<SolverFlags, 'method' | 'kinks'> & { readonly method?: string; readonly kinks?: string };

export interface ModelRun {
  readonly model: FileModel;
  readonly params: Params;
  /** The user's flags the run was made with. */
  readonly flags: SolverFlags;
  readonly system: FileSystem;
  /** The initial state the run started from. */
  readonly y0: Float64Array;
  readonly solution: Solution;
  readonly loss: Float64Array | null;
  readonly wallMs: number;
}

export function solveModel(spec: ModelSpec, overrides: ReadonlyMap<string, number>, flags: ModelFileFlags = {}): ModelRun {
  const model = modelFromSpec(spec);
  const params = resolveParams(model, Object.fromEntries(overrides));
  const system = model.system(params);
  const problem = flowProblem(model, params, { flags: flags as SolverFlags });
  const { solution, wallMs } = solveFlow(problem);
  const lossAt = system.lossAt;
  const loss = lossAt ? Float64Array.from(solution.t, (t, i) => lossAt(t, solution.y[i])) : null;
  return { model, params, flags: flags as SolverFlags, system, y0: Float64Array.from(problem.y0), solution, loss, wallMs };
}
