/**
 * What is measured along a trajectory (technical note §7.3): losses by sample class, margins and
 * accuracy, neuron alignment, attention logits and softmax scores, the SVM margin of the
 * attention features, symmetry residuals. All from one forward pass per state.
 *
 * Logit names follow the note's §4.4 table (head +, entries A[key, query]); for K > 2 each is the
 * mean over mixtures: a = A[c_k, c_k], b = A[c_k, μ_k] (signal query → its identifier as key),
 * b' = A[c_k, μ_j≠k], g = A[μ_k, c_k] (identifier query → its signal as key), g' = A[μ_j≠k, c_k],
 * e = A[μ_j, μ_j], f = A[μ_i, μ_j≠i].
 */
import { identifierIndex, mirrorDiagonal, mixturePermutation, signalIndex } from './data.js';
import { TokenSpanNetwork } from './network.js';
import { svmMargin } from './svm.js';

export const LOGITS = ['a', 'b', 'bp', 'g', 'gp', 'e', 'f'] as const;
export type LogitName = (typeof LOGITS)[number];
/** Token kinds in a sample: the identifier c = c_k, the relevant signal r = s_k μ_k, the irrelevant signals i. */
export const KINDS = ['c', 'r', 'i'] as const;
export type Kind = (typeof KINDS)[number];

export interface StateSummary {
  readonly loss: number;
  /** Mean ℓ(yF) over consistent types (every signal agrees with y). */
  readonly lossConsistent: number;
  /** Mean ℓ(yF) over hard types (some other signal disagrees with y). */
  readonly lossHard: number;
  /** Mean ℓ(yF) over types where every other signal disagrees with y (= hard for K = 2). */
  readonly lossAllDisagree: number;
  /** min over types of yF. */
  readonly marginMin: number;
  readonly marginHardMin: number;
  /** Fraction of types with yF > 0. */
  readonly accuracy: number;
  /** Mean ‖ω‖ over the neurons of both heads. */
  readonly neuronNorm: number;
  /** alignMu[h][j] = mean over neurons of ⟨ω_{h,r}, μ_j⟩. */
  readonly alignMu: readonly (readonly number[])[];
  /** alignC[h][k] = mean over neurons of ⟨ω_{h,r}, c_k⟩. */
  readonly alignC: readonly (readonly number[])[];
  /** max |A_h entry| over both heads. */
  readonly attnMax: number;
  /** Named logits per head. */
  readonly logits: readonly Readonly<Record<LogitName, number>>[];
  /** scores[cls][query][key]: mean softmax score of head +, cls 0 consistent / 1 hard (irrelevant keys summed, irrelevant queries averaged). */
  readonly scores: readonly (readonly (readonly number[])[])[];
  /** Hard-margin SVM margin of the attention features (ζ^±_l over all queries, concatenated). */
  readonly svmMargin: number;
  /** ‖A_− − D A_+ D‖_F. */
  readonly symResidualA: number;
  /** ‖ω_− − D ω_+‖_F, neuron by neuron. */
  readonly symResidualW: number;
  /** ‖A_+ − Π A_+ Πᵀ‖_F for the mixture swap (cyclic shift for K > 2). */
  readonly swapResidual: number;
}

export function logitsOf(A: Float64Array, K: number): Record<LogitName, number> {
  const p = 2 * K;
  const at = (key: number, query: number): number => A[key * p + query];
  let a = 0, b = 0, bp = 0, g = 0, gp = 0, e = 0, f = 0;
  for (let k = 0; k < K; k++) {
    const ck = identifierIndex(k);
    const mk = signalIndex(K, k);
    a += at(ck, ck) / K;
    b += at(ck, mk) / K;
    g += at(mk, ck) / K;
    e += at(mk, mk) / K;
    for (let j = 0; j < K; j++) {
      if (j === k) continue;
      const mj = signalIndex(K, j);
      const n = K * (K - 1);
      bp += at(ck, mj) / n;
      gp += at(mj, ck) / n;
      f += at(mk, mj) / n;
    }
  }
  return { a, b, bp, g, gp, e, f };
}

/** Everything measured on one state (one forward pass). */
export function summarize(net: TokenSpanNetwork, y: Float64Array): StateSummary {
  const c = net.c;
  const { K, p, m, L } = c;
  const { types, weight } = net.data;
  const T = net.T;
  const loss = net.forward(y);
  let lc = 0, nc = 0, lh = 0, nh = 0, la = 0, na = 0;
  let marginMin = Infinity, marginHardMin = Infinity, correct = 0;
  types.forEach((tp, t) => {
    const l = net.lossOf[t];
    const margin = tp.y * net.F[t];
    marginMin = Math.min(marginMin, margin);
    if (margin > 0) correct++;
    if (tp.consistent) { lc += l; nc++; }
    if (tp.hard) { lh += l; nh++; marginHardMin = Math.min(marginHardMin, margin); }
    if (tp.disagree === K - 1) { la += l; na++; }
  });
  // neurons
  let norm = 0;
  const alignMu: number[][] = [];
  const alignC: number[][] = [];
  for (let h = 0; h < 2; h++) {
    const W = net.W[h];
    const mu = new Array<number>(K).fill(0);
    const cc = new Array<number>(K).fill(0);
    for (let r = 0; r < m; r++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += W[r * p + j] ** 2;
      norm += Math.sqrt(s) / (2 * m);
      for (let k = 0; k < K; k++) {
        mu[k] += W[r * p + signalIndex(K, k)] / m;
        cc[k] += W[r * p + identifierIndex(k)] / m;
      }
    }
    alignMu.push(mu);
    alignC.push(cc);
  }
  // attention
  let attnMax = 0;
  for (const A of net.A) for (const v of A) attnMax = Math.max(attnMax, Math.abs(v));
  const logits = net.A.map((A) => logitsOf(A, K));
  // softmax scores of head + by class, query kind, key kind
  const scores = [0, 1].map(() => KINDS.map(() => [0, 0, 0]));
  const counts = [0, 1].map(() => [0, 0, 0]);
  const kindOf = (tk: number, l: number): number => (l === 0 ? 0 : l === 1 + tk ? 1 : l <= K ? 2 : -1);
  types.forEach((tp, t) => {
    const cls = tp.consistent ? 0 : 1;
    for (let l1 = 0; l1 < L; l1++) {
      const q = kindOf(tp.k, l1);
      if (q < 0) continue;
      counts[cls][q]++;
      for (let l2 = 0; l2 < L; l2++) {
        const kk = kindOf(tp.k, l2);
        if (kk < 0) continue;
        scores[cls][q][kk] += net.P[(t * L + l1) * L + l2];
      }
    }
  });
  scores.forEach((s, cls) => s.forEach((row, q) => row.forEach((_, kk) => { row[kk] = counts[cls][q] > 0 ? row[kk] / counts[cls][q] : NaN; })));
  // SVM margin of the attention features
  const dim = 2 * L * p;
  const feats = new Float64Array(T * dim);
  const labels = new Float64Array(T);
  types.forEach((tp, t) => {
    labels[t] = tp.y;
    for (let h = 0; h < 2; h++) for (let l = 0; l < L; l++) net.feature(h, t, l, feats, t * dim + (h * L + l) * p);
  });
  const svm = svmMargin(feats, labels, dim);
  // symmetry residuals
  const D = mirrorDiagonal(K);
  let rA = 0, rW = 0, rS = 0;
  const perm = mixturePermutation(K);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) {
    rA += (net.A[1][i * p + j] - D[i] * D[j] * net.A[0][i * p + j]) ** 2;
    rS += (net.A[0][perm[i] * p + perm[j]] - net.A[0][i * p + j]) ** 2;
  }
  for (let r = 0; r < m; r++) for (let j = 0; j < p; j++) rW += (net.W[1][r * p + j] - D[j] * net.W[0][r * p + j]) ** 2;
  return {
    loss, lossConsistent: lc / nc, lossHard: lh / nh, lossAllDisagree: la / na,
    marginMin, marginHardMin, accuracy: correct * weight,
    neuronNorm: norm, alignMu, alignC, attnMax, logits, scores,
    svmMargin: svm, symResidualA: Math.sqrt(rA), symResidualW: Math.sqrt(rW), swapResidual: Math.sqrt(rS),
  };
}
