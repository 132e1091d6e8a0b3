/**
 * Implicit bias of gradient flow on a separable logistic problem, to t = 1e6 in log time: w/‖w‖
 * turns towards the hard-margin SVM direction with an angle ~ 1/log t (Soudry, Hoffer, Nacson,
 * Gunasekar, Srebro, JMLR 19 (2018), Theorem 3 and its gradient-flow analogue [R]: w(t) = ŵ log t + w̃ + o(1), where ŵ is the
 * max-margin separator and, for the support vectors, e^(−z_n·w̃) = α_n with ŵ = Σ α_n z_n).
 *
 * The SVM direction is computed here independently of the flow, by exact enumeration of active
 * sets (2-D, no bias: the optimum has one or two active constraints), and the predicted slope of
 * 1/angle against log t, ‖ŵ‖/‖P⊥ w̃‖, from the asymptotic expansion.
 */
import { describe, expect, it } from 'vitest';
import { readModelSpec } from '../../src/modelfile/spec.js';
import { solveModel } from '../../src/modelfile/run.js';
import { slope } from '../fixtures/problems.js';

/** Labelled data; z_n = y_n x_n. Points 1 and 2 are the support vectors, point 3 has margin 3. */
const X = [[1, 0], [0, -2], [-2, -2]];
const Y = [1, -1, -1];
const Z = X.map((x, n) => [Y[n] * x[0], Y[n] * x[1]]);

/** min ‖w‖² s.t. z_n·w ≥ 1 for all n, by enumerating candidate active sets; returns w and the multipliers. */
function hardMarginSvm(z: number[][]): { w: number[]; alpha: number[] } {
  const feasible = (w: number[]) => z.every((p) => p[0] * w[0] + p[1] * w[1] >= 1 - 1e-12);
  let best: { w: number[]; alpha: number[] } | null = null;
  const consider = (w: number[], alpha: number[]) => {
    if (!feasible(w) || alpha.some((a) => a < -1e-12)) return; // KKT: primal and dual feasible
    if (!best || w[0] ** 2 + w[1] ** 2 < best.w[0] ** 2 + best.w[1] ** 2) best = { w, alpha };
  };
  z.forEach((p, i) => {
    const q = p[0] ** 2 + p[1] ** 2; // one active constraint: w = z_i/‖z_i‖², α_i = 1/‖z_i‖²
    consider([p[0] / q, p[1] / q], z.map((_, k) => (k === i ? 1 / q : 0)));
  });
  for (let i = 0; i < z.length; i++) {
    for (let j = i + 1; j < z.length; j++) {
      const [a, b] = z[i];
      const [c, d] = z[j];
      const det = a * d - b * c;
      if (det === 0) continue;
      const w = [(d - b) / det, (a - c) / det]; // z_i·w = z_j·w = 1
      // w = α_i z_i + α_j z_j
      const ai = (w[0] * d - w[1] * c) / det;
      const aj = (a * w[1] - b * w[0]) / det;
      consider(w, z.map((_, k) => (k === i ? ai : k === j ? aj : 0)));
    }
  }
  if (!best) throw new Error('no separator');
  return best;
}

describe('logistic loss on separable data to t = 1e6 (auto, log time, model file)', () => {
  const loss = X.map((x, n) => `softplus(-(${Y[n]})*(${x[0]}*w1 + ${x[1]}*w2))`).join(' + ');
  const spec = readModelSpec({
    name: 'logistic-svm', state: { w1: 0, w2: 0 }, loss, t_end: 1e6,
    save_at: { geom: [10, 1e6, 61] }, solver: { rtol: 1e-10, atol: 1e-12, log_time: true },
  }, 'logistic-svm');
  const run = solveModel(spec, new Map());
  const sol = run.solution;
  const svm = hardMarginSvm(Z);
  const norm = Math.hypot(svm.w[0], svm.w[1]);
  const u = [svm.w[0] / norm, svm.w[1] / norm];
  const ts = Array.from(sol.t).slice(1); // t0 = 0 has w = 0
  const angles = sol.y.slice(1).map((w) => Math.atan2(Math.abs(u[0] * w[1] - u[1] * w[0]), u[0] * w[0] + u[1] * w[1]));

  it('runs with the default method auto in log time, and the SVM has both data points of margin 1 as support vectors', () => {
    expect(sol.status).toBe('success');
    expect(sol.options.method).toBe('auto');
    expect(sol.options.logTime).toBe(true);
    expect(svm.alpha[0]).toBeGreaterThan(0);
    expect(svm.alpha[1]).toBeGreaterThan(0);
    expect(svm.alpha[2]).toBe(0);
    expect(sol.stats.nfev + sol.stats.njev).toBeLessThan(2000);
  });

  it('the angle to the SVM direction decreases at every save time from t = 10 to 1e6 and ends below 0.05 rad', () => {
    for (let i = 1; i < angles.length; i++) expect(angles[i]).toBeLessThan(angles[i - 1]);
    expect(angles[angles.length - 1]).toBeLessThan(0.05);
  });

  it('1/angle is linear in log t on [1e3, 1e6] (R² > 0.9999), with the slope ‖ŵ‖/‖P⊥w̃‖ of the asymptotics to 1 %', () => {
    // w̃ on the support vectors: z_n·w̃ = −log α_n (two equations, two unknowns)
    const [p, q] = [Z[0], Z[1]];
    const r = [-Math.log(svm.alpha[0]), -Math.log(svm.alpha[1])];
    const det = p[0] * q[1] - p[1] * q[0];
    const wt = [(r[0] * q[1] - p[1] * r[1]) / det, (p[0] * r[1] - r[0] * q[0]) / det];
    const perp = Math.abs(-u[1] * wt[0] + u[0] * wt[1]);
    const predicted = norm / perp;
    const xs: number[] = [];
    const ys: number[] = [];
    ts.forEach((t, i) => {
      if (t >= 1e3) {
        xs.push(Math.log(t));
        ys.push(1 / angles[i]);
      }
    });
    const a = slope(xs, ys);
    const mx = xs.reduce((x, y) => x + y, 0) / xs.length;
    const my = ys.reduce((x, y) => x + y, 0) / ys.length;
    const b = my - a * mx;
    const ssRes = xs.reduce((acc, x, i) => acc + (ys[i] - (a * x + b)) ** 2, 0);
    const ssTot = ys.reduce((acc, y) => acc + (y - my) ** 2, 0);
    expect(1 - ssRes / ssTot).toBeGreaterThan(0.9999);
    expect(Math.abs(a / predicted - 1)).toBeLessThan(0.01);
  });
});
