/** Seeded random numbers for the spectral tests (mulberry32 + Box–Muller). */
export function makeRng(seed: number): { uniform(): number; normal(): number } {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    const u = 1 - uniform(); // (0, 1]
    const v = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return { uniform, normal };
}

/** A rows×cols row-major Float64Array of N(0, sd²) entries. */
export function gaussian(rows: number, cols: number, seed: number, sd = 1): Float64Array {
  const rng = makeRng(seed);
  return Float64Array.from({ length: rows * cols }, () => sd * rng.normal());
}
