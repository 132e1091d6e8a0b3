/**
 * A JSON model file as a Model, so every command (`solve`, `run`, `check`, `compare`, `sweep`)
 * works on it through the same flow-problem seam. Its parameters and initial values become
 * numeric parameters; it has no predictions. A file with `rhs` is a general ODE: no loss, no
 * gradient descent.
 */
import { basename } from 'node:path';
import { buildSystem, type ExpressionSystem } from '../modelfile/system.js';
import type { ModelSpec } from '../modelfile/spec.js';
import { solveModelOptions } from '../modelfile/solver-defaults.js';
import { exampleLoss, modelFileFiniteSample } from '../modelfile/finite-sample.js';
import type { Model, ParamSpec, Params } from './types.js';

export interface FileModel extends Model {
  readonly spec: ModelSpec;
  /** The compiled system at these parameter values (cached per Params object). */
  system(p: Params): ExpressionSystem;
}

export function modelFromSpec(spec: ModelSpec, id = spec.file ? basename(spec.file.path, '.json') : spec.name): FileModel {
  const params: Record<string, ParamSpec> = {};
  for (const [k, v] of spec.params) params[k] = { kind: 'number', default: v, range: [-Number.MAX_VALUE, Number.MAX_VALUE], doc: `parameter of ${spec.name}` };
  // an initial value given as an expression follows its parameters: it is not a parameter itself
  for (const [k, v] of spec.state) if (typeof v === 'number') params[k] = { kind: 'number', default: v, range: [-Number.MAX_VALUE, Number.MAX_VALUE], doc: `initial value of ${k}` };
  const systemFor = (p: Params) => buildSystem(spec, new Map(Object.entries(p).map(([k, v]) => [k, Number(v)])));
  const cache = new WeakMap<Params, ExpressionSystem>();
  const system = (p: Params): ExpressionSystem => {
    let s = cache.get(p);
    if (!s) { s = systemFor(p); cache.set(p, s); }
    return s;
  };
  if (spec.data) exampleLoss(spec, spec.data); // a malformed data block is an error now, not at the first `compare`
  // kinks (relu, max, abs, …) are a property of the expressions, not of the parameter values
  const hasKinks = buildSystem(spec).switched != null;
  const general = spec.loss === null;
  return {
    ...(hasKinks ? { switching: (p: Params) => system(p).switched! } : {}),
    id,
    spec,
    system,
    ...(spec.file ? { file: { ...spec.file, definition: definitionOf(spec) } } : {}),
    field: general ? 'general' : 'gradient',
    t0: spec.t0,
    title: spec.name,
    cite: spec.description || `model file ${id}`,
    params,
    layout: () => spec.state.map(([name], i) => ({ name, offset: i, shape: [], doc: 'state variable' })),
    init: (p) => Float64Array.from(system(p).y0),
    loss: (y, p) => system(p).lossAt?.(spec.t0, y) ?? NaN,
    flow: (p) => system(p).rhs,
    jacobian: (p) => system(p).jacobian!(),
    observables: (p) => system(p).stateNames.map((name, i) => ({ name, doc: 'state variable', value: (y) => y[i] })),
    matrices: () => [],
    events: (p) => system(p).events,
    singularities: (p) => system(p).poles,
    horizon: (p) => ({ tEnd: spec.tEnd, saveAt: spec.saveAt, solver: { ...solveModelOptions(spec, hasKinks), autonomous: system(p).autonomous } }),
    predictions: [],
    ...(spec.data ? { finiteSample: (p: Params) => modelFileFiniteSample(spec, spec.data!, system(p).params) } : {}),
  };
}

/** What a model file defines, as written (its named definitions, then its loss or rhs), for the provenance record. */
function definitionOf(spec: ModelSpec): Record<string, unknown> {
  const lets = spec.lets.length > 0 ? { let: Object.fromEntries(spec.lets) } : {};
  return spec.loss !== null ? { ...lets, loss: spec.loss } : { ...lets, rhs: Object.fromEntries(spec.state.map(([k], j) => [k, spec.rhs?.[j] ?? null])) };
}
