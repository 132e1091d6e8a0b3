/**
 * Initial laws of array-valued state blocks, the `init` of
 *   "state": {"W1": {"shape": ["h", "d"], "init": {"normal": {"sd": "eps/sqrt(d)"}}}}
 * validated from JSON ({@link readInitLaw}) and drawn as a float64 array of the block's shape in
 * row-major order ({@link drawInit}). The laws:
 *   "zeros"                               all 0
 *   "identity" or {"identity": s}         s·I (s defaults to 1); square matrices only
 *   {"normal": {"mean": m, "sd": s}}      iid normal(m, s); m defaults to 0
 *   {"uniform": {"lo": a, "hi": b}}       iid uniform on [a, b); b > a
 *   "orthogonal" or {"orthogonal": s}     s × orthonormal rows or columns (whichever are fewer),
 *                                         as torch.nn.init.orthogonal_; matrices only
 *   {"constant": v}                       a number that fills the block, or nested lists of
 *                                         exactly the block's shape
 *   {"file": "path"}                      a .npy, .json or .csv array of exactly the block's shape,
 *                                         the path relative to the caller's base folder
 *   {"value": "sqrt(u0) * U"}             an array expression of the parameters and data (array files)
 * Every scalar (s, m, a, b) is a number or an expression of the parameters: it is kept as written
 * and evaluated when the law is drawn (by the caller's `evalScalar`), so it follows the parameters.
 * Random laws draw from the caller's Rng in row-major order: the same seed gives the same bits.
 */
import { resolve } from 'node:path';
import { checkShape, readArrayFile, type ArrayData } from '../io/arrays.js';
import { fmt, inputError } from '../util/errors.js';
import { checkAllocation, FLOAT64 } from '../util/limits.js';
import type { Rng } from '../util/rng.js';

/** A number, or an expression of the parameters evaluated when the law is drawn. */
export type Scalar = number | string;

export type InitLaw =
  | { readonly kind: 'zeros' }
  | { readonly kind: 'identity'; readonly scale: Scalar }
  | { readonly kind: 'normal'; readonly mean: Scalar; readonly sd: Scalar }
  | { readonly kind: 'uniform'; readonly lo: Scalar; readonly hi: Scalar }
  | { readonly kind: 'orthogonal'; readonly scale: Scalar }
  /** A number fills the block; an array must have the block's shape. */
  | { readonly kind: 'constant'; readonly value: number | ArrayData }
  /** As written: relative to InitContext.baseDir unless absolute. */
  | { readonly kind: 'file'; readonly path: string }
  /** An array expression of the parameters, sizes and data arrays (array files: InitContext.evalArray). */
  | { readonly kind: 'value'; readonly text: string };

export interface InitContext {
  readonly rng: Rng;
  /** Parses and evaluates an expression of the parameters; `where` names it in messages. */
  readonly evalScalar: (text: string, where: string) => number;
  /** The folder `file` paths are relative to (the model file's). */
  readonly baseDir: string;
  /** Evaluates an array expression of the parameters and data (array files only). */
  readonly evalArray?: (text: string, where: string) => ArrayData;
}

const FORMS = '"zeros", "identity", {"identity": scale}, {"normal": {"mean": m, "sd": s}}, {"uniform": {"lo": a, "hi": b}}, "orthogonal", {"orthogonal": scale}, {"constant": number or nested list}, {"file": "path.npy|.json|.csv"}, {"value": "array expression"}';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON value for messages, cut short. */
function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  // JSON numbers beyond ±1.8e308 parse to ±Infinity, which JSON.stringify would print as null
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : 'a number beyond ±1.8e308, the float64 range';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

function scalar(v: unknown, where: string): Scalar {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  // "NaN" and "Infinity" are no formulas: they get the finite-number message
  if (typeof v === 'string' && v.trim() !== '' && !/^[-+]?(nan|inf(inity)?)$/i.test(v.trim())) return v;
  throw inputError(`${where} must be a finite number or an expression of the parameters (got ${show(v)}).`);
}

/** The argument object of a law: only `valid` keys, all `required` ones present. */
function lawArgs(v: unknown, valid: readonly string[], required: readonly string[], where: string, example: string): Json {
  if (!isObject(v)) throw inputError(`${where} must be an object like ${example} (got ${show(v)}).`);
  for (const k of Object.keys(v)) {
    if (!valid.includes(k)) throw inputError(`${where}: unknown key '${k}'. Valid keys: ${valid.join(', ')}.`);
  }
  for (const k of required) {
    if (v[k] === undefined) throw inputError(`${where}.${k} is missing, e.g. ${example}.`);
  }
  return v;
}

/** Validates the JSON of an initial law; `where` (e.g. "model.json: state.W1.init") names it in messages. */
export function readInitLaw(raw: unknown, where: string): InitLaw {
  if (raw === 'zeros') return { kind: 'zeros' };
  if (raw === 'identity' || raw === 'orthogonal') return { kind: raw, scale: 1 };
  if (!isObject(raw) || Object.keys(raw).length !== 1) throw inputError(`${where} must be one initial law (got ${show(raw)}). Valid forms: ${FORMS}.`);
  const [name, arg] = Object.entries(raw)[0];
  const w = `${where}.${name}`;
  switch (name) {
    case 'identity':
    case 'orthogonal':
      return { kind: name, scale: scalar(arg, w) };
    case 'normal': {
      const o = lawArgs(arg, ['mean', 'sd'], ['sd'], w, '{"normal": {"mean": 0, "sd": 0.01}}');
      return { kind: 'normal', mean: o.mean === undefined ? 0 : scalar(o.mean, `${w}.mean`), sd: scalar(o.sd, `${w}.sd`) };
    }
    case 'uniform': {
      const o = lawArgs(arg, ['lo', 'hi'], ['lo', 'hi'], w, '{"uniform": {"lo": -0.1, "hi": 0.1}}');
      return { kind: 'uniform', lo: scalar(o.lo, `${w}.lo`), hi: scalar(o.hi, `${w}.hi`) };
    }
    case 'constant':
      if (typeof arg === 'number' && Number.isFinite(arg)) return { kind: 'constant', value: arg };
      if (Array.isArray(arg)) return { kind: 'constant', value: nestedList(arg, w) };
      throw inputError(`${w} must be a finite number or nested lists of numbers (got ${show(arg)}).`);
    case 'file':
      if (typeof arg !== 'string' || arg.trim() === '') throw inputError(`${w} must be the path of a .npy, .json or .csv file (got ${show(arg)}).`);
      return { kind: 'file', path: arg };
    case 'value':
      if (typeof arg !== 'string' || arg.trim() === '') throw inputError(`${w} must be an array expression of the parameters and data, e.g. "sqrt(u0) * U" (got ${show(arg)}).`);
      return { kind: 'value', text: arg };
    default:
      throw inputError(`${where}: unknown law '${name}'. Valid forms: ${FORMS}.`);
  }
}

/** Rectangular nested lists of finite numbers as a row-major array (the shape from the first entries). */
function nestedList(raw: unknown[], where: string): ArrayData {
  const shape: number[] = [];
  for (let v: unknown = raw; Array.isArray(v); v = v[0]) shape.push(v.length);
  const values: number[] = [];
  // iterative walk in row-major order: no recursion, whatever the depth
  const stack: { v: unknown; at: number[] }[] = [{ v: raw, at: [] }];
  while (stack.length > 0) {
    const { v, at } = stack.pop()!;
    const depth = at.length;
    if (depth === shape.length) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw inputError(`${where}: the entry at [${at.join(', ')}] is ${show(v)}, not a finite number.`);
      values.push(v);
      continue;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      const got = Array.isArray(v) ? `the list at [${at.join(', ')}] has ${v.length} entries` : `the entry at [${at.join(', ')}] is ${show(v)}, not a list`;
      throw inputError(`${where}: ${got}, expected ${shape[depth]} entries: the lists are not rectangular.`);
    }
    for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], at: [...at, i] });
  }
  return { shape, data: Float64Array.from(values) };
}

/** A scalar's value: the number, or its expression evaluated; finite or an input error naming `where`. */
function evaluate(s: Scalar, ctx: InitContext, where: string): number {
  const x = typeof s === 'number' ? s : ctx.evalScalar(s, where);
  if (!Number.isFinite(x)) throw inputError(`${where} = ${typeof s === 'number' ? fmt(s) : `'${s}'`} evaluates to ${fmt(x)}; it must be a finite number.`);
  return x;
}

/**
 * Draws the initial value of a block of `shape` (non-negative integers) from `law`: a fresh
 * row-major array. Random laws use `ctx.rng` in row-major order.
 */
export function drawInit(law: InitLaw, shape: readonly number[], ctx: InitContext, where: string): Float64Array {
  const shown = `[${shape.join(', ')}]`;
  if (!shape.every((n) => Number.isSafeInteger(n) && n >= 0)) throw inputError(`${where}: shape ${shown} must list non-negative integers.`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(size)) throw inputError(`${where}: shape ${shown} is too large.`);
  // before any allocation; orthogonal works on a second array of the same size
  checkAllocation(`${where}: an array of shape ${shown}`, size * FLOAT64 * (law.kind === 'orthogonal' ? 2 : 1), { of: 'initial values' });
  const num = (s: Scalar, key = ''): number => evaluate(s, ctx, `${where}.${law.kind}${key}`);
  const matrix = (square: boolean): [number, number] => {
    if (shape.length !== 2 || (square && shape[0] !== shape[1])) throw inputError(`${where}: '${law.kind}' needs a ${square ? 'square matrix' : 'matrix (a 2-D shape)'}; the block's shape is ${shown}.`);
    return [shape[0], shape[1]];
  };
  switch (law.kind) {
    case 'zeros':
      return new Float64Array(size);
    case 'identity': {
      const [n] = matrix(true);
      const s = num(law.scale);
      const out = new Float64Array(size);
      for (let i = 0; i < n; i++) out[i * n + i] = s;
      return out;
    }
    case 'normal': {
      const mean = num(law.mean, '.mean');
      const sd = num(law.sd, '.sd');
      if (!(sd >= 0)) throw inputError(`${where}.normal.sd must be ≥ 0 (got ${fmt(sd)}).`);
      const out = new Float64Array(size);
      for (let i = 0; i < size; i++) out[i] = mean + sd * ctx.rng.normal();
      return finiteDraws(out, where);
    }
    case 'uniform': {
      const lo = num(law.lo, '.lo');
      const hi = num(law.hi, '.hi');
      if (!(hi > lo)) throw inputError(`${where}.uniform needs hi > lo (got lo = ${fmt(lo)}, hi = ${fmt(hi)}).`);
      const out = new Float64Array(size);
      // [lo, hi); hi itself only by rounding of lo + (hi − lo)·u
      for (let i = 0; i < size; i++) out[i] = lo + (hi - lo) * ctx.rng.uniform();
      return finiteDraws(out, where);
    }
    case 'orthogonal': {
      const [rows, cols] = matrix(false);
      return orthogonal(rows, cols, num(law.scale), ctx.rng);
    }
    case 'constant': {
      if (typeof law.value === 'number') return new Float64Array(size).fill(law.value);
      checkShape(law.value.shape, shape, `${where}.constant`);
      return law.value.data.slice(); // the law's array stays unchanged whatever the caller does
    }
    case 'file':
      return readArrayFile(resolve(ctx.baseDir, law.path), { shape, what: `the initial value of ${where}` }).data;
    case 'value': {
      if (!ctx.evalArray) throw inputError(`${where}: {"value": …} needs an array file.`);
      const a = ctx.evalArray(law.text, where);
      checkShape(a.shape, shape, `${where} = "${law.text}"`);
      return Float64Array.from(a.data);
    }
  }
}

/** A scale near the float64 range can overflow: refuse ±Infinity rather than start a run with it. */
function finiteDraws(out: Float64Array, where: string): Float64Array {
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) throw inputError(`${where}: a draw is ${fmt(out[i])}; the law's parameters are too large for float64.`);
  }
  return out;
}

/**
 * scale × the Q of a QR factorisation of a Gaussian matrix, as torch.nn.init.orthogonal_: draw G
 * (rows × cols, row-major), then orthonormalise its rows if it is wide, its columns otherwise, by
 * Gram–Schmidt with every projection done twice ("twice is enough": orthogonal to rounding error
 * even for an ill-conditioned G). Gram–Schmidt's R has a positive diagonal, so Q equals torch's
 * Q·sign(diag R) and is a deterministic function of the draws.
 */
function orthogonal(rows: number, cols: number, scale: number, rng: Rng): Float64Array {
  const wide = rows < cols;
  const k = Math.min(rows, cols); // vectors to orthonormalise
  const m = Math.max(rows, cols); // their length
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal();
  // entry j of vector i is G[i][j] (wide: rows) or G[j][i] (columns); worked on contiguously in q
  const at = (i: number, j: number): number => (wide ? i * cols + j : j * cols + i);
  const q = new Float64Array(k * m);
  for (let i = 0; i < k; i++) for (let j = 0; j < m; j++) q[i * m + j] = out[at(i, j)];
  for (let i = 0; i < k; i++) {
    const vi = i * m;
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < i; p++) {
        const up = p * m;
        let d = 0;
        for (let j = 0; j < m; j++) d += q[up + j] * q[vi + j];
        for (let j = 0; j < m; j++) q[vi + j] -= d * q[up + j];
      }
    }
    let norm = 0;
    for (let j = 0; j < m; j++) norm += q[vi + j] * q[vi + j];
    norm = Math.sqrt(norm);
    for (let j = 0; j < m; j++) q[vi + j] /= norm;
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < m; j++) out[at(i, j)] = scale * q[i * m + j];
  return out;
}

/** Short text of a law for provenance and docs: "normal(0, eps/sqrt(d))", "orthogonal(1)". */
export function describeLaw(law: InitLaw): string {
  switch (law.kind) {
    case 'zeros': return 'zeros';
    case 'identity': return `identity(${law.scale})`;
    case 'normal': return `normal(${law.mean}, ${law.sd})`;
    case 'uniform': return `uniform(${law.lo}, ${law.hi})`;
    case 'orthogonal': return `orthogonal(${law.scale})`;
    case 'constant': return typeof law.value === 'number' ? `constant(${law.value})` : `constant([${law.value.shape.join(', ')}] list)`;
    case 'file': return `file(${law.path})`;
    case 'value': return law.text;
  }
}
