/**
 * Flow against discrete training on the same observables: the discrete runs are projected onto
 * the flow's coordinates, and the flow is solved (tightly) at exactly the τ each discrete run
 * recorded, so deviations are measured at equal times, never interpolated.
 */
import type { Model, Params, StageMark } from '../models/types.js';
import { flowProblem, solveFlow } from '../run/problem.js';
import type { SolverFlags } from '../run/solver-flags.js';
import type { EventSpec, Vec } from '../solve/types.js';
import { firstCrossing, transitionTimes } from '../stages/index.js';
import { GradflowError, inputError } from '../util/errors.js';
import type { DiscreteRun } from './train.js';

export interface FlowAt {
  readonly tau: Float64Array;
  readonly states: readonly Vec[];
  readonly loss: Float64Array;
}

/**
 * A model whose own run takes fixed steps (`euler`) is already discrete training there (e.g. the
 * two-layer ReLU network, whose continuous flow chatters on thousands of kinks, or Gong with
 * dynamics=gd): it has no continuous reference to compare with, and saying so beats comparing GD
 * with GD.
 */
export function assertContinuousReference(model: Model, p: Params, flags: SolverFlags = {}): void {
  if (model.field === 'general') throw inputError(`${model.id} is a general ODE (its file gives an rhs, not a loss): there is no gradient to descend, so no discrete training to compare with.`);
  const s = model.horizon(p).solver;
  if ((flags.method ?? s.method) !== 'euler') return;
  const hint = 'dynamics' in model.params ? ' (set dynamics=flow)' : '';
  throw inputError(`${model.id} runs as fixed-step gradient descent (euler, h = ${s.h}) at these parameters${hint}: there is no continuous flow to compare discrete training with.`);
}

/** The reference flow's rtol when the user gives none (atol is rtol·1e-3). */
export const REFERENCE_RTOL = 1e-11;

/**
 * The flow from the model's seeded initial state, at the given times (ascending): the same flow
 * problem `run` integrates (src/run/problem.ts: switching functions, Jacobian, events), solved
 * tightly — at the user's --rtol if given, else REFERENCE_RTOL. It is first run with the model's
 * own settings under the user's flags: a flow that cannot be integrated (e.g. chattering on a
 * kink) fails as fast as `gradflow run` would, with its message; the tight solve then gets ten
 * times the steps that run took (or the user's --max-steps).
 */
export function flowAt(model: Model, p: Params, seed: number, times: ArrayLike<number>, flags: SolverFlags = {}): FlowAt {
  assertContinuousReference(model, p, flags);
  const ts = Float64Array.from(new Set(Array.from(times))).sort();
  const tEnd = ts[ts.length - 1];
  const probe = solveFlow(flowProblem(model, p, { seed, flags, saveAt: [tEnd] })).solution;
  if (probe.status !== 'success' && probe.status !== 'event') throw new GradflowError('solver', `the reference flow failed at the model's own solver settings: ${probe.message}`);
  const rtol = flags.rtol ?? REFERENCE_RTOL;
  const maxSteps = flags.maxSteps ?? Math.max(10_000, 10 * (probe.stats.accepted + probe.stats.rejected));
  const sol = solveFlow(flowProblem(model, p, { seed, flags, fixed: { rtol, atol: flags.atol ?? rtol * 1e-3, maxSteps }, saveAt: ts })).solution;
  if (sol.status !== 'success' && sol.status !== 'event') throw new GradflowError('solver', `the reference flow failed: ${sol.message}`);
  if (sol.t.length < ts.length) throw new GradflowError('solver', `the reference flow stopped at t=${sol.tEnd} (${sol.message}) before the last recorded τ=${tEnd}.`);
  return { tau: sol.t, states: sol.y, loss: Float64Array.from(sol.y, (y) => model.loss(y, p)) };
}

export interface Deviation {
  /** sup over recorded τ of |L_discrete − L_flow|. */
  readonly loss: number;
  /** sup over recorded τ of |obs_discrete − obs_flow| per observable (over the points where both are defined). */
  readonly observables: Readonly<Record<string, number>>;
  /** Transition times (geometric mean of each transition's ends) of the flow and the run. */
  readonly flowTransitions: readonly number[];
  readonly runTransitions: readonly number[];
  /** Same number of transitions in both. */
  readonly sameStages: boolean;
  /**
   * The model's events (e.g. "neuron norm reaches 0.1", "attention reaches 0.1"): when each first
   * fires along the recorded states of the flow and of the run (null: never within the horizon).
   */
  readonly events: readonly EventTiming[];
  /** The events that fire do so in the same order in both (and the same ones fire). */
  readonly sameEventOrder: boolean;
}

export interface EventTiming {
  readonly name: string;
  readonly flow: number | null;
  readonly run: number | null;
}

/**
 * When each event first fires along recorded states: the first sign change of g in the event's
 * direction, linearly interpolated between records (both series are read on the same grid, so
 * the interpolation error is common to flow and run, of order Δτ² at the crossing).
 */
export function eventTimesAlong(events: readonly EventSpec[], tau: Float64Array, states: readonly Vec[]): (number | null)[] {
  return events.map((e) => {
    const g = Float64Array.from(states, (y, i) => e.g(tau[i], y));
    if (!g.every(Number.isFinite)) return null;
    return firstCrossing(tau, g, 0, e.direction === 1 ? 'rising' : e.direction === -1 ? 'falling' : 'both');
  });
}

function eventOrder(times: readonly (number | null)[]): string {
  return times.map((t, i) => [t, i] as const).filter(([t]) => t !== null).sort((a, b) => a[0]! - b[0]!).map(([, i]) => i).join(',');
}

/** Stage marks as events on the recorded states: g = observable − level. */
export function marksAsEvents(model: Model, p: Params, marks: readonly StageMark[]): EventSpec[] {
  const obs = new Map(model.observables(p).map((o) => [o.name, o]));
  return marks.map((m) => {
    const o = obs.get(m.observable);
    if (!o) throw inputError(`stage mark '${m.name}': ${model.id} has no observable '${m.observable}'.`);
    return { name: m.name, direction: m.direction === 'rising' ? 1 : -1, g: (t: number, y: Vec) => o.value(y, t) - m.level };
  });
}

export function deviation(model: Model, p: Params, run: DiscreteRun, flow: FlowAt, observableNames: readonly string[] = [], marks: readonly StageMark[] = []): Deviation {
  const index = new Map(Array.from(flow.tau, (t, i) => [t, i]));
  const obs = model.observables(p).filter((o) => observableNames.includes(o.name));
  let dl = 0;
  const dobs: Record<string, number> = Object.fromEntries(obs.map((o) => [o.name, 0]));
  for (let k = 0; k < run.tau.length; k++) {
    const i = index.get(run.tau[k]);
    if (i === undefined) throw new Error(`the flow was not solved at τ=${run.tau[k]}`);
    dl = Math.max(dl, Math.abs(run.loss[k] - flow.loss[i]));
    // an observable undefined at a point (NaN in either, e.g. a cosine of a zero vector) is skipped there
    for (const o of obs) {
      const gap = Math.abs(o.value(run.states[k], run.tau[k]) - o.value(flow.states[i], flow.tau[i]));
      if (Number.isFinite(gap)) dobs[o.name] = Math.max(dobs[o.name], gap);
    }
  }
  const events = [...(model.events?.(p) ?? []), ...marksAsEvents(model, p, marks)];
  const flowTimes = eventTimesAlong(events, flow.tau, flow.states);
  const runTimes = eventTimesAlong(events, run.tau, run.states);
  return {
    loss: dl, observables: dobs, ...stageComparison(flow.tau, flow.loss, run.tau, run.loss),
    events: events.map((e, i) => ({ name: e.name, flow: flowTimes[i], run: runTimes[i] })),
    sameEventOrder: eventOrder(flowTimes) === eventOrder(runTimes),
  };
}

function stageComparison(tf: Float64Array, Lf: Float64Array, tr: Float64Array, Lr: Float64Array): Pick<Deviation, 'flowTransitions' | 'runTransitions' | 'sameStages'> {
  const flowT = transitionTimes(tf, Lf);
  const runT = transitionTimes(tr, Lr);
  return { flowTransitions: flowT, runTransitions: runT, sameStages: flowT.length === runT.length };
}

