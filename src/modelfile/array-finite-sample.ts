/**
 * Finite-sample training of an array file with `"data": {"samples": "n"}`: minibatches drawn from
 * its data set. The flow is gradient flow on the loss over the whole data set, so the population
 * of the finite-sample form is the uniform law on the n examples: a draw picks indices uniformly
 * with replacement, and a minibatch of B examples is the file's own loss with n = B, its
 * per-example arrays (first size n) holding the drawn rows. One program is compiled per batch
 * size; its data arrays are refilled in place, so a step allocates nothing.
 */
import type { Vec } from '../solve/types.js';
import type { Rng } from '../util/rng.js';
import { checkAllocation, FLOAT64 } from '../util/limits.js';
import type { FiniteSample } from '../models/types.js';
import type { DataArray } from '../tensor/compile.js';

/** A draw: indices into the data set. */
export interface SampleDraw {
  readonly count: number;
  readonly index: Int32Array;
}

type BatchField = (y: Float64Array, out: Float64Array) => number;

export function arrayFiniteSample(
  label: string, samples: string, numbers: ReadonlyMap<string, number>, data: readonly DataArray[], perExampleNames: ReadonlySet<string>, dim: number,
  compileAt: (batch: number, arrays: DataArray[]) => BatchField,
): FiniteSample<SampleDraw> {
  const n = numbers.get(samples)!;
  const perExample = data.filter((a) => perExampleNames.has(a.name));
  const rowBytes = perExample.reduce((b, a) => b + (a.values.length / n) * FLOAT64, 0);
  const programs = new Map<number, { field: BatchField; rows: Float64Array[] }>();
  const programFor = (B: number) => {
    let p = programs.get(B);
    if (!p) {
      checkAllocation(`${label}: a minibatch of ${B} examples`, B * rowBytes, { of: 'training data', hint: 'use a smaller batch' });
      const rows = perExample.map((a) => new Float64Array((a.values.length / n) * B));
      let k = 0;
      const arrays = data.map((a) => (perExampleNames.has(a.name) ? { ...a, shape: [B, ...a.shape.slice(1)], values: rows[k++], perCall: true } : a));
      p = { field: compileAt(B, arrays), rows };
      programs.set(B, p);
    }
    return p;
  };
  const drawInto = (rng: Rng, draw: SampleDraw): void => {
    for (let k = 0; k < draw.count; k++) draw.index[k] = Math.min(n - 1, Math.floor(rng.uniform() * n));
  };
  let batch = new Int32Array(0);
  const field = new Float64Array(dim);
  return {
    dim,
    exampleBytes: 4,
    exampleShape: 'one index into the data set',
    lift: (y) => Float64Array.from(y),
    sample(rng, count) {
      checkAllocation(`${label}: ${count} example indices`, 4 * count, { of: 'training data', hint: 'draw fewer examples' });
      const draw = { count, index: new Int32Array(count) };
      drawInto(rng, draw);
      return draw;
    },
    resample: (rng, draw) => drawInto(rng, draw),
    lossGrad(theta: Vec, draw: SampleDraw, idx: Int32Array | null, grad: Vec): number {
      let chosen = draw.index;
      if (idx) {
        if (batch.length !== idx.length) batch = new Int32Array(idx.length);
        for (let k = 0; k < idx.length; k++) batch[k] = draw.index[idx[k]];
        chosen = batch;
      }
      const B = chosen.length;
      const p = programFor(B);
      perExample.forEach((a, j) => {
        const row = a.values.length / n;
        const into = p.rows[j];
        const from = a.values;
        for (let k = 0; k < B; k++) {
          const src = chosen[k] * row;
          const dst = k * row;
          for (let c = 0; c < row; c++) into[dst + c] = from[src + c];
        }
      });
      const value = p.field(theta, field);
      for (let i = 0; i < dim; i++) grad[i] = -field[i];
      return value;
    },
    project: (theta, out) => out.set(theta),
  };
}
