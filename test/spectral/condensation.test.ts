import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { condensationSummary, cosineSimilarityMatrix } from '../../src/spectral/index.js';
import { gaussian } from './helpers.js';

describe('condensation', () => {
  it('of rows that are all multiples of one vector: every |cos| = 1, summary effective rank 1', () => {
    const w = [0.3, -1.2, 2.0, 0.7];
    const c = [1, -2, 0.5, 3e-4, -7];
    const W = new Matrix(c.map((ci) => w.map((x) => ci * x)));
    const C = cosineSimilarityMatrix(W);
    expect(C.rows).toBe(5);
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 5; j++) {
        expect(Math.abs(C.get(i, j))).toBeCloseTo(1, 15);
        expect(Math.sign(C.get(i, j))).toBe(Math.sign(c[i] * c[j]));
      }
    }
    const s = condensationSummary(W);
    expect(s.meanAbsCos).toBeCloseTo(1, 15);
    expect(s.effectiveRank).toBeCloseTo(1, 12);
    expect(s.zeroVectors).toBe(0);
  });

  it('of orthogonal rows: mean |cos| 0 and effective rank n', () => {
    const s = condensationSummary(Matrix.mul(Matrix.eye(4), 3));
    expect(s.meanAbsCos).toBe(0);
    expect(s.effectiveRank).toBeCloseTo(4, 14);
  });

  it('gives a zero row cosine 0 with everything, itself included', () => {
    const W = new Matrix([
      [1, 1],
      [0, 0],
      [2, 2],
    ]);
    const C = cosineSimilarityMatrix(W);
    const expected = [
      [1, 0, 1],
      [0, 0, 0],
      [1, 0, 1],
    ];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(C.get(i, j)).toBeCloseTo(expected[i][j], 15);
    expect([C.get(0, 0), C.get(1, 1), C.get(2, 2)]).toEqual([1, 0, 1]); // the diagonal is exact
    const s = condensationSummary(W);
    expect(s.zeroVectors).toBe(1);
    expect(s.meanAbsCos).toBeCloseTo(1 / 3, 15); // pairs (0,1), (0,2), (1,2) → 0, 1, 0
    expect(s.effectiveRank).toBeCloseTo(1, 14);
    expect(condensationSummary(Matrix.zeros(3, 2)).effectiveRank).toBe(0);
  });

  it('of columns equals that of the rows of the transpose', () => {
    const W = Matrix.from1DArray(4, 6, gaussian(4, 6, 31));
    const a = condensationSummary(W, { axis: 'columns' });
    const b = condensationSummary(W.transpose());
    expect(a.count).toBe(6);
    expect(a.meanAbsCos).toBeCloseTo(b.meanAbsCos, 15);
    expect(a.effectiveRank).toBeCloseTo(b.effectiveRank, 13);
    expect(cosineSimilarityMatrix(W, { axis: 'columns' }).rows).toBe(6);
  });

  it('is symmetric with a unit diagonal for random rows, entries in [−1, 1]', () => {
    const C = cosineSimilarityMatrix(Matrix.from1DArray(6, 3, gaussian(6, 3, 32)));
    for (let i = 0; i < 6; i++) {
      expect(C.get(i, i)).toBeCloseTo(1, 15);
      for (let j = 0; j < 6; j++) {
        expect(C.get(i, j)).toBe(C.get(j, i));
        expect(Math.abs(C.get(i, j))).toBeLessThanOrEqual(1);
      }
    }
  });

  it('has NaN mean |cos| for a single row (no pairs)', () => {
    expect(Number.isNaN(condensationSummary(new Matrix([[1, 2, 3]])).meanAbsCos)).toBe(true);
  });
});
