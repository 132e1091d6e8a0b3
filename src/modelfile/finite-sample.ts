/**
 * The finite-sample form of a model file with a "data" block (spec.ts, DataDecl): examples drawn
 * from the declared law, the loss of one example parsed, differentiated and compiled like the
 * file's own loss (whitelisted expression tree, our own rule table, one allocation-free function
 * computing the example loss and its gradient in the state variables together).
 *
 * The `let` variables are substituted into the example loss (each into the ones after it), so
 * only the drawn variables are inputs: a batch is a count × (number drawn) array.
 */
import { compileVector, gradient, parseExpression, substitute, type Expr } from '../expr/index.js';
import type { Vec } from '../solve/types.js';
import type { Rng } from '../util/rng.js';
import { checkAllocation, FLOAT64 } from '../util/limits.js';
import type { FiniteSample } from '../models/types.js';
import type { DataDecl, Draw, ModelSpec } from './spec.js';

/** A batch: `count` examples, each the drawn variables in declaration order. */
export interface DrawnData {
  readonly count: number;
  readonly x: Float64Array;
}

function drawOne(d: Draw, rng: Rng): number {
  if (d.kind === 'normal') return d.mean + d.sd * rng.normal();
  if (d.kind === 'uniform') return d.lo + (d.hi - d.lo) * rng.uniform();
  return rng.uniform() < 0.5 ? -1 : 1;
}

/** The example loss with every `let` substituted: an expression in state, parameters and drawn variables. */
export function exampleLoss(spec: ModelSpec, data: DataDecl): Expr {
  const base = new Set([...spec.state.map(([k]) => k), ...spec.params.map(([k]) => k), ...data.draw.map(([k]) => k)]);
  const bindings = new Map<string, Expr>();
  for (const [name, text] of data.let) {
    // a let may use the drawn variables, the parameters and the lets before it (the state is not data)
    const known = new Set([...spec.params.map(([k]) => k), ...data.draw.map(([k]) => k), ...bindings.keys()]);
    bindings.set(name, substitute(parseExpression(text, { label: `${spec.name}: data.let.${name}`, names: known }), bindings));
    base.add(name);
  }
  return substitute(parseExpression(data.loss, { label: `${spec.name}: data.loss`, names: base }), bindings);
}

/** The finite-sample form for parameter values `params` (in the file's parameter order). */
export function modelFileFiniteSample(spec: ModelSpec, data: DataDecl, params: ArrayLike<number>): FiniteSample<DrawnData> {
  const stateNames = spec.state.map(([k]) => k);
  const drawn = data.draw.map(([k]) => k);
  const loss = exampleLoss(spec, data);
  // one function for the loss and its gradient, sharing their common subexpressions
  const compiled = compileVector([loss, ...gradient(loss, stateNames)], { state: stateNames, params: spec.params.map(([k]) => k), inputs: [drawn] });
  const f = compiled.bind(params) as unknown as (t: number, y: Vec, x: Float64Array, out: Float64Array) => void;
  const n = stateNames.length;
  const k = drawn.length;
  const row = new Float64Array(k);
  const out = new Float64Array(n + 1);
  const fill = (rng: Rng, batch: DrawnData): void => {
    for (let s = 0; s < batch.count; s++) for (let j = 0; j < k; j++) batch.x[s * k + j] = drawOne(data.draw[j][1], rng);
  };
  const exampleShape = `${k} drawn variable${k === 1 ? '' : 's'}`;
  return {
    dim: n,
    exampleBytes: k * FLOAT64,
    exampleShape,
    lift: (y) => Float64Array.from(y),
    sample(rng, count) {
      checkAllocation(`${spec.name}: ${count} examples × ${exampleShape}`, count * k * FLOAT64, { of: 'training data', hint: 'draw fewer examples' });
      const batch = { count, x: new Float64Array(count * k) };
      fill(rng, batch);
      return batch;
    },
    resample: fill,
    lossGrad(theta, batch, idx, grad) {
      const m = idx ? idx.length : batch.count;
      grad.fill(0);
      let total = 0;
      for (let s = 0; s < m; s++) {
        const e = idx ? idx[s] : s;
        for (let j = 0; j < k; j++) row[j] = batch.x[e * k + j];
        f(0, theta, row, out);
        total += out[0];
        for (let i = 0; i < n; i++) grad[i] += out[i + 1];
      }
      for (let i = 0; i < n; i++) grad[i] /= m;
      return total / m;
    },
    project: (theta, o) => o.set(theta),
  };
}
