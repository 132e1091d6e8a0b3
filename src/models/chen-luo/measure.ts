/**
 * Measurements on Chen–Luo trajectories, with the conventions of the note's §8.4 and §8.7:
 * - escape t_esc: first time L < 0.9·L(0) (a solver event, located on the dense output); if the
 *   plateau min L̃1 is above 0.8·L(0), halfway from L(0) to it instead (ChenLuoSetup.escapeLevel);
 * - plateau point t_p: the first local minimum of ‖∇L‖² = −dL/dt after escape (the flattest
 *   point), not its global minimum, which comes late with L already below min L̃1;
 * - plateau exit: first time L < 0.9·min L̃1 (an event); plateau length = exit − t_esc;
 * - states at arbitrary times by integrating from the last save point before them.
 */
import { solve } from '../../solve/index.js';
import type { Trajectory } from '../../run/trajectory.js';
import type { ChenLuoSetup } from './setup.js';
import { SOLVER_RTOL, solverAtol } from './solver.js';
import { makeTransformer } from './transformer.js';

/** Names of the model's events. */
export const EVENT = { escape: 'escape', plateauExit: 'plateau_exit', attention: 'attention_norm_1e-2' } as const;

/** ‖A‖_F level of the attention event: still in the linear regime (note §6.3, §8.4). */
export const ATTENTION_LEVEL = 1e-2;

/** Time of the first hit of a named event (NaN if it never fired). */
export function eventTime(tr: Trajectory, name: string): number {
  return tr.events.find((e) => e.name === name)?.t ?? NaN;
}

/** State at the first hit of a named event (null if it never fired). */
export function eventState(tr: Trajectory, name: string): Float64Array | null {
  const hit = tr.events.find((e) => e.name === name);
  return hit ? Float64Array.from(hit.y) : null;
}

/**
 * The state at time t of a run: integrated from the last save point at or before t with the
 * run's own tolerances (exact to the integration tolerance, not interpolated).
 */
export function stateAt(setup: ChenLuoSetup, tr: Trajectory, t: number): Float64Array {
  if (!(t >= tr.t[0] && t <= tr.t[tr.t.length - 1])) throw new RangeError(`stateAt: t = ${t} is outside the run [${tr.t[0]}, ${tr.t[tr.t.length - 1]}]`);
  let k = 0;
  while (k + 1 < tr.t.length && tr.t[k + 1] <= t) k++;
  if (tr.t[k] === t) return Float64Array.from(tr.solution.y[k]);
  const tf = makeTransformer(setup.data, setup.activation, setup.loss);
  const sol = solve((_s, y, dy) => tf.negGradient(y, dy), [tr.t[k], t], tr.solution.y[k], {
    method: 'dop853', rtol: SOLVER_RTOL, atol: solverAtol(setup.eps), maxSteps: 1e6,
  });
  if (sol.status !== 'success') throw new Error(`stateAt: integration to t = ${t} failed: ${sol.message}`);
  return Float64Array.from(sol.yEnd);
}

export interface PlateauPoint {
  /** Save index nearest to the flattest point. */
  readonly index: number;
  /** The flattest point: vertex of the parabola through ‖∇L‖² at the grid minimum and its neighbours. */
  readonly t: number;
  readonly loss: number;
  /** The state at `t` (integrated to it exactly). */
  readonly y: Float64Array;
}

/**
 * First local minimum of ‖∇L‖² after `after`: located on the save grid, refined by a parabola
 * through the three grid values around it, and the state there integrated exactly (null if there
 * is no local minimum).
 */
export function plateauPoint(setup: ChenLuoSetup, tr: Trajectory, after: number): PlateauPoint | null {
  const g = tr.series.grad_norm_sq;
  const t = tr.t;
  for (let i = 1; i + 1 < t.length; i++) {
    if (t[i] <= after) continue;
    if (!(g[i] <= g[i - 1] && g[i] < g[i + 1])) continue;
    // vertex of the parabola through (t[i−1], g[i−1]), (t[i], g[i]), (t[i+1], g[i+1])
    const a = t[i - 1] - t[i];
    const b = t[i + 1] - t[i];
    const da = g[i - 1] - g[i];
    const db = g[i + 1] - g[i];
    const den = 2 * (da * b - db * a);
    const shift = den !== 0 ? (da * b * b - db * a * a) / den : 0;
    const tStar = Math.min(t[i + 1], Math.max(t[i - 1], t[i] + shift));
    const y = stateAt(setup, tr, tStar);
    return { index: i, t: tStar, loss: setup.transformer.lossAt(y), y };
  }
  return null;
}

/** Least-squares slope of y against x. */
export function slope(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ** 2; }
  return sxy / sxx;
}
