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
 * Checks a time grid: an array of finite numbers, strictly ascending. Returns the index of the
 * first t > 0 (t.length if there is none). How many points t > 0 there are is a property of the
 * data, not a caller error: see `rateProblem`.
 */
export function checkGrid(fn: string, t: unknown): number {
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
  return first;
}

/**
 * Checks the shape of a series on the grid: an array of n numbers (NaN and ±Infinity are numbers
 * here; whether they are usable is for the caller to decide). Throws for anything else.
 */
export function checkSeriesShape(fn: string, name: string, v: unknown, n: number): asserts v is ArrayLike<number> {
  if (!isArrayLike(v)) throw inputError(`${fn}: ${name} must be an array of numbers (got ${typeof v}).`);
  if (v.length !== n) throw inputError(`${fn}: ${name} has ${v.length} points but t has ${n}; sample both on the same grid.`);
  for (let i = 0; i < n; i++) {
    const x = v[i];
    if (typeof x !== 'number') throw inputError(`${fn}: ${name}[${i}] = ${typeof x === 'string' ? JSON.stringify(x) : String(x)} is not a number.`);
  }
}

/** Checks a series on the grid: same length as t, finite numbers, and ≥ 0 if `nonNegative`. */
export function checkSeries(fn: string, name: string, v: unknown, n: number, nonNegative: boolean): void {
  checkSeriesShape(fn, name, v, n);
  for (let i = 0; i < n; i++) {
    const x = v[i];
    if (!Number.isFinite(x)) throw inputError(`${fn}: ${name}[${i}] = ${String(x)} is not a finite number.`);
    if (nonNegative && x < 0) throw inputError(`${fn}: ${name}[${i}] = ${fmt(x)} is negative; the loss must be ≥ 0.`);
  }
}

/** True if every entry of a (shape-checked) series is a finite number. */
export function allFinite(v: ArrayLike<number>): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}

/**
 * Why the log-time rate of this loss cannot be computed, as a sentence for the user, or null if
 * it can. Input already shape-checked (`checkGrid`, `checkSeriesShape`); `first` is the index of
 * the first t > 0. The reasons, in this order: fewer than two save points with t > 0 (the
 * derivative in ln t needs two), a loss that is NaN or ±Infinity anywhere, a negative loss (no
 * logarithm). The sentence ends with what is not done: `what.fewPoints` for the first reason,
 * `what.badValues` for the others (e.g. 'no stage detection', 'no stages').
 */
export function rateProblem(
  t: ArrayLike<number>,
  loss: ArrayLike<number>,
  first: number,
  what: { readonly fewPoints: string; readonly badValues: string },
): string | null {
  const n = t.length;
  const positive = n - first;
  const needTwo = 'the rate −d ln L/d ln t needs two';
  if (n === 0) return `no save points: ${what.fewPoints}`;
  if (positive === 0) return `no save point with t > 0 (${n} at t ≤ 0; ${needTwo}): ${what.fewPoints}`;
  if (positive === 1) {
    return `only 1 save point with t > 0 (t = ${fmt(t[first])}${n > 1 ? `, ${n - 1} more at t ≤ 0` : ''}; ${needTwo}): ${what.fewPoints}`;
  }
  let bad = 0;
  let firstBad = -1;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(loss[i])) {
      bad++;
      if (firstBad < 0) firstBad = i;
    }
  }
  if (bad === n) {
    const values = new Set(Array.from({ length: n }, (_, i) => String(loss[i])));
    return `the loss is not finite at any save point (${[...values].join(' or ')} at all ${n} save points): ${what.badValues}`;
  }
  if (bad > 0) {
    return `the loss is not finite at t = ${fmt(t[firstBad])} (L = ${String(loss[firstBad])}; ${bad} of ${n} save points): ${what.badValues}`;
  }
  for (let i = 0; i < n; i++) {
    if (loss[i] < 0) return `the loss is negative at t = ${fmt(t[i])} (L = ${fmt(loss[i])}; ln L needs L ≥ 0): ${what.badValues}`;
  }
  return null;
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
