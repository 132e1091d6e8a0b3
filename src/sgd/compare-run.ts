/**
 * `gradflow compare`: the flow and a grid of discrete runs (η × batch × data × seeds) of one
 * model, each measured against the flow at equal τ: sup-deviation of the loss and of chosen
 * observables, transition times in both, whether the stage structure is the same.
 */
import type { Model, Params, StageMark } from '../models/types.js';
import type { SolverFlags } from '../run/solver-flags.js';
import { GradflowError, fmt4 as fmt } from '../util/errors.js';
import { maxOf } from '../util/array.js';
import { describeSchedule, type Schedule } from './schedule.js';
import type { DataMode, DiscreteRun } from './train.js';
import { deviation, type Deviation, type FlowAt } from './compare.js';
import { runCompareTasks } from './pool.js';
import { runKey, type RunCheckpoint } from './checkpoint.js';
import { runTask, type CompareTask } from './worker.js';

export interface CompareSetting {
  readonly schedule: Schedule;
  readonly data: DataMode;
  readonly batch: number;
}

export interface CompareOptions {
  readonly settings: readonly CompareSetting[];
  readonly seeds: readonly number[];
  readonly tauEnd: number;
  readonly record: Float64Array;
  readonly observables: readonly string[];
  /** Stage times read off observables (see StageMark). */
  readonly marks?: readonly StageMark[];
  readonly momentum?: number;
  readonly langevin?: number;
  /** Name the workers look the model up by (registry id or model-file path); without it everything runs in this thread. */
  readonly modelName?: string;
  /** Parallel workers (default 1). */
  readonly workers?: number;
  /** Finished runs of an earlier comparison, reused, and where new ones are written as they end. */
  readonly checkpoint?: RunCheckpoint;
  /** The user's solver flags, for the reference flow. */
  readonly flags?: SolverFlags;
}

export interface SettingResult {
  readonly setting: CompareSetting;
  readonly label: string;
  /** Per seed: the run, the reference flow (null with flowError when it failed), the deviation (null when either failed). */
  readonly runs: readonly { readonly seed: number; readonly run: DiscreteRun; readonly flow: FlowAt | null; readonly flowError: string | null; readonly dev: Deviation | null }[];
  /** Mean over seeds of the sup-deviation of the loss (NaN if a run failed). */
  readonly meanLossDeviation: number;
  readonly maxLossDeviation: number;
  readonly meanObservableDeviation: Readonly<Record<string, number>>;
  /** Fraction of seeds whose transition count equals the flow's. */
  readonly sameStagesFraction: number;
  /** Fraction of seeds whose model events fire in the flow's order. */
  readonly sameEventOrderFraction: number;
}

export function describeData(d: DataMode, batch: number): string {
  return d.kind === 'population' ? 'full batch, exact population loss' : d.kind === 'online' ? `online SGD, B=${batch}` : batch >= d.n ? `full batch, n=${d.n}` : `SGD, n=${d.n}, B=${batch}`;
}

/**
 * Trains every setting for every seed, then solves the flow once per seed at the union of the τ
 * its runs recorded (each run records at its own steps; none for a seed whose every run stopped
 * at the start), then measures each run against it. A
 * reference flow that fails (e.g. a step budget spent sliding along a kink) is reported for that
 * seed, not thrown: the discrete runs are still shown. Runs and flows are independent tasks: with
 * `workers` > 1 and a model the workers can look up by `modelName`, they run on every core.
 */
export async function runComparison(model: Model, p: Params, o: CompareOptions, onProgress?: (label: string, done: number, total: number) => void): Promise<SettingResult[]> {
  const total = o.settings.length * o.seeds.length + o.seeds.length;
  let done = 0;
  const labels = o.settings.map((setting) => `${describeSchedule(setting.schedule)}, ${describeData(setting.data, setting.batch)}`);
  const workers = o.modelName ? o.workers ?? 1 : 1;
  const name = o.modelName ?? model.id;
  const local = (t: CompareTask) => runTask(model, t);
  const sha256 = model.file?.sha256;
  const trainTasks: CompareTask[] = o.settings.flatMap((setting) => o.seeds.map((seed): CompareTask => ({
    kind: 'train', model: name, sha256, params: p,
    options: { ...setting, tauEnd: o.tauEnd, seed, record: o.record, momentum: o.momentum, langevin: o.langevin },
  })));
  // runs finished by an earlier, interrupted comparison come from the checkpoint; the rest run now
  const keys = trainTasks.map((t) => (t.kind === 'train' ? runKey(name, p, t.options, sha256) : ''));
  const trained: (DiscreteRun | GradflowError | undefined)[] = keys.map((key) => o.checkpoint?.get(key));
  const todo = trainTasks.map((_, i) => i).filter((i) => trained[i] === undefined);
  for (let i = 0; i < trainTasks.length - todo.length; i++) onProgress?.('from the checkpoint', ++done, total);
  const fresh = await runCompareTasks<DiscreteRun>(todo.map((i) => trainTasks[i]), workers, (j, r) => {
    const i = todo[j];
    if (!(r instanceof GradflowError)) o.checkpoint?.put(keys[i], r);
    onProgress?.(labels[Math.floor(i / o.seeds.length)], ++done, total);
  }, local);
  todo.forEach((i, j) => { trained[i] = fresh[j]; });
  const runs = o.settings.map((_, k) => o.seeds.map((_s, j) => {
    const r = trained[k * o.seeds.length + j]!;
    if (r instanceof GradflowError) throw r; // a bad option: the same for every run
    return r;
  }));
  // the flow of a seed is solved at the union of the times its runs recorded; a seed none of whose
  // runs got past the start (every one diverged before its first record time) has nothing to
  // compare with, so no flow is solved for it (rather than one over an empty span)
  const t0 = model.t0 ?? 0;
  const timesOf = o.seeds.map((_s, j) => {
    const times = new Set<number>();
    for (const perSetting of runs) for (const t of perSetting[j].tau) times.add(t);
    return Float64Array.from(times).sort();
  });
  const needed = o.seeds.map((_s, j) => j).filter((j) => timesOf[j].some((t) => t > t0));
  const neededSet = new Set(needed);
  for (let j = 0; j < o.seeds.length; j++) if (!neededSet.has(j)) onProgress?.(`no flow for seed ${o.seeds[j]}: every run stopped at the start`, ++done, total);
  const flowTasks: CompareTask[] = needed.map((j) => ({ kind: 'flow', model: name, sha256, params: p, seed: o.seeds[j], times: timesOf[j], flags: o.flags }));
  const solved = await runCompareTasks<FlowAt>(flowTasks, workers, (i) => onProgress?.(`flow, seed ${o.seeds[needed[i]]}`, ++done, total), local);
  const flows: (FlowAt | string | null)[] = o.seeds.map(() => null);
  needed.forEach((j, i) => {
    const f = solved[i];
    if (f instanceof GradflowError && f.kind !== 'solver') throw f;
    flows[j] = f instanceof GradflowError ? f.message : f;
  });
  return o.settings.map((setting, k) => {
    const perSeed = o.seeds.map((seed, j) => {
      const run = runs[k][j];
      const f = flows[j];
      const flow = typeof f === 'string' ? null : f; // null also when no flow was needed
      const dev = run.status === 'success' && flow ? deviation(model, p, run, flow, o.observables, o.marks) : null;
      return { seed, run, flow, flowError: typeof f === 'string' ? f : null, dev };
    });
    const devs = perSeed.map((r) => r.dev?.loss ?? NaN);
    const meanObs: Record<string, number> = {};
    for (const obsName of o.observables) meanObs[obsName] = mean(perSeed.map((r) => r.dev?.observables[obsName] ?? NaN));
    return {
      setting, label: labels[k], runs: perSeed,
      meanLossDeviation: mean(devs),
      maxLossDeviation: maxOf(devs),
      meanObservableDeviation: meanObs,
      sameStagesFraction: perSeed.filter((r) => r.dev?.sameStages).length / perSeed.length,
      sameEventOrderFraction: perSeed.filter((r) => r.dev?.sameEventOrder).length / perSeed.length,
    };
  });
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function comparisonTable(results: readonly SettingResult[], observables: readonly string[]): string {
  const eventNames = results.flatMap((r) => r.runs.flatMap((x) => x.dev?.events.map((e) => e.name) ?? []));
  const events = [...new Set(eventNames)];
  // the part of θ outside the flow's coordinates (a diagnostic of the projection), when there is one
  const outside = (r: SettingResult): number => {
    let m = 0;
    for (const x of r.runs) for (const v of x.run.residual) if (Number.isFinite(v) && v > m) m = v;
    return m;
  };
  const showOutside = results.some((r) => outside(r) > 0);
  const head = ['setting', 'seeds', 'sup |ΔL| (mean)', 'sup |ΔL| (max)', ...observables.map((n) => `sup |Δ${n}|`), 'transitions flow → discrete', 'same stages', ...events.map((n) => `${n}: flow → discrete`), ...(events.length ? ['same event order'] : []), ...(showOutside ? ['sup ‖θ outside the flow\'s coordinates‖'] : [])];
  const rows = results.map((r) => {
    const d0 = r.runs[0]?.dev;
    const trans = d0 ? `${d0.flowTransitions.map(fmt).join(', ') || '—'} → ${d0.runTransitions.map(fmt).join(', ') || '—'}` : r.runs[0]?.run.message || (r.runs[0]?.flowError ? `reference flow failed: ${r.runs[0].flowError}` : '');
    const times = (t: number | null | undefined): string => (t === null || t === undefined ? '—' : fmt(t));
    const eventCells = events.map((name) => {
      const e = d0?.events.find((x) => x.name === name);
      return e ? `${times(e.flow)} → ${times(e.run)}` : '—';
    });
    return [r.label, String(r.runs.length), fmt(r.meanLossDeviation), fmt(r.maxLossDeviation), ...observables.map((n) => fmt(r.meanObservableDeviation[n])), trans, `${Math.round(100 * r.sameStagesFraction)}%`, ...eventCells, ...(events.length ? [`${Math.round(100 * r.sameEventOrderFraction)}%`] : []), ...(showOutside ? [fmt(outside(r))] : [])];
  });
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((c) => `| ${c.join(' | ')} |`)].join('\n');
}
