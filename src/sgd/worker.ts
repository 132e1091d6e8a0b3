/** Worker entry for `gradflow compare`: one discrete run or one reference flow per task. */
import { findModel } from '../models/registry.js';
import type { Model, Params } from '../models/types.js';
import type { SolverFlags } from '../run/solver-flags.js';
import { inputError } from '../util/errors.js';
import { flowAt, type FlowAt } from './compare.js';
import { train, type DiscreteRun, type TrainOptions } from './train.js';

/** `sha256`: the model file's content hash the comparison started with (a worker re-reads the file by name). */
export type CompareTask =
  | { readonly kind: 'train'; readonly model: string; readonly sha256?: string; readonly params: Params; readonly options: TrainOptions }
  | { readonly kind: 'flow'; readonly model: string; readonly sha256?: string; readonly params: Params; readonly seed: number; readonly times: Float64Array; readonly flags?: SolverFlags };

export type CompareTaskResult = { readonly ok: true; readonly value: DiscreteRun | FlowAt } | { readonly ok: false; readonly kind: string; readonly message: string };

export default function task(t: CompareTask): CompareTaskResult {
  try {
    const model = findModel(t.model);
    if (t.sha256 && model.file?.sha256 !== t.sha256) throw inputError(`the model file ${t.model} changed while the comparison ran; run it again.`);
    return runTask(model, t);
  } catch (e) {
    return failure(e);
  }
}

function failure(e: unknown): CompareTaskResult {
  // errors cross the process boundary as data, so the caller can tell a solver failure from a bug
  const kind = typeof e === 'object' && e !== null && 'kind' in e ? String((e as { kind: unknown }).kind) : 'internal';
  return { ok: false, kind, message: e instanceof Error ? e.message : String(e) };
}

/** One task on a model object (in this thread, for models that cannot be looked up by name). */
export function runTask(model: Model, t: CompareTask): CompareTaskResult {
  try {
    const value = t.kind === 'train' ? train(model, t.params, t.options) : flowAt(model, t.params, t.seed, t.times, t.flags);
    return { ok: true, value };
  } catch (e) {
    return failure(e);
  }
}
