/**
 * Numeric arrays from files: NumPy `.npy` (what researchers' Python code writes), JSON (nested
 * rectangular lists, or a number) and CSV (rows of numbers; a first row of names is skipped).
 * Every array comes back as float64 in row-major (C) order with its shape. Shapes, sizes and
 * values are checked before use: a wrong shape, an unsupported dtype, a ragged list, a NaN or an
 * infinity is an input error naming the file and the place; the size is checked against the
 * memory budget before the values are allocated.
 *
 * And to files ({@link writeNpy}, {@link writeJsonArray}): float64 arrays in the two formats
 * `readArrayFile` reads back bit for bit — `.npy` byte for byte as NumPy's `np.save` writes it,
 * and JSON nested lists with every number in its shortest round-trip form (−0 as `-0.0`).
 */
import { closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { extname } from 'node:path';
import { fmt, inputError } from '../util/errors.js';
import { checkAllocation, FLOAT64 } from '../util/limits.js';

export interface ArrayData {
  readonly shape: readonly number[];
  /** Row-major values. */
  readonly data: Float64Array;
}

export interface ReadArrayOptions {
  /** The shape the caller needs (null entries: any length); a mismatch names both shapes. */
  readonly shape?: readonly (number | null)[];
  /** What the array is, for messages ("the initial state", "data x"). */
  readonly what?: string;
}

export function readArrayFile(path: string, o: ReadArrayOptions = {}): ArrayData {
  const what = o.what ?? 'the array';
  let bytes: Buffer;
  try {
    if (statSync(path).isDirectory()) throw inputError(`${path} is a folder, not an array file.`);
    bytes = readFileSync(path);
  } catch (e) {
    if ((e as { kind?: string }).kind === 'input') throw e;
    throw inputError(`cannot read ${what} from '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  const ext = extname(path).toLowerCase();
  const a = ext === '.npy' ? parseNpy(bytes, path) : ext === '.json' ? parseJsonArray(bytes.toString('utf8'), path) : ext === '.csv' ? parseCsv(bytes.toString('utf8'), path) : null;
  if (!a) throw inputError(`${path}: ${what} must be a .npy, .json or .csv file.`);
  checkFinite(a, path);
  if (o.shape) checkShape(a.shape, o.shape, `${path} (${what})`);
  return a;
}

/** Throws unless `got` matches `want` (null: any length). */
export function checkShape(got: readonly number[], want: readonly (number | null)[], where: string): void {
  const ok = got.length === want.length && want.every((w, i) => w === null || w === got[i]);
  if (!ok) throw inputError(`${where}: shape [${got.join(', ')}] does not match the expected [${want.map((w) => (w === null ? '*' : String(w))).join(', ')}].`);
}

function checkFinite(a: ArrayData, path: string): void {
  for (let i = 0; i < a.data.length; i++) {
    if (!Number.isFinite(a.data[i])) throw inputError(`${path}: the value at ${indexOf(i, a.shape)} is ${fmt(a.data[i])}; every value must be a finite number.`);
  }
}

/** "[2, 0, 1]" for a flat index in a row-major array. */
function indexOf(flat: number, shape: readonly number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) { idx.unshift(flat % shape[d]); flat = Math.floor(flat / shape[d]); }
  return `[${idx.join(', ')}]`;
}

function allocate(shape: readonly number[], path: string): Float64Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(n)) throw inputError(`${path}: shape [${shape.join(', ')}] is too large.`);
  checkAllocation(`${path}: an array of shape [${shape.join(', ')}]`, n * FLOAT64);
  return new Float64Array(n);
}

// --- NumPy .npy (format versions 1.0, 2.0, 3.0) --------------------------------------------

const DTYPES: Readonly<Record<string, { size: number; read: (v: DataView, off: number, little: boolean) => number }>> = {
  f8: { size: 8, read: (v, o, l) => v.getFloat64(o, l) },
  f4: { size: 4, read: (v, o, l) => v.getFloat32(o, l) },
  i8: { size: 8, read: (v, o, l) => Number(v.getBigInt64(o, l)) },
  i4: { size: 4, read: (v, o, l) => v.getInt32(o, l) },
  i2: { size: 2, read: (v, o, l) => v.getInt16(o, l) },
  i1: { size: 1, read: (v, o) => v.getInt8(o) },
  u8: { size: 8, read: (v, o, l) => Number(v.getBigUint64(o, l)) },
  u4: { size: 4, read: (v, o, l) => v.getUint32(o, l) },
  u2: { size: 2, read: (v, o, l) => v.getUint16(o, l) },
  u1: { size: 1, read: (v, o) => v.getUint8(o) },
  b1: { size: 1, read: (v, o) => v.getUint8(o) },
};

export function parseNpy(bytes: Buffer, path: string): ArrayData {
  const bad = (why: string): never => { throw inputError(`${path}: not a readable .npy file (${why}).`); };
  if (bytes.length < 10 || bytes.readUInt8(0) !== 0x93 || bytes.toString('latin1', 1, 6) !== 'NUMPY') bad('no NumPy magic string');
  const major = bytes.readUInt8(6);
  if (major < 1 || major > 3) bad(`format version ${major}`);
  const headerLen = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) bad('the header runs past the end of the file');
  const header = bytes.toString(major === 3 ? 'utf8' : 'latin1', start, start + headerLen);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) bad('its header lacks descr, fortran_order or shape');
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr!);
  const dtype = m ? DTYPES[`${m[2]}${m[3]}`] : undefined;
  if (!m || !dtype) throw inputError(`${path}: dtype '${descr}' is not supported; save float64, float32, integer or bool arrays (np.asarray(x, dtype=np.float64)).`);
  const little = m[1] !== '>';
  const shape = shapeText!.split(',').map((x) => x.trim()).filter((x) => x !== '').map(Number);
  if (shape.some((n) => !Number.isSafeInteger(n) || n < 0)) bad(`shape (${shapeText})`);
  const out = allocate(shape, path);
  const offset = start + headerLen;
  if (bytes.length - offset < out.length * dtype.size) bad(`it holds ${bytes.length - offset} bytes of data, shape [${shape.join(', ')}] needs ${out.length * dtype.size}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, out.length * dtype.size);
  for (let i = 0; i < out.length; i++) out[i] = dtype.read(view, i * dtype.size, little);
  return { shape, data: fortran === 'True' ? fortranToC(out, shape) : out };
}

/** Column-major (Fortran) values in row-major order. */
function fortranToC(f: Float64Array, shape: readonly number[]): Float64Array {
  const c = new Float64Array(f.length);
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  for (let k = 0; k < f.length; k++) {
    // idx is the multi-index of row-major position k; its Fortran position is Σ idx[d]·Π_{e<d} shape[e]
    let pos = 0;
    let stride = 1;
    for (let d = 0; d < nd; d++) { pos += idx[d] * stride; stride *= shape[d]; }
    c[k] = f[pos];
    for (let d = nd - 1; d >= 0; d--) { if (++idx[d] < shape[d]) break; idx[d] = 0; }
  }
  return c;
}

// --- JSON -------------------------------------------------------------------------------

export function parseJsonArray(text: string, path: string): ArrayData {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw inputError(`${path} is not valid JSON: ${(e as Error).message}.`);
  }
  const shape: number[] = [];
  for (let v: unknown = raw; Array.isArray(v); v = v[0]) shape.push(v.length);
  const out = allocate(shape, path);
  let k = 0;
  // iterative walk in row-major order, checking every sub-list has the length of the first
  const stack: { v: unknown; depth: number; at: string }[] = [{ v: raw, depth: 0, at: '' }];
  while (stack.length > 0) {
    const { v, depth, at } = stack.pop()!;
    if (depth === shape.length) {
      if (typeof v !== 'number') throw inputError(`${path}: the entry at [${at}] is ${JSON.stringify(v) ?? String(v)}, not a number.`);
      out[k++] = v;
      continue;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) throw inputError(`${path}: the list at [${at}] has ${Array.isArray(v) ? `${v.length} entries` : 'no entries (not a list)'}, expected ${shape[depth]}: the array is not rectangular.`);
    for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], depth: depth + 1, at: at === '' ? String(i) : `${at}, ${i}` });
  }
  return { shape, data: out };
}

// --- CSV --------------------------------------------------------------------------------

export function parseCsv(text: string, path: string): ArrayData {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const cells = (l: string): string[] => l.split(',').map((c) => c.trim());
  const numeric = (c: string): boolean => c !== '' && Number.isFinite(Number(c)) || /^[-+]?(nan|inf(inity)?)$/i.test(c);
  const first = lines.length > 0 ? cells(lines[0]) : [];
  const body = first.length > 0 && !first.every(numeric) ? lines.slice(1) : lines; // a header row of names
  const cols = body.length > 0 ? cells(body[0]).length : 0;
  const out = allocate([body.length, cols], path);
  body.forEach((line, r) => {
    const row = cells(line);
    if (row.length !== cols) throw inputError(`${path}: row ${r + 1} has ${row.length} values, the first row ${cols}.`);
    row.forEach((c, j) => {
      const v = /^[-+]?nan$/i.test(c) ? NaN : /^[-+]?inf(inity)?$/i.test(c) ? (c.startsWith('-') ? -Infinity : Infinity) : c === '' ? NaN : Number(c);
      if (Number.isNaN(v) && !/nan/i.test(c)) throw inputError(`${path}: row ${r + 1}, column ${j + 1}: '${c}' is not a number.`);
      out[r * cols + j] = v;
    });
  });
  return { shape: [body.length, cols], data: out };
}

// --- Writing: .npy and JSON ----------------------------------------------------------------

/** Number of values of `shape`; throws (a caller's bug) unless it is a valid shape holding `length` values. */
function sizeOf(shape: readonly number[], length: number): number {
  if (shape.some((n) => !Number.isSafeInteger(n) || n < 0)) throw new Error(`array shape [${shape.join(', ')}]: every length must be a non-negative integer`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== length) throw new Error(`array shape [${shape.join(', ')}] holds ${size} values, the data ${length}`);
  return size;
}

/** NumPy's header alignment (numpy.lib.format.ARRAY_ALIGN) and the spare room it leaves for a growing first axis (GROWTH_AXIS_MAX_DIGITS). */
const NPY_ALIGN = 64;
const NPY_GROWTH_DIGITS = 21;

/**
 * The header of a float64, little-endian, C-order `.npy` file of `shape`, byte for byte as NumPy
 * (2.x) `np.save` writes it: the magic string `\x93NUMPY`, the format version, the header length,
 * then the dictionary `{'descr': '<f8', 'fortran_order': False, 'shape': (…), }`, spaces (21 − the
 * digits of the first length, room NumPy leaves for appending, then padding) and `\n`, so that the
 * data start at a multiple of 64 bytes. Version 1.0 (2-byte header length) unless the header is
 * longer than 65535 bytes, then 2.0 (4-byte length; only shapes with thousands of axes need it).
 */
export function npyHeader(shape: readonly number[]): Buffer {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`; // Python's repr of a tuple
  let dict = `{'descr': '<f8', 'fortran_order': False, 'shape': ${tuple}, }`;
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, NPY_GROWTH_DIGITS - String(shape[0]).length));
  const hlen = dict.length + 1; // with the final newline
  const wrap = (major: 1 | 2): Buffer | null => {
    const prefix = 6 + 2 + (major === 1 ? 2 : 4); // magic, version, length
    const pad = NPY_ALIGN - ((prefix + hlen) % NPY_ALIGN); // 1…64, as NumPy computes it
    const len = hlen + pad;
    if (major === 1 && len > 0xffff) return null;
    const b = Buffer.alloc(prefix + len, 0x20);
    b.writeUInt8(0x93, 0);
    b.write('NUMPY', 1, 'latin1');
    b.writeUInt8(major, 6);
    b.writeUInt8(0, 7);
    if (major === 1) b.writeUInt16LE(len, 8);
    else b.writeUInt32LE(len, 8);
    b.write(dict, prefix, 'latin1');
    b.writeUInt8(0x0a, b.length - 1);
    return b;
  };
  return wrap(1) ?? wrap(2)!;
}

/** The values' bytes, little-endian: a view of `data` on a little-endian machine, a swapped copy otherwise. */
function littleEndianBytes(data: Float64Array): Uint8Array {
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return endianness() === 'LE' ? view : Buffer.from(view).swap64();
}

/**
 * A float64 array as the bytes of a `.npy` file: {@link npyHeader}, then the values in row-major
 * (C) order, little-endian, each bit as held (−0, subnormals and NaN payloads included). `data`
 * is row-major and holds exactly the values of `shape` (a scalar: shape [] and one value).
 */
export function npyBytes(shape: readonly number[], data: Float64Array): Buffer {
  sizeOf(shape, data.length);
  return Buffer.concat([npyHeader(shape), littleEndianBytes(data)]);
}

/** Writes all of `bytes` to `fd` (one write call stops at about 2 GB). */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, Math.min(bytes.length - off, 1 << 30));
}

/** Opens `path` for writing, runs `fn`, closes it; a file that cannot be written is an input error naming it. */
function withWriteFile(path: string, fn: (fd: number) => void): void {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    throw inputError(`cannot write '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  try {
    fn(fd);
  } catch (e) {
    if ((e as { kind?: string }).kind === 'input') throw e;
    throw inputError(`cannot write '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a float64 array as a `.npy` file ({@link npyBytes}: `np.load(path)` gives a float64
 * array of `shape` with these exact bits; `readArrayFile` reads it back bit for bit). The values
 * are written from `data` directly, without a copy on a little-endian machine.
 */
export function writeNpy(path: string, shape: readonly number[], data: Float64Array): void {
  sizeOf(shape, data.length);
  withWriteFile(path, (fd) => {
    writeAll(fd, npyHeader(shape));
    writeAll(fd, littleEndianBytes(data));
  });
}

/**
 * A number as JSON text that `JSON.parse` (and Python's `json.loads`) turns back into the same
 * double: JavaScript's shortest round-trip form, and `-0.0` for −0 (which `JSON.stringify`
 * writes as `0`). JSON has no NaN or infinity: those are an input error.
 */
export function jsonNumber(x: number, where = 'a value'): string {
  if (!Number.isFinite(x)) throw inputError(`${where} is ${fmt(x)}, which JSON cannot hold; write .npy instead.`);
  return Object.is(x, -0) ? '-0.0' : String(x);
}

/**
 * Writes a float64 array as JSON nested lists in row-major order (shape [] → a bare number,
 * [2, 3] → `[[a,b,c],[d,e,f]]`), each number by {@link jsonNumber}, so that `readArrayFile`
 * reads back the same shape and the same bits. Written in chunks (no single string of the whole
 * array). An empty array keeps its lists up to the first zero length (`[0, 3]` is `[]`, read back
 * as shape [0]); every array with values keeps its shape.
 */
export function writeJsonArray(path: string, shape: readonly number[], data: Float64Array): void {
  const size = sizeOf(shape, data.length);
  const nd = shape.length;
  for (let i = 0; i < size; i++) if (!Number.isFinite(data[i])) jsonNumber(data[i], `${path}: the value at ${indexOf(i, shape)}`); // throws, before the file is touched
  withWriteFile(path, (fd) => {
    let chunk = '';
    const put = (t: string): void => {
      chunk += t;
      if (chunk.length >= 1 << 20) { writeAll(fd, Buffer.from(chunk, 'utf8')); chunk = ''; }
    };
    if (nd === 0) {
      put(jsonNumber(data[0], `${path}: the value`));
    } else if (size === 0) {
      const empty = (depth: number): string => (shape[depth] === 0 ? '[]' : `[${Array.from({ length: shape[depth] }, () => empty(depth + 1)).join(',')}]`);
      put(empty(0));
    } else {
      const idx = new Array<number>(nd).fill(0);
      for (let k = 0; k < size; k++) {
        let open = 0; // a new list starts at every trailing axis whose index is 0
        while (open < nd && idx[nd - 1 - open] === 0) open++;
        put(`${k > 0 ? ',' : ''}${'['.repeat(open)}${jsonNumber(data[k], `${path}: the value at ${indexOf(k, shape)}`)}`);
        let close = 0; // and ends at every axis that wraps around
        for (let j = nd - 1; j >= 0; j--) { if (++idx[j] < shape[j]) break; idx[j] = 0; close++; }
        if (close > 0) put(']'.repeat(close));
      }
    }
    put('\n');
    writeAll(fd, Buffer.from(chunk, 'utf8'));
  });
}
