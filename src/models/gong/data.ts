/**
 * The data of the reconstructed model (technical note §2): directions, and fixed samples drawn
 * with common random numbers (the same dataSeed gives the same sample in every run).
 *
 * Each example is x = [x^P; x^Q] with a label y = ±1 (equally likely) and a type: both (prob.
 * 1 − p0 − q0), P-only (p0; x^Q = 0) or Q-only (q0; x^P = 0).
 * - P, "linearly separable with margin" [V: authors' notebook]: x^P = y γ0 ŵ + z with
 *   z ~ N(0, σ_P² I) conditioned on y⟨ŵ, z⟩ ≥ 0 (drawn as z, reflected through ŵ^⊥ if needed).
 * - Q clusters [V: notebook]: x^Q = σ_Q ξ for y = +1, ±ζ + σ_Q ξ (sign uniform) for y = −1.
 * - Q rays [G: Li–Wei–Ma 2019]: x^Q = α ẑ for y = +1, α(ẑ ± ζ) for y = −1, α ~ U[0, 1], ζ ⊥ ẑ.
 * - normalisation: 'blocks' scales each non-zero part to unit norm, 'token' the whole token.
 * ŵ, ζ̂ (and ẑ ⊥ ζ̂ for rays) are seeded random unit vectors, fixed across prompts [G].
 */
import { makeRng, type Rng } from '../../util/rng.js';
import type { GongConfig } from './config.js';

export const TYPE_BOTH = 0;
export const TYPE_P = 1;
export const TYPE_Q = 2;

export interface Directions {
  /** ŵ = w⋆ / ‖w⋆‖, the P direction. */
  readonly w: Float64Array;
  /** ζ̂, the Q separation direction (ζ = r ζ̂). */
  readonly zeta: Float64Array;
  /** ẑ ⊥ ζ̂, the ray direction (rays only; clusters: unused but defined). */
  readonly z: Float64Array;
}

function unit(rng: Rng, d: number, against: Float64Array[] = []): Float64Array {
  for (;;) {
    const v = Float64Array.from({ length: d }, () => rng.normal());
    for (const a of against) { // Gram–Schmidt against earlier directions
      let dot = 0;
      for (let i = 0; i < d; i++) dot += v[i] * a[i];
      for (let i = 0; i < d; i++) v[i] -= dot * a[i];
    }
    let n = 0;
    for (let i = 0; i < d; i++) n += v[i] * v[i];
    n = Math.sqrt(n);
    if (n > 1e-8) return v.map((x) => x / n);
  }
}

export function directions(c: Pick<GongConfig, 'd' | 'dataSeed'>): Directions {
  const rng = makeRng(c.dataSeed);
  const w = unit(rng, c.d);
  const zeta = unit(rng, c.d);
  const z = unit(rng, c.d, [zeta]);
  return { w, zeta, z };
}

/** A fixed sample of tokens: row k is [x^P; x^Q] (2d entries), with label and type. */
export interface Tokens {
  readonly count: number;
  readonly d: number;
  readonly x: Float64Array;
  readonly y: Int8Array;
  readonly type: Uint8Array;
}

/** Draws token k of `s` (its 2d coordinates, label and type) in place: no allocation per token. */
function drawToken(c: GongConfig, dir: Directions, rng: Rng, s: Tokens, k: number): void {
  const d = c.d;
  const x = s.x;
  const off = k * 2 * d;
  const y = rng.uniform() < 0.5 ? 1 : -1;
  const u = rng.uniform();
  const type = u < c.p0 ? TYPE_P : u < c.p0 + c.q0 ? TYPE_Q : TYPE_BOTH;
  // the draws are made for every type, so that types do not shift the stream (common random numbers)
  let dot = 0;
  for (let i = 0; i < d; i++) {
    const z = c.sigmaP * rng.normal();
    x[off + i] = z;
    dot += z * dir.w[i];
  }
  if (y * dot < 0) for (let i = 0; i < d; i++) x[off + i] -= 2 * dot * dir.w[i]; // reflect: y⟨ŵ, z⟩ ≥ 0
  for (let i = 0; i < d; i++) x[off + i] += y * c.gamma0 * dir.w[i];
  const side = rng.uniform() < 0.5 ? 1 : -1;
  if (c.qlaw === 'clusters') {
    const shift = y > 0 ? 0 : side * c.zeta;
    for (let i = 0; i < d; i++) x[off + d + i] = c.sigmaQ * rng.normal() + shift * dir.zeta[i];
  } else {
    const alpha = rng.uniform();
    const shift = y > 0 ? 0 : side * c.zeta;
    for (let i = 0; i < d; i++) x[off + d + i] = alpha * (dir.z[i] + shift * dir.zeta[i]);
  }
  if (type === TYPE_P) for (let i = 0; i < d; i++) x[off + d + i] = 0;
  if (type === TYPE_Q) for (let i = 0; i < d; i++) x[off + i] = 0;
  normalizeToken(c.normalize, x, off, d);
  s.y[k] = y;
  s.type[k] = type;
}

function scaleToUnit(x: Float64Array, from: number, len: number): void {
  let n = 0;
  for (let i = from; i < from + len; i++) n += x[i] * x[i];
  if (n === 0) return;
  const s = 1 / Math.sqrt(n);
  for (let i = from; i < from + len; i++) x[i] *= s;
}

export function normalizeToken(mode: GongConfig['normalize'], x: Float64Array, off: number, d: number): void {
  if (mode === 'blocks') {
    scaleToUnit(x, off, d);
    scaleToUnit(x, off + d, d);
  } else if (mode === 'token') {
    scaleToUnit(x, off, 2 * d);
  }
}

/**
 * Mirror image of a token under the two reflections that leave the data law invariant:
 * ζ ↦ −ζ on the Q part (x ↦ x − 2(ζ̂·x)ζ̂; it swaps the two negative clusters or rays) and
 * Π⊥x ↦ −Π⊥x on the P part (x ↦ 2(ŵ·x)ŵ − x; the P noise off ŵ is symmetric). Both are
 * orthogonal, so they commute with the normalisations.
 */
function mirrorToken(x: Float64Array, from: number, to: number, dir: Directions, d: number): void {
  let wp = 0;
  let zq = 0;
  for (let i = 0; i < d; i++) {
    wp += dir.w[i] * x[from + i];
    zq += dir.zeta[i] * x[from + d + i];
  }
  for (let i = 0; i < d; i++) {
    x[to + i] = 2 * wp * dir.w[i] - x[from + i];
    x[to + d + i] = x[from + d + i] - 2 * zq * dir.zeta[i];
  }
}

/**
 * A fixed antithetic sample of `prompts` prompts of `stride` tokens each (stride 1: single
 * queries), from the stream `seedOffset` of the data seed: the first ⌈prompts/2⌉ prompts are
 * i.i.d., each of the others is the mirror image of one of them (mirrorToken). The estimate of
 * the population loss stays unbiased, and — as in the population — a W in the reduced flow's
 * invariant subspace keeps a gradient in that subspace (Variant B, rays; the clusters law's
 * rotation symmetry is only partly kept), so the sample does not push W off it at O(N^{−1/2}).
 */
export function drawTokens(c: GongConfig, dir: Directions, prompts: number, stride: number, seedOffset: number): Tokens {
  const rng = makeRng((c.dataSeed * 2654435761 + 97 * (seedOffset + 1)) >>> 0);
  const count = prompts * stride;
  const d = c.d;
  const s = emptyTokens(count, d);
  const half = Math.ceil(prompts / 2);
  fillIid(c, dir, rng, s, half * stride);
  for (let k = half * stride; k < count; k++) {
    const src = k - half * stride;
    mirrorToken(s.x, src * 2 * d, k * 2 * d, dir, d);
    s.y[k] = s.y[src];
    s.type[k] = s.type[src];
  }
  return s;
}

/**
 * `count` i.i.d. tokens from the data law, drawn from the caller's `rng` (no mirror images): the
 * fresh prompts of discrete training (finite-sample.ts), one token after another in stream order.
 */
export function drawIidTokens(c: GongConfig, dir: Directions, rng: Rng, count: number): Tokens {
  const s = emptyTokens(count, c.d);
  fillIid(c, dir, rng, s, count);
  return s;
}

/** Redraws every token of `s` in place, consuming the same random numbers as drawIidTokens. */
export function redrawIidTokens(c: GongConfig, dir: Directions, rng: Rng, s: Tokens): void {
  fillIid(c, dir, rng, s, s.count);
}

function emptyTokens(count: number, d: number): Tokens {
  return { count, d, x: new Float64Array(count * 2 * d), y: new Int8Array(count), type: new Uint8Array(count) };
}

/** Draws tokens 0 … upTo−1 of `s` in order from `rng`. */
function fillIid(c: GongConfig, dir: Directions, rng: Rng, s: Tokens, upTo: number): void {
  for (let k = 0; k < upTo; k++) {
    drawToken(c, dir, rng, s, k);
  }
}
