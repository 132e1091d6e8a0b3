/**
 * Size limits, checked before anything large is allocated.
 *
 * A request that sizes an allocation — seeds of a comparison, batch sizes, training-set sizes,
 * model dimensions, save grids — is checked here first and refused with the numbers that make
 * it too large: an input error (exit 2) within a second, not a V8 "heap out of memory" after a
 * minute or a RangeError from deep inside the code.
 *
 * Counts (fixed caps, far above anything the paper models need):
 * - {@link MAX_SEEDS} = 10 000 seeds per comparison: each seed is one run per setting and one
 *   reference flow; 10 000 seeds already give a Monte Carlo error of 1% of the spread.
 * - {@link MAX_BATCH} = 10⁷ examples per minibatch: one gradient of 10⁷ examples is already a
 *   population gradient to 3 digits; beyond that use data mode `population`.
 * - {@link MAX_EXAMPLES} = 10⁸ examples in a fixed training set (n=…).
 * - {@link MAX_GRID_POINTS} = 10⁶ points in a save grid or record list (model files' `save_at`,
 *   record times of a discrete run): each point is one stored state.
 *
 * Memory ({@link memoryLimit}): what a request would allocate — its float64 arrays, plus
 * {@link ARRAY_OVERHEAD_BYTES} for every array kept as a separate JS object (one per recorded
 * state) — is estimated before it starts and compared with min(4 GB, ½ of the machine's memory,
 * `os.totalmem()`). 4 GB is about Node 20's default V8 heap limit on a 64-bit machine (recorded
 * states are JS objects on that heap) and far above what the built-in comparisons need (each
 * model's `gradflow compare` defaults: under 20 MB of recorded states); half the physical memory
 * on a smaller machine leaves the rest to the OS, the worker threads and other processes. The
 * estimates count the big arrays (data sets, batches, parameter vectors, recorded states), not
 * every small workspace, so they are lower bounds.
 *
 * Where the checks are: src/sgd/compare-model.ts (a whole comparison: seeds, settings, recorded
 * states, the runs training at once), src/sgd/train.ts (each run), the models' finite-sample
 * forms (`sample`, Yang's ambient network), the Chen–Luo setup (its data set), Gong's full flow
 * (its fixed sample), src/modelfile/spec.ts (`save_at`).
 */
import { totalmem } from 'node:os';
import { fmt, inputError } from './errors.js';

export const MAX_SEEDS = 10_000;
export const MAX_BATCH = 10_000_000;
export const MAX_EXAMPLES = 100_000_000;
export const MAX_GRID_POINTS = 1_000_000;
/** The longest string V8 can build on a 64-bit machine (2²⁹ − 24 characters): a JSON line must fit. */
export const MAX_STRING_CHARS = 2 ** 29 - 24;

/** Bytes of one float64. */
export const FLOAT64 = 8;
/**
 * Bytes a small typed array costs beyond its data when many are kept (object, ArrayBuffer and
 * allocator overhead): a Float64Array(18) was measured at ≈ 550 bytes of process memory on Node 20.
 */
export const ARRAY_OVERHEAD_BYTES = 400;

/** The memory budget in bytes: min(4 GB, ½ os.totalmem()). */
export function memoryLimit(): number {
  return Math.min(4e9, 0.5 * totalmem());
}

/** Bytes of `count` states of `dim` float64 each, kept as separate arrays. */
export function statesBytes(count: number, dim: number): number {
  return count * (dim * FLOAT64 + ARRAY_OVERHEAD_BYTES);
}

/** 14.5 GB, 4 GB, 512 MB: decimal units, 3 significant digits. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let x = bytes;
  let u = 0;
  while (Math.abs(x) >= 1000 && u < units.length - 1) { x /= 1000; u++; }
  if (u === units.length - 1 && Math.abs(x) >= 1000) return `${fmt(bytes)} bytes`;
  return `${Number(x.toPrecision(3))} ${units[u]}`;
}

/** A count as typed: integers in full (100000, 999999999999), anything else short. */
export function formatCount(n: number): string {
  return Number.isSafeInteger(n) ? String(n) : fmt(n);
}

export interface AllocationOptions {
  /** What the bytes are, after "≈ 14.5 GB of …" (e.g. "recorded states"). */
  readonly of?: string;
  /** How to make the request smaller (e.g. "use fewer --seeds"). */
  readonly hint?: string;
}

/**
 * Refuses a request whose estimated allocation exceeds the memory budget, before anything is
 * allocated: "compare: 10000 seeds × … ≈ 14.5 GB of recorded states, above the 4 GB memory
 * limit; use fewer --seeds". `what` names the request and its sizes.
 */
export function checkAllocation(what: string, bytes: number, options: AllocationOptions = {}): void {
  const limit = memoryLimit();
  if (bytes <= limit) return;
  throw inputError(`${what} ≈ ${formatBytes(bytes)}${options.of ? ` of ${options.of}` : ''}, above the ${formatBytes(limit)} memory limit${options.hint ? `; ${options.hint}` : ''}.`);
}

/**
 * Checks a count that sizes an allocation: an integer from 1 to `max`. `name` is what the user
 * calls it ("the batch size", "--seeds"); the message says what was given and the limit.
 */
export function checkCount(name: string, value: number, max: number, hint?: string): void {
  if (!Number.isInteger(value) || value < 1) throw inputError(`${name} must be a positive integer (got ${formatCount(value)}).`);
  if (value > max) throw inputError(`${name} is ${formatCount(value)}, above the limit of ${formatCount(max)}${hint ? `; ${hint}` : ''}.`);
}
