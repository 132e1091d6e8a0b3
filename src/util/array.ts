/**
 * Reductions over arrays of any length. `Math.max(...xs)` passes every element as an argument
 * and throws a RangeError (call stack size exceeded) from about 10⁵ elements on; these loop.
 * They keep Math.max/min/hypot's conventions: NaN anywhere gives NaN (hypot: ±Infinity wins over
 * NaN), an empty array gives −Infinity (max), +Infinity (min) or 0 (hypot).
 */

/** max over xs (Math.max semantics, without the spread). */
export function maxOf(xs: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (Number.isNaN(x)) return NaN;
    if (x > m) m = x;
  }
  return m;
}

/** min over xs (Math.min semantics, without the spread). */
export function minOf(xs: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (Number.isNaN(x)) return NaN;
    if (x < m) m = x;
  }
  return m;
}

/** max |x| over xs (0 for an empty array; NaN if any is NaN). */
export function maxAbs(xs: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < xs.length; i++) {
    const a = Math.abs(xs[i]);
    if (Number.isNaN(a)) return NaN;
    if (a > m) m = a;
  }
  return m;
}

/**
 * The Euclidean norm √Σx², computed as V8 computes Math.hypot (scaled by the largest |x|, so
 * nothing overflows or underflows on the way, and Kahan-summed), so it gives the same bits.
 */
export function hypotOf(xs: ArrayLike<number>): number {
  let scale = 0;
  let nan = false;
  for (let i = 0; i < xs.length; i++) {
    const a = Math.abs(xs[i]);
    if (a === Infinity) return Infinity;
    if (Number.isNaN(a)) nan = true;
    else if (a > scale) scale = a;
  }
  if (nan) return NaN;
  if (scale === 0) return 0;
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < xs.length; i++) {
    const r = Math.abs(xs[i]) / scale;
    const summand = r * r - compensation;
    const next = sum + summand;
    compensation = next - sum - summand;
    sum = next;
  }
  return Math.sqrt(sum) * scale;
}
