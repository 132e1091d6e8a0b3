import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  matrixCosine,
  matrixView,
  singularValues,
  singularVectorAlignment,
  stableRank,
  topRankOne,
} from '../../src/spectral/index.js';
import { gaussian } from './helpers.js';

describe('singularVectorAlignment', () => {
  // W = 3·e₁ f₂ᵀ + 1·e₂ f₁ᵀ (4×3): u₁ = ±e₁, v₁ = ±f₂, u₂ = ±e₂, v₂ = ±f₁.
  const W = new Matrix([
    [0, 3, 0],
    [1, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ]);

  it('is |⟨u₁, d⟩|/‖d‖, independent of the sign and length of d', () => {
    expect(singularVectorAlignment(W, [2, 0, 0, 0]).perVector[0]).toBeCloseTo(1, 15);
    expect(singularVectorAlignment(W, [-5, 0, 0, 0]).perVector[0]).toBeCloseTo(1, 15);
    expect(singularVectorAlignment(W, [1, 1, 0, 0]).perVector[0]).toBeCloseTo(Math.SQRT1_2, 15);
    expect(singularVectorAlignment(W, [0, 0, 1, 0]).perVector[0]).toBeCloseTo(0, 15);
  });

  it('uses right singular vectors with side: "right", and the top-k span for `subspace`', () => {
    const a = singularVectorAlignment(W, [1, 1, 0], { side: 'right', k: 2 });
    expect(a.perVector[0]).toBeCloseTo(Math.SQRT1_2, 15); // v₁ = f₂
    expect(a.perVector[1]).toBeCloseTo(Math.SQRT1_2, 15); // v₂ = f₁
    expect(a.subspace).toBeCloseTo(1, 15); // d ∈ span(f₁, f₂)
  });

  it('is 1 within 1e-9 for a rank-one matrix plus 1e-9 noise, with u and with v', () => {
    const u = gaussian(8, 1, 11);
    const v = gaussian(6, 1, 12);
    const noise = gaussian(8, 6, 13, 1e-9);
    const data = noise.map((x, idx) => x + u[Math.floor(idx / 6)] * v[idx % 6]);
    const Wn = matrixView(data, 8, 6);
    expect(singularVectorAlignment(Wn, u).perVector[0]).toBeCloseTo(1, 9);
    expect(singularVectorAlignment(Wn, v, { side: 'right' }).perVector[0]).toBeCloseTo(1, 9);
  });

  it('checks its arguments', () => {
    expect(() => singularVectorAlignment(W, [1, 0, 0])).toThrow(/length 3/);
    expect(() => singularVectorAlignment(W, [0, 0, 0, 0])).toThrow(/norm/);
    expect(() => singularVectorAlignment(W, [1, 0, 0, 0], { k: 4 })).toThrow(/k/);
  });
});

describe('matrixCosine', () => {
  it('is ⟨A, B⟩_F/(‖A‖‖B‖): 1 for B = cA (c > 0), −1 for c < 0, 0 for orthogonal or zero', () => {
    const A = Matrix.from1DArray(3, 4, gaussian(3, 4, 21));
    expect(matrixCosine(A, Matrix.mul(A, 2.5))).toBeCloseTo(1, 15);
    expect(matrixCosine(A, Matrix.mul(A, -0.1))).toBeCloseTo(-1, 15);
    expect(matrixCosine(new Matrix([[1, 0]]), new Matrix([[0, 1]]))).toBe(0);
    expect(matrixCosine(A, Matrix.zeros(3, 4))).toBe(0);
    expect(() => matrixCosine(A, Matrix.zeros(4, 3))).toThrow(/shapes/);
  });

  it('of W and u₁v₁ᵀ is σ₁/‖W‖_F = 1/sqrt(stable rank)', () => {
    const W = matrixView(gaussian(5, 7, 22), 5, 7);
    const c = matrixCosine(W, topRankOne(W));
    expect(c).toBeGreaterThan(0); // the sign convention flips uᵢ and vᵢ together
    expect(c).toBeCloseTo(1 / Math.sqrt(stableRank(singularValues(W))), 14);
  });
});
