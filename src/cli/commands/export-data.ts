/**
 * `gradflow export-data MODEL --out DIR`: a built-in model's data set (`Model.dataSet`) as files
 * that NumPy and gradflow's own `readArrayFile` read back bit for bit.
 *
 * Layout of DIR:
 * - one file per array, named after it: `X.npy`, `y.npy` (`--format npy`, the default: float64,
 *   little-endian, C order, byte for byte what `np.save` writes) or `X.json`, `y.json`
 *   (`--format json`: nested lists, numbers in shortest round-trip form);
 * - `data.json`, the manifest, written last: the provenance record (gradflow and Node versions,
 *   date, command, model identity, every parameter, the command's options), then `data_set` (its
 *   title), `format`, and `arrays`: per array its name, file, shape, dtype (float64), order (C),
 *   meaning and the SHA-256 and size of the file as written.
 *
 * Each file is written to a temporary name and renamed into place. An earlier export in DIR (the
 * manifest or any array file of either format) is refused unless `--force`, which replaces it
 * and removes the other format's array files, so DIR holds one consistent export.
 */
import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { writeJsonArray, writeNpy } from '../../io/arrays.js';
import { withFolderLock } from '../../io/lock.js';
import { refuseOverwrite } from '../../io/overwrite.js';
import { provenance } from '../../io/provenance.js';
import { ensureDir } from '../../io/series.js';
import { findModel, MODELS } from '../../models/registry.js';
import { parseSetFlags, resolveParams } from '../../models/params.js';
import type { Model, Params } from '../../models/types.js';
import { inputError } from '../../util/errors.js';
import { EXIT, type CliIO } from '../io.js';
import { collect } from '../parse-flags.js';

export const DATA_FORMATS = ['npy', 'json'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];
/** The manifest's file name inside --out. */
export const MANIFEST = 'data.json';

interface ExportFlags { set: string[]; out: string; format: string; force?: boolean }

/** An array as the manifest describes it. */
export interface ManifestArray {
  readonly name: string;
  readonly file: string;
  readonly shape: readonly number[];
  readonly dtype: 'float64';
  readonly order: 'C';
  readonly doc: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** Registered models that have a data set. */
export function modelsWithData(): string[] {
  return [...MODELS.values()].filter((m) => typeof m.dataSet === 'function').map((m) => m.id);
}

/** A model's array names must be usable as file names, distinct even on a case-insensitive file system, and not the manifest's. */
function checkNames(model: Model, arrays: DataSetArrays['arrays']): void {
  const seen = new Set<string>();
  for (const a of arrays) {
    const key = a.name.toLowerCase();
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(a.name) || key === 'data' || seen.has(key)) throw new Error(`${model.id}: data set array name '${a.name}' is not a distinct file name`);
    seen.add(key);
  }
}

/** SHA-256 (hex) and size of a file's bytes, read in 1 MB chunks. */
function hashFile(path: string): { sha256: string; bytes: number } {
  const h = createHash('sha256');
  const buf = Buffer.alloc(1 << 20);
  const fd = openSync(path, 'r');
  let bytes = 0;
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) { h.update(buf.subarray(0, n)); bytes += n; }
  } finally {
    closeSync(fd);
  }
  return { sha256: h.digest('hex'), bytes };
}

/** Writes `path` through a temporary file renamed into place (a reader never sees half a file under the final name). */
function writeReplacing(path: string, write: (tmp: string) => void): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    write(tmp);
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** A model's data set: its title and named arrays (see `Model.dataSet`). */
export type DataSetArrays = ReturnType<NonNullable<Model['dataSet']>>;

/**
 * Writes `data` (the data set of `model` under `params`) into `dir` in `format` (see the module
 * comment) and returns the manifest's array entries. `dir` must exist; whether an earlier export
 * may be replaced is the caller's decision.
 */
export function writeDataSet(dir: string, model: Model, params: Params, data: DataSetArrays, format: DataFormat, options: Readonly<Record<string, unknown>>): ManifestArray[] {
  checkNames(model, data.arrays);
  const entries: ManifestArray[] = [];
  for (const a of data.arrays) {
    const file = `${a.name}.${format}`;
    const path = join(dir, file);
    writeReplacing(path, (tmp) => (format === 'npy' ? writeNpy(tmp, a.shape, a.data) : writeJsonArray(tmp, a.shape, a.data)));
    entries.push({ name: a.name, file, shape: [...a.shape], dtype: 'float64', order: 'C', doc: a.doc, ...hashFile(path) });
  }
  // the other format's files of these arrays, left by an earlier export (only reached with --force)
  for (const a of data.arrays) for (const f of DATA_FORMATS) if (f !== format) rmSync(join(dir, `${a.name}.${f}`), { force: true });
  const manifest = {
    ...provenance({ command: 'export-data', model, params, options, status: 'success' }),
    data_set: data.title,
    format,
    arrays: entries,
  };
  writeReplacing(join(dir, MANIFEST), (tmp) => writeFileSync(tmp, `${JSON.stringify(manifest, null, 1)}\n`));
  return entries;
}

async function exportData(name: string, flags: ExportFlags, io: CliIO): Promise<number> {
  const model = findModel(name);
  if (!model.dataSet) throw inputError(`${model.id} has no data set (models with one: ${modelsWithData().join(', ')}).`);
  const format = flags.format as DataFormat;
  if (!DATA_FORMATS.includes(format)) throw inputError(`--format ${flags.format}: expected one of ${DATA_FORMATS.join(', ')}.`);
  const params = resolveParams(model, parseSetFlags(flags.set));
  const out = flags.out;
  if (['.npy', '.npz', '.json', '.csv'].includes(extname(out).toLowerCase())) {
    throw inputError(`--out ${out}: --out is a folder, which receives one file per array (X.${format}, y.${format}, …) and ${MANIFEST}; give a folder name.`);
  }
  const force = Boolean(flags.force);
  refuseOverwrite([MANIFEST], force, out); // fails fast, before the data set is drawn
  const data = model.dataSet(params);
  ensureDir(out);
  return withFolderLock(out, `export-data ${model.id}`, () => {
    refuseOverwrite([MANIFEST, ...data.arrays.flatMap((a) => DATA_FORMATS.map((f) => `${a.name}.${f}`))], force, out);
    const arrays = writeDataSet(out, model, params, data, format, { set: flags.set, format, out, force });
    io.err(`${model.id}: wrote ${data.title}: ${arrays.map((a) => `${a.name} [${a.shape.join(', ')}]`).join(', ')} as float64 .${format} → ${out} (${arrays.map((a) => a.file).join(', ')}, ${MANIFEST})\n`);
    return EXIT.ok;
  });
}

export function registerExportData(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('export-data')
    .description(`write a model's data set (models with one: ${modelsWithData().join(', ')}) into a folder: one float64 array file per array (.npy, as np.save writes it, or JSON lists) and ${MANIFEST} with shapes, meanings, parameters, version and SHA-256 of each file`)
    .argument('<model>', 'a registered model with a data set')
    .option('--set <name=value>', 'set a parameter (repeatable)', collect, [])
    .requiredOption('--out <dir>', 'output folder (created if needed)')
    .option('--format <format>', `array files: ${DATA_FORMATS.join(' or ')}`, 'npy')
    .option('--force', 'replace an earlier export in --out')
    .action(async (name: string, flags: ExportFlags) => setExit(await exportData(name, flags, io)));
}
