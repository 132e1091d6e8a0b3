/**
 * Array files: .npy written by NumPy 2.4 (the fixtures in test/fixtures/arrays were made with
 * np.save: C and Fortran order, float64/float32/int64/uint8/bool, big-endian, a 0-d scalar), JSON
 * and CSV, against the values NumPy holds; bad files are input errors naming file and place.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readArrayFile } from '../../src/io/arrays.js';
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
