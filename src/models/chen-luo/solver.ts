/**
 * Integration settings of the full model [R: note §8.2]: dop853, rtol 1e-10, and an absolute
 * tolerance scaled with the initialization, 1e-13·ε, because the weights are O(ε) for the whole of
 * stage 1 (a fixed atol would let the solver ignore them).
 */
import type { SolveOptions } from '../../solve/types.js';

export const SOLVER_RTOL = 1e-10;
export const solverAtol = (eps: number): number => 1e-13 * eps;

export function solverOptions(eps: number): SolveOptions {
  return { method: 'dop853', rtol: SOLVER_RTOL, atol: solverAtol(eps), maxSteps: 1_000_000 };
}
