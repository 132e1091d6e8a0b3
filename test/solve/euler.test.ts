/** Euler with step h is gradient descent with learning rate h, bit for bit. */
import { describe, expect, it } from 'vitest';
import { solve } from '../../src/solve/index.js';
import type { RhsFn } from '../../src/solve/types.js';

/** −∇L for L(u, v) = ¼(uv − 1)² + 0.05(u² + v²): a tiny matrix-factorisation loss. */
const negGrad: RhsFn = (_t, y, d) => {
  const r = y[0] * y[1] - 1;
  d[0] = -(0.5 * r * y[1] + 0.1 * y[0]);
  d[1] = -(0.5 * r * y[0] + 0.1 * y[1]);
};

/** The hand-written GD loop: θ ← θ + η·(−∇L(θ)). */
function gradientDescent(theta0: readonly number[], eta: number, steps: number, lastEta = eta): Float64Array[] {
  const th = Float64Array.from(theta0);
  const g = new Float64Array(th.length);
  const iterates: Float64Array[] = [];
  for (let k = 0; k < steps; k++) {
    negGrad(0, th, g);
    const e = k === steps - 1 ? lastEta : eta;
    for (let i = 0; i < th.length; i++) th[i] = th[i] + e * g[i];
    iterates.push(Float64Array.from(th));
  }
  return iterates;
}

const sameBits = (a: Float64Array, b: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('euler', () => {
  it('is bit-identical to a hand-written gradient-descent loop, at every iterate', () => {
    const eta = 0.01;
    const theta0 = [0.1, -0.03];
    const seen: Float64Array[] = [];
    const sol = solve(negGrad, [0, 5], theta0, { method: 'euler', h: eta, onStep: (_t, y) => seen.push(Float64Array.from(y)) });
    const gd = gradientDescent(theta0, eta, 500);
    expect(sol.status).toBe('success');
    expect(sol.stats).toEqual({ nfev: 500, accepted: 500, rejected: 0, njev: 0, ndec: 0 });
    expect(seen).toHaveLength(500);
    for (let k = 0; k < 500; k++) expect(sameBits(seen[k], gd[k])).toBe(true);
    expect(sameBits(sol.yEnd, gd[499])).toBe(true);
    expect(sol.tEnd).toBe(5);
  });

  it('takes N full steps when (t_end − t0)/h is an integer up to rounding (0.3/0.1 = 2.9999999999999996)', () => {
    const sol = solve(negGrad, [0, 0.3], [0.5, 0.2], { method: 'euler', h: 0.1 });
    expect(sol.stats.accepted).toBe(3);
    expect(sameBits(sol.yEnd, gradientDescent([0.5, 0.2], 0.1, 3)[2])).toBe(true);
  });

  it('shortens the last step to land on t_end', () => {
    const sol = solve(negGrad, [0, 1], [0.5, 0.2], { method: 'euler', h: 0.3, saveAt: [0, 0.3, 0.6, 0.9, 1] });
    expect(sol.stats.accepted).toBe(4);
    expect(sol.tEnd).toBe(1);
    const gd = gradientDescent([0.5, 0.2], 0.3, 4, 1 - 3 * 0.3);
    expect(sameBits(sol.yEnd, gd[3])).toBe(true);
    expect(sameBits(sol.y[4], gd[3])).toBe(true);
    // save-at times that fall on steps are the iterates themselves (not interpolated copies)
    expect(sameBits(sol.y[1], gd[0])).toBe(true);
    expect(sameBits(sol.y[2], gd[1])).toBe(true);
  });

  it('interpolates linearly between iterates (the GD path)', () => {
    const sol = solve(negGrad, [0, 0.2], [0.5, 0.2], { method: 'euler', h: 0.1, saveAt: [0.05, 0.1, 0.15] });
    const [a, b, c] = sol.y;
    const gd = gradientDescent([0.5, 0.2], 0.1, 2);
    for (let i = 0; i < 2; i++) {
      expect(b[i]).toBe(gd[0][i]);
      expect(a[i]).toBeCloseTo((0.5 * ([0.5, 0.2][i] + gd[0][i])), 15);
      expect(c[i]).toBeCloseTo(0.5 * (gd[0][i] + gd[1][i]), 15);
    }
  });
});
