import { describe, expect, it } from 'vitest';
import { dropNote, plottablePoints } from '../../src/report/index.js';

describe('plottablePoints', () => {
  it('keeps finite points and counts what it drops, one reason per point', () => {
    const r = plottablePoints([0, 1, 2, Number.NaN, 4], [1, -1, 2, 3, Number.NEGATIVE_INFINITY], { xLog: true, yLog: true });
    expect(r.xs).toEqual([2]);
    expect(r.ys).toEqual([2]);
    expect(r.dropped).toEqual({ nonFinite: 2, nonPositiveX: 1, nonPositiveY: 1 });
    expect(dropNote('s', r.dropped)).toBe('s: dropped 2 points with a NaN or infinite value, 1 point with x ≤ 0 (log x axis), 1 point with y ≤ 0 (log y axis)');
  });

  it('keeps non-positive values on linear axes', () => {
    const r = plottablePoints([-1, 0], [0, -2], {});
    expect(r.xs).toEqual([-1, 0]);
    expect(dropNote('s', r.dropped)).toBeNull();
  });

  it('rejects x and y of different lengths', () => {
    expect(() => plottablePoints([1, 2], [1], {})).toThrow(/same length/);
  });
});
