/** The deep linear network as a gradflow Model (see target.ts for the mathematics and citation). */
import { gemm, gemmNT, gemmTN } from '../../linalg/dense.js';
import { matrixView, product, singularValues } from '../../spectral/index.js';
import type { EventSpec, RhsFn, Vec } from '../../solve/types.js';
import type { Rng } from '../../util/rng.js';
import { geomspace } from '../../util/grid.js';
import { choice, num } from '../params.js';
import type { Model, Params, ScalarObservable, StateBlock } from '../types.js';
import { halfLearningTime, modeStrength, target, targetSpectrum, TARGETS } from './target.js';
import { deepLinearPredictions } from './predictions.js';
import { deepLinearFiniteSample } from './finite-sample.js';
import { minOf } from '../../util/array.js';

function layout(p: Params): StateBlock[] {
  const n = num(p, 'n');
  return [
    { name: 'W1', offset: 0, shape: [n, n], doc: 'first layer (hidden × input)' },
    { name: 'W2', offset: n * n, shape: [n, n], doc: 'second layer (output × hidden)' },
  ];
}

function init(p: Params, rng: Rng): Vec {
  const n = num(p, 'n');
  const y = new Float64Array(2 * n * n);
  if (choice(p, 'init') === 'aligned') {
    const { U, V } = target(p);
    const r = Math.sqrt(num(p, 'u0'));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      y[i * n + j] = r * V[j * n + i]; // W1 = √u0 · Vᵀ
      y[n * n + i * n + j] = r * U[i * n + j]; // W2 = U · √u0
    }
    return y;
  }
  const eps = num(p, 'eps');
  for (let i = 0; i < y.length; i++) y[i] = eps * rng.normal();
  return y;
}

function makeLoss(p: Params): (y: Vec) => number {
  const n = num(p, 'n');
  const { Sigma } = target(p);
  const P = new Float64Array(n * n);
  return (y) => {
    gemm(y, n * n, y, 0, P, 0, n, n, n); // P = W2 W1
    let acc = 0;
    for (let i = 0; i < n * n; i++) acc += (Sigma[i] - P[i]) ** 2;
    return 0.5 * acc;
  };
}

function flow(p: Params): RhsFn {
  const n = num(p, 'n');
  const nn = n * n;
  const { Sigma } = target(p);
  const E = new Float64Array(nn);
  return (_t, y, dy) => {
    gemm(y, nn, y, 0, E, 0, n, n, n); // E = W2 W1
    for (let i = 0; i < nn; i++) E[i] = Sigma[i] - E[i]; // E = Σ − W2W1
    gemmTN(y, nn, E, 0, dy, 0, n, n, n); // Ẇ1 = W2ᵀ E
    gemmNT(E, 0, y, 0, dy, nn, n, n, n); // Ẇ2 = E W1ᵀ
  };
}

function observables(p: Params): ScalarObservable[] {
  const n = num(p, 'n');
  const { U, V, S } = target(p);
  const P = new Float64Array(n * n);
  const k = Math.min(3, n);
  const modes: ScalarObservable[] = Array.from({ length: k }, (_, m) => ({
    name: `u${m + 1}`,
    doc: `mode strength u_${m + 1} = u_${m + 1}ᵀ(W2W1)v_${m + 1} (target ${S[m]})`,
    value(y: Vec): number {
      gemm(y, n * n, y, 0, P, 0, n, n, n);
      let acc = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) acc += U[i * n + m] * P[i * n + j] * V[j * n + m];
      return acc;
    },
  }));
  const balance: ScalarObservable = {
    name: 'imbalance',
    doc: '‖W1W1ᵀ − W2ᵀW2‖_F, conserved by the flow',
    value(y: Vec): number {
      let acc = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        let a = 0;
        let b = 0;
        for (let q = 0; q < n; q++) {
          a += y[i * n + q] * y[j * n + q]; // (W1 W1ᵀ)_ij
          b += y[n * n + q * n + i] * y[n * n + q * n + j]; // (W2ᵀ W2)_ij
        }
        acc += (a - b) ** 2;
      }
      return Math.sqrt(acc);
    },
  };
  return [...modes, balance];
}

/** Events: σ_k(W2W1) first exceeds half its target s_k (located on the dense output). */
function events(p: Params): EventSpec[] {
  const n = num(p, 'n');
  const S = targetSpectrum(p);
  return TARGETS.map((_, k) => ({
    name: `sigma${k + 1}_half`,
    direction: 1 as const,
    g: (_t: number, y: Vec) => singularValues(product(matrixView(y, n, n, n * n), matrixView(y, n, n, 0)))[k] - S[k] / 2,
  })).filter((_, k) => S[k] > 0);
}

export const deepLinear: Model = {
  id: 'deep-linear',
  title: 'Deep linear network (Saxe, McClelland, Ganguli 2014)',
  cite: 'A. M. Saxe, J. L. McClelland, S. Ganguli, Exact solutions to the nonlinear dynamics of learning in deep linear neural networks, ICLR 2014, eqs. (6)–(9), §2 mode solution',
  params: {
    n: { kind: 'number', default: 3, range: [3, 256], integer: true, doc: 'input = hidden = output width (singular values beyond s3 are 0)' },
    s1: { kind: 'number', default: 3, range: [0, 100], doc: 'largest target singular value' },
    s2: { kind: 'number', default: 1.5, range: [0, 100], doc: 'second target singular value' },
    s3: { kind: 'number', default: 0.5, range: [0, 100], doc: 'third target singular value' },
    init: { kind: 'choice', default: 'random', choices: ['random', 'aligned'], doc: 'small random weights (scale eps) or balanced and aligned with U, V (mode strength u0)' },
    eps: { kind: 'number', default: 1e-3, range: [1e-12, 1], doc: 'scale of the random initial weights (entries eps·N(0,1))' },
    u0: { kind: 'number', default: 1e-3, range: [1e-12, 1], doc: 'initial mode strength of the aligned start' },
    seed: { kind: 'number', default: 1, range: [0, 2 ** 32 - 1], integer: true, doc: 'seed of the target singular vectors and the initial weights' },
  },
  layout,
  init,
  loss: (y, p) => makeLoss(p)(y),
  flow,
  observables,
  matrices: (p) => {
    const n = num(p, 'n');
    return [
      { name: 'W2W1', doc: 'the end-to-end map', matrix: (y) => product(matrixView(y, n, n, n * n), matrixView(y, n, n, 0)) },
      { name: 'W1', doc: 'first layer', matrix: (y) => matrixView(y, n, n, 0) },
    ];
  },
  events,
  horizon: (p) => {
    const S = targetSpectrum(p).filter((s) => s > 0);
    const u0 = choice(p, 'init') === 'aligned' ? num(p, 'u0') : num(p, 'eps') ** 2;
    const slowest = minOf(S);
    const tEnd = Math.max(3 * halfLearningTime(slowest, Math.min(u0, slowest / 4)), 10);
    const grid = geomspace(tEnd * 1e-4, tEnd, 300);
    const saveAt = new Float64Array(grid.length + 1);
    saveAt.set(grid, 1); // t = 0 first
    return { tEnd, saveAt, solver: { method: 'dop853', rtol: 1e-10, atol: 1e-12 } };
  },
  predictions: deepLinearPredictions,
  finiteSample: deepLinearFiniteSample,
  exact(t, _y0, p) {
    if (choice(p, 'init') !== 'aligned') return null;
    const n = num(p, 'n');
    const { U, V, S } = target(p);
    const u0 = num(p, 'u0');
    const y = new Float64Array(2 * n * n);
    for (let k = 0; k < n; k++) {
      const r = Math.sqrt(modeStrength(S[k], u0, t));
      for (let i = 0; i < n; i++) {
        y[k * n + i] = r * V[i * n + k]; // row k of W1 = √u_k v_kᵀ
        y[n * n + i * n + k] = r * U[i * n + k]; // column k of W2 = √u_k u_k
      }
    }
    return y;
  },
};
