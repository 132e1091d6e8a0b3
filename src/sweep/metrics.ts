/**
 * What a sweep cell measures. Metric specs:
 *   final:NAME        NAME at the end of the run (NAME: loss, a model observable, or M.metric)
 *   at:T:NAME         NAME at time T (T is added to the save grid, so the value is exact)
 *   event:NAME<LEVEL  first time NAME crosses LEVEL (also NAME>LEVEL), located on the dense output
 *   event-ratio:A,B   first-crossing time of event A over that of event B (A, B as in event:)
 *   transitions       number of transitions found by stage detection
 *   stage-ratio:I/J   time of transition I over time of transition J (each at the geometric
 *                     mean of its start and end), e.g. stage-ratio:2/1
 *   verdict:ID        1 if prediction ID holds, 0 if not (its measured number as verdict:ID.measured)
 *   status            0 if the solver succeeded, 1 otherwise
 *   model:NAME        a measurement the model defines (see `gradflow models`)
 * A value that cannot be computed (no such event, too few transitions) is NaN, written as null.
 */
import { inputError } from '../util/errors.js';
import type { CheckContext, Model, Params } from '../models/types.js';
import type { Trajectory } from '../run/trajectory.js';
import { observableEvent, observableFunction } from '../run/observable-events.js';
import { transitionTimes } from '../stages/index.js';

export interface MetricPlan {
  /** Extra save times the metrics need. */
  readonly saveAt: readonly number[];
  /** Extra events the run must locate. */
  readonly events: readonly string[];
}

type Parsed =
  | { kind: 'final'; name: string }
  | { kind: 'at'; t: number; name: string }
  | { kind: 'event'; spec: string }
  | { kind: 'event-ratio'; a: string; b: string }
  | { kind: 'transitions' }
  | { kind: 'stage-ratio'; i: number; j: number }
  | { kind: 'verdict'; id: string }
  | { kind: 'status' }
  | { kind: 'model'; name: string };

export function parseMetric(spec: string, model: Model, p: Params): Parsed {
  const bad = (why: string): never => { throw inputError(`--metric '${spec}': ${why}. Forms: final:NAME, at:T:NAME, event:NAME<LEVEL, event-ratio:A,B, transitions, stage-ratio:I/J, verdict:ID, status, model:NAME.`); };
  if (spec === 'transitions') return { kind: 'transitions' };
  if (spec === 'status') return { kind: 'status' };
  const [head, ...rest] = spec.split(':');
  const tail = rest.join(':');
  switch (head) {
    case 'final': observableFunction(model, p, tail); return { kind: 'final', name: tail };
    case 'at': {
      const [tText, ...nameParts] = tail.split(':');
      const t = Number(tText);
      if (!Number.isFinite(t) || t < 0) bad(`the time '${tText}' must be a finite number ≥ 0`);
      const name = nameParts.join(':');
      observableFunction(model, p, name);
      return { kind: 'at', t, name };
    }
    case 'event': observableEvent(model, p, tail); return { kind: 'event', spec: tail };
    case 'event-ratio': {
      const parts = tail.split(',');
      if (parts.length !== 2) bad('expected event-ratio:A,B with two event specs, e.g. event-ratio:attn_max>0.1,neuron_norm>0.1');
      parts.forEach((e) => observableEvent(model, p, e));
      return { kind: 'event-ratio', a: parts[0], b: parts[1] };
    }
    case 'stage-ratio': {
      const m = /^(\d+)\/(\d+)$/.exec(tail);
      if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) bad('expected stage-ratio:I/J with transition numbers from 1');
      return { kind: 'stage-ratio', i: Number(m![1]), j: Number(m![2]) };
    }
    case 'verdict':
      if (!model.predictions.some((q) => q.id === tail)) bad(`${model.id} has no prediction '${tail}' (it has: ${model.predictions.map((q) => q.id).join(', ') || 'none'})`);
      return { kind: 'verdict', id: tail };
    case 'model':
      if (!model.metrics || !Object.hasOwn(model.metrics, tail)) bad(`${model.id} defines no metric '${tail}' (it defines: ${Object.keys(model.metrics ?? {}).join(', ') || 'none'})`);
      return { kind: 'model', name: tail };
    default:
      return bad(`unknown metric '${head}'`);
  }
}

export function planMetrics(specs: readonly string[], model: Model, p: Params): MetricPlan {
  const saveAt: number[] = [];
  const events: string[] = [];
  for (const s of specs) {
    const m = parseMetric(s, model, p);
    if (m.kind === 'at') saveAt.push(m.t);
    if (m.kind === 'event') events.push(m.spec);
    if (m.kind === 'event-ratio') events.push(m.a, m.b);
  }
  return { saveAt, events };
}

/** Evaluates every metric on a finished run (and the context, for predictions and model metrics). */
export function evaluateMetrics(specs: readonly string[], model: Model, p: Params, run: Trajectory, ctx: CheckContext): Record<string, number> {
  const out: Record<string, number> = {};
  let stageTimes: number[] | null = null;
  const transitions = (): number[] => {
    stageTimes ??= transitionTimes(run.t, run.series.loss);
    return stageTimes;
  };
  const y = run.solution.y;
  for (const spec of specs) {
    const m = parseMetric(spec, model, p);
    switch (m.kind) {
      case 'final': out[spec] = y.length ? observableFunction(model, p, m.name)(run.t[run.t.length - 1], y[y.length - 1]) : NaN; break;
      case 'at': {
        const i = run.t.indexOf(m.t);
        out[spec] = i >= 0 ? observableFunction(model, p, m.name)(m.t, y[i]) : NaN;
        break;
      }
      case 'event': {
        const name = observableEvent(model, p, m.spec).name;
        out[spec] = run.events.find((e) => e.name === name)?.t ?? NaN;
        break;
      }
      case 'event-ratio': {
        const time = (e: string): number => run.events.find((x) => x.name === observableEvent(model, p, e).name)?.t ?? NaN;
        out[spec] = time(m.a) / time(m.b);
        break;
      }
      case 'transitions': out[spec] = transitions().length; break;
      case 'stage-ratio': {
        const ts = transitions();
        out[spec] = ts.length >= Math.max(m.i, m.j) ? ts[m.i - 1] / ts[m.j - 1] : NaN;
        break;
      }
      case 'verdict': {
        const v = model.predictions.find((q) => q.id === m.id)!.check(ctx);
        out[spec] = v.pass ? 1 : 0;
        out[`${spec}.measured`] = v.measured;
        break;
      }
      case 'status': out[spec] = run.solution.status === 'success' || run.solution.status === 'event' ? 0 : 1; break;
      case 'model': out[spec] = model.metrics![m.name].value(ctx); break;
    }
  }
  return out;
}
