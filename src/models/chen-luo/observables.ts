/**
 * What is measured along a Chen–Luo trajectory (note §8.3): the stage-1 energy, condensation of
 * W_V toward v, Assumption 1, the stage-2 matrix F = −∇_A L and the alignment of A with its top
 * singular pair, the bag-of-tokens loss, gradient norms, and the balancedness invariants.
 */
import { condensationSummary, svd, type MatrixView } from '../../spectral/index.js';
import type { Vec } from '../../solve/types.js';
import type { MatrixObservable, ScalarObservable } from '../types.js';
import { bagLoss } from './bag-of-tokens.js';
import type { ChenLuoSetup } from './setup.js';
import { attentionProduct } from './stage2.js';
import { makeTransformer } from './transformer.js';

const view = (data: Float64Array, d: number, offset: number, rows = d): MatrixView => ({ data, offset, rows, cols: d });

/** u = W_V W1 W2 (the effective readout, ℝ^d). */
export function readout(y: Vec, d: number, off: { WV: number; W1: number; W2: number }): Float64Array {
  const t = new Float64Array(d);
  const u = new Float64Array(d);
  for (let l = 0; l < d; l++) for (let k = 0; k < d; k++) t[l] += y[off.W1 + l * d + k] * y[off.W2 + k]; // W1 W2
  for (let l = 0; l < d; l++) for (let k = 0; k < d; k++) u[l] += y[off.WV + l * d + k] * t[k]; // W_V (W1 W2)
  return u;
}

/** min and mean over columns k of |cos(col_k W_V, v)| (a zero column counts as 0). */
export function valueColumnCosines(y: Vec, d: number, WV: number, v: ArrayLike<number>): { min: number; mean: number } {
  let min = Infinity;
  let sum = 0;
  for (let k = 0; k < d; k++) {
    let dot = 0;
    let nn = 0;
    for (let l = 0; l < d; l++) { dot += y[WV + l * d + k] * v[l]; nn += y[WV + l * d + k] ** 2; }
    const c = nn > 0 ? Math.abs(dot) / Math.sqrt(nn) : 0; // ‖v‖ = 1
    min = Math.min(min, c);
    sum += c;
  }
  return { min, mean: sum / d };
}

/**
 * Fractions of Assumption 1 [V: §4, Assumption 1]: |A1|/d, the indices i with
 * W2_i (W_v W1)_i > 0 and W_{v,i} (W1 W2)_i > 0, and |A2|/d², the pairs (i, j) with
 * ⟨W2_i W1^{:,i}, W2_j W1^{:,j}⟩ > 0 and ⟨W_{v,i} W1^{i,:}, W_{v,j} W1^{j,:}⟩ > 0; W_v = v W_V.
 */
export function assumptionOneFractions(y: Vec, d: number, off: { WV: number; W1: number; W2: number }, v: ArrayLike<number>): { a1: number; a2: number } {
  const wv = new Float64Array(d);
  for (let k = 0; k < d; k++) for (let l = 0; l < d; l++) wv[k] += v[l] * y[off.WV + l * d + k]; // W_v = v W_V
  const W1 = (i: number, j: number): number => y[off.W1 + i * d + j];
  const W2 = (i: number): number => y[off.W2 + i];
  let a1 = 0;
  for (let i = 0; i < d; i++) {
    let wvw1 = 0;
    let w1w2 = 0;
    for (let l = 0; l < d; l++) { wvw1 += wv[l] * W1(l, i); w1w2 += W1(i, l) * W2(l); }
    if (W2(i) * wvw1 > 0 && wv[i] * w1w2 > 0) a1++;
  }
  let a2 = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let col = 0;
      let row = 0;
      for (let l = 0; l < d; l++) { col += W1(l, i) * W1(l, j); row += W1(i, l) * W1(j, l); }
      if (W2(i) * W2(j) * col > 0 && wv[i] * wv[j] * row > 0) a2++;
    }
  }
  return { a1: a1 / d, a2: a2 / (d * d) };
}

/** Euclidean (Frobenius) norm of a flat array. */
function frob(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/**
 * The invariants of the full flow [R]: the loss depends on W_Q, W_K only through A = W_Q W_Kᵀ,
 * so W_QᵀW_Q − W_KᵀW_K is conserved; the chain x̃ → W_V → W1 is linear, so W_VᵀW_V − W1W1ᵀ is
 * conserved, and for σ = id also W1ᵀW1 − W2W2ᵀ. Returned: those matrices (d×d each), in that order.
 */
export function balanceMatrices(y: Vec, d: number, off: { WQ: number; WK: number; WV: number; W1: number; W2: number }): Float64Array[] {
  const qk = new Float64Array(d * d);
  const v1 = new Float64Array(d * d);
  const w12 = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      let q = 0;
      let vv = 0;
      let w1w1t = 0;
      let w1tw1 = 0;
      for (let l = 0; l < d; l++) {
        q += y[off.WQ + l * d + a] * y[off.WQ + l * d + b] - y[off.WK + l * d + a] * y[off.WK + l * d + b]; // (W_QᵀW_Q − W_KᵀW_K)_ab
        vv += y[off.WV + l * d + a] * y[off.WV + l * d + b]; // (W_VᵀW_V)_ab
        w1w1t += y[off.W1 + a * d + l] * y[off.W1 + b * d + l]; // (W1W1ᵀ)_ab
        w1tw1 += y[off.W1 + l * d + a] * y[off.W1 + l * d + b]; // (W1ᵀW1)_ab
      }
      qk[a * d + b] = q;
      v1[a * d + b] = vv - w1w1t;
      w12[a * d + b] = w1tw1 - y[off.W2 + a] * y[off.W2 + b];
    }
  }
  return [qk, v1, w12];
}

/**
 * Largest drift of the balance invariants from their initial values (given as the initial state or
 * its {@link balanceMatrices}), each relative to ‖X‖_F² + ‖Y‖_F² at the later state (the size of
 * the terms that cancel): round-off if conserved.
 */
export function balanceDrift(y0: Vec | readonly Float64Array[], y: Vec, d: number, off: { WQ: number; WK: number; WV: number; W1: number; W2: number }, which: 'attention' | 'outer', withW2: boolean): number {
  const a = y0 instanceof Float64Array ? balanceMatrices(y0, d, off) : y0; // the initial matrices, or the initial state
  const b = balanceMatrices(y, d, off);
  const sq = (o: number, len: number): number => { let s = 0; for (let i = 0; i < len; i++) s += y[o + i] ** 2; return s; };
  const dd = d * d;
  const diff = (i: number): number => frob(b[i].map((x, k) => x - a[i][k]));
  if (which === 'attention') return diff(0) / Math.max(sq(off.WQ, dd) + sq(off.WK, dd), Number.MIN_VALUE);
  let worst = diff(1) / Math.max(sq(off.WV, dd) + sq(off.W1, dd), Number.MIN_VALUE);
  if (withW2) worst = Math.max(worst, diff(2) / Math.max(sq(off.W1, dd) + sq(off.W2, d), Number.MIN_VALUE));
  return worst;
}

export function chenLuoObservables(setup: ChenLuoSetup): ScalarObservable[] {
  const { d, eps, offsets: off, stats, data, loss, y0 } = setup;
  const tf = makeTransformer(data, setup.activation, loss);
  const balance0 = balanceMatrices(y0, d, off);
  const grad = new Float64Array(off.size);
  const GA = new Float64Array(d * d);
  const energy = (y: Vec): number => {
    const u = readout(y, d, off);
    let e = 0;
    for (let l = 0; l < d; l++) e += stats.v[l] * u[l];
    return e; // E = v W_V W1 W2
  };
  const segNorm = (a: Vec, from: number, to: number): number => { let s = 0; for (let i = from; i < to; i++) s += a[i] * a[i]; return Math.sqrt(s); };
  // One gradient (with ∇_A L) and one SVD of F per saved state, shared by the observables: the
  // trajectory evaluates observable by observable, so results are memoized per state array, with
  // a fingerprint of its contents so that a reused (mutated) buffer is never served stale values.
  const fingerprint = (y: Vec): number => { let h = 0; for (let i = 0; i < y.length; i++) h += y[i] * (1 + ((i * 0.6180339887498949) % 1)); return h; };
  type GradStats = { key: number; total: number; outer: number; attention: number; s1: number; s2: number; align: number };
  const memo = new WeakMap<Vec, GradStats>();
  const gradStats = (y: Vec): GradStats => {
    let hit = memo.get(y);
    const key = fingerprint(y);
    if (!hit || hit.key !== key) {
      tf.negGradient(y, grad, GA);
      const attention = segNorm(grad, 0, off.WV);
      const outer = segNorm(grad, off.WV, off.size);
      for (let i = 0; i < d * d; i++) GA[i] = -GA[i]; // F = −∇_A L
      const { s, U, V } = svd(view(GA, d, 0));
      const A = attentionProduct(y, d, off.WQ, off.WK);
      let acc = 0;
      for (let l = 0; l < d; l++) for (let k = 0; k < d; k++) acc += U.get(l, 0) * A[l * d + k] * V.get(k, 0); // u₁ᵀAv₁
      hit = { key, total: attention * attention + outer * outer, outer, attention, s1: s[0], s2: s[1] ?? 0, align: acc / frob(A) };
      memo.set(y, hit);
    }
    return hit;
  };
  const fStats = gradStats;
  return [
    { name: 'energy', doc: 'E = v W_V W1 W2 (stage-1 energy, real units)', value: energy },
    { name: 'energy_inv_cbrt', doc: '(E/ε³)^(−1/3) → T̄* − t̄ in stage 1 (NaN while E ≤ 0)', value: (y) => { const e = energy(y) / eps ** 3; return e > 0 ? 1 / Math.cbrt(e) : NaN; } },
    { name: 'bag_loss', doc: 'L̃1(u), u = W_V W1 W2: the bag-of-tokens (uniform-attention, σ = id) loss', value: (y) => bagLoss(data, stats, loss, readout(y, d, off)) },
    { name: 'grad_norm_sq', doc: '‖∇L‖² = −dL/dt', value: (y) => gradStats(y).total },
    { name: 'grad_outer', doc: '‖∇L‖ over W_V, W1, W2', value: (y) => gradStats(y).outer },
    { name: 'grad_attention', doc: '‖∇L‖ over W_Q, W_K', value: (y) => gradStats(y).attention },
    { name: 'colcos_min', doc: 'min_k |cos(col_k W_V, v)| (condensation of W_V, Theorem 2)', value: (y) => valueColumnCosines(y, d, off.WV, stats.v).min },
    { name: 'colcos_mean', doc: 'mean_k |cos(col_k W_V, v)|', value: (y) => valueColumnCosines(y, d, off.WV, stats.v).mean },
    {
      name: 'cos_u_v', doc: 'cos(u, v), u = W_V W1 W2',
      value: (y) => { const u = readout(y, d, off); let dot = 0; for (let l = 0; l < d; l++) dot += u[l] * stats.v[l]; return dot / frob(u); },
    },
    { name: 'assumption1_a1', doc: '|A1|/d of Assumption 1', value: (y) => assumptionOneFractions(y, d, off, stats.v).a1 },
    { name: 'assumption1_a2', doc: '|A2|/d² of Assumption 1', value: (y) => assumptionOneFractions(y, d, off, stats.v).a2 },
    { name: 'F_sigma1', doc: 'σ₁ of F = −∇_A L', value: (y) => fStats(y).s1 },
    { name: 'F_sigma2', doc: 'σ₂ of F = −∇_A L', value: (y) => fStats(y).s2 },
    { name: 'A_align', doc: 'u₁ᵀ A v₁ / ‖A‖_F: cosine of A with u₁v₁ᵀ of the current F (→ 1: rank collapse)', value: (y) => fStats(y).align },
    { name: 'A_norm', doc: '‖A‖_F, A = W_Q W_Kᵀ', value: (y) => frob(attentionProduct(y, d, off.WQ, off.WK)) },
    { name: 'attention_entropy', doc: 'mean entropy of the query row of the attention (ln s when uniform)', value: (y) => tf.attentionEntropy(y) },
    { name: 'WV_condensation_erank', doc: 'effective rank of the normalized rows of W_V (condensation)', value: (y) => condensationSummary(view(y, d, off.WV)).effectiveRank },
    { name: 'W1_condensation_erank', doc: 'effective rank of the normalized rows of W1', value: (y) => condensationSummary(view(y, d, off.W1)).effectiveRank },
    { name: 'WQ_condensation_erank', doc: 'effective rank of the normalized rows of W_Q', value: (y) => condensationSummary(view(y, d, off.WQ)).effectiveRank },
    { name: 'WK_condensation_erank', doc: 'effective rank of the normalized rows of W_K', value: (y) => condensationSummary(view(y, d, off.WK)).effectiveRank },
    { name: 'balance_drift_attention', doc: 'drift of W_QᵀW_Q − W_KᵀW_K, relative to ‖W_Q‖²+‖W_K‖² (conserved exactly)', value: (y) => balanceDrift(balance0, y, d, off, 'attention', false) },
    {
      name: 'balance_drift_outer', doc: 'drift of W_VᵀW_V − W1W1ᵀ (and W1ᵀW1 − W2W2ᵀ for σ = id), relative to the cancelling terms (conserved exactly)',
      value: (y) => balanceDrift(balance0, y, d, off, 'outer', setup.activation === 'identity'),
    },
  ];
}

export function chenLuoMatrices(setup: ChenLuoSetup): MatrixObservable[] {
  const { d, offsets: off } = setup;
  return [
    { name: 'WV', doc: 'value matrix W_V', matrix: (y) => view(y, d, off.WV) },
    { name: 'W1', doc: 'first feed-forward matrix W1', matrix: (y) => view(y, d, off.W1) },
    { name: 'A', doc: 'key–query product A = W_Q W_Kᵀ', matrix: (y) => view(attentionProduct(y, d, off.WQ, off.WK), d, 0) },
    { name: 'WQ', doc: 'query matrix W_Q', matrix: (y) => view(y, d, off.WQ) },
    { name: 'WK', doc: 'key matrix W_K', matrix: (y) => view(y, d, off.WK) },
  ];
}
