/**
 * Rodas5P's coefficients: the identities that tie the transformed form to the classical one, the
 * Rosenbrock order conditions up to order 5 (HW IV.7), and L-stability of its stability function.
 *
 * Order conditions by rooted trees (Hairer & Wanner, Solving ODEs II, Sect. IV.7, Table 7.1 and
 * Theorem 7.3): Σ_j b_j Φ_j(t) = 1/γ(t) for every tree t with |t| ≤ p, where Φ_j(leaf) = 1, a node
 * with one child uses β = α + Γ (Γ with its diagonal γ), a node with m ≥ 2 children the product of
 * Σ_k α_jk Φ_k(child) over the children, and γ(t) is the tree's density. For Γ = 0 these are
 * the Butcher conditions of explicit Runge–Kutta methods, which the DOPRI5 check below confirms;
 * for order ≤ 4 they reproduce HW's Table 7.1 (e.g. Σ b_i β_ij β_j' = 1/6 − γ + γ²).
 */
import { describe, expect, it } from 'vitest';
import { DOPRI5 } from '../../src/solve/methods/index.js';
import { classicalForm, RODAS5P, validateRosenbrock } from '../../src/solve/rosenbrock/tableau.js';
import { stabilityFunction } from '../fixtures/stability.js';

type Tree = readonly Tree[];

/** All rooted trees with `order` nodes, each once (children as a multiset). */
function trees(order: number): Tree[] {
  if (order === 1) return [[]];
  const byOrder: Tree[][] = [[]];
  for (let k = 1; k < order; k++) byOrder.push(trees(k));
  const key = (t: Tree): string => `[${t.map(key).sort().join(',')}]`;
  const seen = new Set<string>();
  const out: Tree[] = [];
  const grow = (left: number, kids: Tree[]): void => {
    if (left === 0) {
      const k = key(kids);
      if (!seen.has(k)) {
        seen.add(k);
        out.push([...kids]);
      }
      return;
    }
    for (let k = 1; k <= left; k++) {
      for (const c of byOrder[k]) {
        kids.push(c);
        grow(left - k, kids);
        kids.pop();
      }
    }
  };
  grow(order - 1, []);
  return out;
}

const size = (t: Tree): number => 1 + t.reduce((a, c) => a + size(c), 0);
const density = (t: Tree): number => size(t) * t.reduce((a, c) => a * density(c), 1);

/** Residuals Σ_j w_j Φ_j(t) − 1/γ(t) of every tree of the given order. */
function residuals(alpha: number[][], Gamma: number[][], w: readonly number[], order: number): number[] {
  const s = w.length;
  const beta = alpha.map((row, i) => row.map((v, j) => v + Gamma[i][j]));
  const times = (M: number[][], v: number[]): number[] => M.map((row) => row.reduce((a, x, k) => a + x * v[k], 0));
  const phi = (t: Tree): number[] => {
    if (t.length === 0) return new Array<number>(s).fill(1);
    if (t.length === 1) return times(beta, phi(t[0]));
    const out = new Array<number>(s).fill(1);
    for (const c of t) times(alpha, phi(c)).forEach((v, j) => { out[j] *= v; });
    return out;
  };
  return trees(order).map((t) => phi(t).reduce((a, v, j) => a + w[j] * v, 0) - 1 / density(t));
}

const cl = classicalForm(RODAS5P);
const s = RODAS5P.m.length;

describe('Rodas5P tableau', () => {
  it('counts 1, 1, 2, 4, 9, 20 rooted trees of orders 1…6 (17 conditions up to order 5)', () => {
    expect([1, 2, 3, 4, 5, 6].map((q) => trees(q).length)).toEqual([1, 1, 2, 4, 9, 20]);
  });

  it('the tree conditions with Γ = 0 are the Butcher conditions: DOPRI5 is order 5 and not 6', () => {
    const a = DOPRI5.a.map((row) => [...row, ...new Array<number>(DOPRI5.b.length - row.length).fill(0)]);
    const zero = a.map((row) => row.map(() => 0));
    for (let q = 1; q <= 5; q++) for (const r of residuals(a, zero, DOPRI5.b, q)) expect(Math.abs(r)).toBeLessThan(1e-14);
    expect(Math.max(...residuals(a, zero, DOPRI5.b, 6).map(Math.abs))).toBeGreaterThan(1e-4);
  });

  it('nodes and time-derivative weights match the classical form: c_i = Σ_j α_ij, d_i = Σ_j γ_ij (1e-13)', () => {
    for (let i = 0; i < s; i++) {
      expect(Math.abs(cl.alpha[i].reduce((x, y) => x + y, 0) - RODAS5P.c[i])).toBeLessThan(1e-13);
      expect(Math.abs(cl.Gamma[i].reduce((x, y) => x + y, 0) - RODAS5P.d[i])).toBeLessThan(1e-13);
      expect(cl.Gamma[i][i]).toBeCloseTo(RODAS5P.gamma, 15);
    }
  });

  it('y1 satisfies all 17 order conditions up to order 5 (1e-13) and is not of order 6', () => {
    for (let q = 1; q <= 5; q++) for (const r of residuals(cl.alpha, cl.Gamma, cl.b, q)) expect(Math.abs(r)).toBeLessThan(1e-13);
    expect(Math.max(...residuals(cl.alpha, cl.Gamma, cl.b, 6).map(Math.abs))).toBeGreaterThan(1e-4);
  });

  it('the embedded ŷ1 is of order 4 exactly, so the error estimate y1 − ŷ1 is O(h⁵)', () => {
    for (let q = 1; q <= 4; q++) for (const r of residuals(cl.alpha, cl.Gamma, cl.bHat, q)) expect(Math.abs(r)).toBeLessThan(1e-13);
    expect(Math.max(...residuals(cl.alpha, cl.Gamma, cl.bHat, 5).map(Math.abs))).toBeGreaterThan(1e-4);
  });

  it('is stiffly accurate: y1 is the last stage point plus U_8, ŷ1 the last stage point', () => {
    const last = RODAS5P.a[s - 1];
    for (let j = 0; j < s - 1; j++) {
      expect(RODAS5P.m[j]).toBe(last[j]);
      expect(RODAS5P.mHat[j]).toBe(last[j]);
    }
    expect(RODAS5P.m[s - 1]).toBe(1);
    expect(RODAS5P.mHat[s - 1]).toBe(0);
  });

  it('is L-stable: |R(z)| ≤ 1 on the imaginary axis and in the left half-plane, R(z) → 0 as z → −∞', () => {
    const R = stabilityFunction(RODAS5P);
    const abs = (re: number, im: number): number => {
      const r = R(re, im);
      return Math.hypot(r.re, r.im);
    };
    for (let k = -60; k <= 60; k++) expect(abs(0, Math.sign(k) * 10 ** (Math.abs(k) / 10))).toBeLessThanOrEqual(1 + 1e-12);
    for (const r of [1e-2, 0.3, 1, 3, 10, 100, 1e4]) {
      for (let a = 0; a <= 16; a++) {
        const phi = Math.PI / 2 + (a * Math.PI) / 16; // the left half-plane
        expect(abs(r * Math.cos(phi), r * Math.sin(phi))).toBeLessThanOrEqual(1 + 1e-12);
      }
    }
    expect(abs(-1e8, 0)).toBeLessThan(1e-6);
    expect(abs(-1e4, 1e4)).toBeLessThan(1e-3);
  });

  it('R(z) matches e^z to order 6, one more than the method: bᵀβ^(k−1)𝟙 = 1/k! for k ≤ 6 but not 7', () => {
    // R(z) = 1 + z bᵀ(I − zβ)⁻¹𝟙 = 1 + Σ_k z^k bᵀβ^(k−1)𝟙; so on linear systems the observed order is 6
    const beta = cl.alpha.map((row, i) => row.map((v, j) => v + cl.Gamma[i][j]));
    let v = new Array<number>(s).fill(1);
    let factorial = 1;
    for (let k = 1; k <= 7; k++) {
      factorial *= k;
      const rk = cl.b.reduce((a, bj, j) => a + bj * v[j], 0);
      if (k <= 6) expect(Math.abs(rk - 1 / factorial) * factorial).toBeLessThan(1e-10);
      else expect(Math.abs(rk - 1 / factorial) * factorial).toBeGreaterThan(1e-3);
      v = beta.map((row) => row.reduce((a, x, j) => a + x * v[j], 0));
    }
    // and numerically: the gap to e^z shrinks faster than z⁶
    const R = stabilityFunction(RODAS5P);
    const gap = (z: number): number => Math.abs(R(z, 0).re - Math.exp(z));
    expect(Math.log(gap(-0.4) / gap(-0.2)) / Math.log(2)).toBeGreaterThan(6.2);
  });

  it('validateRosenbrock rejects a perturbed tableau', () => {
    const broken = { ...RODAS5P, name: 'broken', c: RODAS5P.c.map((c, i) => (i === 3 ? c + 1e-9 : c)) };
    expect(() => validateRosenbrock(broken)).toThrow(/c\[3\]/);
  });
});
