/** Worker entry for `gradflow compare`: one discrete run or one reference flow per task. */
import { findModel } from '../models/registry.js';
import type { Model, Params } from '../models/types.js';
import { flowAt, type FlowAt } from './compare.js';
import { train, type DiscreteRun, type TrainOptions } from './train.js';

export type CompareTask =
  | { readonly kind: 'train'; readonly model: string; readonly params: Params; readonly options: TrainOptions }
  | { readonly kind: 'flow'; readonly model: string; readonly params: Params; readonly seed: number; readonly times: Float64Array };

export type CompareTaskResult = { readonly ok: true; readonly value: DiscreteRun | FlowAt } | { readonly ok: false; readonly kind: string; readonly message: string };

export default function task(t: CompareTask): CompareTaskResult {
  return runTask(findModel(t.model), t);
}

/** One task on a model object (in this thread, for models that cannot be looked up by name). */
export function runTask(model: Model, t: CompareTask): CompareTaskResult {
  try {
    const value = t.kind === 'train' ? train(model, t.params, t.options) : flowAt(model, t.params, t.seed, t.times);
    return { ok: true, value };
  } catch (e) {
    // errors cross the process boundary as data, so the caller can tell a solver failure from a bug
    const kind = typeof e === 'object' && e !== null && 'kind' in e ? String((e as { kind: unknown }).kind) : 'internal';
    return { ok: false, kind, message: e instanceof Error ? e.message : String(e) };
  }
}
