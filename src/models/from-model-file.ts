/**
 * A JSON model file as a Model, so every command (`solve`, `run`, `check`, `compare`, `sweep`)
 * works on it through the same flow-problem seam. Its parameters and initial values become
 * numeric parameters; its observables, tracked matrices and predictions are the ones it declares
 * (src/modelfile/claims.ts). A file with `rhs` is a general ODE: no loss, no gradient descent.
 */
import { basename } from 'node:path';
import { inputError } from '../util/errors.js';
import { makeRng } from '../util/rng.js';
import { buildSystem, type ExpressionSystem } from '../modelfile/system.js';
import { buildArraySystem, type ArraySystem } from '../modelfile/array-system.js';
import { hypotOf } from '../util/array.js';
import { blockView } from '../spectral/index.js';
import { filePredictions } from '../modelfile/claims.js';
import type { ModelSpec } from '../modelfile/spec.js';
import type { ArrayPart } from '../modelfile/array-spec.js';
import { solveModelOptions } from '../modelfile/solver-defaults.js';
import { exampleLoss, modelFileFiniteSample } from '../modelfile/finite-sample.js';
import type { Model, ParamSpec, Params } from './types.js';

export interface FileModel extends Model {
  readonly spec: ModelSpec;
  /** The compiled system at these parameter values (cached per Params object). */
  system(p: Params): FileSystem;
}

/** A scalar file's system, or an array file's. */
export type FileSystem = ExpressionSystem | ArraySystem;

export function modelFromSpec(spec: ModelSpec, id = spec.file ? basename(spec.file.path, '.json') : spec.name): FileModel {
  if (spec.array) return arrayModel({ ...spec, array: spec.array }, id);
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
  const model: FileModel = {
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
    observables: (p) => [...system(p).stateNames.map((name, i) => ({ name, doc: 'state variable', value: (y: Float64Array) => y[i] })), ...system(p).tracked.observables],
    matrices: (p) => system(p).tracked.matrices,
    events: (p) => system(p).events,
    singularities: (p) => system(p).poles,
    horizon: (p) => ({ tEnd: spec.tEnd, saveAt: spec.saveAt, solver: { ...solveModelOptions(spec, hasKinks), autonomous: system(p).autonomous } }),
    predictions: filePredictions(spec.claims.predictions, () => model, (p, text, where, withTime) => system(p).prediction(text, where, withTime)),
    ...(spec.data ? { finiteSample: (p: Params) => modelFileFiniteSample(spec, spec.data!, system(p).params) } : {}),
  };
  return model;
}

/**
 * An array file as a Model. Its parameters are the file's; `seed` (if the file does not declare
 * one) seeds the random initial laws. Observables: the loss's blocks' Frobenius norms; tracked
 * matrices: every 2-D block (spectra, ranks, alignment as for the built-ins).
 */
function arrayModel(spec: ModelSpec & { readonly array: ArrayPart }, id: string): FileModel {
  const params: Record<string, ParamSpec> = {};
  for (const [k, v] of spec.params) params[k] = { kind: 'number', default: v, range: [-Number.MAX_VALUE, Number.MAX_VALUE], doc: `parameter of ${spec.name}` };
  if (!Object.hasOwn(params, 'seed')) params.seed = { kind: 'number', default: 0, range: [0, 2 ** 32 - 1], integer: true, doc: 'seed of the random initial laws' };
  if (spec.array.starts.length > 0 && Object.hasOwn(params, 'start')) throw inputError(`${spec.name}: the parameter 'start' is taken by the file's "starts" (the choice of initial laws); rename the parameter.`);
  if (spec.array.starts.length > 0) params.start = { kind: 'choice', default: 'init', choices: ['init', ...spec.array.starts.map(([k]) => k)], doc: 'initial laws: the blocks\' own ("init") or a named start of the file' };
  const cache = new WeakMap<Params, ArraySystem>();
  const system = (p: Params): ArraySystem => {
    let s = cache.get(p);
    if (!s) {
      s = buildArraySystem(spec, new Map(Object.entries(p).flatMap(([k, v]) => (typeof v === 'number' ? [[k, v] as const] : []))));
      cache.set(p, s);
    }
    return s;
  };
  // a malformed file (shapes, data, expressions) is an error now, not at the first run; kinks are a property of the expressions
  const first = buildArraySystem(spec);
  const hasKinks = first.switched !== null;
  // every named start is drawn once, so a law of the wrong shape is an error now, not when it is chosen
  for (const [name] of spec.array.starts) first.initial(makeRng(0), name);
  const blocks = (p: Params) => system(p).layout;
  const declared = new Set(spec.claims.matrices.map((m) => m.name));
  const model: FileModel = {
    ...(hasKinks ? { switching: (p: Params) => system(p).switched! } : {}),
    jacobian: (p) => system(p).jacobian(),
    id,
    spec,
    system,
    ...(spec.file ? { file: { ...spec.file, definition: definitionOf(spec) } } : {}),
    field: 'gradient',
    t0: spec.t0,
    title: spec.name,
    cite: spec.description || `model file ${id}`,
    params,
    layout: blocks,
    init: (p, rng) => system(p).initial(rng, typeof p.start === 'string' ? p.start : 'init'),
    loss: (y, p) => system(p).lossAt(spec.t0, y),
    flow: (p) => system(p).rhs,
    observables: (p) => [...blocks(p).map((b) => (b.shape.length === 0
      ? { name: b.name, doc: 'state variable', value: (y: Float64Array) => y[b.offset] }
      : { name: `|${b.name}|`, doc: `Frobenius norm of ${b.name}`, value: (y: Float64Array) => hypotOf(y.subarray(b.offset, b.offset + b.shape.reduce((a, m) => a * m, 1))) })), ...system(p).tracked.observables],
    matrices: (p) => [...blocks(p).filter((b) => b.shape.length === 2 && !declared.has(b.name)).map((b) => ({
      name: b.name, doc: `state block ${b.shape.join('×')}`,
      matrix: (y: Float64Array) => blockView(y, b),
    })), ...system(p).tracked.matrices],
    events: (p) => system(p).events,
    horizon: () => ({ tEnd: spec.tEnd, saveAt: spec.saveAt, solver: { ...solveModelOptions(spec, hasKinks), autonomous: true } }),
    predictions: filePredictions(spec.claims.predictions, () => model, (p, text, where, withTime) => system(p).prediction(text, where, withTime)),
    ...(spec.array.samples !== undefined ? { finiteSample: (p: Params) => system(p).finiteSample!() } : {}),
  };
  return model;
}

/** What a model file defines, as written (its named definitions, then its loss or rhs), for the provenance record. */
function definitionOf(spec: ModelSpec): Record<string, unknown> {
  const lets = spec.lets.length > 0 ? { let: Object.fromEntries(spec.lets) } : {};
  if (spec.array) return { ...lets, loss: spec.loss, state: Object.fromEntries(spec.array.blocks.map((b) => [b.name, { shape: b.shape, init: b.init }])), arrays: spec.array.arrays.map((a) => a.name) };
  return spec.loss !== null ? { ...lets, loss: spec.loss } : { ...lets, rhs: Object.fromEntries(spec.state.map(([k], j) => [k, spec.rhs?.[j] ?? null])) };
}
