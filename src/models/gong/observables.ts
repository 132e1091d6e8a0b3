/**
 * What is measured at every save time, computed once per state and shared by the
 * scalar observables: losses and accuracies on the whole data, with W_Q masked (P evaluation,
 * queries that carry P) and with W_P masked (Q evaluation, queries that carry Q), split by the
 * query label; the symmetric coordinates a, b, p, q and the residual norms off them; block norms;
 * and the spectrum of W with the Q mass of its singular vectors.
 */
import { eigenvalues, matrixView, svd } from '../../spectral/index.js';
import type { Params, ScalarObservable } from '../types.js';
import { schedule } from './dynamics.js';
import { engineFor, type Engine } from './engine.js';
import { emptyMetrics, type Metrics } from './metrics.js';
import { maxOf } from '../../util/array.js';

export interface Snapshot {
  readonly all: Metrics;
  readonly P: Metrics;
  readonly Q: Metrics;
  readonly a: number;
  readonly b: number;
  readonly p: number;
  readonly q: number;
  readonly resP: number;
  readonly resQ: number;
  readonly frobP: number;
  readonly frobQ: number;
  readonly specP: number;
  readonly specQ: number;
  /** Singular values of W = blockdiag(W_P, W_Q), descending, and the Q mass ½(‖u_Q‖² + ‖v_Q‖²) of each triplet. */
  readonly sigma: Float64Array;
  readonly qmass: Float64Array;
  /** Mean Q mass of the bottom half (the d smallest singular values). */
  readonly qmassBottom: number;
  /** σ₁(W_Q)/σ₁(W_P): > 1 when the top of the spectrum belongs to Q. */
  readonly separation: number;
  /** Largest real part of the eigenvalues of W_P and of W_Q. */
  readonly eigP: number;
  readonly eigQ: number;
  readonly u: number;
}

/**
 * Snapshots per state array, checked against a copy of its contents: integrators reuse one buffer
 * for the states at which observable events are evaluated, so identity alone would go stale.
 */
const SNAPSHOTS = new WeakMap<Float64Array, { copy: Float64Array; snap: Snapshot }>();

/** blockdiag(W_P, W_Q) as a row-major 2d × 2d array. */
export function blockDiag(WP: Float64Array, WQ: Float64Array, d: number): Float64Array {
  const W = new Float64Array(4 * d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      W[i * 2 * d + j] = WP[i * d + j];
      W[(d + i) * 2 * d + d + j] = WQ[i * d + j];
    }
  }
  return W;
}

/** Singular values of W and the Q mass of each singular triplet (from the SVD of W itself). */
export function spectrumWithMass(W: Float64Array, d: number): { sigma: Float64Array; qmass: Float64Array } {
  const n = 2 * d;
  const dec = svd(matrixView(W, n, n));
  const qmass = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let u = 0;
    let v = 0;
    for (let i = d; i < n; i++) {
      u += dec.U.get(i, k) ** 2;
      v += dec.V.get(i, k) ** 2;
    }
    qmass[k] = 0.5 * (u + v);
  }
  return { sigma: Float64Array.from(dec.s), qmass };
}

function frob(M: Float64Array): number {
  let s = 0;
  for (const x of M) s += x * x;
  return Math.sqrt(s);
}

/** Everything measured on one state (cached per state array). */
export function snapshot(engine: Engine, y: Float64Array): Snapshot {
  const hit = SNAPSHOTS.get(y);
  if (hit && hit.copy.length === y.length && hit.copy.every((v, i) => v === y[i])) return hit.snap;
  const c = engine.config;
  const d = c.d;
  const all = emptyMetrics();
  const P = emptyMetrics();
  const Q = emptyMetrics();
  engine.metricsAll(y, { all, P, Q });
  const { WP, WQ, u } = engine.blocks(y);
  const { w, zeta, z } = engine.reduced?.dir ?? engine.full().dir;
  const quad = (M: Float64Array, x: Float64Array, v: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) s += x[i] * M[i * d + j] * v[j];
    return s;
  };
  const trace = (M: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < d; i++) s += M[i * d + i];
    return s;
  };
  const a = quad(WP, w, w);
  const b = (trace(WP) - a) / (d - 1);
  const clusters = c.qlaw === 'clusters';
  const q = quad(WQ, zeta, zeta);
  const p = clusters ? (trace(WQ) - q) / (d - 1) : quad(WQ, z, z);
  let rP = 0;
  let rQ = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const id = i === j ? 1 : 0;
      rP += (WP[i * d + j] - a * w[i] * w[j] - b * (id - w[i] * w[j])) ** 2;
      const sq = clusters ? p * (id - zeta[i] * zeta[j]) + q * zeta[i] * zeta[j] : p * z[i] * z[j] + q * zeta[i] * zeta[j];
      rQ += (WQ[i * d + j] - sq) ** 2;
    }
  }
  const { sigma, qmass } = spectrumWithMass(blockDiag(WP, WQ, d), d);
  let bottom = 0;
  for (let k = d; k < 2 * d; k++) bottom += qmass[k];
  // W is block-diagonal, so each singular triplet lies in one block (up to exact ties): the
  // largest σ with Q mass < ½ is ‖W_P‖₂, the largest with Q mass > ½ is ‖W_Q‖₂.
  let sP = 0;
  let sQ = 0;
  for (let k = 0; k < 2 * d; k++) {
    if (qmass[k] > 0.5) sQ = Math.max(sQ, sigma[k]);
    else sP = Math.max(sP, sigma[k]);
  }
  const maxRe = (M: Float64Array): number => maxOf(eigenvalues(matrixView(M, d, d)).re);
  const snap: Snapshot = {
    all, P, Q, a, b, p, q, resP: Math.sqrt(rP), resQ: Math.sqrt(rQ),
    frobP: frob(WP), frobQ: frob(WQ), specP: sP, specQ: sQ,
    sigma, qmass, qmassBottom: bottom / d, separation: sQ / sP,
    eigP: maxRe(WP), eigQ: maxRe(WQ), u,
  };
  SNAPSHOTS.set(y, { copy: Float64Array.from(y), snap });
  return snap;
}

type Field = (s: Snapshot) => number;

const FIELDS: readonly [string, string, Field][] = [
  ['loss_data', 'mean logistic loss on the whole data (no weight decay)', (s) => s.all.loss],
  ['acc', 'accuracy on the whole data (ties count ½)', (s) => s.all.acc],
  ['loss_P', 'P evaluation (W_Q masked; queries carrying P): loss', (s) => s.P.loss],
  ['acc_P', 'P evaluation: accuracy', (s) => s.P.acc],
  ['loss_Q', 'Q evaluation (W_P masked; queries carrying Q): loss', (s) => s.Q.loss],
  ['acc_Q', 'Q evaluation: accuracy', (s) => s.Q.acc],
  ['acc_P_pos', 'P evaluation, queries with y = +1: accuracy', (s) => s.P.accPos],
  ['acc_P_neg', 'P evaluation, queries with y = −1: accuracy', (s) => s.P.accNeg],
  ['acc_Q_pos', 'Q evaluation, queries with y = +1: accuracy', (s) => s.Q.accPos],
  ['acc_Q_neg', 'Q evaluation, queries with y = −1: accuracy', (s) => s.Q.accNeg],
  ['loss_Q_pos', 'Q evaluation, y = +1: loss', (s) => s.Q.lossPos],
  ['loss_Q_neg', 'Q evaluation, y = −1: loss', (s) => s.Q.lossNeg],
  ['a', 'a = ŵᵀW_Pŵ', (s) => s.a],
  ['b', 'b = tr(Π⊥W_P)/(d−1)', (s) => s.b],
  ['p', 'p = tr(Π_ζ⊥W_Q)/(d−1) (clusters) or ẑᵀW_Qẑ (rays)', (s) => s.p],
  ['q', 'q = ζ̂ᵀW_Qζ̂', (s) => s.q],
  ['res_P', '‖W_P − aŵŵᵀ − bΠ⊥‖_F (distance from the symmetric subspace)', (s) => s.resP],
  ['res_Q', '‖W_Q − (symmetric part in p, q)‖_F', (s) => s.resQ],
  ['frob_P', '‖W_P‖_F', (s) => s.frobP],
  ['frob_Q', '‖W_Q‖_F', (s) => s.frobQ],
  ['spec_P', '‖W_P‖₂', (s) => s.specP],
  ['spec_Q', '‖W_Q‖₂', (s) => s.specQ],
  ['qmass1', 'Q mass of the top singular vector of W', (s) => s.qmass[0]],
  ['qmass2', 'Q mass of the 2nd singular vector of W', (s) => s.qmass[1]],
  ['qmass3', 'Q mass of the 3rd singular vector of W', (s) => s.qmass[2]],
  ['qmass_bottom', 'mean Q mass of the d smallest singular vectors of W', (s) => s.qmassBottom],
  ['separation', 'spectral separation index σ₁(W_Q)/σ₁(W_P)', (s) => s.separation],
  ['eig_P', 'largest real part of an eigenvalue of W_P', (s) => s.eigP],
  ['eig_Q', 'largest real part of an eigenvalue of W_Q', (s) => s.eigQ],
];

export function gongObservables(p: Params): ScalarObservable[] {
  const engine = engineFor(p);
  const sched = schedule(engine.config);
  const out: ScalarObservable[] = FIELDS.map(([name, doc, f]) => ({ name, doc, value: (y) => f(snapshot(engine, y)) }));
  if (engine.config.trainU) out.push({ name: 'u', doc: 'readout u', value: (y) => snapshot(engine, y).u });
  out.push({ name: 'time', doc: 'physical time t (Σ η over the steps for gd and noisy)', value: (_y, t) => sched.time(t) });
  return out;
}
