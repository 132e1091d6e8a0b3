/**
 * Array files: .npy written by NumPy 2.4 (the fixtures in test/fixtures/arrays were made with
 * np.save: C and Fortran order, float64/float32/int64/uint8/bool, big-endian, a 0-d scalar), JSON
 * and CSV, against the values NumPy holds; bad files are input errors naming file and place.
 * Writing: .npy and JSON read back bit for bit, and (where python3 with NumPy is installed) NumPy
 * loads the same bits from our .npy and its own np.save writes the same bytes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { npyBytes, npyHeader, parseNpy, readArrayFile, writeJsonArray, writeNpy } from '../../src/io/arrays.js';
import { tempDir } from '../helpers/cli.js';

const fixture = (name: string): string => join(__dirname, '..', 'fixtures', 'arrays', name);
/** np.arange(24).reshape(2, 3, 4) / 7 */
const A = Float64Array.from({ length: 24 }, (_, i) => i / 7);

describe('.npy', () => {
  it('float64, C order: shape and values exactly', () => {
    const a = readArrayFile(fixture('c-f8.npy'));
    expect(a.shape).toEqual([2, 3, 4]);
    expect(Array.from(a.data)).toEqual(Array.from(A));
  });
  it('float32, Fortran order: back in row-major order, to float32 precision', () => {
    const a = readArrayFile(fixture('fortran-f4.npy'));
    expect(a.shape).toEqual([2, 3, 4]);
    a.data.forEach((v, i) => expect(v).toBe(Math.fround(A[i])));
  });
  it('big-endian float64', () => expect(Array.from(readArrayFile(fixture('big-endian.npy')).data)).toEqual(Array.from(A)));
  it('int64, uint8 and bool', () => {
    expect(Array.from(readArrayFile(fixture('i8.npy')).data)).toEqual([-3, -2, -1, 0, 1, 2]);
    expect(Array.from(readArrayFile(fixture('u1.npy')).data)).toEqual([0, 255]);
    expect(Array.from(readArrayFile(fixture('bool.npy')).data)).toEqual([1, 0, 1]);
  });
  it('a 0-d scalar has shape []', () => {
    const a = readArrayFile(fixture('scalar.npy'));
    expect(a.shape).toEqual([]);
    expect(Array.from(a.data)).toEqual([2.5]);
  });
  it('complex dtype, NaN values, a truncated file and a foreign file are refused with the place', () => {
    expect(() => readArrayFile(fixture('complex.npy'))).toThrow(/complex\.npy: dtype '<c16' is not supported; save float64/);
    expect(() => readArrayFile(fixture('nan.npy'))).toThrow(/nan\.npy: the value at \[1, 0\] is NaN; every value must be a finite number/);
    const dir = tempDir();
    const cut = join(dir, 'cut.npy');
    writeFileSync(cut, readFileSync(fixture('c-f8.npy')).subarray(0, 200));
    expect(() => readArrayFile(cut)).toThrow(/cut\.npy: not a readable \.npy file \(it holds \d+ bytes of data, shape \[2, 3, 4\] needs 192\)/);
    const text = join(dir, 'text.npy');
    writeFileSync(text, 'hello world');
    expect(() => readArrayFile(text)).toThrow(/no NumPy magic string/);
  });
  it('an expected shape is checked, naming both shapes', () => {
    expect(readArrayFile(fixture('c-f8.npy'), { shape: [2, null, 4] }).shape).toEqual([2, 3, 4]);
    expect(() => readArrayFile(fixture('c-f8.npy'), { shape: [3, 2, 4], what: 'data x' })).toThrow(/c-f8\.npy \(data x\): shape \[2, 3, 4\] does not match the expected \[3, 2, 4\]/);
  });
});

describe('JSON and CSV', () => {
  it('nested lists, rectangular; a ragged list or a string entry names its place', () => {
    const dir = tempDir();
    const f = join(dir, 'a.json');
    writeFileSync(f, JSON.stringify([[1, 2, 3], [4, 5, 6]]));
    expect(readArrayFile(f)).toEqual({ shape: [2, 3], data: Float64Array.from([1, 2, 3, 4, 5, 6]) });
    writeFileSync(f, JSON.stringify([[1, 2, 3], [4, 5]]));
    expect(() => readArrayFile(f)).toThrow(/the list at \[1\] has 2 entries, expected 3: the array is not rectangular/);
    writeFileSync(f, JSON.stringify([[1, 2], [3, 'x']]));
    expect(() => readArrayFile(f)).toThrow(/the entry at \[1, 1\] is "x", not a number/);
    writeFileSync(f, '7');
    expect(readArrayFile(f)).toEqual({ shape: [], data: Float64Array.of(7) });
  });
  it('CSV rows, with or without a header row; a short row or a word is refused', () => {
    const dir = tempDir();
    const f = join(dir, 'a.csv');
    writeFileSync(f, 'x,y\n1,2\n3,4.5\n');
    expect(readArrayFile(f)).toEqual({ shape: [2, 2], data: Float64Array.from([1, 2, 3, 4.5]) });
    writeFileSync(f, '1,2\n3\n');
    expect(() => readArrayFile(f)).toThrow(/row 2 has 1 values, the first row 2/);
    writeFileSync(f, '1,2\n3,abc\n');
    expect(() => readArrayFile(f)).toThrow(/row 2, column 2: 'abc' is not a number/);
    writeFileSync(f, '1,2\n3,nan\n');
    expect(() => readArrayFile(f)).toThrow(/the value at \[1, 1\] is NaN/);
  });
  it('other extensions and folders are refused', () => {
    const dir = tempDir();
    expect(() => readArrayFile(join(dir, 'x.txt'))).toThrow(/cannot read the array from/);
    writeFileSync(join(dir, 'x.txt'), '1');
    expect(() => readArrayFile(join(dir, 'x.txt'))).toThrow(/must be a \.npy, \.json or \.csv file/);
    expect(() => readArrayFile(dir)).toThrow(/is a folder, not an array file/);
  });
});

/** Every value's 64 bits, as hex: equal arrays of bits, not just equal numbers (−0 ≠ 0 here). */
const bits = (a: Float64Array): string[] => Array.from(new BigUint64Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)), (b) => b.toString(16));

/** Hard values: ±0, the smallest subnormal, a mid subnormal, the smallest normal, 1e308, the largest double, and ordinary ones. */
const HARD = [-0, 0, 5e-324, -5e-324, 2.2250738585072014e-308 / 3, 2.2250738585072014e-308, 1e308, -1e308, Number.MAX_VALUE, Math.PI, -1 / 3, 0.1, 1e-300, 123456789012345680000, 1, -1];
/** 24 values for shape [2, 3, 4]: HARD, then k/7. */
const VALUES = Float64Array.from({ length: 24 }, (_, i) => (i < HARD.length ? HARD[i] : (i - HARD.length + 1) / 7));
const SHAPES: readonly (readonly number[])[] = [[2, 3, 4], [24], [1, 24, 1], [], [0], [3, 0], [4, 6]];
const dataFor = (shape: readonly number[]): Float64Array => VALUES.slice(0, shape.reduce((a, b) => a * b, 1));

describe('writing .npy', () => {
  it('round trip through readArrayFile bit for bit: −0, subnormals, 1e308, the largest double; every shape', () => {
    const dir = tempDir();
    for (const shape of SHAPES) {
      const data = dataFor(shape);
      const f = join(dir, `a${shape.join('x')}.npy`);
      writeNpy(f, shape, data);
      const a = readArrayFile(f);
      expect(a.shape).toEqual(shape);
      expect(bits(a.data)).toEqual(bits(data));
      expect(readFileSync(f).equals(npyBytes(shape, data))).toBe(true);
    }
    expect(Object.is(readArrayFile(join(dir, 'a2x3x4.npy')).data[0], -0)).toBe(true);
  });

  it('the header is NumPy\'s: version 1.0, little-endian float64 in C order, spaces and \\n up to a multiple of 64 bytes', () => {
    for (const shape of SHAPES) {
      const h = npyHeader(shape);
      expect(h.subarray(0, 8).equals(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]))).toBe(true);
      expect(h.length % 64).toBe(0);
      expect(h.readUInt16LE(8)).toBe(h.length - 10);
      expect(h[h.length - 1]).toBe(0x0a);
      const text = h.toString('latin1', 10);
      const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
      expect(text).toMatch(new RegExp(`^\\{'descr': '<f8', 'fortran_order': False, 'shape': ${tuple.replace(/[()]/g, '\\$&')}, \\} *\\n$`));
    }
    // 10 bytes of prefix, the 63-character dict, 19 spaces of NumPy's growth room (21 − 2 digits of 48) and the newline: 93, padded with 35 spaces to 128
    expect(npyHeader([48, 4, 6]).length).toBe(128);
  });

  it('a header longer than 65535 bytes is written as version 2.0 (4-byte length), still aligned, and read back', () => {
    const shape = new Array<number>(25_000).fill(1);
    const bytes = npyBytes(shape, Float64Array.of(-0));
    expect(bytes[6]).toBe(2);
    const hlen = bytes.readUInt32LE(8);
    expect(hlen).toBeGreaterThan(65535);
    expect((12 + hlen) % 64).toBe(0);
    const a = parseNpy(bytes, 'v2.npy');
    expect(a.shape).toHaveLength(25_000);
    expect(Object.is(a.data[0], -0)).toBe(true);
  });

  it('a shape that does not hold the data is a bug, refused before writing', () => {
    const f = join(tempDir(), 'bad.npy');
    expect(() => writeNpy(f, [2, 3], new Float64Array(5))).toThrow(/shape \[2, 3\] holds 6 values, the data 5/);
    expect(() => npyBytes([-1], new Float64Array(0))).toThrow(/non-negative integer/);
    expect(existsSync(f)).toBe(false);
  });

  it('a file that cannot be written is an input error naming it', () => {
    const f = join(tempDir(), 'no', 'such', 'dir', 'a.npy');
    expect(() => writeNpy(f, [1], Float64Array.of(1))).toThrow(/cannot write '.*a\.npy': ENOENT/);
  });
});

describe('writing JSON', () => {
  it('nested lists read back through readArrayFile bit for bit, −0 as -0.0; every shape with values', () => {
    const dir = tempDir();
    for (const shape of SHAPES) {
      const data = dataFor(shape);
      const f = join(dir, `a${shape.join('x')}.json`);
      writeJsonArray(f, shape, data);
      const a = readArrayFile(f);
      expect(a.shape).toEqual(data.length === 0 && shape[0] === 0 ? [0] : shape); // [0, …] keeps only its first length
      expect(bits(a.data)).toEqual(bits(data));
    }
    expect(readFileSync(join(dir, 'a4x6.json'), 'utf8')).toMatch(/^\[\[-0\.0,0,5e-324,-5e-324,/);
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('-0.0\n');
    expect(readFileSync(join(dir, 'a3x0.json'), 'utf8')).toBe('[[],[],[]]\n');
  });

  it('NaN and infinities are refused with the place, before the file is created', () => {
    const f = join(tempDir(), 'nan.json');
    expect(() => writeJsonArray(f, [2, 2], Float64Array.of(1, 2, NaN, 4))).toThrow(/nan\.json: the value at \[1, 0\] is NaN, which JSON cannot hold; write \.npy instead/);
    expect(existsSync(f)).toBe(false);
  });
});

/** Whether python3 with NumPy runs here (CI may have neither): the NumPy tests are skipped without it. */
const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

describe('NumPy reads what gradflow writes', () => {
  it.skipIf(!hasNumpy)('np.load gives float64 arrays of the same shape and bits; np.save of them writes our bytes; the JSON lists give the same bits', () => {
    const dir = tempDir();
    const cases = SHAPES.map((shape, i) => {
      const data = dataFor(shape);
      writeNpy(join(dir, `${i}.npy`), shape, data);
      writeJsonArray(join(dir, `${i}.json`), shape, data);
      return { npy: join(dir, `${i}.npy`), json: join(dir, `${i}.json`), shape, bits: bits(data) };
    });
    writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases));
    const script = [
      'import io, json, sys',
      'import numpy as np',
      'cases = json.load(open(sys.argv[1]))',
      'for c in cases:',
      '    a = np.load(c["npy"])',
      '    assert a.dtype == np.float64 and a.dtype.byteorder in "<=" and a.flags.c_contiguous, (c["npy"], a.dtype)',
      '    assert list(a.shape) == c["shape"], (c["npy"], a.shape)',
      '    got = [format(int(b), "x") for b in a.reshape(-1).view(np.uint64)]',
      '    assert got == c["bits"], (c["npy"], got, c["bits"])',
      '    buf = io.BytesIO(); np.save(buf, a)',
      '    assert buf.getvalue() == open(c["npy"], "rb").read(), ("np.save writes other bytes", c["npy"])',
      '    j = np.asarray(json.load(open(c["json"])), dtype=np.float64)',
      '    assert [format(int(b), "x") for b in j.reshape(-1).view(np.uint64)] == c["bits"], c["json"]',
      'print("ok", len(cases), np.__version__)',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script, join(dir, 'cases.json')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ok 7 /);
    expect(r.status).toBe(0);
  });
});
