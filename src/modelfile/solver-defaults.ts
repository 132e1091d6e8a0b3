/** The solver options a model file asks for: its `solver` block over gradflow's model-file defaults. */
import type { KinkMode, MethodName, SolveOptions } from '../solve/types.js';
import type { ModelSpec } from './spec.js';

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

/** The file's solver block, with the method defaulted by whether its field has kinks that are treated. */
export function solveModelOptions(spec: ModelSpec, hasKinks = false): SolveOptions {
  const o: SolveOptions = {};
  const d = spec.solver;
  const kinksTreated = hasKinks && d.kinks !== 'smooth-through';
  o.method = (d.method ?? (kinksTreated ? MODEL_FILE_KINK_METHOD : MODEL_FILE_METHOD)) as MethodName;
  if (d.rtol !== undefined) o.rtol = d.rtol;
  if (d.atol !== undefined) o.atol = d.atol;
  if (d.maxSteps !== undefined) o.maxSteps = d.maxSteps;
  if (d.kinks !== undefined) o.kinks = d.kinks as KinkMode;
  if (d.logTime !== undefined) o.logTime = d.logTime;
  return o;
}
