/**
 * A sweep's definition: model, two parameter axes, fixed settings and metrics. It is stored in
 * the output folder (sweep.json) and compared on resume and merge, so results from different
 * definitions are never mixed.
 */
import { inputError, fmt } from '../util/errors.js';
import { geomspace, linspace } from '../util/grid.js';
import type { Model, ParamValue } from '../models/types.js';
import { modelIdentity, type ModelIdentity } from '../io/provenance.js';
import { findModel } from '../models/registry.js';
import { definedFlags, type SolverFlags } from '../run/solver-flags.js';

export interface Axis {
  readonly name: string;
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
  readonly log: boolean;
}

export interface SweepDefinition {
  /** The name the model is looked up by (registry id or model-file path). */
  readonly model: string;
  /** What the model is: its id, the SHA-256 of its file (model files), the gradflow version. */
  readonly identity: ModelIdentity;
  readonly x: Axis;
  readonly y: Axis;
  /** Fixed parameter settings (`--set`). */
  readonly sets: Readonly<Record<string, ParamValue>>;
  readonly metrics: readonly string[];
  /** The user's solver flags (--method --rtol --atol --max-steps --kinks), over the model's own settings. */
  readonly solver: SolverFlags;
  /** Wall-clock limit of one cell in seconds (default CELL_TIMEOUT): a cell past it is recorded as an error. */
  readonly cellTimeout?: number;
}

/** Default wall-clock limit of one sweep cell, in seconds. */
export const CELL_TIMEOUT = 600;

const AXIS = /^\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*([^:]+):([^:]+):([^:]+)(?::(log|lin))?\s*$/;
const MAX_CELLS = 1_000_000;

/** `name=lo:hi:n[:log]` → Axis, checked against the model's parameter ranges. */
export function parseAxis(text: string, model: Model, flag: string): Axis {
  const m = AXIS.exec(text);
  if (!m) throw inputError(`${flag} '${text}': expected name=lo:hi:n or name=lo:hi:n:log, e.g. ${flag} eps=1e-4:1e-1:8:log.`);
  const [, name, loText, hiText, nText, scale] = m;
  const spec = Object.hasOwn(model.params, name) ? model.params[name] : undefined;
  if (!spec) throw inputError(`${flag} ${name}: ${model.id} has no parameter '${name}'. Parameters: ${Object.keys(model.params).join(', ')}.`);
  if (spec.kind !== 'number') throw inputError(`${flag} ${name}: a sweep axis must be numeric; '${name}' is a choice (${spec.choices.join(', ')}), set it with --set.`);
  const lo = Number(loText);
  const hi = Number(hiText);
  const n = Number(nText);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw inputError(`${flag} ${name}: lo and hi must be finite numbers (got '${loText}', '${hiText}').`);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw inputError(`${flag} ${name}: n must be an integer from 1 to 10000 (got '${nText}').`);
  if (!(hi > lo) && n > 1) throw inputError(`${flag} ${name}: hi (${fmt(hi)}) must be greater than lo (${fmt(lo)}).`);
  const log = scale === 'log';
  if (log && !(lo > 0)) throw inputError(`${flag} ${name}: a log axis needs lo > 0 (got ${fmt(lo)}).`);
  const [rlo, rhi] = spec.range;
  if (lo < rlo || hi > rhi) throw inputError(`${flag} ${name}: [${fmt(lo)}, ${fmt(hi)}] leaves the parameter's range [${fmt(rlo)}, ${fmt(rhi)}] (${spec.doc}).`);
  if (spec.integer) {
    const values = axisValues({ name, lo, hi, n, log });
    if (values.some((v) => !Number.isInteger(v))) throw inputError(`${flag} ${name}: '${name}' is an integer parameter; choose lo, hi and n so every grid value is an integer.`);
  }
  return { name, lo, hi, n, log };
}

/** A definition with its model's identity filled in (the model file's SHA-256 read now). */
export function defineSweep(d: Omit<SweepDefinition, 'identity' | 'solver'> & { readonly solver?: SolverFlags }): SweepDefinition {
  return { ...d, identity: modelIdentity(findModel(d.model)), solver: definedFlags(d.solver ?? {}) };
}

export function axisValues(a: Axis): Float64Array {
  if (a.n === 1) return Float64Array.of(a.lo);
  return a.log ? geomspace(a.lo, a.hi, a.n) : linspace(a.lo, a.hi, a.n);
}

export function checkDefinition(def: SweepDefinition): void {
  if (def.x.name === def.y.name) throw inputError(`--x and --y sweep the same parameter '${def.x.name}'.`);
  if (def.x.name in def.sets || def.y.name in def.sets) throw inputError('a swept parameter cannot also be set with --set.');
  if (def.metrics.length === 0) throw inputError('give at least one --metric (see gradflow sweep --help).');
  if (def.x.n * def.y.n > MAX_CELLS) throw inputError(`the grid has ${def.x.n * def.y.n} cells; at most ${MAX_CELLS}.`);
}

/** Canonical JSON, for storing and comparing definitions. */
export function definitionKey(def: SweepDefinition): string {
  const id = def.identity ?? null;
  return JSON.stringify({
    model: def.model,
    model_sha256: id?.file?.sha256 ?? null,
    gradflow: id?.gradflow ?? null,
    x: def.x, y: def.y, sets: Object.fromEntries(Object.entries(def.sets ?? {}).sort()), metrics: def.metrics,
    solver: definedFlags(def.solver ?? {}),
    cell_timeout: def.cellTimeout ?? CELL_TIMEOUT,
  });
}

/** Where two definitions differ, in words (for the refusal message): "model_sha256: … vs …" (the stored one first). */
export function describeDifference(a: SweepDefinition, b: SweepDefinition): string {
  const pa = JSON.parse(definitionKey(a)) as Record<string, unknown>;
  const pb = JSON.parse(definitionKey(b)) as Record<string, unknown>;
  return Object.keys(pa).filter((k) => JSON.stringify(pa[k]) !== JSON.stringify(pb[k]))
    .map((k) => `${k}: ${JSON.stringify(pa[k])} vs ${JSON.stringify(pb[k])}`).join('; ');
}
