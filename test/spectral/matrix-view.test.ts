import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { blockView, matrixView, product, toMatrix, transposeView } from '../../src/spectral/index.js';
import { gaussian } from './helpers.js';

describe('matrix views', () => {
  const y = Float64Array.from({ length: 20 }, (_, i) => i);

  it('read a row-major block at an offset', () => {
    const W = matrixView(y, 2, 3, 4);
    expect(toMatrix(W).to2DArray()).toEqual([
      [4, 5, 6],
      [7, 8, 9],
    ]);
    expect(toMatrix(blockView(y, { offset: 10, shape: [3] })).to2DArray()).toEqual([[10], [11], [12]]);
    expect(toMatrix(transposeView(W)).to2DArray()).toEqual([
      [4, 7],
      [5, 8],
      [6, 9],
    ]);
  });

  it('refuse blocks that do not fit', () => {
    expect(() => matrixView(y, 4, 5, 1)).toThrow(/needs 21 entries; the array has 20/);
    expect(() => blockView(y, { offset: 0, shape: [2, 2, 2] })).toThrow(/dimensions/);
  });

  it('copy into ml-matrix so in-place ml-matrix arithmetic cannot touch the state', () => {
    const M = toMatrix(matrixView(y, 2, 2));
    M.add(100); // in place on the copy
    expect(y[0]).toBe(0);
  });

  it('multiply in the order written: product(W2, W1) = W2·W1', () => {
    const state = gaussian(1, 3 * 4 + 2 * 3 + 5 * 2, 7);
    const W1 = matrixView(state, 3, 4, 0);
    const W2 = matrixView(state, 2, 3, 12);
    const W3 = matrixView(state, 5, 2, 18);
    const expected = toMatrix(W3).mmul(toMatrix(W2)).mmul(toMatrix(W1));
    const got = toMatrix(product(W3, W2, W1));
    expect(got.rows).toBe(5);
    expect(got.columns).toBe(4);
    expect(Matrix.sub(got, expected).abs().max()).toBeLessThan(1e-14);
    expect(() => product(W1, W2)).toThrow(/inner dimensions/);
  });
});
