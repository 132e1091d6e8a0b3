/**
 * Seeded random numbers: every random draw in gradflow comes from an Rng made from a seed, so
 * the same seed gives the same run on any machine. xoshiro128** for uniforms (32-bit state
 * words, exact in JS integer arithmetic), Box–Muller for normals.
 */
export interface Rng {
  /** Uniform on [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
}

function splitmix32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x9e3779b9) >>> 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function makeRng(seed: number): Rng {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
  const init = splitmix32(seed);
  // state in typed arrays, not closure variables: a uint32 above 2^30 or a double held in a mutable
  // closure slot is a heap number in V8, so every draw would allocate (≈ 100 minor GCs per 1000
  // online SGD steps of the Gong model); the arithmetic, and so every draw, is unchanged
  const s = Uint32Array.of(init(), init(), init(), init());
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
  const spare = new Float64Array(1);
  let hasSpare = false;
  const uniform = (): number => (next() * 2 ** 21 + (next() >>> 11)) / 2 ** 53; // 53 random bits
  return {
    uniform,
    normal(): number {
      if (hasSpare) { hasSpare = false; return spare[0]; }
      let u = 0;
      while (u === 0) u = uniform();
      const v = uniform();
      const r = Math.sqrt(-2 * Math.log(u));
      spare[0] = r * Math.sin(2 * Math.PI * v);
      hasSpare = true;
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
