/**
 * Initial laws of array-valued state blocks: exact values for the deterministic laws, moments
 * and reproducibility for the random ones, orthonormality for `orthogonal`, files read back, and
 * an input error naming the place for every bad form.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeNpy } from '../../src/io/arrays.js';
import { describeLaw, drawInit, readInitLaw, type InitContext } from '../../src/modelfile/init-laws.js';
import { inputError } from '../../src/util/errors.js';
import { makeRng } from '../../src/util/rng.js';
import { tempDir } from '../helpers/cli.js';
import { inputErrorOf } from '../helpers/errors.js';

const WHERE = 'model.json: state.W1.init';

/** Expressions as a table: the tests need values, not a parser. */
const VALUES: Record<string, number> = { 'eps/sqrt(d)': 0.1, two: 2, 'eps/0': Infinity, 'log(-1)': NaN };

function ctx(seed = 1, baseDir = '.'): InitContext {
  return {
    rng: makeRng(seed),
    baseDir,
    evalScalar: (text, where) => {
      if (!(text in VALUES)) throw inputError(`${where}: unknown expression '${text}'.`);
      return VALUES[text];
    },
  };
}

function draw(raw: unknown, shape: number[], c: InitContext = ctx()): Float64Array {
  return drawInit(readInitLaw(raw, WHERE), shape, c, WHERE);
}

function meanSd(x: Float64Array): [number, number] {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / (x.length - 1);
  return [mean, Math.sqrt(variance)];
}

/** A·Bᵀ of row-major A (n × k) and B (m × k). */
function timesTransposed(a: Float64Array, b: Float64Array, n: number, m: number, k: number): Float64Array {
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let l = 0; l < k; l++) c[i * m + j] += a[i * k + l] * b[j * k + l];
  return c;
}

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

function maxDistanceToScaledIdentity(g: Float64Array, n: number, s: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(g[i * n + j] - (i === j ? s : 0)));
  return worst;
}

describe('deterministic laws', () => {
  it('zeros, identity and constant give exact values', () => {
    expect(Array.from(draw('zeros', [2, 3]))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(draw('identity', [3, 3]))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(Array.from(draw({ identity: 'two' }, [2, 2]))).toEqual([2, 0, 0, 2]);
    expect(Array.from(draw({ identity: -0.5 }, [2, 2]))).toEqual([-0.5, 0, 0, -0.5]);
    expect(Array.from(draw({ constant: 0.25 }, [3]))).toEqual([0.25, 0.25, 0.25]);
    expect(Array.from(draw({ constant: [[1, 2, 3], [4, 5, 6]] }, [2, 3]))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(draw({ constant: [[[1], [2]], [[3], [4]]] }, [2, 2, 1]))).toEqual([1, 2, 3, 4]);
  });

  it('a constant array is copied: changing one draw leaves the law unchanged', () => {
    const law = readInitLaw({ constant: [1, 2] }, WHERE);
    drawInit(law, [2], ctx(), WHERE)[0] = 99;
    expect(Array.from(drawInit(law, [2], ctx(), WHERE))).toEqual([1, 2]);
  });

  it('describes each law briefly, scalars as written', () => {
    const d = (raw: unknown): string => describeLaw(readInitLaw(raw, WHERE));
    expect(d({ normal: { sd: 'eps/sqrt(d)' } })).toBe('normal(0, eps/sqrt(d))');
    expect(d({ uniform: { lo: -1, hi: 'two' } })).toBe('uniform(-1, two)');
    expect(d('orthogonal')).toBe('orthogonal(1)');
    expect(d({ identity: 3 })).toBe('identity(3)');
    expect(d({ constant: [[1, 2, 3], [4, 5, 6]] })).toBe('constant([2, 3] list)');
    expect(d({ file: 'w.npy' })).toBe('file(w.npy)');
    expect(d('zeros')).toBe('zeros');
  });
});

describe('random laws', () => {
  it('normal: 20 000 draws have mean and sd within 5 standard errors of (M, S)', () => {
    const n = 20_000;
    const x = draw({ normal: { mean: 0.5, sd: 'eps/sqrt(d)' } }, [100, 200], ctx(7));
    expect(x.length).toBe(n);
    const [mean, sd] = meanSd(x);
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * 0.1 / Math.sqrt(n));
    expect(Math.abs(sd - 0.1)).toBeLessThan(5 * 0.1 / Math.sqrt(2 * n));
    const [mean0, sd0] = meanSd(draw({ normal: { sd: 2 } }, [n], ctx(8)));
    expect(Math.abs(mean0)).toBeLessThan(5 * 2 / Math.sqrt(n));
    expect(Math.abs(sd0 - 2)).toBeLessThan(5 * 2 / Math.sqrt(2 * n));
  });

  it('the same seed gives bit-identical arrays, another seed another array', () => {
    const law = { normal: { mean: 0.5, sd: 'eps/sqrt(d)' } };
    const a = draw(law, [30, 40], ctx(3));
    const b = draw(law, [30, 40], ctx(3));
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(draw(law, [30, 40], ctx(4)).buffer).equals(Buffer.from(a.buffer))).toBe(false);
    // row-major from the caller's stream: the first entries are the rng's first normals
    const rng = makeRng(3);
    expect(Array.from(a.subarray(0, 3))).toEqual([0.5 + 0.1 * rng.normal(), 0.5 + 0.1 * rng.normal(), 0.5 + 0.1 * rng.normal()]);
  });

  it('uniform: every draw in [lo, hi), mean within 5 standard errors, both ends approached', () => {
    const n = 20_000;
    const x = draw({ uniform: { lo: -1, hi: 'two' } }, [n], ctx(11));
    const lo = Math.min(...x);
    const hi = Math.max(...x);
    expect(lo).toBeGreaterThanOrEqual(-1);
    expect(hi).toBeLessThan(2);
    expect(lo).toBeLessThan(-0.99);
    expect(hi).toBeGreaterThan(1.99);
    const [mean, sd] = meanSd(x);
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * (3 / Math.sqrt(12)) / Math.sqrt(n));
    expect(Math.abs(sd - 3 / Math.sqrt(12))).toBeLessThan(0.02);
  });
});

describe('orthogonal', () => {
  for (const [rows, cols] of [[5, 5], [3, 7], [7, 3]]) {
    it(`${rows}×${cols}: orthonormal ${rows < cols ? 'rows' : 'columns'}, scaled, the R of the drawn Gaussian matrix upper triangular with positive diagonal`, () => {
      const q = draw('orthogonal', [rows, cols], ctx(5));
      const k = Math.min(rows, cols);
      // the short side's vectors, as rows of a k × max matrix
      const vectors = rows < cols ? q : transpose(q, rows, cols);
      const m = Math.max(rows, cols);
      expect(maxDistanceToScaledIdentity(timesTransposed(vectors, vectors, k, k, m), k, 1)).toBeLessThan(1e-12);
      const q3 = draw({ orthogonal: 3 }, [rows, cols], ctx(5));
      const v3 = rows < cols ? q3 : transpose(q3, rows, cols);
      expect(maxDistanceToScaledIdentity(timesTransposed(v3, v3, k, k, m), k, 9)).toBeLessThan(1e-12);
      // sign fix as torch: G = Q·R (wide: Gᵀ = Qᵀ·R) with R upper triangular, diag R > 0; G the rng's first normals
      const rng = makeRng(5);
      const g = Float64Array.from({ length: rows * cols }, () => rng.normal());
      const gVectors = rows < cols ? g : transpose(g, rows, cols);
      const r = timesTransposed(gVectors, vectors, k, k, m); // R[j][i] = ⟨g_j, q_i⟩: zero for i > j
      for (let i = 0; i < k; i++) {
        expect(r[i * k + i]).toBeGreaterThan(0);
        for (let j = 0; j < i; j++) expect(Math.abs(r[j * k + i])).toBeLessThan(1e-12);
      }
    });
  }

  it('is deterministic for a seed', () => {
    const a = draw({ orthogonal: 'two' }, [6, 4], ctx(21));
    const b = draw({ orthogonal: 'two' }, [6, 4], ctx(21));
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Array.from(draw({ orthogonal: 'two' }, [6, 4], ctx(22)))).not.toEqual(Array.from(a));
  });
});

describe('file', () => {
  it('reads a .npy relative to the base folder; a wrong shape names both', () => {
    const dir = tempDir();
    const data = Float64Array.of(0.1, -2, 3e-7, 4, 5.5, -0);
    writeNpy(join(dir, 'w.npy'), [2, 3], data);
    const got = draw({ file: 'w.npy' }, [2, 3], ctx(1, dir));
    expect(Buffer.from(got.buffer).equals(Buffer.from(data.buffer))).toBe(true);
    expect(Array.from(draw({ file: join(dir, 'w.npy') }, [2, 3], ctx(1, '/nonexistent')))).toEqual(Array.from(data));
    const msg = inputErrorOf(() => draw({ file: 'w.npy' }, [3, 2], ctx(1, dir)));
    expect(msg).toMatch(/w\.npy .*model\.json: state\.W1\.init.*shape \[2, 3\] does not match the expected \[3, 2\]/);
    expect(inputErrorOf(() => draw({ file: 'missing.npy' }, [2, 3], ctx(1, dir)))).toMatch(/cannot read .*state\.W1\.init.*missing\.npy.*ENOENT/);
  });
});

describe('bad forms are input errors naming the place', () => {
  const readError = (raw: unknown): string => inputErrorOf(() => readInitLaw(raw, WHERE));
  const drawError = (raw: unknown, shape: number[]): string => inputErrorOf(() => draw(raw, shape));

  it('in the JSON', () => {
    expect(readError({ gaussian: { sd: 1 } })).toMatch(/^model\.json: state\.W1\.init: unknown law 'gaussian'\. Valid forms: "zeros", "identity", .*\{"normal": \{"mean": m, "sd": s\}\}.*\{"file": /);
    expect(readError('ones')).toMatch(/^model\.json: state\.W1\.init must be one initial law \(got "ones"\)\. Valid forms: "zeros"/);
    expect(readError({ normal: { sd: 1 }, uniform: { lo: 0, hi: 1 } })).toMatch(/must be one initial law .*Valid forms/);
    expect(readError({ normal: { sd: 1, std: 2 } })).toMatch(/^model\.json: state\.W1\.init\.normal: unknown key 'std'\. Valid keys: mean, sd\.$/);
    expect(readError({ normal: { mean: 1 } })).toMatch(/^model\.json: state\.W1\.init\.normal\.sd is missing, e\.g\. \{"normal": \{"mean": 0, "sd": 0\.01\}\}\.$/);
    expect(readError({ uniform: { lo: 0 } })).toMatch(/state\.W1\.init\.uniform\.hi is missing/);
    expect(readError({ normal: [0, 1] })).toMatch(/state\.W1\.init\.normal must be an object like/);
    expect(readError({ identity: 'NaN' })).toMatch(/state\.W1\.init\.identity must be a finite number or an expression of the parameters \(got "NaN"\)/);
    expect(readError(JSON.parse('{"normal": {"sd": 1e999}}'))).toMatch(/normal\.sd must be a finite number .*beyond ±1\.8e308/);
    expect(readError({ constant: [[1, 2], [3]] })).toMatch(/state\.W1\.init\.constant: the list at \[1\] has 1 entries, expected 2 entries: the lists are not rectangular/);
    expect(readError({ constant: [[1, 'a']] })).toMatch(/state\.W1\.init\.constant: the entry at \[0, 1\] is "a", not a finite number/);
    expect(readError({ constant: 'x' })).toMatch(/state\.W1\.init\.constant must be a finite number or nested lists/);
    expect(readError({ file: '' })).toMatch(/state\.W1\.init\.file must be the path of a \.npy, \.json or \.csv file/);
  });

  it('when drawn for a shape', () => {
    expect(drawError('identity', [2, 3])).toMatch(/^model\.json: state\.W1\.init: 'identity' needs a square matrix; the block's shape is \[2, 3\]\.$/);
    expect(drawError('orthogonal', [2, 3, 4])).toMatch(/'orthogonal' needs a matrix \(a 2-D shape\); the block's shape is \[2, 3, 4\]/);
    expect(drawError({ constant: [[1, 2], [3, 4]] }, [2, 3])).toMatch(/^model\.json: state\.W1\.init\.constant: shape \[2, 2\] does not match the expected \[2, 3\]\.$/);
    expect(drawError({ normal: { sd: 'eps/0' } }, [2])).toMatch(/^model\.json: state\.W1\.init\.normal\.sd = 'eps\/0' evaluates to Infinity; it must be a finite number\.$/);
    expect(drawError({ identity: 'log(-1)' }, [2, 2])).toMatch(/state\.W1\.init\.identity = 'log\(-1\)' evaluates to NaN/);
    expect(drawError({ uniform: { lo: 'two', hi: 1 } }, [2])).toMatch(/state\.W1\.init\.uniform needs hi > lo \(got lo = 2, hi = 1\)/);
    expect(drawError({ normal: { sd: -1 } }, [2])).toMatch(/state\.W1\.init\.normal\.sd must be ≥ 0 \(got -1\)/);
    expect(drawError({ normal: { mean: 1e308, sd: 1e308 } }, [100])).toMatch(/a draw is -?Infinity; the law's parameters are too large/);
  });

  it('a huge shape is refused before anything is allocated', () => {
    expect(drawError('zeros', [1e6, 1e6])).toMatch(/^model\.json: state\.W1\.init: an array of shape \[1000000, 1000000\] ≈ 8 TB of initial values, above the .* memory limit\.$/);
    expect(drawError('zeros', [1e9, 1e9, 1e9])).toMatch(/shape \[1000000000, 1000000000, 1000000000\] is too large/);
    expect(drawError('zeros', [2, 1.5])).toMatch(/shape \[2, 1\.5\] must list non-negative integers/);
  });
});
