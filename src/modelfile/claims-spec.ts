/**
 * What a model file claims and tracks, validated from JSON: observables, tracked matrices and
 * predictions (the same keys in scalar and array files).
 *
 *   "observables": {"r": "u*v - y"}                 scalar expressions of the state, parameters,
 *                                                   definitions, data and `loss`, recorded at save times
 *   "matrices": {"A": "WQ * WK'"}                   2-D arrays (array files) or nested lists of scalar
 *               {"M": [["a", "b"], ["c", "d"]]}     expressions (scalar files), tracked like the built-ins':
 *               {"A": {"value": "…", "align": "v"}} singular values, ranks, condensation; with `align`,
 *                                                   also |⟨top left singular vector, v⟩|/‖v‖ as A.align
 *   "predictions": [{"id", "claim", "source": {"paper", "where", "status": "verified"|"reconstructed"},
 *                    "measure": {…}, "predicted": "expression", "tolerance": {…}, "compare": …}]
 *
 * Measures (what stage theorems state):
 *   {"event_time": E}                    when event E first fires
 *   {"event_ratio": [E1, E2]}            t(E1) / t(E2)
 *   {"event_order": [E1, E2, …]}         1 if they fire in this order (predicted: 1)
 *   {"transitions": true}                number of stage transitions of the loss (stages/detect.ts)
 *   {"value": X, "at": T | "end"}        series X (the loss, an observable, M.sigma1, M.stable_rank, …)
 *   {"value": X, "at_event": E}          at the state where event E fired
 *   {"value": X, "at": "all"}            the largest relative deviation from `predicted` (an
 *                                        expression that may use t) over every save time; predicted 0
 *   {"slope": X, "window": [t1, t2]}     log–log slope of X against t on the save times in [t1, t2]
 *   {"scaling": {"param": P, "values": [v1, …], "of": MEASURE}}   the measure re-run at P = vᵢ,
 *                                        and the log–log slope of |measure| against vᵢ
 * `predicted` is an expression of the parameters (array files: and of the data arrays, reduced to a
 * number). Tolerance: {"rel": r} (|m − p| ≤ r|p|), {"abs": a}, or {"factor": f} (m/p within [1/f, f]).
 * `compare`: "equal" (default, within the tolerance), "at_most" (m ≤ p + tolerance) or "at_least".
 * `set`: parameter values for this prediction's own run (default: the check's parameters);
 * `solver`: {"method", "rtol", "atol"} that run fixes for itself (a closed form checked to 1e-8 needs
 * a tighter rtol than the file's default run).
 */
import { inputError } from '../util/errors.js';
import { METHOD_NAMES } from '../solve/options.js';

export type Measure =
  | { readonly kind: 'event_time'; readonly event: string }
  | { readonly kind: 'event_ratio'; readonly events: readonly [string, string] }
  | { readonly kind: 'event_order'; readonly events: readonly string[] }
  | { readonly kind: 'transitions' }
  | { readonly kind: 'value'; readonly series: string; readonly at: number | 'end' | 'all' | { readonly event: string } }
  | { readonly kind: 'slope'; readonly series: string; readonly window: readonly [number, number] }
  | { readonly kind: 'scaling'; readonly param: string; readonly values: readonly number[]; readonly of: Measure };

export type Tolerance = { readonly kind: 'rel' | 'abs' | 'factor'; readonly value: number };

export interface PredictionDecl {
  readonly id: string;
  readonly claim: string;
  readonly source: { readonly paper: string; readonly where: string; readonly status: 'verified' | 'reconstructed' };
  readonly measure: Measure;
  readonly predicted: string;
  readonly tolerance: Tolerance;
  readonly compare: 'equal' | 'at_most' | 'at_least';
  readonly set: ReadonlyArray<readonly [string, number | string]>;
  /** Solver settings this prediction's runs fix for themselves (over the user's flags), e.g. a tight rtol for a closed form. */
  readonly solver: { readonly method?: string; readonly rtol?: number; readonly atol?: number };
}

export interface MatrixDecl {
  readonly name: string;
  /** An array expression (array files) or rows of scalar expressions (scalar files). */
  readonly value: string | readonly (readonly string[])[];
  /** An expression of a direction (a vector) whose alignment with the top left singular vector is tracked. */
  readonly align: string | null;
}

export interface ClaimsDecl {
  readonly observables: ReadonlyArray<readonly [string, string]>;
  readonly matrices: readonly MatrixDecl[];
  readonly predictions: readonly PredictionDecl[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const MAX_PREDICTIONS = 200;
const MAX_SCALING_VALUES = 50;

function keys(o: Json, valid: readonly string[], where: string): void {
  for (const k of Object.keys(o)) if (!valid.includes(k)) throw inputError(`${where}: unknown key '${k}'. Valid keys: ${valid.join(', ')}.`);
}

function str(v: unknown, where: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw inputError(`${where} must be a non-empty string.`);
  return v;
}

function finite(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw inputError(`${where} must be a finite number.`);
  return v;
}

export function readClaims(raw: Json, source: string, taken: ReadonlySet<string>): ClaimsDecl {
  const observables: Array<[string, string]> = [];
  if (raw.observables !== undefined) {
    const where = `${source}: observables`;
    if (!isObject(raw.observables)) throw inputError(`${where} must map names to expressions, e.g. {"r": "u*v - y"}.`);
    for (const [name, text] of Object.entries(raw.observables)) {
      if (!NAME.test(name) || name === 'loss') throw inputError(`${where}: '${name}' is not a valid observable name (a letter, then letters, digits or _; not 'loss').`);
      if (taken.has(name)) throw inputError(`${where}: '${name}' is already a state variable, parameter, array or definition.`);
      observables.push([name, str(text, `${where}.${name}`)]);
    }
  }
  const matrices: MatrixDecl[] = [];
  if (raw.matrices !== undefined) {
    const where = `${source}: matrices`;
    if (!isObject(raw.matrices)) throw inputError(`${where} must map names to matrices, e.g. {"A": "WQ * WK'"}.`);
    for (const [name, v] of Object.entries(raw.matrices)) {
      if (!NAME.test(name)) throw inputError(`${where}: '${name}' is not a valid matrix name.`);
      const w = `${where}.${name}`;
      let value: unknown = v;
      let align: string | null = null;
      if (isObject(v)) {
        keys(v, ['value', 'align'], w);
        value = v.value;
        if (v.align !== undefined) align = str(v.align, `${w}.align`);
      }
      if (typeof value === 'string') matrices.push({ name, value: str(value, w), align });
      else if (Array.isArray(value) && value.length > 0 && value.every((r) => Array.isArray(r) && r.length === (value as unknown[][])[0].length && r.length > 0)) {
        matrices.push({ name, value: (value as unknown[][]).map((r, i) => r.map((x, j) => str(x, `${w}[${i}][${j}]`))), align });
      } else {
        throw inputError(`${w} must be an expression of a matrix (array files) or rows of equal length of expressions, e.g. [["a", "b"], ["c", "d"]].`);
      }
    }
  }
  const predictions: PredictionDecl[] = [];
  if (raw.predictions !== undefined) {
    const where = `${source}: predictions`;
    if (!Array.isArray(raw.predictions)) throw inputError(`${where} must be a list of {"id", "claim", "source", "measure", "predicted", "tolerance"}.`);
    if (raw.predictions.length > MAX_PREDICTIONS) throw inputError(`${where}: at most ${MAX_PREDICTIONS} predictions (got ${raw.predictions.length}).`);
    const ids = new Set<string>();
    raw.predictions.forEach((p, i) => {
      const decl = readPrediction(p, `${where}[${i}]`);
      if (ids.has(decl.id)) throw inputError(`${where}[${i}]: the id '${decl.id}' is used twice.`);
      ids.add(decl.id);
      predictions.push(decl);
    });
  }
  return { observables, matrices, predictions };
}

function readPrediction(p: unknown, where: string): PredictionDecl {
  const example = '{"id": "t-half", "claim": "…", "source": {"paper": "…", "where": "Eq. 10", "status": "verified"}, "measure": {"event_time": "half"}, "predicted": "log(1/eps)", "tolerance": {"rel": 0.05}}';
  if (!isObject(p)) throw inputError(`${where} must be an object like ${example}.`);
  keys(p, ['id', 'claim', 'source', 'measure', 'predicted', 'tolerance', 'compare', 'set', 'solver'], where);
  const id = str(p.id, `${where}.id`);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(id)) throw inputError(`${where}.id '${id}' must be letters, digits, '_', '.' or '-'.`);
  const claim = str(p.claim, `${where}.claim`);
  if (!isObject(p.source)) throw inputError(`${where}.source must be {"paper": "…", "where": "Theorem 2", "status": "verified" or "reconstructed"}.`);
  keys(p.source, ['paper', 'where', 'status'], `${where}.source`);
  const status = p.source.status as unknown;
  if (status !== 'verified' && status !== 'reconstructed') throw inputError(`${where}.source.status must be "verified" (the paper states and proves it) or "reconstructed" (derived here from the paper).`);
  const source = { status: status as 'verified' | 'reconstructed', paper: str(p.source.paper, `${where}.source.paper`), where: p.source.where === undefined ? '' : str(p.source.where, `${where}.source.where`) };
  const measure = readMeasure(p.measure, `${where}.measure`, true);
  const predicted = measure.kind === 'event_order' && p.predicted === undefined ? '1' : str(typeof p.predicted === 'number' ? String(p.predicted) : p.predicted, `${where}.predicted`);
  const tolerance = readTolerance(p.tolerance, `${where}.tolerance`, measure);
  const compare = p.compare === undefined ? 'equal' : p.compare;
  if (compare !== 'equal' && compare !== 'at_most' && compare !== 'at_least') throw inputError(`${where}.compare must be "equal", "at_most" or "at_least".`);
  const set: Array<[string, number | string]> = [];
  if (p.set !== undefined) {
    if (!isObject(p.set)) throw inputError(`${where}.set must map parameters to values, e.g. {"eps": 1e-4, "start": "aligned"}.`);
    for (const [k, v] of Object.entries(p.set)) set.push([k, typeof v === 'string' ? v : finite(v, `${where}.set.${k}`)]);
  }
  const solver: { method?: string; rtol?: number; atol?: number } = {};
  if (p.solver !== undefined) {
    if (!isObject(p.solver)) throw inputError(`${where}.solver must be {"method", "rtol", "atol"} (any of them).`);
    keys(p.solver, ['method', 'rtol', 'atol'], `${where}.solver`);
    if (p.solver.method !== undefined) {
      const method = str(p.solver.method, `${where}.solver.method`);
      if (!(METHOD_NAMES as readonly string[]).includes(method)) throw inputError(`${where}.solver.method '${method}' is not a method. Methods: ${METHOD_NAMES.join(', ')}.`);
      solver.method = method;
    }
    for (const k of ['rtol', 'atol'] as const) {
      if (p.solver[k] === undefined) continue;
      const x = finite(p.solver[k], `${where}.solver.${k}`);
      if (!(x > 0 && (k === 'atol' || x < 1))) throw inputError(`${where}.solver.${k} must be ${k === 'rtol' ? 'in (0, 1)' : '> 0'} (got ${x}).`);
      solver[k] = x;
    }
  }
  return { id, claim, source, measure, predicted, tolerance, compare, set, solver };
}

function readTolerance(v: unknown, where: string, m: Measure): Tolerance {
  if (v === undefined && (m.kind === 'event_order' || m.kind === 'transitions')) return { kind: 'abs', value: 0 };
  if (!isObject(v) || Object.keys(v).length !== 1) throw inputError(`${where} must be one of {"rel": r}, {"abs": a} or {"factor": f}.`);
  const [kind, value] = Object.entries(v)[0];
  if (kind !== 'rel' && kind !== 'abs' && kind !== 'factor') throw inputError(`${where} must be one of {"rel": r}, {"abs": a} or {"factor": f} (got '${kind}').`);
  const x = finite(value, `${where}.${kind}`);
  if (kind === 'factor' ? !(x >= 1) : !(x >= 0)) throw inputError(`${where}.${kind} must be ${kind === 'factor' ? '≥ 1' : '≥ 0'} (got ${x}).`);
  return { kind, value: x };
}

function readMeasure(v: unknown, where: string, allowScaling: boolean): Measure {
  const forms = '{"event_time": E}, {"event_ratio": [E1, E2]}, {"event_order": [E1, …]}, {"transitions": true}, {"value": X, "at": T|"end"|"all"}, {"value": X, "at_event": E}, {"slope": X, "window": [t1, t2]} or {"scaling": {"param", "values", "of"}}';
  if (!isObject(v)) throw inputError(`${where} must be one of ${forms}.`);
  const name = (x: unknown, w: string): string => {
    const s = str(x, w);
    if (!/^[A-Za-z][A-Za-z0-9_.:' -]*$/.test(s)) throw inputError(`${w}: '${s}' is not an event or series name.`);
    return s;
  };
  if (v.event_time !== undefined) { keys(v, ['event_time'], where); return { kind: 'event_time', event: name(v.event_time, `${where}.event_time`) }; }
  if (v.event_ratio !== undefined) {
    keys(v, ['event_ratio'], where);
    if (!Array.isArray(v.event_ratio) || v.event_ratio.length !== 2) throw inputError(`${where}.event_ratio must name two events [E1, E2] (measured: t(E1)/t(E2)).`);
    return { kind: 'event_ratio', events: [name(v.event_ratio[0], `${where}.event_ratio[0]`), name(v.event_ratio[1], `${where}.event_ratio[1]`)] };
  }
  if (v.event_order !== undefined) {
    keys(v, ['event_order'], where);
    if (!Array.isArray(v.event_order) || v.event_order.length < 2) throw inputError(`${where}.event_order must list two or more events.`);
    return { kind: 'event_order', events: v.event_order.map((e, i) => name(e, `${where}.event_order[${i}]`)) };
  }
  if (v.transitions !== undefined) {
    keys(v, ['transitions'], where);
    if (v.transitions !== true) throw inputError(`${where}.transitions must be true.`);
    return { kind: 'transitions' };
  }
  if (v.value !== undefined) {
    keys(v, ['value', 'at', 'at_event'], where);
    const series = name(v.value, `${where}.value`);
    if (v.at_event !== undefined) {
      if (v.at !== undefined) throw inputError(`${where}: give "at" or "at_event", not both.`);
      return { kind: 'value', series, at: { event: name(v.at_event, `${where}.at_event`) } };
    }
    if (v.at === 'end' || v.at === 'all') return { kind: 'value', series, at: v.at };
    if (typeof v.at === 'number' && Number.isFinite(v.at)) return { kind: 'value', series, at: v.at };
    throw inputError(`${where}.at must be a time (one of the save times), "end" or "all"; or give "at_event": E.`);
  }
  if (v.slope !== undefined) {
    keys(v, ['slope', 'window'], where);
    if (!Array.isArray(v.window) || v.window.length !== 2) throw inputError(`${where}.window must be [t1, t2] with 0 < t1 < t2.`);
    const t1 = finite(v.window[0], `${where}.window[0]`);
    const t2 = finite(v.window[1], `${where}.window[1]`);
    if (!(t1 > 0 && t2 > t1)) throw inputError(`${where}.window must be [t1, t2] with 0 < t1 < t2 (got [${t1}, ${t2}]).`);
    return { kind: 'slope', series: name(v.slope, `${where}.slope`), window: [t1, t2] };
  }
  if (v.scaling !== undefined) {
    keys(v, ['scaling'], where);
    if (!allowScaling) throw inputError(`${where}: a scaling measure cannot be nested in another.`);
    const s = v.scaling;
    if (!isObject(s)) throw inputError(`${where}.scaling must be {"param": P, "values": [v1, v2, …], "of": MEASURE}.`);
    keys(s, ['param', 'values', 'of'], `${where}.scaling`);
    const param = str(s.param, `${where}.scaling.param`);
    if (!Array.isArray(s.values) || s.values.length < 2 || s.values.length > MAX_SCALING_VALUES) throw inputError(`${where}.scaling.values must list 2 to ${MAX_SCALING_VALUES} positive numbers.`);
    const values = s.values.map((x, i) => finite(x, `${where}.scaling.values[${i}]`));
    if (values.some((x) => !(x > 0))) throw inputError(`${where}.scaling.values must be positive (a log–log slope is fitted).`);
    const of = readMeasure(s.of, `${where}.scaling.of`, false);
    if (of.kind === 'event_order' || (of.kind === 'value' && of.at === 'all')) throw inputError(`${where}.scaling.of must be a number per run: an event time or ratio, transitions, a value at a time, end or event, or a slope.`);
    return { kind: 'scaling', param, values, of };
  }
  throw inputError(`${where} must be one of ${forms}.`);
}
