/**
 * The deep linear network on finite data: inputs x ~ N(0, I_n) (whitened in expectation),
 * noise-free targets y = Σx. For a batch with empirical covariance C = (1/B)Σ xxᵀ and P = W2W1:
 *   loss = ½ tr((P − Σ) C (P − Σ)ᵀ),  ∂/∂W1 = W2ᵀ(P − Σ)C,  ∂/∂W2 = (P − Σ)C W1ᵀ.
 * The parameters are the flow's own (nothing is reduced), so projection is the identity.
 */
import { gemm, gemmNT, gemmTN } from '../../linalg/dense.js';
import type { Vec } from '../../solve/types.js';
import { checkAllocation, FLOAT64 } from '../../util/limits.js';
import { num } from '../params.js';
import type { FiniteSample, Params } from '../types.js';
import { target } from './target.js';

export interface Inputs { readonly count: number; readonly x: Float64Array }

export function deepLinearFiniteSample(p: Params): FiniteSample<Inputs> {
  const n = num(p, 'n');
  const nn = n * n;
  const { Sigma } = target(p);
  const C = new Float64Array(nn);
  const D = new Float64Array(nn); // P − Σ
  const R = new Float64Array(nn); // (P − Σ) C
  const exampleShape = `${n} inputs`;
  return {
    dim: 2 * nn,
    exampleBytes: n * FLOAT64,
    exampleShape,
    lift: (y) => Float64Array.from(y),
    sample(rng, count) {
      checkAllocation(`deep-linear: ${count} examples × ${exampleShape}`, count * n * FLOAT64, { of: 'training data', hint: 'draw fewer examples' });
      const x = new Float64Array(count * n);
      for (let i = 0; i < x.length; i++) x[i] = rng.normal();
      return { count, x };
    },
    resample(rng, data) {
      for (let i = 0; i < data.x.length; i++) data.x[i] = rng.normal();
    },
    lossGrad(theta: Vec, data: Inputs, idx: Int32Array | null, grad: Vec): number {
      const m = idx ? idx.length : data.count;
      C.fill(0);
      for (let s = 0; s < m; s++) {
        const row = (idx ? idx[s] : s) * n;
        for (let i = 0; i < n; i++) {
          const xi = data.x[row + i];
          for (let j = 0; j < n; j++) C[i * n + j] += xi * data.x[row + j];
        }
      }
      for (let i = 0; i < nn; i++) C[i] /= m;
      gemm(theta, nn, theta, 0, D, 0, n, n, n); // P = W2 W1
      for (let i = 0; i < nn; i++) D[i] -= Sigma[i];
      gemm(D, 0, C, 0, R, 0, n, n, n);
      let loss = 0;
      for (let i = 0; i < nn; i++) loss += R[i] * D[i]; // tr(D C Dᵀ) = Σ (DC)∘D
      gemmTN(theta, nn, R, 0, grad, 0, n, n, n); // ∂/∂W1 = W2ᵀ R
      gemmNT(R, 0, theta, 0, grad, nn, n, n, n); // ∂/∂W2 = R W1ᵀ
      return 0.5 * loss;
    },
    project: (theta, out) => out.set(theta),
  };
}
