import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { frobeniusNorm, matrixView, singularValues, svd } from '../../src/spectral/index.js';
import { gaussian } from './helpers.js';

/** max |(U diag(s) Vᵀ − W)ᵢⱼ| and max |UᵀU − I|, |VᵀV − I|. */
function residuals(W: Matrix) {
  const { s, U, V } = svd(W);
  const rec = U.mmul(Matrix.diag(Array.from(s))).mmul(V.transpose());
  const r = s.length;
  const I = Matrix.eye(r);
  return {
    shapes: [U.rows, U.columns, V.rows, V.columns],
    rec: Matrix.sub(rec, W).abs().max(), // Matrix.sub allocates; .abs() then mutates only that copy
    orthU: Matrix.sub(U.transpose().mmul(U), I).abs().max(),
    orthV: Matrix.sub(V.transpose().mmul(V), I).abs().max(),
  };
}

describe('svd', () => {
  it('is a thin SVD for a tall matrix (7×3)', () => {
    const W = Matrix.from1DArray(7, 3, gaussian(7, 3, 1));
    const r = residuals(W);
    expect(r.shapes).toEqual([7, 3, 3, 3]);
    expect(r.rec).toBeLessThan(1e-13);
    expect(r.orthU).toBeLessThan(1e-13);
    expect(r.orthV).toBeLessThan(1e-13);
  });

  it('is a thin SVD for a wide matrix (3×7), unlike ml-matrix’s economy factors', () => {
    const W = Matrix.from1DArray(3, 7, gaussian(3, 7, 2));
    const r = residuals(W);
    expect(r.shapes).toEqual([3, 3, 7, 3]);
    expect(r.rec).toBeLessThan(1e-13);
    expect(r.orthU).toBeLessThan(1e-13);
    expect(r.orthV).toBeLessThan(1e-13);
  });

  it('has the same singular values for W and Wᵀ, descending, with Σσ² = ‖W‖²_F', () => {
    const W = Matrix.from1DArray(5, 8, gaussian(5, 8, 3));
    const a = singularValues(W);
    const b = singularValues(W.transpose());
    expect(a.length).toBe(5);
    for (let i = 0; i < 5; i++) expect(a[i]).toBeCloseTo(b[i], 13);
    for (let i = 1; i < 5; i++) expect(a[i]).toBeLessThanOrEqual(a[i - 1]);
    const sumSq = a.reduce((acc, x) => acc + x * x, 0);
    expect(sumSq).toBeCloseTo(frobeniusNorm(W) ** 2, 12);
  });

  it('fixes the sign so that the largest-magnitude entry of each uᵢ is positive', () => {
    const W = matrixView(gaussian(6, 4, 4), 6, 4);
    const { U } = svd(W);
    for (let k = 0; k < 4; k++) {
      const col = U.getColumn(k);
      const big = col.reduce((b, x) => (Math.abs(x) > Math.abs(b) ? x : b), 0);
      expect(big).toBeGreaterThan(0);
    }
  });

  it('does not change the input', () => {
    const data = gaussian(4, 4, 5);
    const copy = data.slice();
    svd(matrixView(data, 4, 4));
    singularValues(matrixView(data, 4, 4));
    expect(data).toEqual(copy);
  });
});
