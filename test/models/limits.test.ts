/**
 * Model sizes within their parameter ranges that used to crash or exhaust memory: each either
 * runs (the Chen–Luo data set of 128 000 sequences) or is refused before allocating, as an input
 * error naming the numbers.
 */
import { describe, expect, it } from 'vitest';
import { chenLuo } from '../../src/models/chen-luo/model.js';
import { gong } from '../../src/models/gong/model.js';
import { gongFiniteSample } from '../../src/models/gong/finite-sample.js';
import { resolveParams } from '../../src/models/params.js';
import { makeRng } from '../../src/util/rng.js';
import { inputErrorOf } from '../helpers/errors.js';


describe('chen-luo: large data sets', () => {
  it('d = 2, s = 64, sets = 2000 (in range) sets up: the bag-of-tokens optimum over 128 000 sequences (was: RangeError from Math.max(...margins))', () => {
    const p = resolveParams(chenLuo, { d: 2, s: 64, sets: 2000 });
    const h = chenLuo.horizon(p);
    const st = chenLuo.setup(p);
    expect(st.data.n).toBe(128_000); // beyond what an argument spread can pass
    expect(Number.isFinite(st.bag.value)).toBe(true);
    expect(typeof st.bag.attained).toBe('boolean');
    expect(st.bag.iterations).toBeGreaterThan(0);
    expect(h.tEnd).toBeGreaterThan(0);
  });

  it('d = 64, s = 64, sets = 2000 (in range, 4.2 GB of tokens) is refused before the data set is drawn', () => {
    const t = performance.now();
    const m = inputErrorOf(() => chenLuo.horizon(resolveParams(chenLuo, { d: 64, s: 64, sets: 2000 })));
    expect(m).toMatch(/^chen-luo: a data set of 2000 sets × 64 rotations = 128000 sequences × s = 64 tokens × d = 64 coordinates ≈ 4\.2\d GB of data and statistics, above the [\d.]+ [GM]B memory limit; use fewer sets or a smaller s or d\.$/);
    expect(performance.now() - t).toBeLessThan(2000);
  });
});

describe('gong: the full flow\'s fixed sample', () => {
  it('N = 1048576 queries at d = 256 (in range, 8.6 GB) is refused before the sample is drawn', () => {
    const p = resolveParams(gong, { N: 1_048_576, d: 256 });
    const t = performance.now();
    const m = inputErrorOf(() => gong.flow(p));
    expect(m).toMatch(/^gong: the fixed sample of N = 1048576 queries × 512 coordinates ≈ 8\.6\d GB of data and per-query workspace, above the [\d.]+ [GM]B memory limit; use a smaller N or d\.$/);
    expect(performance.now() - t).toBeLessThan(2000);
  });

  it('finite context: N prompts × (L + 1) tokens, and the finite-sample form refuses an oversized batch of prompts', () => {
    const p = resolveParams(gong, { context: 'finite', L: 4096, N: 65_536, d: 64 });
    expect(inputErrorOf(() => gong.flow(p))).toMatch(/^gong: the fixed sample of N = 65536 prompts × 4097 tokens × 128 coordinates ≈ 276 GB of data and per-query workspace, above the [\d.]+ [GM]B memory limit; use a smaller N, L or d\.$/);
    const fs = gongFiniteSample(resolveParams(gong, { L: 4096, d: 64 }));
    expect(fs.exampleShape).toBe('4097 tokens × 128 coordinates');
    expect(inputErrorOf(() => fs.sample(makeRng(1), 10_000))).toMatch(/^gong: 10000 prompts × 4097 tokens × 128 coordinates ≈ 42 GB of training data/);
  });
});
