import { describe, expect, it } from 'vitest';
import { isolines } from '../../src/report/index.js';

describe('isolines (marching squares)', () => {
  const grid = [0, 1, 2, 3];

  it('lie on x + y = c for the plane z = x + y (linear interpolation is exact there)', () => {
    const z = grid.map((y) => grid.map((x) => x + y));
    const segs = isolines(grid, grid, z, [2.5]);
    expect(segs.length).toBeGreaterThan(0);
    for (const s of segs) {
      expect(s.x1 + s.y1).toBeCloseTo(2.5, 14);
      expect(s.x2 + s.y2).toBeCloseTo(2.5, 14);
    }
    // The pieces chain into the whole line from (0, 2.5) to (2.5, 0) inside the grid.
    const length = segs.reduce((acc, s) => acc + Math.hypot(s.x2 - s.x1, s.y2 - s.y1), 0);
    expect(length).toBeCloseTo(2.5 * Math.SQRT2, 12); // from (0, 2.5) to (2.5, 0)
  });

  it('interpolate in log coordinates on a log axis', () => {
    // z = log10(x): the level 1.5 sits at x = 10^1.5, not at the arithmetic interpolation.
    const x = [1, 10, 100];
    const y = [0, 1];
    const z = y.map(() => x.map((v) => Math.log10(v)));
    const segs = isolines(x, y, z, [1.5], { xLog: true });
    expect(segs).toHaveLength(1);
    expect(segs[0].x1).toBeCloseTo(10 ** 1.5, 10);
    expect(segs[0].x2).toBeCloseTo(10 ** 1.5, 10);
  });

  it('resolve a saddle with the centre value and skip squares with missing corners', () => {
    // Corners a=(0,0)=1, b=(1,0)=0, c=(1,1)=1, d=(0,1)=0; centre 0.5 ≥ 0.4: a and c connected.
    const segs = isolines([0, 1], [0, 1], [[1, 0], [0, 1]], [0.4]);
    expect(segs).toHaveLength(2);
    // Each segment cuts off one of the low corners b or d.
    const cutsB = segs.some((s) => [s.x1, s.x2].every((v) => v > 0.5) || [s.y1, s.y2].every((v) => v < 0.5));
    const cutsD = segs.some((s) => [s.x1, s.x2].every((v) => v < 0.5) || [s.y1, s.y2].every((v) => v > 0.5));
    expect(cutsB && cutsD).toBe(true);
    expect(isolines([0, 1], [0, 1], [[1, null], [0, 1]], [0.4])).toEqual([]);
  });
});
