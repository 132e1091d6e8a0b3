/**
 * `gradflow compare` as a library: the flow against discrete training of one model — settings
 * (the model's own defaults, or given), the runs and reference flows (src/sgd/compare-run.ts),
 * the fitted slopes, the figures, report.md and compare.json with the provenance record. The CLI
 * only parses flags into a CompareRequest and prints.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { comparisonTable, runComparison, type CompareSetting, type SettingResult } from './compare-run.js';
import { assertContinuousReference, REFERENCE_RTOL } from './compare.js';
import { RunCheckpoint, RUNS_FILE } from './checkpoint.js';
import { linePlot, writeFigure, type Series } from '../report/index.js';
import { ensureDir } from '../io/series.js';
import { lockFolder } from '../io/lock.js';
import { modelIdentity, provenance } from '../io/provenance.js';
import { definedFlags, type SolverFlags } from '../run/solver-flags.js';
import { geomspace } from '../util/grid.js';
import { logLogSlope } from '../util/fit.js';
import { fmt, fmt4, inputError } from '../util/errors.js';
import { maxOf, minOf } from '../util/array.js';
import { checkAllocation, checkCount, formatCount, MAX_SEEDS, MAX_STRING_CHARS, statesBytes } from '../util/limits.js';
import { checkRunMemory, checkTrainOptions } from './train.js';
import { packageInfo } from '../util/package-info.js';
import type { Model, Params, StageMark } from '../models/types.js';

export interface CompareRequest {
  readonly model: Model;
  readonly params: Params;
  /** Name the workers look the model up by (registry id or model-file path). */
  readonly modelName: string;
  /** The settings; absent: the model's own defaults (CompareDefaults). */
  readonly settings?: readonly CompareSetting[];
  /** Number of seeds (default: the model's, else 1 with explicit settings). */
  readonly seeds?: number;
  readonly tau?: number;
  /** Observables compared (default: the model's choice, else its first three). */
  readonly observables?: readonly string[];
  readonly momentum?: number;
  readonly langevin?: number;
  readonly workers: number;
  readonly out: string;
  /** The user's solver flags: the reference flow is the same flow problem `run` integrates under them. */
  readonly flags?: SolverFlags;
  /** Discard the runs in `out` and start over. */
  readonly restart?: boolean;
  /** Every command option, for the record. */
  readonly options?: Readonly<Record<string, unknown>>;
  readonly log?: (line: string) => void;
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

export async function compareModel(r: CompareRequest): Promise<CompareSummary> {
  const { model, params: p } = r;
  const flags = definedFlags(r.flags ?? {});
  const log = r.log ?? (() => {});
  assertContinuousReference(model, p, flags); // before any training, not after
  const horizon = model.horizon(p);
  const defaults = defaultSettings(model, p);
  const tauEnd = r.tau ?? defaults.tau ?? horizon.tEnd;
  if (!(tauEnd > 0) || !Number.isFinite(tauEnd)) throw inputError(`--tau must be a finite number > 0 (got ${r.tau}).`);
  const settings = r.settings ?? defaults.settings;
  const seedsN = r.seeds ?? (r.settings ? 1 : defaults.seeds);
  checkCount('--seeds', seedsN, MAX_SEEDS, `each seed adds ${settings.length} discrete run${settings.length === 1 ? '' : 's'} and a reference flow; use fewer seeds`);
  const record = Float64Array.from([0, ...geomspace(tauEnd * 1e-3, tauEnd, 200)]);
  checkSizes(r, model, p, { settings, seeds: seedsN, tauEnd, record, defaultEtas: defaults.settings.flatMap((s) => (s.schedule.kind === 'constant' && s.data.kind === 'population' ? [s.schedule.eta] : [])) }); // before any run starts or anything large is allocated
  const baseSeed = typeof p.seed === 'number' ? p.seed : 1;
  const seeds = Array.from({ length: seedsN }, (_, i) => baseSeed + i);
  const known = model.observables(p).map((o) => o.name);
  for (const name of r.observables ?? []) if (!known.includes(name)) throw inputError(`--observable '${name}': ${model.id} has no such observable (it has ${known.join(', ')}).`);
  const observables = r.observables?.length ? [...r.observables] : defaults.observables ? [...defaults.observables] : known.slice(0, 3);
  ensureDir(r.out);
  const unlock = lockFolder(r.out, `compare ${model.id}`);
  try {
    return await compareLocked(r, { model, p, flags, log, tauEnd, record, settings, seeds, observables, marks: defaults.marks });
  } finally {
    unlock();
  }
}

/**
 * Every size of a comparison, checked before anything runs (src/util/limits.ts): each setting's
 * options (batch ≤ 10⁷, n ≤ 10⁸, the steps to τ), a learning rate below the horizon, the recorded
 * states of all runs and reference flows together, the memory of the runs that train at once
 * (their data sets or batches, from the model's `exampleBytes`), and the size of one run's line
 * in runs.jsonl (a JavaScript string).
 */
function checkSizes(r: CompareRequest, model: Model, p: Params, c: { settings: readonly CompareSetting[]; seeds: number; tauEnd: number; record: Float64Array; defaultEtas: readonly number[] }): void {
  const { settings, seeds, tauEnd, record } = c;
  for (const s of settings) {
    checkTrainOptions({ ...s, tauEnd, seed: 1, record, momentum: r.momentum, langevin: r.langevin });
    const rates = s.schedule.kind === 'constant' ? [s.schedule.eta] : s.schedule.tauSwitch < tauEnd ? [s.schedule.eta1, s.schedule.eta2] : [s.schedule.eta1];
    for (const eta of rates) {
      if (eta >= tauEnd) throw inputError(`the learning rate η = ${fmt(eta)} is not below the horizon τ = ${fmt(tauEnd)}: one step (τ = η·steps) would jump past the whole comparison, leaving nothing to compare with the flow. Use a learning rate well below τ (${model.id}'s defaults: η = ${c.defaultEtas.map(fmt).join(', ')}), or a longer --tau.`);
    }
  }
  const sampled = settings.filter((s) => s.data.kind !== 'population');
  const fs = sampled.length ? model.finiteSample?.(p) : undefined;
  if (sampled.length && !fs) throw inputError(`${model.id} has no finite-sample form; use data mode 'population' (full-batch GD on the exact loss).`);
  let flowDim = 0;
  for (const b of model.layout(p)) flowDim += b.shape.reduce((a, x) => a * x, 1);
  const R = record.length;
  checkAllocation(`compare: ${formatCount(seeds)} seed${seeds === 1 ? '' : 's'} × ${settings.length} setting${settings.length === 1 ? '' : 's'} × ${R} record times × ${formatCount(flowDim)} state entries, for each run and its reference flow`, 2 * seeds * settings.length * statesBytes(R, flowDim), { of: 'recorded states', hint: 'use fewer --seeds or settings' });
  const tasks = seeds * settings.length;
  const parallel = r.modelName ? Math.max(1, Math.min(r.workers, tasks)) : 1;
  for (const s of settings) checkRunMemory(model.id, s.data.kind === 'population' ? undefined : fs, flowDim, { data: s.data, batch: s.batch, records: R }, parallel);
  const chars = R * flowDim * JSON_CHARS_PER_NUMBER;
  if (chars > MAX_STRING_CHARS) throw inputError(`compare: one run's line in ${RUNS_FILE} (${R} recorded states × ${formatCount(flowDim)} entries) would be ≈ ${formatCount(chars)} characters, above the ${formatCount(MAX_STRING_CHARS)} a JavaScript string can hold; compare a smaller model.`);
}

/** Characters a recorded number takes in runs.jsonl (e.g. "-0.0009637259405717298,"), for the size check. */
const JSON_CHARS_PER_NUMBER = 24;

interface Resolved { model: Model; p: Params; flags: SolverFlags; log: (line: string) => void; tauEnd: number; record: Float64Array; settings: readonly CompareSetting[]; seeds: number[]; observables: string[]; marks?: readonly StageMark[] }

async function compareLocked(r: CompareRequest, { model, p, flags, log, tauEnd, record, settings, seeds, observables, marks }: Resolved): Promise<CompareSummary> {
  const checkpoint = new RunCheckpoint(r.out, { ...modelIdentity(model), params: p, solver_flags: flags }, r.restart);
  if (checkpoint.warning) log(`warning: ${checkpoint.warning}`);
  if (checkpoint.size > 0) log(`  ${checkpoint.size} finished runs found in ${join(r.out, RUNS_FILE)}; runs with the same options are reused`);
  const start = performance.now();
  const results = await runComparison(model, p, {
    settings, seeds, tauEnd, record, observables, marks, modelName: r.modelName, workers: r.workers, checkpoint,
    momentum: r.momentum, langevin: r.langevin, flags,
  }, (label, done, total) => log(`  [${done}/${total}] ${label}`)).finally(() => checkpoint.close());
  for (const x of results) {
    const bad = x.runs.filter((y) => y.run.status !== 'success');
    if (bad.length) log(`  ${x.label}: ${bad.length} of ${x.runs.length} run${x.runs.length === 1 ? '' : 's'} stopped early (seed ${bad[0].seed}: ${bad[0].run.message})`);
  }

  const figures = await compareFigures(model, results, join(r.out, 'figures'));
  const slopes = slopeLines(results);
  const refRtol = flags.rtol ?? REFERENCE_RTOL;
  const md = [
    `# ${model.title}: gradient flow against discrete training`,
    '',
    `gradflow ${packageInfo().version}; parameters: ${Object.entries(p).map(([k, v]) => `${k} = ${typeof v === 'number' ? fmt(v) : v}`).join(', ')}; τ ∈ [0, ${fmt(tauEnd)}]; seeds ${seeds.join(', ')}${r.momentum ? `; momentum ${fmt(r.momentum)}` : ''}${r.langevin ? `; Langevin temperature ${fmt(r.langevin)}` : ''}.`,
    '',
    `Each discrete run is projected onto the flow's coordinates and compared with the flow at the same τ (the flow — the same flow problem \`gradflow run\` integrates — is solved at exactly the recorded times, rtol ${fmt(refRtol)}${Object.keys(flags).length ? `, solver flags ${JSON.stringify(flags)}` : ''}). Time is τ = Σ η per step.`,
    '',
    comparisonTable(results, observables),
    '',
    ...slopes,
    '',
    ...figures.map((f) => `### ${f.title}\n\n![${f.title}](figures/${f.file}.png)\n`),
  ].join('\n');
  const path = join(r.out, 'report.md');
  writeFileSync(path, md);
  const all = results.flatMap((x) => x.runs);
  writeFileSync(join(r.out, 'compare.json'), JSON.stringify({
    ...provenance({
      command: 'compare', model, params: p, seed: seeds, flags, solver: null,
      options: { ...r.options, tau: tauEnd, seeds, observables, momentum: r.momentum ?? 0, langevin: r.langevin ?? 0, reference_rtol: refRtol, settings: settings.map((s) => s) },
      status: all.every((x) => x.run.status === 'success' && x.flowError === null) ? 'success' : 'partial',
      message: all.some((x) => x.flowError !== null) ? 'a reference flow failed for some seed (see runs)' : '',
      wallMs: performance.now() - start,
    }),
    tauEnd, seeds, observables,
    settings: results.map((x) => ({ label: x.label, setting: x.setting, mean_loss_deviation: x.meanLossDeviation, max_loss_deviation: x.maxLossDeviation, observable_deviation: x.meanObservableDeviation, same_stages_fraction: x.sameStagesFraction, same_event_order_fraction: x.sameEventOrderFraction, runs: x.runs.map((y) => ({ seed: y.seed, status: y.run.status, flow_error: y.flowError, steps: y.run.steps, loss_deviation: y.dev?.loss ?? null, flow_transitions: y.dev?.flowTransitions ?? null, run_transitions: y.dev?.runTransitions ?? null, events: y.dev?.events ?? null, outside_max: y.run.residual.length ? maxOf(y.run.residual) : null, message: y.run.message || null })) })),
  }, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 1));
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
    const n = minOf(ok.map((x) => x.run.tau.length));
    const meanLoss = Float64Array.from({ length: n }, (_, i) => ok.reduce((s, x) => s + x.run.loss[i], 0) / ok.length);
    // one line per setting (the mean over seeds) with the range over seeds shaded; seeds record at
    // the same τ (the first step at or past each requested time), so their points line up
    const lower = Float64Array.from({ length: n }, (_, i) => minOf(ok.map((x) => x.run.loss[i])));
    const upper = Float64Array.from({ length: n }, (_, i) => maxOf(ok.map((x) => x.run.loss[i])));
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
