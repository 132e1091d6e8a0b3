/**
 * The exact Jacobian of a vector field given as expressions, derived by the same symbolic
 * differentiation as the gradient and compiled the same way (compileVector, with CSE).
 *
 * For a gradient flow f = −∇L the Jacobian is −∇²L, the negative Hessian of the loss: symmetric,
 * so only the upper triangle is differentiated and the lower one shares its expressions (which CSE
 * turns into one temporary each). Kinks follow gradflow's convention (diff.ts): heaviside′ =
 * sign′ = 0, so the Hessian of relu, abs, max, min is the one of the active branch.
 */
import { gradient } from './diff.js';
import { compileVector, type Compiled, type Layout, type VectorFn } from './emit-js.js';
import type { Expr } from './ast.js';

export interface JacobianOptions {
  /**
   * The field is a gradient field (f = ±∇L), so ∂f_i/∂y_j = ∂f_j/∂y_i: differentiate j ≥ i only
   * and mirror. Exact symmetry, and half the symbolic work.
   */
  readonly symmetric?: boolean;
}

/**
 * ∂f_i/∂y_j for every i, j, row-major: entry i·n + j. `state` names y_0…y_(n−1); symbols not in
 * it (parameters, t) are constants.
 */
export function jacobianExprs(field: readonly Expr[], state: readonly string[], options: JacobianOptions = {}): Expr[] {
  const n = state.length;
  if (field.length !== n) throw new Error(`jacobianExprs: ${field.length} field components for ${n} state variables`);
  const out = new Array<Expr>(n * n);
  for (let i = 0; i < n; i++) {
    const j0 = options.symmetric ? i : 0;
    gradient(field[i], state.slice(j0)).forEach((d, k) => {
      const j = j0 + k;
      out[i * n + j] = d;
      if (options.symmetric) out[j * n + i] = d;
    });
  }
  return out;
}

/**
 * The compiled Jacobian: `bind(params)` gives (t, y, J) => void writing ∂f/∂y row-major into J
 * (length n²), allocation-free, like the compiled field.
 */
export function compileJacobian(field: readonly Expr[], layout: Layout, options: JacobianOptions = {}): Compiled<VectorFn> {
  // sparse: a Jacobian is mostly zeros once there are many state variables (n² entries)
  return compileVector(jacobianExprs(field, layout.state, options), layout, { sparse: true });
}
