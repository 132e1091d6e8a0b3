/**
 * Binary sequence data sets for the Chen–Luo transformer: {(X_i, y_i)}, X_i ∈ ℝ^{s×d} with one
 * token per row, y_i ∈ {±1} [V: Chen & Luo, arXiv 2510.06954, §3.2].
 *
 * Built in:
 * - `d2`: the technical note's toy set D2 [R: note §6.3]. `sets` random token sets of s tokens,
 *   tokens ~ N(0, 1.5²/d), each set in all s cyclic rotations (so each token is the query once;
 *   n = sets·s), labels from a one-head attention teacher
 *   y = sign Σ_j softmax_j(6 (q·a)(x_j·b)) (x_j·c) with unit vectors a, b, c. All rotations share
 *   one mean token while their labels differ, so the mean-pooled data are not separable and a
 *   bag-of-tokens model has a finite optimum: the plateau of stage 2. The note fixes d = 6; for
 *   other d the teacher vectors a, b are scaled by √(d/6) to keep its attention as sharp [R].
 * - `anchor`: a binary version of the anchor-function task [R, after Chen & Luo App. B.1]. Anchors
 *   {1,2,3,4}, keys {5, …, 4+keys}, one anchor a among the first s−1 positions, a key after it;
 *   the paper's target is F = x_{i+1} + (a mod 2) over the vocabulary; here the label is its parity,
 *   y = +1 if F is even, −1 if odd. Tokens are embedded by a fixed seeded random embedding
 *   (entries N(0, 1/d)), as the paper's experiments freeze the embedding.
 * - JSON files ({@link parseDataSetJson}): {"X": n×s×d numbers, "y": n labels ±1}.
 *
 * Storage: X is one Float64Array, X[(i·s + j)·d + k] = token j of sample i, coordinate k; the
 * query of sample i is its last token j = s−1.
 */
import { readFileSync } from 'node:fs';
import { inputError } from '../../util/errors.js';
import { makeRng, type Rng } from '../../util/rng.js';

export interface DataSet {
  /** Short name for reports, e.g. "D2 (12 sets × 4 rotations, d = 6, seed 1)". */
  readonly name: string;
  readonly n: number;
  readonly s: number;
  readonly d: number;
  /** n·s·d token coordinates, row-major (sample, token, coordinate). */
  readonly X: Float64Array;
  /** n labels, each +1 or −1. */
  readonly y: Float64Array;
}

/**
 * Bytes a data set of n sequences of s tokens in dimension d takes with what is computed from it:
 * the tokens X (n·s·d), the labels, the mean tokens x̄ (n·d) and the bag-of-tokens margins (n).
 */
export function dataSetBytes(n: number, s: number, d: number): number {
  return 8 * (n * s * d + n * d + 2 * n);
}

/** The data statistics that enter the theory. */
export interface DataStats {
  /** Label-weighted token sum S = Σ_i y_i Σ_j X_ij ∈ ℝ^d [V: Eq. 6]. */
  readonly S: Float64Array;
  readonly normS: number;
  /** Condensation direction v = S/‖S‖ [V: Eq. 6]. */
  readonly v: Float64Array;
  /** Mean tokens x̄_i = (1/s) Σ_j X_ij, n·d row-major. */
  readonly xbar: Float64Array;
}

function unitVector(d: number, rng: Rng): Float64Array {
  const u = new Float64Array(d);
  let nn = 0;
  while (nn === 0) {
    nn = 0;
    for (let k = 0; k < d; k++) { u[k] = rng.normal(); nn += u[k] * u[k]; }
  }
  const r = Math.sqrt(nn);
  for (let k = 0; k < d; k++) u[k] /= r;
  return u;
}

export interface D2Options { readonly d: number; readonly sets: number; readonly s: number; readonly seed: number }

/** The toy set D2 of the note (see the module comment). */
export function makeD2({ d, sets, s, seed }: D2Options): DataSet {
  if (s < 2) throw inputError(`chen-luo: D2 needs s ≥ 2 tokens per set (got ${s}).`);
  const rng = makeRng(seed);
  // a, b: unit vectors scaled by √(d/6), so that the teacher's scores 6(q·a)(x·b) have the same
  // spread at any d as at the note's d = 6 (tokens have norm ≈ 1.5; without the factor the teacher
  // turns into a bag-of-tokens rule at large d and the mean-pooled data become separable)
  const sharp = Math.sqrt(d / 6);
  const a = unitVector(d, rng).map((x) => sharp * x);
  const b = unitVector(d, rng).map((x) => sharp * x);
  const c = unitVector(d, rng);
  const n = sets * s;
  const X = new Float64Array(n * s * d);
  const y = new Float64Array(n);
  const tokens = new Float64Array(s * d);
  const scale = 1.5 / Math.sqrt(d); // tokens ~ N(0, 1.5²/d)
  const score = new Float64Array(s);
  for (let set = 0; set < sets; set++) {
    for (let i = 0; i < s * d; i++) tokens[i] = scale * rng.normal();
    for (let r = 0; r < s; r++) {
      const i = set * s + r;
      for (let j = 0; j < s; j++) { // rotation r: position j holds token (j + r) mod s
        const src = ((j + r) % s) * d;
        X.set(tokens.subarray(src, src + d), (i * s + j) * d);
      }
      const q = (i * s + s - 1) * d;
      let qa = 0;
      for (let k = 0; k < d; k++) qa += X[q + k] * a[k];
      let max = -Infinity;
      for (let j = 0; j < s; j++) {
        let xb = 0;
        for (let k = 0; k < d; k++) xb += X[(i * s + j) * d + k] * b[k];
        score[j] = 6 * qa * xb; // teacher score 6 (q·a)(x_j·b)
        max = Math.max(max, score[j]);
      }
      let z = 0;
      let val = 0;
      for (let j = 0; j < s; j++) {
        const e = Math.exp(score[j] - max);
        let xc = 0;
        for (let k = 0; k < d; k++) xc += X[(i * s + j) * d + k] * c[k];
        z += e;
        val += e * xc;
      }
      y[i] = val / z >= 0 ? 1 : -1; // sign Σ_j p_j (x_j·c), sign(0) := +1
    }
  }
  return { name: `D2 (${sets} token sets × ${s} rotations, d = ${d}, data seed ${seed})`, n, s, d, X, y };
}

export interface AnchorOptions { readonly d: number; readonly sequences: number; readonly s: number; readonly keys: number; readonly seed: number }

/** The binary anchor-function task (see the module comment). */
export function makeAnchor({ d, sequences, s, keys, seed }: AnchorOptions): DataSet {
  if (s < 2) throw inputError(`chen-luo: the anchor task needs s ≥ 2 (an anchor and the key after it; got ${s}).`);
  const rng = makeRng(seed);
  const vocab = 4 + keys; // tokens 1..4 anchors, 5..4+keys keys; row t−1 of the embedding
  const embed = new Float64Array(vocab * d);
  for (let i = 0; i < embed.length; i++) embed[i] = rng.normal() / Math.sqrt(d); // entries N(0, 1/d)
  const pick = (lo: number, count: number): number => lo + Math.min(count - 1, Math.floor(rng.uniform() * count));
  const n = sequences;
  const X = new Float64Array(n * s * d);
  const y = new Float64Array(n);
  const ids = new Int32Array(s);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < s; j++) ids[j] = pick(5, keys);
    const pos = pick(0, s - 1); // anchor among the first s−1 positions
    const anchor = pick(1, 4);
    ids[pos] = anchor;
    const target = ids[pos + 1] + (anchor % 2); // F = x_{i+1} + (a mod 2)
    y[i] = target % 2 === 0 ? 1 : -1;
    for (let j = 0; j < s; j++) X.set(embed.subarray((ids[j] - 1) * d, ids[j] * d), (i * s + j) * d);
  }
  return { name: `anchor task, binary parity (${n} sequences, s = ${s}, ${keys} keys, d = ${d}, data seed ${seed})`, n, s, d, X, y };
}

/**
 * The data set as named arrays, for `gradflow export-data` (`Model.dataSet`): X [n, s, d] and
 * y [n], copies of the data set's own arrays (same values, bit for bit; same row-major order).
 */
export function dataSetArrays(data: DataSet): { title: string; arrays: { name: string; doc: string; shape: number[]; data: Float64Array }[] } {
  const { n, s, d } = data;
  return {
    title: data.name,
    arrays: [
      { name: 'X', doc: `tokens: X[i, j, k] is coordinate k of token j of sequence i (${n} sequences × s = ${s} tokens × d = ${d}); the last token j = s − 1 is the query`, shape: [n, s, d], data: data.X.slice() },
      { name: 'y', doc: `labels: y[i] ∈ {+1, −1} is the label of sequence i (${n} sequences)`, shape: [n], data: data.y.slice() },
    ],
  };
}

/** S, ‖S‖, v and the mean tokens. Throws an input error if S = 0 (no condensation direction). */
export function dataStats(data: DataSet): DataStats {
  const { n, s, d, X, y } = data;
  const S = new Float64Array(d);
  const xbar = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < s; j++) {
      for (let k = 0; k < d; k++) {
        const x = X[(i * s + j) * d + k];
        S[k] += y[i] * x; // S = Σ_i y_i Σ_j X_ij
        xbar[i * d + k] += x / s;
      }
    }
  }
  let nn = 0;
  for (let k = 0; k < d; k++) nn += S[k] * S[k];
  const normS = Math.sqrt(nn);
  if (!(normS > 1e-12 * Math.sqrt(n * s))) {
    throw inputError(`chen-luo: ${data.name}: the label-weighted token sum S = Σ_i y_i Σ_j X_ij is zero (‖S‖ = ${normS}), so stage 1 has no condensation direction; use data whose classes differ in their mean token.`);
  }
  const v = S.map((x) => x / normS);
  return { S, normS, v, xbar };
}

/** Largest data set accepted from a file, in numbers (n·s·d): keeps the flow affordable. */
export const MAX_FILE_ENTRIES = 2_000_000;

/**
 * A data set from JSON text: {"X": [[[x_11...], ...], ...], "y": [±1, ...], "name"?: string}.
 * X is n × s × d (sample, token, coordinate), all samples with the same s ≥ 2 and every token of
 * the same length d ≥ 1; y has n entries, each 1 or −1. Every problem is an input error that
 * names the place in the file.
 */
export function parseDataSetJson(text: string, label = 'data file'): DataSet {
  const where = `chen-luo ${label}`;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw inputError(`${where}: not valid JSON (${(e as Error).message}).`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw inputError(`${where}: expected an object {"X": n×s×d array of numbers, "y": n labels ±1}.`);
  }
  const obj = raw as Record<string, unknown>;
  const unknown = Object.keys(obj).filter((k) => !['X', 'y', 'name'].includes(k));
  if (unknown.length > 0) throw inputError(`${where}: unknown key(s) ${unknown.map((k) => `'${k}'`).join(', ')}; allowed: X, y, name.`);
  const { X, y, name } = obj;
  if (name !== undefined && typeof name !== 'string') throw inputError(`${where}: "name" must be a string.`);
  if (!Array.isArray(X) || X.length === 0) throw inputError(`${where}: "X" must be a non-empty array of samples (each an s×d array of tokens).`);
  if (!Array.isArray(y)) throw inputError(`${where}: "y" must be an array of labels ±1.`);
  if (y.length !== X.length) throw inputError(`${where}: "y" has ${y.length} labels but "X" has ${X.length} samples.`);
  const n = X.length;
  const first = X[0];
  if (!Array.isArray(first) || first.length < 2) throw inputError(`${where}: X[0] must be an array of at least 2 tokens (the last one is the query).`);
  const s = first.length;
  const t0 = first[0];
  if (!Array.isArray(t0) || t0.length === 0) throw inputError(`${where}: X[0][0] must be a non-empty array of numbers (a token).`);
  const d = t0.length;
  if (n * s * d > MAX_FILE_ENTRIES) throw inputError(`${where}: ${n}×${s}×${d} = ${n * s * d} numbers is more than the ${MAX_FILE_ENTRIES} allowed.`);
  const out = new Float64Array(n * s * d);
  for (let i = 0; i < n; i++) {
    const sample = X[i];
    if (!Array.isArray(sample)) throw inputError(`${where}: X[${i}] must be an array of ${s} tokens.`);
    if (sample.length !== s) throw inputError(`${where}: X[${i}] has ${sample.length} tokens, expected ${s} (every sample needs the same length as X[0]).`);
    for (let j = 0; j < s; j++) {
      const tok = sample[j];
      if (!Array.isArray(tok)) throw inputError(`${where}: X[${i}][${j}] must be an array of ${d} numbers.`);
      if (tok.length !== d) throw inputError(`${where}: X[${i}][${j}] has ${tok.length} coordinates, expected d = ${d} (as X[0][0]).`);
      for (let k = 0; k < d; k++) {
        const x = tok[k];
        if (typeof x !== 'number' || !Number.isFinite(x)) throw inputError(`${where}: X[${i}][${j}][${k}] must be a finite number (got ${JSON.stringify(x)}).`);
        out[(i * s + j) * d + k] = x;
      }
    }
  }
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (y[i] !== 1 && y[i] !== -1) throw inputError(`${where}: y[${i}] must be 1 or -1 (got ${JSON.stringify(y[i])}).`);
    labels[i] = y[i] as number;
  }
  const data: DataSet = { name: typeof name === 'string' && name.trim() !== '' ? name : `${label} (n = ${n}, s = ${s}, d = ${d})`, n, s, d, X: out, y: labels };
  dataStats(data); // S ≠ 0, checked here so that a bad file fails at load time
  return data;
}

/** {@link parseDataSetJson} on a file; a missing or unreadable file is an input error. */
export function loadDataSetFile(path: string): DataSet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw inputError(`chen-luo: cannot read data file '${path}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  return parseDataSetJson(text, `data file '${path}'`);
}
