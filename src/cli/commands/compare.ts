/** `gradflow compare MODEL`: the flow against discrete training, with a report and figures. */
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findModel } from '../../models/registry.js';
import { parseSetFlags, resolveParams } from '../../models/params.js';
import { parseSchedule } from '../../sgd/schedule.js';
import { comparisonTable, runComparison, type CompareSetting, type SettingResult } from '../../sgd/compare-run.js';
import { assertContinuousReference, logLogSlope } from '../../sgd/compare.js';
import { RunCheckpoint, RUNS_FILE } from '../../sgd/checkpoint.js';
import type { DataMode } from '../../sgd/train.js';
import { linePlot, writeFigure, type Series } from '../../report/index.js';
import { ensureDir } from '../../io/series.js';
import { defaultWorkers } from '../../sweep/pool.js';
import { geomspace } from '../../util/grid.js';
import { fmt, fmt4, inputError } from '../../util/errors.js';
import { packageInfo } from '../../util/package-info.js';
import type { Model, Params, StageMark } from '../../models/types.js';
import type { CliIO } from '../io.js';
import { collect, numberFlag } from '../parse-flags.js';

export interface CompareFlags { set: string[]; workers?: string; eta?: string; batch?: string; data?: string; seeds?: string; tau?: string; observable: string[]; momentum?: string; langevin?: string; out: string }

const list = (text: string, name: string): number[] => text.split(',').map((x) => {
  const v = Number(x);
  if (x.trim() === '' || !Number.isFinite(v)) throw inputError(`--${name} '${text}': expected a comma-separated list of numbers.`);
  return v;
});

function workersFlag(text: string | undefined): number {
  const n = numberFlag('workers', text) ?? defaultWorkers();
  if (!Number.isInteger(n) || n < 1) throw inputError(`--workers must be a positive integer (got ${text}).`);
  return n;
}

function parseData(text: string): DataMode {
  if (text === 'population') return { kind: 'population' };
  if (text === 'online') return { kind: 'online' };
  const m = /^n=(\d+)$/.exec(text);
  if (m) return { kind: 'sample', n: Number(m[1]) };
  throw inputError(`--data '${text}': expected population, online or n=COUNT.`);
}

/** Settings when none are given: the model's own (CompareDefaults), else η = 0.1 … 0.0125 and B = 4 … 256. */
export function defaultSettings(model: Model, p: Params): { settings: CompareSetting[]; seeds: number; tau?: number; observables?: readonly string[]; marks?: readonly StageMark[] } {
  const hasSamples = model.finiteSample !== undefined;
  const d = model.compareDefaults?.(p) ?? { etas: [0.1, 0.05, 0.025, 0.0125], batches: [4, 16, 64, 256], batchEta: 0.0125, seeds: 4 };
  const settings: CompareSetting[] = d.etas.map((eta) => ({ schedule: { kind: 'constant', eta }, data: { kind: 'population' }, batch: 1 }));
  if (hasSamples) {
    const eta = d.batchEta ?? d.etas[d.etas.length - 1];
    for (const batch of d.batches ?? []) settings.push({ schedule: { kind: 'constant', eta }, data: { kind: 'online' }, batch });
  }
  return { settings, seeds: hasSamples ? d.seeds ?? 4 : 1, tau: d.tau, observables: d.observables, marks: d.marks };
}

/** What one comparison found, for the demo's index. */
export interface CompareSummary {
  readonly path: string;
  readonly slopes: { readonly eta: number; readonly batch: number };
  /** Runs (over all settings and seeds) whose stage order matched the flow's, and all runs measured. */
  readonly sameOrder: number;
  readonly measured: number;
  readonly runs: number;
  /** Seeds whose reference flow could not be solved. */
  readonly flowFailures: number;
}

export async function compareModel(name: string, flags: CompareFlags, io: CliIO): Promise<CompareSummary> {
  const model = findModel(name);
  const p = resolveParams(model, parseSetFlags(flags.set));
  assertContinuousReference(model, p); // before any training, not after
  const horizon = model.horizon(p);
  const defaults = defaultSettings(model, p);
  const tauEnd = numberFlag('tau', flags.tau) ?? defaults.tau ?? horizon.tEnd;
  if (!(tauEnd > 0)) throw inputError(`--tau must be > 0 (got ${flags.tau}).`);
  let settings: CompareSetting[];
  let nSeeds: number;
  if (flags.eta || flags.batch || flags.data) {
    const schedules = (flags.eta ?? '0.05').split(',').map(parseSchedule);
    const batches = flags.batch ? list(flags.batch, 'batch') : [1];
    const datas = (flags.data ?? 'population').split(',').map(parseData);
    settings = schedules.flatMap((schedule) => datas.flatMap((data): CompareSetting[] => (data.kind === 'population' ? [{ schedule, data, batch: 1 }] : batches.map((batch) => ({ schedule, data, batch })))));
    nSeeds = 1;
  } else {
    ({ settings, seeds: nSeeds } = defaults);
  }
  const seedsN = numberFlag('seeds', flags.seeds) ?? nSeeds;
  if (!Number.isInteger(seedsN) || seedsN < 1) throw inputError(`--seeds must be a positive integer (got ${flags.seeds}).`);
  const baseSeed = typeof p.seed === 'number' ? p.seed : 1;
  const seeds = Array.from({ length: seedsN }, (_, i) => baseSeed + i);
  const known = model.observables(p).map((o) => o.name);
  for (const name of flags.observable) if (!known.includes(name)) throw inputError(`--observable '${name}': ${model.id} has no such observable (it has ${known.join(', ')}).`);
  const observables = flags.observable.length ? flags.observable : defaults.observables ? [...defaults.observables] : known.slice(0, 3);
  const record = Float64Array.from([0, ...geomspace(tauEnd * 1e-3, tauEnd, 200)]);
  ensureDir(flags.out);
  const checkpoint = new RunCheckpoint(flags.out);
  if (checkpoint.warning) io.err(`warning: ${checkpoint.warning}\n`);
  if (checkpoint.size > 0) io.err(`  ${checkpoint.size} finished runs found in ${join(flags.out, RUNS_FILE)}; runs with the same options are reused\n`);
  const results = await runComparison(model, p, {
    settings, seeds, tauEnd, record, observables, marks: defaults.marks, modelName: name, workers: workersFlag(flags.workers), checkpoint,
    momentum: numberFlag('momentum', flags.momentum), langevin: numberFlag('langevin', flags.langevin),
  }, (label, done, total) => io.err(`  [${done}/${total}] ${label}\n`)).finally(() => checkpoint.close());

  const figures = await compareFigures(model, results, join(flags.out, 'figures'));
  const slopes = slopeLines(results);
  const md = [
    `# ${model.title}: gradient flow against discrete training`,
    '',
    `gradflow ${packageInfo().version}; parameters: ${Object.entries(p).map(([k, v]) => `${k} = ${typeof v === 'number' ? fmt(v) : v}`).join(', ')}; τ ∈ [0, ${fmt(tauEnd)}]; seeds ${seeds.join(', ')}.`,
    '',
    'Each discrete run is projected onto the flow\'s coordinates and compared with the flow at the same τ (the flow is solved at exactly the recorded times, rtol 1e-11). Time is τ = Σ η per step.',
    '',
    comparisonTable(results, observables),
    '',
    ...slopes,
    '',
    ...figures.map((f) => `### ${f.title}\n\n![${f.title}](figures/${f.file}.png)\n`),
  ].join('\n');
  const path = join(flags.out, 'report.md');
  writeFileSync(path, md);
  writeFileSync(join(flags.out, 'compare.json'), JSON.stringify({
    gradflow: packageInfo().version, model: model.id, params: p, tauEnd, seeds, observables,
    settings: results.map((r) => ({ label: r.label, setting: r.setting, mean_loss_deviation: r.meanLossDeviation, max_loss_deviation: r.maxLossDeviation, observable_deviation: r.meanObservableDeviation, same_stages_fraction: r.sameStagesFraction, same_event_order_fraction: r.sameEventOrderFraction, runs: r.runs.map((x) => ({ seed: x.seed, status: x.run.status, flow_error: x.flowError, steps: x.run.steps, loss_deviation: x.dev?.loss ?? null, flow_transitions: x.dev?.flowTransitions ?? null, run_transitions: x.dev?.runTransitions ?? null, events: x.dev?.events ?? null, outside_max: x.run.residual.length ? Math.max(...x.run.residual) : null, message: x.run.message || null })) })),
  }, null, 1));
  const all = results.flatMap((r) => r.runs);
  const measured = all.filter((x) => x.dev !== null);
  return { path, slopes: deviationSlopes(results), sameOrder: measured.filter((x) => x.dev!.sameEventOrder && x.dev!.sameStages).length, measured: measured.length, runs: all.length, flowFailures: new Set(all.filter((x) => x.flowError !== null).map((x) => x.seed)).size };
}

/** Fitted log–log slopes of the mean loss deviation against η (full-batch GD) and B (online SGD); NaN without two settings. */
export function deviationSlopes(results: readonly SettingResult[]): { eta: number; batch: number } {
  const pop = results.filter((r) => r.setting.data.kind === 'population' && r.setting.schedule.kind === 'constant');
  const online = results.filter((r) => r.setting.data.kind === 'online');
  return {
    eta: pop.length >= 2 ? logLogSlope(pop.map((r) => (r.setting.schedule as { eta: number }).eta), pop.map((r) => r.meanLossDeviation)) : NaN,
    batch: online.length >= 2 ? logLogSlope(online.map((r) => r.setting.batch), online.map((r) => r.meanLossDeviation)) : NaN,
  };
}

function slopeLines(results: readonly SettingResult[]): string[] {
  const { eta, batch } = deviationSlopes(results);
  // settings with a failed run (mean deviation NaN) drop out of the fit: say which
  const dropped = (kind: 'population' | 'online', name: string, value: (r: SettingResult) => number): string => {
    const out = results.filter((r) => r.setting.data.kind === kind && !Number.isFinite(r.meanLossDeviation)).map(value);
    return out.length ? ` (without ${name} = ${out.map(fmt4).join(', ')}: a run there diverged or was not measured)` : '';
  };
  const lines: string[] = [];
  if (!Number.isNaN(eta)) lines.push(`Deviation against η (full batch): fitted log–log slope ${fmt4(eta)}${dropped('population', 'η', (r) => (r.setting.schedule as { eta: number }).eta ?? NaN)} (first-order method: 1).`);
  if (!Number.isNaN(batch)) lines.push(`Deviation against B (online SGD): fitted log–log slope ${fmt4(batch)}${dropped('online', 'B', (r) => r.setting.batch)} (sampling noise alone: −1/2; a bias that does not shrink with B, such as a finite context against an infinite-context flow, flattens it).`);
  return lines;
}

async function compareFigures(model: Model, results: readonly SettingResult[], dir: string): Promise<{ title: string; file: string }[]> {
  const out: { title: string; file: string }[] = [];
  const first = results.flatMap((r) => r.runs).find((x) => x.flow !== null);
  const series: Series[] = first?.flow ? [{ name: `flow (seed ${first.seed})`, x: first.flow.tau, y: first.flow.loss }] : [];
  for (const r of results) {
    const ok = r.runs.filter((x) => x.run.status === 'success');
    if (ok.length === 0) continue;
    const n = Math.min(...ok.map((x) => x.run.tau.length));
    const meanLoss = Float64Array.from({ length: n }, (_, i) => ok.reduce((s, x) => s + x.run.loss[i], 0) / ok.length);
    // one line per setting (the mean over seeds) with the range over seeds shaded; seeds record at
    // the same τ (the first step at or past each requested time), so their points line up
    const lower = Float64Array.from({ length: n }, (_, i) => Math.min(...ok.map((x) => x.run.loss[i])));
    const upper = Float64Array.from({ length: n }, (_, i) => Math.max(...ok.map((x) => x.run.loss[i])));
    const short = r.label.replace(', full batch, exact population loss', ', GD');
    series.push({ name: `${short}${ok.length > 1 ? ` (${ok.length} seeds: mean, range)` : ''}`, x: ok[0].run.tau.subarray(0, n), y: meanLoss, ...(ok.length > 1 ? { spread: { lower, upper } } : {}) });
  }
  await writeFigure(dir, 'overlay', await linePlot({ title: `${model.title}: flow and discrete runs`, subtitle: 'loss against τ = η·steps; each seed draws its own initial state', xLabel: 'τ', yLabel: 'loss', xLog: true, yLog: true, series }));
  out.push({ title: 'Flow and discrete runs', file: 'overlay' });
  const pop = results.filter((r) => r.setting.data.kind === 'population' && r.setting.schedule.kind === 'constant');
  if (pop.length >= 2) {
    const etas = pop.map((r) => (r.setting.schedule as { eta: number }).eta);
    const devs = pop.map((r) => r.meanLossDeviation);
    await writeFigure(dir, 'deviation-eta', await linePlot({ title: `${model.title}: deviation against η`, subtitle: `full batch; fitted slope ${fmt4(logLogSlope(etas, devs))}`, xLabel: 'η', yLabel: 'sup_τ |L_GD − L_flow|', xLog: true, yLog: true, series: [{ name: 'GD', x: etas, y: devs }] }));
    out.push({ title: 'Deviation against η', file: 'deviation-eta' });
  }
  const online = results.filter((r) => r.setting.data.kind === 'online');
  if (online.length >= 2) {
    const Bs = online.map((r) => r.setting.batch);
    const devs = online.map((r) => r.meanLossDeviation);
    await writeFigure(dir, 'deviation-batch', await linePlot({ title: `${model.title}: deviation against batch size`, subtitle: `online SGD; fitted slope ${fmt4(logLogSlope(Bs, devs))}`, xLabel: 'B', yLabel: 'sup_τ |L_SGD − L_flow|', xLog: true, yLog: true, series: [{ name: 'online SGD', x: Bs, y: devs }] }));
    out.push({ title: 'Deviation against batch size', file: 'deviation-batch' });
  }
  return out;
}

export function registerCompare(program: Command, io: CliIO): void {
  program
    .command('compare')
    .description('compare the gradient flow with discrete training (GD, SGD) of the same model: deviations, stage times, figures')
    .argument('<model>', 'a registered model or a model file')
    .option('--set <name=value>', 'model parameter (repeatable)', collect, [])
    .option('--eta <list>', 'learning rates, comma-separated; each may be a schedule η1->η2@τ')
    .option('--batch <list>', 'batch sizes, comma-separated (for online and n=…)')
    .option('--data <list>', 'population (exact loss), online (fresh samples) or n=COUNT, comma-separated')
    .option('--seeds <k>', 'number of seeds per setting')
    .option('--tau <T>', 'horizon in τ = η·steps (default: the model\'s)')
    .option('--observable <name>', 'observable to compare (repeatable; default: the model\'s first three)', collect, [])
    .option('--momentum <mu>', 'heavy-ball momentum in [0, 1) (default 0)')
    .option('--langevin <T>', 'Langevin temperature (noise variance 2ηT per step; default 0)')
    .option('--workers <n>', 'parallel workers (default: every core)')
    .option('--out <dir>', 'output folder; finished runs are kept in its runs.jsonl and reused when run again', 'gradflow-compare')
    .action(async (name: string, flags: CompareFlags) => {
      const { path } = await compareModel(name, flags, io);
      io.err(`comparison written → ${path}\n`);
    });
}
