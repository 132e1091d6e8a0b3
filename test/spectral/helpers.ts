import { makeRng } from '../../src/util/rng.js';

export { makeRng };

/** A rows×cols row-major Float64Array of N(0, sd²) entries. */
export function gaussian(rows: number, cols: number, seed: number, sd = 1): Float64Array {
  const rng = makeRng(seed);
  return Float64Array.from({ length: rows * cols }, () => sd * rng.normal());
}
