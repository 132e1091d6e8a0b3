/**
 * The JSON model file, validated. Two forms:
 *   gradient flow:  {"name", "state": {θ: θ0}, "params": {p: v}, "loss": "…", "t_end", …}
 *   general ODE:    the same with "rhs": {x: "…"} (one expression per state variable) instead of "loss".
 * Optional: "description", "t0" (default 0), "save_at" (list of times, {"lin": [a, b, n]} or
 * {"geom": [t_first, t_end, n]}, which also keeps t0), "events" ([{"name", "when", "direction",
 * "terminal"}], `when` an expression that may use `t`, the state, the parameters and `loss`),
 * "solver" ({"method", "rtol", "atol", "max_steps", "kinks", "log_time"}), and, for the
 * gradient-flow form, "data" (the finite-sample form, see DataDecl).
 * Every unknown key is an error that lists the valid ones.
 */
import { inputError, fmt } from '../util/errors.js';
import { geomspace, linspace } from '../util/grid.js';
import { MAX_GRID_POINTS } from '../util/limits.js';
import { isReservedName } from '../expr/index.js';
import { isArrayFile, readArrayPart, readSamples, type ArrayPart } from './array-spec.js';
import { readClaims, type ClaimsDecl } from './claims-spec.js';

export interface EventDecl {
  readonly name: string;
  readonly when: string;
  readonly direction: -1 | 0 | 1;
  readonly terminal: boolean;
}

export interface SolverDecl {
  readonly method?: string;
  readonly rtol?: number;
  readonly atol?: number;
  readonly maxSteps?: number;
  /** 'smooth-through' | 'exact' | 'filippov' (validated by the solver). */
  readonly kinks?: string;
  /** Integrate in s = log(1 + t − t0) (for long horizons). */
  readonly logTime?: boolean;
}

/** A random variable of one example: normal(mean, sd), uniform(lo, hi) or a fair sign ±1. */
export type Draw =
  | { readonly kind: 'normal'; readonly mean: number; readonly sd: number }
  | { readonly kind: 'uniform'; readonly lo: number; readonly hi: number }
  | { readonly kind: 'sign' };

/**
 * The finite-sample form of a gradient-flow model file:
 *   "data": {"draw": {"x": {"normal": [0, 1]}, "e": {"normal": [0, 0.1]}, "s": "sign"},
 *            "let": {"y": "a*x + e"}, "loss": "(y - w*x)^2/2"}
 * Each example draws the `draw` variables independently, in declaration order; `let` defines
 * further data variables from them and the parameters (each may use the ones before it); `loss`
 * is the loss of one example. Training then minimises the mean of it over a batch, while the flow
 * is the file's (population) `loss`, which should be its expectation: `gradflow compare` shows how
 * far apart they are.
 */
export interface DataDecl {
  readonly draw: ReadonlyArray<readonly [string, Draw]>;
  readonly let: ReadonlyArray<readonly [string, string]>;
  readonly loss: string;
}

export interface ModelSpec {
  readonly name: string;
  readonly description: string;
  /**
   * State variables in declaration order with their initial values: a number, or an expression
   * of the parameters (`"u": "0.3*eps"`), which follows the parameters when they are set.
   */
  readonly state: ReadonlyArray<readonly [string, number | string]>;
  /**
   * Named definitions (`"let": {"r": "u*v - y"}`), in order; each may use the state, the
   * parameters, `t` and the definitions before it, and the loss, rhs and events may use them all.
   */
  readonly lets: ReadonlyArray<readonly [string, string]>;
  readonly params: ReadonlyArray<readonly [string, number]>;
  readonly loss: string | null;
  /** For the general-ODE form: one expression per state variable, in state order. */
  readonly rhs: readonly string[] | null;
  readonly t0: number;
  readonly tEnd: number;
  readonly saveAt: Float64Array;
  readonly events: readonly EventDecl[];
  readonly solver: SolverDecl;
  /** The finite-sample form (gradient flows only); null without a "data" block. */
  readonly data: DataDecl | null;
  /**
   * An array file (array-spec.ts): its state blocks and data arrays. Then `state` is empty: the
   * blocks, scalars included, are in `array.blocks`.
   */
  readonly array?: ArrayPart;
  /** Observables, tracked matrices and predictions the file declares (claims-spec.ts). */
  readonly claims: ClaimsDecl;
  /** The file it was read from and the SHA-256 of its bytes (absent for a spec built in memory). */
  readonly file?: { readonly path: string; readonly sha256: string };
}

const KEYS = ['name', 'description', 'state', 'arrays', 'params', 'let', 'loss', 'rhs', 't0', 't_end', 'save_at', 'events', 'solver', 'data', 'observables', 'matrices', 'predictions', 'starts', 'gaussian', 'discrete'] as const;
const DATA_KEYS = ['draw', 'let', 'loss'] as const;
const EVENT_KEYS = ['name', 'when', 'direction', 'terminal'] as const;
const SOLVER_KEYS = ['method', 'rtol', 'atol', 'max_steps', 'kinks', 'log_time'] as const;
const MAX_GRID = MAX_GRID_POINTS; // save points of every save_at form (src/util/limits.ts)
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(obj: Json, valid: readonly string[], where: string): void {
  for (const k of Object.keys(obj)) {
    if (!valid.includes(k)) throw inputError(`${where}: unknown key '${k}'. Valid keys: ${valid.join(', ')}.`);
  }
}

function finite(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    // JSON numbers beyond ±1.8e308 parse to ±Infinity, which JSON.stringify would print as null
    const got = v === undefined ? 'nothing' : typeof v === 'number' ? (Number.isNaN(v) ? 'NaN' : `${v > 0 ? '' : '−'}a number beyond ±1.8e308, the float64 range`) : JSON.stringify(v);
    throw inputError(`${where} must be a finite number (got ${got}).`);
  }
  return v;
}

function checkName(name: string, where: string): void {
  if (!NAME.test(name)) throw inputError(`${where}: '${name}' is not a valid name (a letter, then letters, digits or _).`);
  if (isReservedName(name)) throw inputError(`${where}: '${name}' is reserved (a function, a constant, t or loss); choose another name.`);
}

/** The state: names with a number or an expression (of the parameters) as initial value. */
function stateTable(v: unknown, where: string): Array<[string, number | string]> {
  if (!isObject(v)) throw inputError(`${where} must be an object mapping names to initial values, e.g. {"u": 0.1, "v": "0.3*eps"}.`);
  const entries = Object.entries(v).map(([k, x]): [string, number | string] => {
    checkName(k, where);
    // "NaN" and "Infinity" are no formulas: they get the finite-number message
    if (typeof x === 'string' && x.trim() !== '' && !/^[-+]?(nan|inf(inity)?)$/i.test(x.trim())) return [k, x];
    return [k, finite(x, `${where}.${k}`)];
  });
  if (entries.length === 0) throw inputError(`${where} is empty: declare at least one state variable.`);
  return entries;
}

function numberTable(v: unknown, where: string, allowEmpty: boolean): Array<[string, number]> {
  if (v === undefined && allowEmpty) return [];
  if (!isObject(v)) throw inputError(`${where} must be an object mapping names to numbers, e.g. {"u": 0.1}.`);
  const entries = Object.entries(v).map(([k, x]): [string, number] => {
    checkName(k, where);
    return [k, finite(x, `${where}.${k}`)];
  });
  if (!allowEmpty && entries.length === 0) throw inputError(`${where} is empty: declare at least one state variable.`);
  return entries;
}

/** Validates a parsed JSON value as a model file. `source` names the file in messages. */
export function readModelSpec(raw: unknown, source: string): ModelSpec {
  if (!isObject(raw)) throw inputError(`${source}: a model file is a JSON object.`);
  checkKeys(raw, KEYS, source);
  const name = raw.name === undefined ? source : raw.name;
  if (typeof name !== 'string' || name.trim() === '') throw inputError(`${source}: 'name' must be a non-empty string.`);
  const description = raw.description === undefined ? '' : raw.description;
  if (typeof description !== 'string') throw inputError(`${source}: 'description' must be a string.`);

  let array = isArrayFile(raw) ? readArrayPart(raw, source, checkName) : undefined;
  const state = array ? [] : stateTable(raw.state, `${source}: state`);
  const params = numberTable(raw.params, `${source}: params`, true);
  const declared = [...state.map(([k]) => k), ...(array?.blocks.map((b) => b.name) ?? []), ...(array?.arrays.map((a) => a.name) ?? []), ...(array?.gaussians.map(([g]) => g) ?? []), ...(array?.discrete.map((v) => v.name) ?? [])];
  const clash = params.find(([p]) => declared.includes(p)) ?? (new Set(declared).size < declared.length ? [declared.find((k, i) => declared.indexOf(k) !== i)!] : undefined);
  if (clash) throw inputError(`${source}: '${clash[0]}' is declared twice (as a state variable, an array or a parameter).`);
  if (!array && raw.discrete !== undefined) throw inputError(`${source}: 'discrete' (finite laws for expect(…)) is for array files: declare the weights as blocks with a "shape".`);
  if (!array && raw.gaussian !== undefined) throw inputError(`${source}: 'gaussian' (random vectors for expect(…)) is for array files: declare the weights as blocks with a "shape".`);
  if (!array && raw.starts !== undefined) throw inputError(`${source}: 'starts' (named initial laws of state blocks) is for array files.`);
  if (array && raw.rhs !== undefined) throw inputError(`${source}: array files define a gradient flow by its 'loss'; 'rhs' is for scalar files.`);

  let loss: string | null = null;
  let rhs: string[] | null = null;
  if (raw.loss !== undefined && raw.rhs !== undefined) throw inputError(`${source}: give either 'loss' (a gradient flow) or 'rhs' (a general ODE), not both.`);
  if (raw.loss !== undefined) {
    if (typeof raw.loss !== 'string') throw inputError(`${source}: 'loss' must be an expression string.`);
    loss = raw.loss;
  } else if (raw.rhs !== undefined) {
    if (!isObject(raw.rhs)) throw inputError(`${source}: 'rhs' must be an object with one expression per state variable.`);
    const r = raw.rhs;
    checkKeys(r, state.map(([s]) => s), `${source}: rhs`);
    rhs = state.map(([s]) => {
      const e = r[s];
      if (typeof e !== 'string') throw inputError(`${source}: rhs.${s} is missing (every state variable needs an expression).`);
      return e;
    });
  } else {
    throw inputError(`${source}: give a 'loss' expression (gradient flow) or an 'rhs' object (general ODE).`);
  }

  const t0 = raw.t0 === undefined ? 0 : finite(raw.t0, `${source}: t0`);
  const tEnd = finite(raw.t_end, `${source}: t_end`);
  if (!(tEnd > t0)) throw inputError(`${source}: t_end (${fmt(tEnd)}) must be greater than t0 (${fmt(t0)}).`);
  const saveAt = readSaveAt(raw.save_at, t0, tEnd, source);
  const events = readEvents(raw.events, source);
  const solver = readSolver(raw.solver, source);
  if (raw.data !== undefined && rhs !== null) throw inputError(`${source}: 'data' (a finite-sample form) needs the gradient-flow form: a 'loss', not an 'rhs'.`);
  const taken = new Set([...declared, ...params.map(([k]) => k)]);
  const lets = readLets(raw.let, taken, source);
  const data = raw.data === undefined || array ? null : readData(raw.data, taken, source);
  if (array && raw.data !== undefined) array = { ...array, samples: readSamples(raw.data, array, source) };
  const claims = readClaims(raw, source, new Set([...taken, ...lets.map(([k]) => k)]));
  return { name, description, state, params, lets, loss, rhs, t0, tEnd, saveAt, events, solver, data, claims, ...(array ? { array } : {}) };
}

function readLets(v: unknown, taken: Set<string>, source: string): Array<[string, string]> {
  if (v === undefined) return [];
  const where = `${source}: let`;
  if (!isObject(v)) throw inputError(`${where} must map names to expressions, e.g. {"r": "u*v - y"}.`);
  return Object.entries(v).map(([name, text]): [string, string] => {
    checkName(name, where);
    if (taken.has(name)) throw inputError(`${where}: '${name}' is already a state variable or a parameter.`);
    taken.add(name);
    if (typeof text !== 'string') throw inputError(`${where}.${name} must be an expression string.`);
    return [name, text];
  });
}

function readData(v: unknown, taken: Set<string>, source: string): DataDecl {
  const where = `${source}: data`;
  const example = '{"draw": {"x": {"normal": [0, 1]}}, "let": {"y": "2*x"}, "loss": "(y - w*x)^2/2"}';
  if (!isObject(v)) throw inputError(`${where} must be an object like ${example}.`);
  checkKeys(v, DATA_KEYS, where);
  const fresh = (name: string, w: string): void => {
    checkName(name, w);
    if (taken.has(name)) throw inputError(`${w}: '${name}' is already a state variable, a parameter or a data variable.`);
    taken.add(name);
  };
  if (!isObject(v.draw) || Object.keys(v.draw).length === 0) throw inputError(`${where}.draw must name at least one random variable, e.g. {"x": {"normal": [0, 1]}}.`);
  const draw = Object.entries(v.draw).map(([name, d]): [string, Draw] => {
    const w = `${where}.draw.${name}`;
    fresh(name, `${where}.draw`);
    if (d === 'sign') return [name, { kind: 'sign' }];
    const kinds = '{"normal": [mean, sd]}, {"uniform": [lo, hi]} or "sign"';
    if (!isObject(d) || Object.keys(d).length !== 1) throw inputError(`${w} must be ${kinds}.`);
    const [kind, args] = Object.entries(d)[0];
    if ((kind !== 'normal' && kind !== 'uniform') || !Array.isArray(args) || args.length !== 2) throw inputError(`${w} must be ${kinds} (got ${JSON.stringify(d)}).`);
    const a = finite(args[0], `${w}.${kind}[0]`);
    const b = finite(args[1], `${w}.${kind}[1]`);
    if (kind === 'normal') {
      if (!(b >= 0)) throw inputError(`${w}: the standard deviation must be ≥ 0 (got ${fmt(b)}).`);
      return [name, { kind, mean: a, sd: b }];
    }
    if (!(b > a)) throw inputError(`${w}: uniform [lo, hi] needs hi > lo (got [${fmt(a)}, ${fmt(b)}]).`);
    return [name, { kind, lo: a, hi: b }];
  });
  const lets: Array<[string, string]> = [];
  if (v.let !== undefined) {
    if (!isObject(v.let)) throw inputError(`${where}.let must map names to expressions, e.g. {"y": "2*x + e"}.`);
    for (const [name, text] of Object.entries(v.let)) {
      fresh(name, `${where}.let`);
      if (typeof text !== 'string') throw inputError(`${where}.let.${name} must be an expression string.`);
      lets.push([name, text]);
    }
  }
  if (typeof v.loss !== 'string') throw inputError(`${where}.loss must be the loss of one example, an expression string (e.g. "(y - w*x)^2/2").`);
  return { draw, let: lets, loss: v.loss };
}

function readSaveAt(v: unknown, t0: number, tEnd: number, source: string): Float64Array {
  const where = `${source}: save_at`;
  if (v === undefined) return linspace(t0, tEnd, 101);
  if (Array.isArray(v)) {
    if (v.length === 0) throw inputError(`${where} is empty: list at least one time.`);
    // each time is one stored state: the same cap as the grid forms, before anything is converted
    if (v.length > MAX_GRID) throw inputError(`${where} lists ${v.length} times, above the limit of ${MAX_GRID} (each save time is one stored state); save fewer times, e.g. {"geom": [t_first, t_end, n]} with n ≤ ${MAX_GRID}.`);
    const ts = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) ts[i] = finite(v[i], `${where}[${i}]`);
    for (let i = 0; i < ts.length; i++) {
      if (ts[i] < t0 || ts[i] > tEnd) throw inputError(`${where}[${i}] = ${fmt(ts[i])} lies outside [t0, t_end] = [${fmt(t0)}, ${fmt(tEnd)}].`);
      if (i > 0 && !(ts[i] > ts[i - 1])) throw inputError(`${where} must be strictly increasing (entry ${i}: ${fmt(ts[i])} after ${fmt(ts[i - 1])}).`);
    }
    return ts;
  }
  if (!isObject(v)) throw inputError(`${where} must be a list of times, {"lin": [a, b, n]} or {"geom": [t_first, t_end, n]}.`);
  checkKeys(v, ['lin', 'geom'], where);
  const kind = Object.keys(v)[0] as 'lin' | 'geom' | undefined;
  if (!kind || Object.keys(v).length !== 1) throw inputError(`${where} needs exactly one of 'lin' or 'geom'.`);
  const triple = v[kind];
  if (!Array.isArray(triple) || triple.length !== 3) throw inputError(`${where}.${kind} must be [start, end, n].`);
  const a = finite(triple[0], `${where}.${kind}[0]`);
  const b = finite(triple[1], `${where}.${kind}[1]`);
  const n = finite(triple[2], `${where}.${kind}[2]`);
  if (!Number.isInteger(n) || n < 2 || n > MAX_GRID) throw inputError(`${where}.${kind}: n must be an integer from 2 to ${MAX_GRID} (got ${n}).`);
  if (!(b > a)) throw inputError(`${where}.${kind}: the end (${fmt(b)}) must be greater than the start (${fmt(a)}).`);
  if (a < t0 || b > tEnd) throw inputError(`${where}.${kind}: [${fmt(a)}, ${fmt(b)}] must lie inside [t0, t_end] = [${fmt(t0)}, ${fmt(tEnd)}].`);
  if (kind === 'lin') return linspace(a, b, n);
  if (!(a > 0)) throw inputError(`${where}.geom: the first time must be > 0 for a geometric grid (got ${fmt(a)}).`);
  const g = geomspace(a, b, n);
  if (a === t0) return g;
  const withStart = new Float64Array(n + 1);
  withStart[0] = t0; // keep the initial state in the output
  withStart.set(g, 1);
  return withStart;
}

function readEvents(v: unknown, source: string): EventDecl[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw inputError(`${source}: 'events' must be a list of {"name", "when", "direction", "terminal"}.`);
  const seen = new Set<string>();
  return v.map((e, i) => {
    const where = `${source}: events[${i}]`;
    if (!isObject(e)) throw inputError(`${where} must be an object {"name", "when", "direction", "terminal"}.`);
    checkKeys(e, EVENT_KEYS, where);
    if (typeof e.name !== 'string' || e.name === '') throw inputError(`${where}.name must be a non-empty string.`);
    if (seen.has(e.name)) throw inputError(`${where}: the event name '${e.name}' is used twice.`);
    seen.add(e.name);
    if (typeof e.when !== 'string') throw inputError(`${where}.when must be an expression string; the event fires where it crosses zero.`);
    const dirs: Record<string, -1 | 0 | 1> = { rising: 1, falling: -1, both: 0 };
    const d = e.direction === undefined ? 'both' : e.direction;
    if (typeof d !== 'string' || !Object.hasOwn(dirs, d)) throw inputError(`${where}.direction must be "rising", "falling" or "both".`);
    if (e.terminal !== undefined && typeof e.terminal !== 'boolean') throw inputError(`${where}.terminal must be true or false.`);
    return { name: e.name, when: e.when, direction: dirs[d], terminal: e.terminal === true };
  });
}

function readSolver(v: unknown, source: string): SolverDecl {
  if (v === undefined) return {};
  if (!isObject(v)) throw inputError(`${source}: 'solver' must be an object with keys ${SOLVER_KEYS.join(', ')}.`);
  checkKeys(v, SOLVER_KEYS, `${source}: solver`);
  const out: { method?: string; rtol?: number; atol?: number; maxSteps?: number; kinks?: string; logTime?: boolean } = {};
  if (v.method !== undefined) {
    if (typeof v.method !== 'string') throw inputError(`${source}: solver.method must be a string.`);
    out.method = v.method;
  }
  if (v.rtol !== undefined) out.rtol = finite(v.rtol, `${source}: solver.rtol`);
  if (v.atol !== undefined) out.atol = finite(v.atol, `${source}: solver.atol`);
  if (v.max_steps !== undefined) out.maxSteps = finite(v.max_steps, `${source}: solver.max_steps`);
  if (v.kinks !== undefined) {
    if (typeof v.kinks !== 'string') throw inputError(`${source}: solver.kinks must be "smooth-through", "exact" or "filippov".`);
    out.kinks = v.kinks;
  }
  if (v.log_time !== undefined) {
    if (typeof v.log_time !== 'boolean') throw inputError(`${source}: solver.log_time must be true or false.`);
    out.logTime = v.log_time;
  }
  return out;
}
