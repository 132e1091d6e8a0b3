/**
 * A JSON model file as a Model, so `run`, `check` and later `sweep` work on it too. Its
 * parameters and initial values become numeric parameters; it has no predictions.
 */
import { buildSystem } from '../modelfile/system.js';
import type { ModelSpec } from '../modelfile/spec.js';
import { solveModelOptions } from '../modelfile/run.js';
import { exampleLoss, modelFileFiniteSample } from '../modelfile/finite-sample.js';
import type { Model, ParamSpec, Params } from './types.js';

export function modelFromSpec(spec: ModelSpec, id: string): Model {
  const params: Record<string, ParamSpec> = {};
  for (const [k, v] of spec.params) params[k] = { kind: 'number', default: v, range: [-Number.MAX_VALUE, Number.MAX_VALUE], doc: `parameter of ${spec.name}` };
  for (const [k, v] of spec.state) params[k] = { kind: 'number', default: v, range: [-Number.MAX_VALUE, Number.MAX_VALUE], doc: `initial value of ${k}` };
  const systemFor = (p: Params) => buildSystem(spec, new Map(Object.entries(p).map(([k, v]) => [k, Number(v)])));
  const cache = new WeakMap<Params, ReturnType<typeof systemFor>>();
  const system = (p: Params) => {
    let s = cache.get(p);
    if (!s) { s = systemFor(p); cache.set(p, s); }
    return s;
  };
  if (spec.data) exampleLoss(spec, spec.data); // a malformed data block is an error now, not at the first `compare`
  // kinks (relu, max, abs, …) are a property of the expressions, not of the parameter values
  const hasKinks = spec.loss !== null && buildSystem(spec).switched != null;
  return {
    ...(hasKinks ? { switching: (p: Params) => system(p).switched! } : {}),
    id,
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
    horizon: (p) => ({ tEnd: spec.tEnd, saveAt: spec.saveAt, solver: { ...solveModelOptions(spec), autonomous: system(p).autonomous } }),
    predictions: [],
    ...(spec.data ? { finiteSample: (p: Params) => modelFileFiniteSample(spec, spec.data!, system(p).params) } : {}),
  };
}
