import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { eigenvalues, singularValues, symmetricPartEigenvalues } from '../../src/spectral/index.js';
import { gaussian } from './helpers.js';

describe('eigenvalues', () => {
  it('of a rotation by θ are cos θ ± i sin θ (positive imaginary part first)', () => {
    const theta = 0.7;
    const R = new Matrix([
      [Math.cos(theta), -Math.sin(theta)],
      [Math.sin(theta), Math.cos(theta)],
    ]);
    const { re, im } = eigenvalues(R);
    expect(re[0]).toBeCloseTo(Math.cos(theta), 15);
    expect(re[1]).toBeCloseTo(Math.cos(theta), 15);
    expect(im[0]).toBeCloseTo(Math.sin(theta), 15);
    expect(im[1]).toBeCloseTo(-Math.sin(theta), 15);
  });

  it('are ordered by descending real part', () => {
    const T = new Matrix([
      [1, 5, 2],
      [0, 3, 7],
      [0, 0, -2],
    ]);
    const { re, im } = eigenvalues(T);
    expect(Array.from(re)).toEqual([3, 1, -2]);
    expect(Array.from(im)).toEqual([0, 0, 0]);
  });

  it('of the symmetric part are descending: sym([[1, 2], [0, 1]]) = [[1, 1], [1, 1]] → 2, 0', () => {
    const ev = symmetricPartEigenvalues(new Matrix([
      [1, 2],
      [0, 1],
    ]));
    expect(ev[0]).toBeCloseTo(2, 15);
    expect(ev[1]).toBeCloseTo(0, 15);
  });

  it('agree between the symmetric and nonsymmetric paths on a Gram matrix with rounding asymmetry', () => {
    // G = (AᵀD)A with D = diag(d): Gᵢⱼ = Σₖ (Aₖᵢdₖ)Aₖⱼ and Gⱼᵢ = Σₖ (Aₖⱼdₖ)Aₖᵢ round differently.
    const m = 12;
    const n = 9;
    const A = Matrix.from1DArray(m, n, gaussian(m, n, 42));
    const d = Array.from(gaussian(m, 1, 43), (x) => 0.5 + x * x);
    const G = A.transpose().mulRowVector(d).mmul(A);
    expect(G.isSymmetric()).toBe(false); // ml-matrix would take its nonsymmetric path on G
    let asym = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) asym = Math.max(asym, Math.abs(G.get(i, j) - G.get(j, i)));
    expect(asym).toBeGreaterThan(0);

    const sym = symmetricPartEigenvalues(G);
    const { re, im } = eigenvalues(G);
    const lmax = sym[0];
    for (let k = 0; k < n; k++) {
      expect(Math.abs(re[k] - sym[k]) / lmax).toBeLessThan(1e-13);
      expect(Math.abs(im[k]) / lmax).toBeLessThan(1e-13);
    }
    // Oracle: eigenvalues of AᵀDA are the squared singular values of D^{1/2}A.
    const sigma = singularValues(A.clone().mulColumnVector(d.map(Math.sqrt)));
    for (let k = 0; k < n; k++) expect(Math.abs(sym[k] - sigma[k] ** 2) / lmax).toBeLessThan(1e-13);
  });

  it('reject non-square input and give NaN for non-finite input', () => {
    expect(() => eigenvalues(Matrix.zeros(2, 3))).toThrow(/square/);
    expect(Number.isNaN(eigenvalues(new Matrix([[Infinity]])).re[0])).toBe(true);
    expect(Number.isNaN(symmetricPartEigenvalues(new Matrix([[NaN]]))[0])).toBe(true);
  });
});
