/**
 * Derivation checks for the Gong model's reduced L = ∞ flow (src/models/gong/reduced.ts,
 * kernels.ts), deterministic text written to derivations/gong/reduced-flow.gen.md.
 *
 * Claims checked numerically:
 * 1. R(μ, s) = E max(0, N(μ, s²)) = μΦ(μ/s) + sφ(μ/s), ∂R/∂μ = Φ(μ/s), ∂R/∂s = φ(μ/s):
 *    against the integral over the half-line where the ReLU is active (composite Gauss–Legendre)
 *    and central differences.
 * 2. κ = E[ŵ·x^P | y = +1] = γ0 + σ_P√(2/π) ('off'): against half-range Gauss–Hermite.
 * 3. The reduced vector field −∇L(a, β, π, q, u) of each Q law the reduced flow covers (clusters
 *    'off', rays 'off', rays 'blocks'): the analytic gradient against central finite differences
 *    of the reduced population loss, at several states with every component non-zero.
 * 4. The reduced field against the full-matrix field (independent code: any W, a sample of
 *    2^15 queries) at the same symmetric state, projected on the invariant subspace: equal up to
 *    the sampling error O(N^{−1/2}).
 * 5. Variant A's in-context average: its four derivatives against central differences.
 */
import { Phi, phi } from '../../src/expr/special.js';
import { GONG_PARAMS, gongConfig } from '../../src/models/gong/config.js';
import { FullModel } from '../../src/models/gong/full.js';
import { averageA, kappa, relMean, relMeanDmu, relMeanDs, type AverageA } from '../../src/models/gong/kernels.js';
import { halfNormalRule, uniformRule } from '../../src/models/gong/quadrature.js';
import { ReducedModel } from '../../src/models/gong/reduced.js';
import { resolveParams } from '../../src/models/params.js';
import type { Model, ParamValue } from '../../src/models/types.js';

const MODEL = { id: 'gong', params: GONG_PARAMS } as unknown as Model;
const config = (o: Record<string, ParamValue>) => gongConfig(resolveParams(MODEL, o));
const verdict = (ok: boolean): string => (ok ? 'agree' : 'DISAGREE');

/** Central difference with one Richardson step. */
function dcentral(f: (x: number) => number, x: number, h: number): number {
  const d1 = (f(x + h) - f(x - h)) / (2 * h);
  const d2 = (f(x + h / 2) - f(x - h / 2)) / h;
  return (4 * d2 - d1) / 3;
}

function checkR(lines: string[]): void {
  // E max(0, μ + s g) = ∫_{−μ/s}^∞ (μ + s g) φ(g) dg, by composite Gauss–Legendre on [−μ/s, −μ/s + 20]
  const leg = uniformRule(40);
  let worstQ = 0;
  let worstD = 0;
  for (const [mu, s] of [[0.3, 1], [-1.2, 0.5], [2, 0.7], [0, 2]]) {
    const a = -mu / s;
    let q = 0;
    for (let p = 0; p < 20; p++) {
      for (let i = 0; i < leg.x.length; i++) {
        const g = a + p + leg.x[i];
        q += leg.w[i] * (mu + s * g) * phi(g);
      }
    }
    worstQ = Math.max(worstQ, Math.abs(q - relMean(mu, s)));
    worstD = Math.max(worstD, Math.abs(dcentral((m) => relMean(m, s), mu, 1e-4) - relMeanDmu(mu, s)));
    worstD = Math.max(worstD, Math.abs(dcentral((v) => relMean(mu, v), s, 1e-4) - relMeanDs(mu, s)));
    worstD = Math.max(worstD, Math.abs(relMeanDmu(mu, s) - Phi(mu / s)) + Math.abs(relMeanDs(mu, s) - phi(mu / s)));
  }
  lines.push('## 1. R(μ, s) = μΦ(μ/s) + sφ(μ/s)', '',
    `- against the integral ∫_{−μ/s}^∞ (μ + s g)φ(g) dg (composite Gauss–Legendre, 20 × 40 nodes) at 4 points: max difference < 1e-12 (${verdict(worstQ < 1e-12)})`,
    `- ∂R/∂μ = Φ(μ/s), ∂R/∂s = φ(μ/s) against central differences: max difference < 1e-8 (${verdict(worstD < 1e-8)})`, '');
}

function checkKappa(lines: string[]): void {
  const hn = halfNormalRule(48);
  const c = config({ normalize: 'off', gamma0: 0.7, sigmaP: 1.3 });
  let q = 0;
  for (let i = 0; i < hn.x.length; i++) q += hn.w[i] * (0.7 + 1.3 * hn.x[i]);
  const diff = Math.abs(q - kappa(c, 48));
  lines.push('## 2. κ = γ0 + σ_P√(2/π) (normalize = off)', '', `- against half-range Gauss–Hermite: difference < 1e-13 (${verdict(diff < 1e-13)})`, '');
}

const CASES: readonly Record<string, ParamValue>[] = [
  { qlaw: 'clusters', normalize: 'off' },
  { qlaw: 'rays', normalize: 'off' },
  { qlaw: 'rays', normalize: 'blocks' },
];
const STATES = [
  [0.8, 0.6, 1.9, 1.7, 0.9],
  [2.5, -0.4, 0.7, 3.1, 1.3],
  [-0.6, 1.1, 2.4, 0.5, 0.6],
];

function checkReduced(lines: string[]): void {
  lines.push('## 3. Reduced vector field against finite differences of the reduced population loss', '',
    'State (a, β = √(d−1)b, π, q, u); d = 8, u trained, λ = 0.01, p0 = q0 = 0.2, quadrature order 48.', '');
  for (const cs of CASES) {
    const c = config({ ...cs, flow: 'reduced', d: 8, readout: 'trained', lambda: 0.01 });
    const r = new ReducedModel(c);
    let worst = 0;
    const g = new Float64Array(5);
    for (const s of STATES) {
      const y = Float64Array.from(s);
      r.lossGrad(y, g);
      const scale = Math.max(...Array.from(g, Math.abs));
      for (let i = 0; i < 5; i++) {
        const fd = dcentral((v) => { const z = Float64Array.from(y); z[i] = v; return r.lossGrad(z, null); }, y[i], 1e-4);
        worst = Math.max(worst, Math.abs(fd - g[i]) / scale);
      }
    }
    lines.push(`- qlaw = ${cs.qlaw}, normalize = ${cs.normalize}: max relative difference over ${STATES.length} states < 1e-8 (${verdict(worst < 1e-8)})`);
  }
  lines.push('');
}

function checkFull(lines: string[]): void {
  lines.push('## 4. Reduced field against the projected full-matrix field (2^15 queries)', '',
    'At W_P = aŵŵᵀ + bΠ⊥, W_Q = pΠ_ζ⊥ + qζ̂ζ̂ᵀ (clusters) or pẑẑᵀ + qζ̂ζ̂ᵀ (rays), d = 8: the full-matrix gradient projected on the invariant subspace, against the reduced gradient. The full field is a sample mean, so they agree up to O(N^{−1/2}) ≈ 6e-3.', '');
  for (const cs of CASES) {
    const c = config({ ...cs, d: 8, N: 32768, readout: 'trained', lambda: 0.01 });
    const red = new ReducedModel(c);
    const full = new FullModel(c);
    const y = Float64Array.from(STATES[0]);
    const gr = new Float64Array(5);
    red.lossGrad(y, gr);
    const { WP, WQ, u } = red.blocks(y);
    const d = c.d;
    const yf = new Float64Array(full.dim);
    yf.set(WP, 0);
    yf.set(WQ, d * d);
    yf[2 * d * d] = u;
    const gf = new Float64Array(full.dim);
    full.lossGrad(yf, gf);
    const { w, zeta, z } = red.dir;
    const sq = Math.sqrt(d - 1);
    const proj = new Float64Array(5);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        const id = i === j ? 1 : 0;
        const gP = gf[i * d + j];
        const gQ = gf[d * d + i * d + j];
        proj[0] += gP * w[i] * w[j];
        proj[1] += (gP * (id - w[i] * w[j])) / sq;
        proj[2] += cs.qlaw === 'clusters' ? (gQ * (id - zeta[i] * zeta[j])) / sq : gQ * z[i] * z[j];
        proj[3] += gQ * zeta[i] * zeta[j];
      }
    }
    proj[4] = gf[2 * d * d];
    const scale = Math.max(...Array.from(gr, Math.abs));
    let worst = 0;
    for (let i = 0; i < 5; i++) worst = Math.max(worst, Math.abs(proj[i] - gr[i]) / scale);
    lines.push(`- qlaw = ${cs.qlaw}, normalize = ${cs.normalize}: max relative difference < 2e-2 (${verdict(worst < 2e-2)})`);
  }
  lines.push('');
}

function checkA(lines: string[]): void {
  const hn = halfNormalRule(24);
  const probs: [number, number, number] = [0.6, 0.2, 0.2];
  const out: AverageA = { value: 0, dw: 0, dc: 0, dSP2: 0, dSQ2: 0 };
  const val = (w: number, sp2: number, c: number, sq2: number): number => {
    averageA(w, sp2, c, sq2, probs, 1, 0.8, hn, out);
    return out.value;
  };
  let worst = 0;
  for (const [w, sp2, c, sq2] of [[0.7, 0.4, 1.1, 0.9], [-0.3, 1.5, -0.6, 0.2], [1.4, 0.1, 0.3, 2.2]]) {
    averageA(w, sp2, c, sq2, probs, 1, 0.8, hn, out);
    const an = [out.dw, out.dSP2, out.dc, out.dSQ2];
    const fd = [
      dcentral((x) => val(x, sp2, c, sq2), w, 1e-4),
      dcentral((x) => val(w, x, c, sq2), sp2, 1e-5),
      dcentral((x) => val(w, sp2, x, sq2), c, 1e-4),
      dcentral((x) => val(w, sp2, c, x), sq2, 1e-5),
    ];
    for (let i = 0; i < 4; i++) worst = Math.max(worst, Math.abs(an[i] - fd[i]));
  }
  lines.push('## 5. Variant A in-context average (clusters, normalize = off)', '',
    `- ∂/∂w, ∂/∂S_P², ∂/∂c, ∂/∂S_Q² against central differences at 3 points: max difference < 1e-7 (${verdict(worst < 1e-7)})`, '');
}

export function deriveGong(): string {
  const lines: string[] = [
    '# Gong model: checks of the reduced L = ∞ flow (generated by derivations/gong/derive.ts; do not edit)',
    '',
    'Formulas: technical note gong-two-stage.md §4.2–4.3 and src/models/gong/kernels.ts, reduced.ts. Bounds are stated, not raw differences, so the text is the same on every machine.',
    '',
  ];
  checkR(lines);
  checkKappa(lines);
  checkReduced(lines);
  checkFull(lines);
  checkA(lines);
  return lines.join('\n');
}
