import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  effectiveRank,
  frobeniusNorm,
  lowRankResidual,
  matrixView,
  numericalRank,
  singularValues,
  spectralNorm,
  spectralObservables,
  stableRank,
  svd,
} from '../../src/spectral/index.js';
import { gaussian } from './helpers.js';

/** exp(−Σ pᵢ log pᵢ), the textbook formula, for the expected values. */
const expEntropy = (p: number[]): number => Math.exp(-p.reduce((h, x) => h + (x > 0 ? x * Math.log(x) : 0), 0));

describe('diag(3, 2, 1, 0)', () => {
  const D = new Matrix([
    [3, 0, 0, 0],
    [0, 2, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 0],
  ]);
  const sigma = singularValues(D);

  it('has singular values 3, 2, 1, 0 (descending)', () => {
    expect(Array.from(sigma)).toEqual([3, 2, 1, 0]);
  });

  it('has ‖D‖_F = √14, ‖D‖₂ = 3', () => {
    expect(frobeniusNorm(D)).toBe(Math.sqrt(14));
    expect(spectralNorm(D)).toBe(3);
  });

  it('has stable rank exactly 14/9', () => {
    // (9 + 4 + 1 + 0) / 3² = 14/9
    expect(stableRank(sigma)).toBe(14 / 9);
  });

  it('has effective rank exp(H(3/6, 2/6, 1/6)), the zero σ contributing 0·log 0 = 0', () => {
    const expected = expEntropy([3 / 6, 2 / 6, 1 / 6]); // ≈ 2.7495
    expect(expected).toBeCloseTo(2.7495, 4);
    expect(effectiveRank(sigma)).toBeCloseTo(expected, 14);
  });

  it('has numerical rank 3', () => {
    expect(numericalRank(sigma)).toBe(3);
  });

  it('gives the same numbers through spectralObservables on a view with an offset', () => {
    const data = new Float64Array([7, 7, ...D.to1DArray()]);
    const obs = spectralObservables(matrixView(data, 4, 4, 2));
    expect(Array.from(obs.singularValues)).toEqual([3, 2, 1, 0]);
    expect(obs.stableRank).toBe(14 / 9);
    expect(obs.numericalRank).toBe(3);
    expect(obs.rankRtol).toBe(1e-6);
  });
});

describe('rank one plus 1e-9 Gaussian noise (8×6, seeded)', () => {
  const m = 8;
  const n = 6;
  const unit = (x: Float64Array) => {
    const s = Math.hypot(...x);
    return x.map((v) => v / s);
  };
  const u = unit(gaussian(m, 1, 1));
  const v = unit(gaussian(n, 1, 2));
  const noise = gaussian(m, n, 3, 1e-9);
  const data = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) data[i * n + j] = u[i] * v[j] + noise[i * n + j];
  const W = matrixView(data, m, n);
  const sigma = singularValues(W);

  it('has stable rank 1 within 1e-8', () => {
    // Σσᵢ²/σ₁² − 1 = Σ_{i≥2}(σᵢ/σ₁)² ≈ 5·(1e-9)² — far below 1e-8.
    expect(Math.abs(stableRank(sigma) - 1)).toBeLessThan(1e-8);
  });

  it('has numerical rank 1 with the default cut-off (1e-6), but full rank by ml-matrix eps rule', () => {
    expect(numericalRank(sigma)).toBe(1);
    expect(new SingularValueDecomposition(new Matrix(Array.from({ length: m }, (_, i) => Array.from(data.subarray(i * n, i * n + n))))).rank).toBe(n);
  });

  it('has effective rank above 1 by no more than the entropy bound', () => {
    // Bound. Let η = ‖N‖_F ≥ ‖N‖₂. Weyl: σᵢ(W) ≤ η for i ≥ 2 and σ₁(W) ≥ ‖uvᵀ‖ − η = 1 − η.
    // So q := Σ_{i≥2} pᵢ ≤ (r−1)η/(1−η) =: q̄. Given q, H is largest when the rest is spread evenly:
    //   H ≤ −(1−q)log(1−q) − q log(q/(r−1)),  increasing in q for small q,
    // hence erank − 1 ≤ exp(H(q̄)) − 1. The q·log(1/q) term makes this ~20× the noise level:
    // entropy is not Lipschitz at p = 0, unlike the stable rank.
    const r = Math.min(m, n);
    const eta = frobeniusNorm(matrixView(noise, m, n));
    const q = ((r - 1) * eta) / (1 - eta);
    const bound = Math.exp(-(1 - q) * Math.log(1 - q) - q * Math.log(q / (r - 1))) - 1;
    const excess = effectiveRank(sigma) - 1;
    expect(excess).toBeGreaterThan(0);
    expect(excess).toBeLessThanOrEqual(bound);
    expect(bound).toBeLessThan(1e-6); // ≈ 7e-7 here: "within 1e-7" would be too tight a claim
  });

  it('aligns its top singular vectors with u and v (sign-free) to 1e-9', () => {
    const { U, V } = svd(W);
    const cosU = Math.abs(u.reduce((acc, x, i) => acc + x * U.get(i, 0), 0));
    const cosV = Math.abs(v.reduce((acc, x, j) => acc + x * V.get(j, 0), 0));
    expect(cosU).toBeCloseTo(1, 9);
    expect(cosV).toBeCloseTo(1, 9);
  });
});

describe('rotation by θ', () => {
  const theta = 0.7;
  const R = new Matrix([
    [Math.cos(theta), -Math.sin(theta)],
    [Math.sin(theta), Math.cos(theta)],
  ]);
  const sigma = singularValues(R);

  it('has singular values [1, 1], stable rank 2, effective rank 2, numerical rank 2', () => {
    expect(sigma[0]).toBeCloseTo(1, 15);
    expect(sigma[1]).toBeCloseTo(1, 15);
    expect(stableRank(sigma)).toBeCloseTo(2, 14);
    expect(effectiveRank(sigma)).toBeCloseTo(2, 14);
    expect(numericalRank(sigma)).toBe(2);
  });
});

describe('numerical rank', () => {
  it('counts 8 for a rank-8 64×64 matrix plus 1e-10 noise, where ml-matrix counts 64', () => {
    const A = new Matrix(Array.from({ length: 64 }, (_, i) => Array.from(gaussian(1, 8, 10 + i))));
    const B = new Matrix(Array.from({ length: 8 }, (_, i) => Array.from(gaussian(1, 64, 100 + i))));
    const N = new Matrix(Array.from({ length: 64 }, (_, i) => Array.from(gaussian(1, 64, 200 + i, 1e-10))));
    const W = Matrix.add(A.mmul(B), N);
    expect(numericalRank(singularValues(W))).toBe(8);
    expect(new SingularValueDecomposition(W).rank).toBe(64);
  });

  it('follows the documented cut-off σᵢ > rtol·σ₁', () => {
    const sigma = [1, 1e-3, 1e-6, 1e-9];
    expect(numericalRank(sigma)).toBe(2); // 1e-6 is not > 1e-6·1
    expect(numericalRank(sigma, 1e-7)).toBe(3);
    expect(numericalRank(sigma, 0)).toBe(4);
    expect(() => numericalRank(sigma, -1)).toThrow(/rtol/);
  });
});

describe('distance to the best rank-k approximation', () => {
  const sigma = [4, 3, 2, 1]; // Σσ² = 30
  it('is sqrt(Σ_{i>k} σᵢ²)/sqrt(Σσᵢ²) on a known spectrum', () => {
    expect(lowRankResidual(sigma, 0)).toBe(1);
    expect(lowRankResidual(sigma, 1)).toBeCloseTo(Math.sqrt(14 / 30), 15);
    expect(lowRankResidual(sigma, 2)).toBeCloseTo(Math.sqrt(5 / 30), 15);
    expect(lowRankResidual(sigma, 3)).toBeCloseTo(Math.sqrt(1 / 30), 15);
    expect(lowRankResidual(sigma, 4)).toBe(0);
    expect(lowRankResidual([1, 3, 4, 2], 2)).toBeCloseTo(Math.sqrt(5 / 30), 15); // order-free
  });

  it('equals ‖W − W_k‖_F/‖W‖_F for an explicit truncated SVD (Eckart–Young)', () => {
    const W = new Matrix(Array.from({ length: 7 }, (_, i) => Array.from(gaussian(1, 5, 300 + i))));
    const { s, U, V } = svd(W);
    for (const k of [1, 2, 4]) {
      const Wk = Matrix.zeros(7, 5);
      for (let l = 0; l < k; l++) Wk.add(Matrix.mul(U.subMatrix(0, 6, l, l).mmul(V.subMatrix(0, 4, l, l).transpose()), s[l]));
      const direct = frobeniusNorm(Matrix.sub(W, Wk)) / frobeniusNorm(W);
      expect(lowRankResidual(s, k)).toBeCloseTo(direct, 13);
    }
  });
});

describe('degenerate inputs', () => {
  it('gives 0 for every rank of the zero matrix', () => {
    const sigma = singularValues(Matrix.zeros(3, 4));
    expect(Array.from(sigma)).toEqual([0, 0, 0]);
    expect(stableRank(sigma)).toBe(0);
    expect(effectiveRank(sigma)).toBe(0);
    expect(numericalRank(sigma)).toBe(0);
    expect(lowRankResidual(sigma, 1)).toBe(0);
  });

  it('returns NaN rather than throwing for non-finite entries', () => {
    const W = new Matrix([
      [1, NaN],
      [0, 1],
    ]);
    const obs = spectralObservables(W);
    expect(Number.isNaN(obs.spectralNorm)).toBe(true);
    expect(Number.isNaN(obs.stableRank)).toBe(true);
    expect(Number.isNaN(obs.effectiveRank)).toBe(true);
    expect(Number.isNaN(obs.numericalRank)).toBe(true);
    expect(Number.isNaN(obs.condensation.meanAbsCos)).toBe(true);
  });

  it('rejects negative singular values and empty matrices', () => {
    expect(() => stableRank([1, -1])).toThrow(/non-negative/);
    expect(() => singularValues(Matrix.zeros(0, 3))).toThrow(/non-empty/);
  });
});
