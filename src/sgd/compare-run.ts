/**
 * `gradflow compare`: the flow and a grid of discrete runs (η × batch × data × seeds) of one
 * model, each measured against the flow at equal τ: sup-deviation of the loss and of chosen
 * observables, transition times in both, whether the stage structure is the same.
 */
import type { Model, Params } from '../models/types.js';
import { fmt4 as fmt } from '../util/errors.js';
import { describeSchedule, type Schedule } from './schedule.js';
import { train, type DataMode, type DiscreteRun } from './train.js';
import { deviation, flowAt, type Deviation, type FlowAt } from './compare.js';

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
  readonly momentum?: number;
  readonly langevin?: number;
}

export interface SettingResult {
  readonly setting: CompareSetting;
  readonly label: string;
  readonly runs: readonly { readonly seed: number; readonly run: DiscreteRun; readonly flow: FlowAt; readonly dev: Deviation | null }[];
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

export function runComparison(model: Model, p: Params, o: CompareOptions, onProgress?: (label: string, done: number, total: number) => void): SettingResult[] {
  const flows = new Map<number, FlowAt>();
  const total = o.settings.length * o.seeds.length;
  let done = 0;
  return o.settings.map((setting) => {
    const label = `${describeSchedule(setting.schedule)}, ${describeData(setting.data, setting.batch)}`;
    const runs = o.seeds.map((seed) => {
      const run = train(model, p, { ...setting, tauEnd: o.tauEnd, seed, record: o.record, momentum: o.momentum, langevin: o.langevin });
      let flow = flows.get(seed);
      if (!flow || run.tau.some((t) => !flow!.tau.includes(t))) {
        const times = new Set([...(flow ? Array.from(flow.tau) : []), ...Array.from(run.tau)]);
        flow = flowAt(model, p, seed, Float64Array.from(times).sort());
        flows.set(seed, flow);
      }
      const dev = run.status === 'success' ? deviation(model, p, run, flow, o.observables) : null;
      onProgress?.(label, ++done, total);
      return { seed, run, flow, dev };
    });
    const devs = runs.map((r) => r.dev?.loss ?? NaN);
    const meanObs: Record<string, number> = {};
    for (const name of o.observables) meanObs[name] = mean(runs.map((r) => r.dev?.observables[name] ?? NaN));
    return {
      setting, label, runs,
      meanLossDeviation: mean(devs),
      maxLossDeviation: Math.max(...devs),
      meanObservableDeviation: meanObs,
      sameStagesFraction: runs.filter((r) => r.dev?.sameStages).length / runs.length,
      sameEventOrderFraction: runs.filter((r) => r.dev?.sameEventOrder).length / runs.length,
    };
  });
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function comparisonTable(results: readonly SettingResult[], observables: readonly string[]): string {
  const eventNames = results.flatMap((r) => r.runs.flatMap((x) => x.dev?.events.map((e) => e.name) ?? []));
  const events = [...new Set(eventNames)];
  const head = ['setting', 'seeds', 'sup |ΔL| (mean)', 'sup |ΔL| (max)', ...observables.map((n) => `sup |Δ${n}|`), 'transitions flow → discrete', 'same stages', ...events.map((n) => `${n}: flow → discrete`), ...(events.length ? ['same event order'] : [])];
  const rows = results.map((r) => {
    const d0 = r.runs[0]?.dev;
    const trans = d0 ? `${d0.flowTransitions.map(fmt).join(', ') || '—'} → ${d0.runTransitions.map(fmt).join(', ') || '—'}` : r.runs[0]?.run.message ?? '';
    const times = (t: number | null | undefined): string => (t === null || t === undefined ? '—' : fmt(t));
    const eventCells = events.map((name) => {
      const e = d0?.events.find((x) => x.name === name);
      return e ? `${times(e.flow)} → ${times(e.run)}` : '—';
    });
    return [r.label, String(r.runs.length), fmt(r.meanLossDeviation), fmt(r.maxLossDeviation), ...observables.map((n) => fmt(r.meanObservableDeviation[n])), trans, `${Math.round(100 * r.sameStagesFraction)}%`, ...eventCells, ...(events.length ? [`${Math.round(100 * r.sameEventOrderFraction)}%`] : [])];
  });
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((c) => `| ${c.join(' | ')} |`)].join('\n');
}
