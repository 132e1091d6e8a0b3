/**
 * `gradflow export-data`: Chen–Luo's data set written as .npy (or JSON) files with a data.json
 * manifest; read back with readArrayFile, the arrays equal the ones the model's own setup holds,
 * bit for bit. Bad input (a model without data, a bad --set, an earlier export without --force)
 * is exit 2 and leaves the folder as it was.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDataSet } from '../../src/cli/commands/export-data.js';
import { readArrayFile } from '../../src/io/arrays.js';
import type { DataSet } from '../../src/models/chen-luo/data.js';
import { chenLuo, makeChenLuoModel } from '../../src/models/chen-luo/model.js';
import { parseSetFlags, resolveParams } from '../../src/models/params.js';
import { packageInfo } from '../../src/util/package-info.js';
import { runCli, tempDir } from '../helpers/cli.js';

const bytesOf = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

interface Manifest {
  gradflow: string;
  command: string;
  model: { id: string; gradflow: string };
  params: Record<string, number | string>;
  options: Record<string, unknown>;
  data_set: string;
  format: string;
  arrays: { name: string; file: string; shape: number[]; dtype: string; order: string; doc: string; bytes: number; sha256: string }[];
}

/** Exports chen-luo with `set` into a fresh folder and checks every file against the model's own setup with those parameters. */
async function exportAndCompare(set: string[], format: 'npy' | 'json', n: number, s: number, d: number): Promise<{ dir: string; manifest: Manifest; err: string }> {
  const dir = join(tempDir(), 'data');
  const r = await runCli('export-data', 'chen-luo', ...set.flatMap((x) => ['--set', x]), ...(format === 'json' ? ['--format', 'json'] : []), '--out', dir);
  expect(r.code, r.err).toBe(0);
  expect(r.out).toBe('');
  expect(r.err.trim().split('\n')).toHaveLength(1);
  expect(readdirSync(dir).sort()).toEqual([`X.${format}`, 'data.json', `y.${format}`]); // no lock, no temporary file left
  const manifest = JSON.parse(readFileSync(join(dir, 'data.json'), 'utf8')) as Manifest;
  const params = resolveParams(chenLuo, parseSetFlags(set));
  const data = chenLuo.setup(params).data;
  expect(manifest.params).toEqual(params);
  expect(manifest.format).toBe(format);
  expect(manifest.data_set).toBe(data.name);
  expect(manifest.arrays.map((a) => [a.name, a.file, a.shape, a.dtype, a.order])).toEqual([
    ['X', `X.${format}`, [n, s, d], 'float64', 'C'],
    ['y', `y.${format}`, [n], 'float64', 'C'],
  ]);
  const X = readArrayFile(join(dir, `X.${format}`));
  const y = readArrayFile(join(dir, `y.${format}`));
  expect(X.shape).toEqual([n, s, d]);
  expect(y.shape).toEqual([n]);
  expect(bytesOf(X.data).equals(bytesOf(data.X))).toBe(true); // bit for bit
  expect(bytesOf(y.data).equals(bytesOf(data.y))).toBe(true);
  for (const a of manifest.arrays) {
    expect(a.sha256).toBe(sha256(join(dir, a.file)));
    expect(a.bytes).toBe(readFileSync(join(dir, a.file)).length);
  }
  return { dir, manifest, err: r.err };
}

describe('gradflow export-data', () => {
  it('chen-luo at its defaults (D2: 12 sets × 4 rotations, n = 48, s = 4, d = 6): X.npy, y.npy and data.json', async () => {
    const { dir, manifest, err } = await exportAndCompare([], 'npy', 48, 4, 6);
    expect(err).toBe(`chen-luo: wrote D2 (12 token sets × 4 rotations, d = 6, data seed 1): X [48, 4, 6], y [48] as float64 .npy → ${dir} (X.npy, y.npy, data.json)\n`);
    expect(manifest.command).toBe('export-data');
    expect(manifest.model.id).toBe('chen-luo');
    expect(manifest.gradflow).toBe(packageInfo().version);
    expect(manifest.arrays[0].doc).toMatch(/X\[i, j, k\] is coordinate k of token j of sequence i/);
    expect(manifest.arrays[1].doc).toMatch(/y\[i\] ∈ \{\+1, −1\}/);
    expect(manifest.options).toEqual({ set: [], format: 'npy', out: dir, force: false });
    expect(new Set(readArrayFile(join(dir, 'y.npy')).data)).toEqual(new Set([1, -1]));
  });

  it('--set d=6 s=4 sets=12 is the same D2 (the technical note\'s set): the same bytes as the defaults', async () => {
    const a = await exportAndCompare([], 'npy', 48, 4, 6);
    const b = await exportAndCompare(['d=6', 's=4', 'sets=12'], 'npy', 48, 4, 6);
    expect(b.manifest.arrays.map((x) => x.sha256)).toEqual(a.manifest.arrays.map((x) => x.sha256));
  });

  it('other parameters give other data sets, each equal to its own setup: D2 at d = 10, s = 5, 3 sets; the anchor task', async () => {
    await exportAndCompare(['d=10', 's=5', 'sets=3', 'dataSeed=7'], 'npy', 15, 5, 10);
    const { manifest } = await exportAndCompare(['data=anchor', 'sequences=20', 'd=8'], 'npy', 20, 4, 8);
    expect(manifest.data_set).toMatch(/^anchor task, binary parity \(20 sequences/);
  });

  it('--format json writes X.json and y.json (nested lists) that read back bit for bit', async () => {
    const { dir } = await exportAndCompare(['d=7'], 'json', 48, 4, 7);
    const X = JSON.parse(readFileSync(join(dir, 'X.json'), 'utf8')) as number[][][];
    expect([X.length, X[0].length, X[0][0].length]).toEqual([48, 4, 7]);
  });

  it('an earlier export is not overwritten without --force (exit 2, files unchanged); --force replaces it and removes the other format', async () => {
    const { dir } = await exportAndCompare([], 'npy', 48, 4, 6);
    const before = readFileSync(join(dir, 'data.json'), 'utf8');
    const r = await runCli('export-data', 'chen-luo', '--set', 'd=8', '--out', dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/data\.json already exists: an earlier result\. Use --force to overwrite it/);
    expect(readFileSync(join(dir, 'data.json'), 'utf8')).toBe(before);
    // a stray array file alone (no manifest) is refused too
    const other = join(tempDir(), 'o');
    await runCli('export-data', 'chen-luo', '--out', other);
    writeFileSync(join(other, 'X.json'), '[]');
    const r2 = await runCli('export-data', 'chen-luo', '--out', other, '--force');
    expect(r2.code).toBe(0);
    expect(existsSync(join(other, 'X.json'))).toBe(false);
    const f = await runCli('export-data', 'chen-luo', '--set', 'd=8', '--format', 'json', '--out', dir, '--force');
    expect(f.code, f.err).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['X.json', 'data.json', 'y.json']);
    expect(readArrayFile(join(dir, 'X.json')).shape).toEqual([48, 4, 8]);
    const m = JSON.parse(readFileSync(join(dir, 'data.json'), 'utf8')) as Manifest;
    expect(m.params.d).toBe(8);
    expect(m.options.force).toBe(true);
  });

  it('a stray array file of an earlier export is refused without --force', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'y.npy'), 'x');
    const r = await runCli('export-data', 'chen-luo', '--out', dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/y\.npy already exists/);
    expect(readdirSync(dir)).toEqual(['y.npy']);
  });

  it('bad input is exit 2 with one line, and no folder is created', async () => {
    const base = tempDir();
    const out = join(base, 'never');
    const cases: [string[], RegExp][] = [
      [['nope'], /unknown model 'nope'/],
      [['deep-linear'], /^gradflow: deep-linear has no data set \(models with one: chen-luo\)\.$/],
      [['yang'], /yang has no data set \(models with one: chen-luo\)/],
      [['factorization'], /factorization has no data set \(models with one: chen-luo\)/],
      [['chen-luo', '--set', 'd=100'], /chen-luo: d = 100 is outside its range \[2, 64\]/],
      [['chen-luo', '--set', 'width=3'], /chen-luo: unknown parameter 'width'/],
      [['chen-luo', '--set', 'data=mnist'], /data must be one of d2, anchor/],
      [['chen-luo', '--set', 'd'], /--set 'd': expected name=value/],
      [['chen-luo', '--format', 'npz'], /--format npz: expected one of npy, json/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli('export-data', ...args, '--out', out);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim(), args.join(' ')).toMatch(message);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    }
    const file = await runCli('export-data', 'chen-luo', '--out', join(base, 'data.npy'));
    expect(file.code).toBe(2);
    expect(file.err).toMatch(/--out .*data\.npy: --out is a folder, which receives one file per array \(X\.npy, y\.npy, …\) and data\.json/);
    const missing = await runCli('export-data', 'chen-luo');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/required option '--out <dir>' not specified/);
  });

  it('a Chen–Luo model on a fixed data set (makeChenLuoModel(loadDataSetFile(…))) exports that data set', () => {
    const X = [[[1, -0], [0.5, 2]], [[-1, 3], [2.5e-310, -4]], [[0.25, 0.75], [1e308, -1e-7]]];
    const y = [1, -1, 1];
    const fixed: DataSet = { name: 'three pairs', n: 3, s: 2, d: 2, X: Float64Array.from(X.flat(2)), y: Float64Array.from(y) }; // as loadDataSetFile gives, with a −0
    const model = makeChenLuoModel(fixed);
    const params = resolveParams(model);
    const dir = tempDir();
    const arrays = writeDataSet(dir, model, params, model.dataSet!(params), 'npy', {});
    expect(arrays.map((a) => a.shape)).toEqual([[3, 2, 2], [3]]);
    const back = readArrayFile(join(dir, 'X.npy'));
    expect(bytesOf(back.data).equals(bytesOf(Float64Array.from(X.flat(2))))).toBe(true);
    expect(Object.is(back.data[1], -0)).toBe(true);
    expect(Array.from(readArrayFile(join(dir, 'y.npy')).data)).toEqual(y);
    expect((JSON.parse(readFileSync(join(dir, 'data.json'), 'utf8')) as Manifest).data_set).toBe('three pairs');
  });

  const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasNumpy)('the README\'s Python lines load the export: shapes from data.json, SHA-256 checked, the same values', async () => {
    const { dir } = await exportAndCompare([], 'npy', 48, 4, 6);
    const script = [
      'import hashlib, json, pathlib, sys',
      'import numpy as np',
      'out = pathlib.Path(sys.argv[1])',
      'meta = json.loads((out / "data.json").read_text())',
      'for a in meta["arrays"]:',
      '    assert hashlib.sha256((out / a["file"]).read_bytes()).hexdigest() == a["sha256"]',
      'data = {a["name"]: np.load(out / a["file"]) for a in meta["arrays"]}',
      'assert all(list(data[a["name"]].shape) == a["shape"] for a in meta["arrays"])',
      'X, y = data["X"], data["y"]',
      'print(X.shape, y.shape, X.dtype, repr(float(X[0, 0, 0])), int((y == 1).sum()))',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script, dir], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const data = chenLuo.setup(resolveParams(chenLuo)).data;
    let positives = 0;
    for (const v of data.y) if (v === 1) positives++;
    expect(r.stdout.trim()).toBe(`(48, 4, 6) (48,) float64 ${String(data.X[0])} ${positives}`);
  });
});
