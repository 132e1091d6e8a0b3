/**
 * Finite-sample training of the Chen–Luo transformer: minibatches drawn from its data set.
 *
 * The flow is gradient flow on the empirical loss L = (1/n) Σ_i ℓ(y_i f_i) over the whole data set
 * D (n samples), so the "population" of the finite-sample form is the uniform law on D: a draw of
 * `count` examples picks `count` indices of D uniformly with replacement, and a minibatch gradient
 * is an unbiased estimate of ∇L. Online SGD (fresh B indices each step) is the classic minibatch
 * SGD on D with replacement; a fixed training set `n=N` is a bootstrap resample of D (for GD on D
 * itself use the population mode, which is the engine's `euler` method on the flow).
 *
 * The parameters are the flow's own (W_Q, W_K, W_V, W1, W2), so lift and projection are copies.
 */
import type { Vec } from '../../solve/types.js';
import type { Rng } from '../../util/rng.js';
import { checkAllocation } from '../../util/limits.js';
import type { FiniteSample, Params } from '../types.js';
import type { ChenLuoSetup } from './setup.js';
import { makeTransformer } from './transformer.js';

/** A draw: indices into the model's data set. */
export interface DataDraw {
  readonly count: number;
  readonly index: Int32Array;
}

export function chenLuoFiniteSample(st: ChenLuoSetup): FiniteSample<DataDraw> {
  const tf = makeTransformer(st.data, st.activation, st.loss); // own workspace
  const n = st.data.n;
  const drawInto = (rng: Rng, draw: DataDraw): void => {
    for (let k = 0; k < draw.count; k++) draw.index[k] = Math.min(n - 1, Math.floor(rng.uniform() * n));
  };
  let batch = new Int32Array(0); // the composed indices of one minibatch; reallocated only when B changes
  return {
    dim: st.offsets.size,
    exampleBytes: 4, // an index into the data set
    exampleShape: 'one index into the data set',
    lift: (y) => Float64Array.from(y),
    sample(rng: Rng, count: number): DataDraw {
      checkAllocation(`chen-luo: ${count} example indices`, 4 * count, { of: 'training data', hint: 'draw fewer examples' });
      const draw = { count, index: new Int32Array(count) };
      drawInto(rng, draw);
      return draw;
    },
    resample: (rng, draw) => drawInto(rng, draw),
    lossGrad(theta: Vec, draw: DataDraw, idx: Int32Array | null, grad: Vec): number {
      if (!idx) return tf.subsetLossGrad(theta, draw.index, grad);
      if (batch.length !== idx.length) batch = new Int32Array(idx.length);
      for (let k = 0; k < idx.length; k++) batch[k] = draw.index[idx[k]];
      return tf.subsetLossGrad(theta, batch, grad);
    },
    project: (theta, out) => out.set(theta),
  };
}

/** The finite-sample form of a Chen–Luo model whose setup is cached by parameters. */
export const chenLuoFiniteSampleFor = (setup: (p: Params) => ChenLuoSetup) => (p: Params): FiniteSample<DataDraw> => chenLuoFiniteSample(setup(p));
