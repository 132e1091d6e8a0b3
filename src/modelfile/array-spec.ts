/**
 * The array part of a model file: state blocks with shapes and initial laws, and data arrays.
 *
 *   "arrays": {"X": {"file": "data/X.npy", "shape": ["n", "s", "d"]},   a .npy, .json or .csv file
 *              "v": {"value": [[1, 0], [0, 1]]}},                        or inline nested lists
 *   "state":  {"W": {"shape": ["d", "d"], "init": {"normal": {"sd": "eps"}}},  a block
 *              "c": 0.1, "u": "0.3*eps"}                                  a scalar, as in scalar files
 * A shape lists sizes: integers, or names — a parameter with a positive integer value, or a size
 * bound by the first array whose declared shape names it ("n" above is the number of rows of X).
 * Every bound size is also a number in the expressions (`mean(…)/n`).
 * A file is an array file as soon as it has "arrays" or one state entry with a "shape".
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseJsonArray, type ArrayData } from '../io/arrays.js';
import { fmt, inputError } from '../util/errors.js';
import { readInitLaw, type InitLaw } from './init-laws.js';

export type Size = number | string;

export interface BlockDecl {
  readonly name: string;
  /** [] for a scalar. */
  readonly shape: readonly Size[];
  /** A law for blocks; a number or a parameter expression for scalars. */
  readonly init: InitLaw | number | string;
}

export interface ArrayDecl {
  readonly name: string;
  /** An absolute path, or the values given inline. */
  readonly source: { readonly file: string } | { readonly value: ArrayData };
  /** The declared shape (null: whatever the file holds). */
  readonly shape: readonly Size[] | null;
}

export interface ArrayPart {
  readonly blocks: readonly BlockDecl[];
  readonly arrays: readonly ArrayDecl[];
  /**
   * The finite-sample form, `"data": {"samples": "n"}`: the size whose axis indexes the examples.
   * Every array declared with it as its first size is per-example; a minibatch of B examples is
   * the same loss with n = B and those arrays' rows drawn uniformly with replacement.
   */
  readonly samples?: string;
  /**
   * Named alternative starts, `"starts": {"aligned": {"W1": LAW, "W2": LAW}}`: chosen with the
   * parameter `start` (default "init", the blocks' own laws); blocks a start does not list keep theirs.
   */
  readonly starts: ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, InitLaw]>]>;
  /** Gaussian random vectors, `"gaussian": {"x": "d"}`: x ~ N(0, I_d), read only inside expect(…, x). */
  readonly gaussians: ReadonlyArray<readonly [string, Size]>;
  /**
   * Random variables of finite laws, `"discrete": {"s": {"values": [-1, 1], "probs": [0.5, 0.5]}}`:
   * values along the first axis (scalars or arrays), read only inside expect(…, s).
   */
  readonly discrete: ReadonlyArray<{ readonly name: string; readonly values: ArrayData; readonly probs: readonly number[] }>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True if the raw file uses the array form. */
export function isArrayFile(raw: Json): boolean {
  return raw.arrays !== undefined || (isObject(raw.state) && Object.values(raw.state).some(isObject));
}

export function readArrayPart(raw: Json, source: string, checkName: (name: string, where: string) => void): ArrayPart {
  const base = dirname(resolve(source));
  const arrays: ArrayDecl[] = [];
  if (raw.arrays !== undefined) {
    const where = `${source}: arrays`;
    if (!isObject(raw.arrays)) throw inputError(`${where} must map names to arrays, e.g. {"X": {"file": "X.npy", "shape": ["n", "d"]}}.`);
    for (const [name, v] of Object.entries(raw.arrays)) {
      checkName(name, where);
      const w = `${where}.${name}`;
      if (!isObject(v)) throw inputError(`${w} must be {"file": "path", "shape": [...]} or {"value": [...]}.`);
      for (const k of Object.keys(v)) if (!['file', 'value', 'shape'].includes(k)) throw inputError(`${w}: unknown key '${k}'. Valid keys: file, value, shape.`);
      if ((v.file === undefined) === (v.value === undefined)) throw inputError(`${w} needs exactly one of "file" (a .npy, .json or .csv path) or "value" (nested lists).`);
      const shape = v.shape === undefined ? null : readShape(v.shape, `${w}.shape`);
      if (v.file !== undefined) {
        if (typeof v.file !== 'string' || v.file === '') throw inputError(`${w}.file must be a path.`);
        arrays.push({ name, source: { file: isAbsolute(v.file) ? v.file : resolve(base, v.file) }, shape });
      } else {
        if (typeof v.value === 'number') throw inputError(`${w}.value is a number: declare it as a parameter instead.`);
        arrays.push({ name, source: { value: parseJsonArray(JSON.stringify(v.value), w) }, shape });
      }
    }
  }
  const where = `${source}: state`;
  if (!isObject(raw.state) || Object.keys(raw.state).length === 0) throw inputError(`${where} must declare at least one state variable or block.`);
  const blocks = Object.entries(raw.state).map(([name, v]): BlockDecl => {
    checkName(name, where);
    const w = `${where}.${name}`;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw inputError(`${w} must be a finite number.`);
      return { name, shape: [], init: v };
    }
    if (typeof v === 'string' && v.trim() !== '' && !/^[-+]?(nan|inf(inity)?)$/i.test(v.trim())) return { name, shape: [], init: v };
    if (!isObject(v)) throw inputError(`${w} must be a number, an expression of the parameters, or a block {"shape": [...], "init": ...}.`);
    for (const k of Object.keys(v)) if (!['shape', 'init'].includes(k)) throw inputError(`${w}: unknown key '${k}'. Valid keys: shape, init.`);
    if (v.shape === undefined) throw inputError(`${w}.shape is missing, e.g. ["d", "d"].`);
    if (v.init === undefined) throw inputError(`${w}.init is missing: give an initial law, e.g. {"normal": {"sd": 0.01}}, "zeros" or "identity".`);
    return { name, shape: readShape(v.shape, `${w}.shape`), init: readInitLaw(v.init, `${w}.init`) };
  });
  const starts: Array<[string, Array<[string, InitLaw]>]> = [];
  if (raw.starts !== undefined) {
    const w = `${source}: starts`;
    if (!isObject(raw.starts)) throw inputError(`${w} must map start names to laws per block, e.g. {"aligned": {"W1": {"value": "sqrt(u0) * V'"}}}.`);
    for (const [name, laws] of Object.entries(raw.starts)) {
      if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name) || name === 'init') throw inputError(`${w}: '${name}' is not a valid start name (a letter, then letters, digits, _ or -; not "init").`);
      if (!isObject(laws) || Object.keys(laws).length === 0) throw inputError(`${w}.${name} must map blocks to initial laws.`);
      starts.push([name, Object.entries(laws).map(([block, law]): [string, InitLaw] => {
        const b = blocks.find((x) => x.name === block);
        if (!b || b.shape.length === 0) throw inputError(`${w}.${name}: '${block}' is not a state block (blocks: ${blocks.filter((x) => x.shape.length > 0).map((x) => x.name).join(', ')}).`);
        return [block, readInitLaw(law, `${w}.${name}.${block}`)];
      })]);
    }
  }
  const gaussians: Array<[string, Size]> = [];
  if (raw.gaussian !== undefined) {
    const w = `${source}: gaussian`;
    if (!isObject(raw.gaussian)) throw inputError(`${w} must map names to sizes, e.g. {"x": "d"} for x ~ N(0, I_d).`);
    for (const [name, size] of Object.entries(raw.gaussian)) {
      checkName(name, w);
      if (blocks.some((b) => b.name === name) || arrays.some((a) => a.name === name)) throw inputError(`${w}: '${name}' is already a state block or an array.`);
      gaussians.push([name, readShape([size], `${w}.${name}`)[0]]);
    }
  }
  const discrete: Array<{ name: string; values: ArrayData; probs: number[] }> = [];
  if (raw.discrete !== undefined) {
    const w = `${source}: discrete`;
    if (!isObject(raw.discrete)) throw inputError(`${w} must map names to finite laws, e.g. {"s": {"values": [-1, 1], "probs": [0.5, 0.5]}}.`);
    for (const [name, law] of Object.entries(raw.discrete)) {
      checkName(name, w);
      const lw = `${w}.${name}`;
      if (!isObject(law) || !Array.isArray(law.values) || !Array.isArray(law.probs) || Object.keys(law).length !== 2) throw inputError(`${lw} must be {"values": [v1, v2, …], "probs": [p1, p2, …]}.`);
      const values = parseJsonArray(JSON.stringify(law.values), `${lw}.values`);
      const k = values.shape[0];
      const probs = law.probs;
      if (probs.length !== k) throw inputError(`${lw}: ${k} values but ${probs.length} probabilities.`);
      if (!probs.every((p): p is number => typeof p === 'number' && Number.isFinite(p) && p >= 0)) throw inputError(`${lw}.probs must be finite numbers ≥ 0.`);
      const total = probs.reduce((a, p) => a + p, 0);
      if (Math.abs(total - 1) > 1e-12) throw inputError(`${lw}.probs sum to ${fmt(total)}, not 1.`);
      if (k > 10_000) throw inputError(`${lw}: at most 10000 values (got ${k}); the expectation is an exact sum over them.`);
      discrete.push({ name, values, probs });
    }
  }
  return { blocks, arrays, starts, gaussians, discrete };
}

/** The `data` block of an array file: {"samples": NAME}, NAME the first size of the per-example arrays. */
export function readSamples(v: unknown, part: ArrayPart, source: string): string {
  const where = `${source}: data`;
  if (!isObject(v) || typeof v.samples !== 'string' || Object.keys(v).length !== 1) {
    throw inputError(`${where}: in an array file, the finite-sample form is {"samples": "n"}, naming the size of the first axis of the per-example arrays.`);
  }
  const name = v.samples;
  const perExample = part.arrays.filter((a) => a.shape?.[0] === name);
  if (perExample.length === 0) throw inputError(`${where}.samples: no array in 'arrays' declares '${name}' as its first size (e.g. "X": {"file": "X.npy", "shape": ["${name}", "d"]}).`);
  const block = part.blocks.find((b) => b.shape.includes(name));
  if (block) throw inputError(`${where}.samples: the state block ${block.name} has the size '${name}'; parameters cannot depend on the number of examples.`);
  return name;
}

function readShape(v: unknown, where: string): Size[] {
  if (!Array.isArray(v)) throw inputError(`${where} must be a list of sizes (integers or parameter names), e.g. ["n", 3].`);
  if (v.length > 8) throw inputError(`${where}: at most 8 axes (got ${v.length}).`);
  return v.map((s, i) => {
    if (typeof s === 'number') {
      if (!Number.isInteger(s) || s < 1) throw inputError(`${where}[${i}] must be a positive integer or a name (got ${s}).`);
      return s;
    }
    if (typeof s === 'string' && /^[A-Za-z][A-Za-z0-9_]*$/.test(s)) return s;
    throw inputError(`${where}[${i}] must be a positive integer or a name (got ${JSON.stringify(s)}).`);
  });
}
