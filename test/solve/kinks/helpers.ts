/** Small helpers for the kink tests: a compiled system from a loss or rhs text, and a slope fit. */
import { readModelSpec } from '../../../src/modelfile/spec.js';
import { buildSystem, type ExpressionSystem } from '../../../src/modelfile/system.js';

/** The compiled system of a gradient flow −∇L (or an ODE when `rhs` is given) on the named state. */
export function systemOf(state: Record<string, number>, def: { loss: string } | { rhs: Record<string, string> }): ExpressionSystem {
  return buildSystem(readModelSpec({ name: 'test', state, ...def, t_end: 1 }, 'test'));
}

export { slope } from '../../fixtures/problems.js';

/** Plain gradient descent y ← y + η f(y) for round(T/η) steps, written out (independent of solve). */
export function gradientDescent(f: (t: number, y: Float64Array, d: Float64Array) => void, y0: ArrayLike<number>, eta: number, T: number): Float64Array {
  const y = Float64Array.from(y0);
  const d = new Float64Array(y.length);
  const steps = Math.round(T / eta);
  for (let k = 0; k < steps; k++) {
    f(k * eta, y, d);
    for (let i = 0; i < y.length; i++) y[i] += eta * d[i];
  }
  return y;
}
