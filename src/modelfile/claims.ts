/**
 * A model file's predictions as checks (`gradflow check FILE`): each measures what its `measure`
 * names on the run (or re-runs, for a scaling), evaluates `predicted` at that run's parameters,
 * and compares. A quantity that cannot be measured — an event that never fires, a run that did
 * not finish, a NaN, a time that is not a save time — is reported as not measurable, with the
 * reason, never as a pass or a silent fail.
 */
import { detectStages } from '../stages/index.js';
import { spectralObservables } from '../spectral/index.js';
import { fmt } from '../util/errors.js';
import { logLogSlope } from '../util/fit.js';
import type { CheckContext, Model, Params, Prediction, Trajectory, Verdict } from '../models/types.js';
import type { MethodName, SolveOptions } from '../solve/types.js';
import type { Measure, PredictionDecl, Tolerance } from './claims-spec.js';

/** A prediction's expression at a run's parameters, compiled once: a function of t (which it may use only `withTime`, for "at": "all"). */
export type ConstantAt = (p: Params, text: string, where: string, withTime: boolean) => (t: number) => number;

type Measured = { readonly value: number; readonly detail: string } | { readonly missing: string };

export function filePredictions(decls: readonly PredictionDecl[], model: () => Model, constant: ConstantAt): Prediction[] {
  return decls.map((d): Prediction => ({
    id: d.id,
    claim: d.claim,
    source: d.source,
    check(ctx: CheckContext): Verdict {
      const overrides = Object.fromEntries(d.set);
      const options = solverOptions(d.solver);
      const own = d.set.length > 0 || options !== undefined;
      const tr = own ? ctx.run(overrides, options) : ctx.main();
      const where = `prediction '${d.id}'`;
      if (d.measure.kind === 'value' && d.measure.at === 'all') return deviationOverRun(d, tr, model(), constant, where);
      const m = measure(d.measure, tr, (o) => ctx.run({ ...overrides, ...o }, options), model());
      const predicted = constant(tr.params, d.predicted, `${where}: predicted`, false)(tr.t[0]);
      const predictedText = `${compareText(d.compare)}${fmt(predicted)} (${d.predicted})`;
      if ('missing' in m) return notMeasurable(m.missing, predictedText, d.tolerance);
      if (!Number.isFinite(predicted)) return notMeasurable(`the predicted value ${d.predicted} is ${fmt(predicted)} at these parameters`, predictedText, d.tolerance);
      return { pass: holds(m.value, predicted, d.tolerance, d.compare), measured: m.value, predicted: predictedText, tolerance: toleranceText(d.tolerance), detail: m.detail };
    },
  }));
}

/** A prediction's own solver settings as solve options (undefined when it fixes none). */
function solverOptions(s: PredictionDecl['solver']): SolveOptions | undefined {
  if (s.method === undefined && s.rtol === undefined && s.atol === undefined) return undefined;
  return { ...(s.method !== undefined ? { method: s.method as MethodName } : {}), ...(s.rtol !== undefined ? { rtol: s.rtol } : {}), ...(s.atol !== undefined ? { atol: s.atol } : {}) };
}

function notMeasurable(reason: string, predicted: string, tolerance: Tolerance): Verdict {
  return { pass: false, measured: NaN, predicted, tolerance: toleranceText(tolerance), detail: `not measurable: ${reason}.`, notMeasurable: reason };
}

function compareText(c: PredictionDecl['compare']): string {
  return c === 'at_most' ? '≤ ' : c === 'at_least' ? '≥ ' : '';
}

function toleranceText(t: Tolerance): string {
  return t.kind === 'rel' ? `relative ${fmt(t.value)}` : t.kind === 'abs' ? `absolute ${fmt(t.value)}` : `within a factor ${fmt(t.value)}`;
}

/** m against p under the tolerance: equal within it, or on the stated side of p allowing it. */
export function holds(m: number, p: number, t: Tolerance, compare: PredictionDecl['compare']): boolean {
  if (!Number.isFinite(m)) return false;
  if (t.kind === 'factor') {
    if (compare === 'at_most') return m <= p * t.value;
    if (compare === 'at_least') return m >= p / t.value;
    return p !== 0 && m / p > 0 && Math.max(m / p, p / m) <= t.value;
  }
  const slack = t.kind === 'rel' ? t.value * Math.abs(p) : t.value;
  if (compare === 'at_most') return m <= p + slack;
  if (compare === 'at_least') return m >= p - slack;
  return Math.abs(m - p) <= slack;
}

function runProblem(tr: Trajectory): string | null {
  const s = tr.solution.status;
  return s === 'success' || s === 'event' ? null : `the run stopped with status ${s} at t = ${fmt(tr.t[tr.t.length - 1])} (${tr.solution.message})`;
}

function eventTime(tr: Trajectory, name: string): number | string {
  const hit = tr.events.find((e) => e.name === name);
  if (hit) return hit.t;
  const known = [...new Set(tr.events.map((e) => e.name))];
  return `event '${name}' did not fire by t = ${fmt(tr.t[tr.t.length - 1])}${runProblem(tr) ? `; ${runProblem(tr)}` : ''}${known.length ? ` (fired: ${known.join(', ')})` : ''}`;
}

/** Series `name` at a state: the loss, an observable, or a tracked matrix's summary (M.sigma1, M.stable_rank, …). */
function seriesAt(model: Model, p: Params, name: string, y: Float64Array, t: number): number | string {
  if (name === 'loss') return model.loss(y, p);
  const obs = model.observables(p).find((o) => o.name === name);
  if (obs) return obs.value(y, t);
  const dot = name.lastIndexOf('.');
  const mat = dot > 0 ? model.matrices(p).find((m) => m.name === name.slice(0, dot)) : undefined;
  if (mat) {
    const s = spectralObservables(mat.matrix(y));
    const what = name.slice(dot + 1);
    const sigma = /^sigma(\d+)$/.exec(what);
    if (sigma) return s.singularValues[Number(sigma[1]) - 1] ?? `${mat.name} has ${s.singularValues.length} singular values`;
    const table: Record<string, number> = { stable_rank: s.stableRank, effective_rank: s.effectiveRank, numerical_rank: s.numericalRank, frobenius: s.frobeniusNorm, condensation: s.condensation.meanAbsCos };
    if (Object.hasOwn(table, what)) return table[what];
  }
  const names = ['loss', ...model.observables(p).map((o) => o.name), ...model.matrices(p).flatMap((m) => [`${m.name}.sigma1`, `${m.name}.stable_rank`, `${m.name}.effective_rank`, `${m.name}.numerical_rank`, `${m.name}.frobenius`, `${m.name}.condensation`])];
  return `there is no series '${name}' (series: ${names.join(', ')})`;
}

/** Series `name` at save time k: the run's recorded series where it has one (computed once per run), else computed from the state. */
function seriesAtSave(model: Model, tr: Trajectory, name: string, k: number): number | string {
  const recorded = Object.hasOwn(tr.series, name) ? tr.series[name] : undefined;
  return recorded ? recorded[k] : seriesAt(model, tr.params, name, tr.solution.y[k] as Float64Array, tr.t[k]);
}

function measure(m: Measure, tr: Trajectory, rerun: (o: Record<string, number>) => Trajectory, model: Model): Measured {
  const finite = (value: number, detail: string): Measured => (Number.isFinite(value) ? { value, detail } : { missing: `the measured value is ${fmt(value)} (${detail})` });
  switch (m.kind) {
    case 'event_time': {
      const t = eventTime(tr, m.event);
      return typeof t === 'string' ? { missing: t } : { value: t, detail: `event '${m.event}' at t = ${fmt(t)}` };
    }
    case 'event_ratio': {
      const a = eventTime(tr, m.events[0]);
      const b = eventTime(tr, m.events[1]);
      if (typeof a === 'string') return { missing: a };
      if (typeof b === 'string') return { missing: b };
      return finite(a / b, `t(${m.events[0]}) = ${fmt(a)}, t(${m.events[1]}) = ${fmt(b)}`);
    }
    case 'event_order': {
      const times = m.events.map((e) => eventTime(tr, e));
      const missing = times.find((x) => typeof x === 'string');
      if (typeof missing === 'string') return { missing };
      const ts = times as number[];
      const ordered = ts.every((x, i) => i === 0 || x > ts[i - 1]);
      return { value: ordered ? 1 : 0, detail: `fired at ${m.events.map((e, i) => `${e}: t = ${fmt(ts[i])}`).join(', ')}${ordered ? '' : ' — not in the stated order'}` };
    }
    case 'transitions': {
      const problem = runProblem(tr);
      if (problem) return { missing: problem };
      const found = detectStages(tr.t, tr.series.loss);
      const transitions = found.stages.filter((s) => s.kind === 'transition');
      return { value: transitions.length, detail: `transitions at t ∈ ${transitions.map((s) => `[${fmt(s.tStart)}, ${fmt(s.tEnd)}]`).join(', ') || '(none)'}` };
    }
    case 'value': {
      let v: number | string;
      let t: number;
      if (typeof m.at === 'object') {
        // an event's state is not a save point: the series is computed there
        const event = m.at.event;
        const hit = tr.events.find((e) => e.name === event);
        if (!hit) return { missing: eventTime(tr, event) as string };
        t = hit.t;
        v = seriesAt(model, tr.params, m.series, hit.y as Float64Array, t);
      } else {
        let i: number;
        if (m.at === 'end') {
          const problem = runProblem(tr);
          if (problem) return { missing: problem };
          i = tr.t.length - 1;
        } else {
          const T = m.at as number;
          i = tr.t.findIndex((x) => Math.abs(x - T) <= 1e-12 * Math.max(1, Math.abs(T)));
          if (i < 0) return { missing: `t = ${fmt(T)} is not a save time of the run${runProblem(tr) ? ` (${runProblem(tr)})` : ''}; add it to save_at` };
        }
        t = tr.t[i];
        v = seriesAtSave(model, tr, m.series, i);
      }
      return typeof v === 'string' ? { missing: v } : finite(v, `${m.series} = ${fmt(v)} at t = ${fmt(t)}`);
    }
    case 'slope': {
      const problem = runProblem(tr);
      const [t1, t2] = m.window;
      const xs: number[] = [];
      const ys: number[] = [];
      for (let k = 0; k < tr.t.length; k++) {
        if (tr.t[k] < t1 || tr.t[k] > t2) continue;
        const v = seriesAtSave(model, tr, m.series, k);
        if (typeof v === 'string') return { missing: v };
        xs.push(tr.t[k]);
        ys.push(v);
      }
      if (xs.length < 3) return { missing: `only ${xs.length} save times lie in [${fmt(t1)}, ${fmt(t2)}]${problem ? `; ${problem}` : ''} (a slope needs 3 or more)` };
      if (ys.some((v) => !(v > 0))) return { missing: `${m.series} is not positive on [${fmt(t1)}, ${fmt(t2)}], so it has no log–log slope` };
      return finite(logLogSlope(xs, ys), `log–log slope of ${m.series} over ${xs.length} save times in [${fmt(t1)}, ${fmt(t2)}]`);
    }
    case 'scaling': {
      const values: number[] = [];
      for (const v of m.values) {
        const r = measure(m.of, rerun({ [m.param]: v }), rerun, model);
        if ('missing' in r) return { missing: `at ${m.param} = ${fmt(v)}: ${r.missing}` };
        values.push(Math.abs(r.value));
      }
      return finite(logLogSlope([...m.values], values), `|measure| = ${values.map(fmt).join(', ')} at ${m.param} = ${m.values.map(fmt).join(', ')}`);
    }
  }
}

/** "at": "all": the largest deviation of a series from `predicted(t)` over the save times, against the tolerance as a bound. */
function deviationOverRun(d: PredictionDecl, tr: Trajectory, model: Model, constant: ConstantAt, where: string): Verdict {
  const m = d.measure as Extract<Measure, { kind: 'value' }>;
  const problem = runProblem(tr);
  if (problem) return notMeasurable(problem, `${m.series}(t) = ${d.predicted}`, d.tolerance);
  const predictedAt = constant(tr.params, d.predicted, `${where}: predicted`, true);
  let worst = 0;
  let at = NaN;
  for (let k = 0; k < tr.t.length; k++) {
    const v = seriesAtSave(model, tr, m.series, k);
    if (typeof v === 'string') return notMeasurable(v, `${m.series}(t) = ${d.predicted}`, d.tolerance);
    const p = predictedAt(tr.t[k]);
    const dev = d.tolerance.kind === 'abs' ? Math.abs(v - p) : Math.abs(v - p) / Math.abs(p);
    if (!Number.isFinite(dev)) return notMeasurable(`at t = ${fmt(tr.t[k])} the series is ${fmt(v)} and the prediction ${fmt(p)}`, `${m.series}(t) = ${d.predicted}`, d.tolerance);
    if (dev > worst) { worst = dev; at = tr.t[k]; }
  }
  const bound = d.tolerance.kind === 'factor' ? d.tolerance.value - 1 : d.tolerance.value;
  return {
    pass: worst <= bound,
    measured: worst,
    predicted: `${m.series}(t) = ${d.predicted}`,
    tolerance: `${d.tolerance.kind === 'abs' ? 'largest absolute deviation' : 'largest relative deviation'} ≤ ${fmt(bound)}`,
    detail: `over ${tr.t.length} save times; largest deviation ${fmt(worst)}${Number.isFinite(at) ? ` at t = ${fmt(at)}` : ''}`,
  };
}
