/** Input checks shared by the stage functions; every failure is an `inputError` naming the culprit. */
import { fmt, inputError } from '../util/errors.js';

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return (
    v !== null &&
    typeof v === 'object' &&
    typeof (v as { length?: unknown }).length === 'number' &&
    Number.isInteger((v as { length: number }).length)
  );
}

/**
 * Checks a time grid: an array of finite numbers, strictly ascending, with at least `minPositive`
 * points t > 0 (the log-time derivative needs two). Returns the index of the first t > 0.
 */
export function checkGrid(fn: string, t: unknown, minPositive: number): number {
  if (!isArrayLike(t)) throw inputError(`${fn}: t must be an array of times (got ${typeof t}).`);
  for (let i = 0; i < t.length; i++) {
    const x = t[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw inputError(`${fn}: t[${i}] = ${String(x)} is not a finite number.`);
    if (i > 0 && !(x > (t[i - 1] as number))) {
      throw inputError(`${fn}: t must be strictly ascending (t[${i}] = ${fmt(x)} after t[${i - 1}] = ${fmt(t[i - 1] as number)}).`);
    }
  }
  let first = 0;
  while (first < t.length && !((t[first] as number) > 0)) first++;
  const positive = t.length - first;
  if (positive < minPositive) {
    throw inputError(`${fn}: need at least ${minPositive} grid points with t > 0 for a log-time rate (got ${positive} of ${t.length}).`);
  }
  return first;
}

/** Checks a series on the grid: same length as t, finite numbers, and ≥ 0 if `nonNegative`. */
export function checkSeries(fn: string, name: string, v: unknown, n: number, nonNegative: boolean): void {
  if (!isArrayLike(v)) throw inputError(`${fn}: ${name} must be an array of numbers (got ${typeof v}).`);
  if (v.length !== n) throw inputError(`${fn}: ${name} has ${v.length} points but t has ${n}; sample both on the same grid.`);
  for (let i = 0; i < n; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw inputError(`${fn}: ${name}[${i}] = ${String(x)} is not a finite number.`);
    if (nonNegative && x < 0) throw inputError(`${fn}: ${name}[${i}] = ${fmt(x)} is negative; the loss must be ≥ 0.`);
  }
}

/** Rejects option keys not in `valid` (a misspelt threshold would otherwise be silently ignored). */
export function checkKeys(fn: string, options: object, valid: readonly string[]): void {
  for (const k of Object.keys(options)) {
    if (!valid.includes(k)) throw inputError(`${fn}: unknown option '${k}'. Valid options: ${valid.join(', ')}.`);
  }
}

/** `v` if it is a finite number (or an integer) within the given bounds, else an input error saying what is allowed. */
export function checkNumber(
  fn: string,
  name: string,
  v: unknown,
  range: { min?: number; minExclusive?: boolean; max?: number; maxExclusive?: boolean; integer?: boolean; allowInfinity?: boolean },
): number {
  const describe = (): string => {
    const what = range.integer ? 'an integer' : 'a finite number';
    const { min, max } = range;
    let where = '';
    if (min !== undefined && max !== undefined) {
      where = ` in ${range.minExclusive ? '(' : '['}${fmt(min)}, ${fmt(max)}${range.maxExclusive ? ')' : ']'}`;
    } else if (min !== undefined) where = ` ${range.minExclusive ? '>' : '≥'} ${fmt(min)}`;
    else if (max !== undefined) where = ` ${range.maxExclusive ? '<' : '≤'} ${fmt(max)}`;
    return what + where + (range.allowInfinity ? ' (or Infinity)' : '');
  };
  const bad = (): never => {
    throw inputError(`${fn}: option ${name} must be ${describe()} (got ${typeof v === 'number' ? fmt(v) : JSON.stringify(v) ?? String(v)}).`);
  };
  if (typeof v !== 'number' || Number.isNaN(v)) return bad();
  if (v === Infinity && range.allowInfinity) return v;
  if (!Number.isFinite(v)) return bad();
  if (range.integer && !Number.isInteger(v)) return bad();
  if (range.min !== undefined && (range.minExclusive ? !(v > range.min) : !(v >= range.min))) return bad();
  if (range.max !== undefined && (range.maxExclusive ? !(v < range.max) : !(v <= range.max))) return bad();
  return v;
}
