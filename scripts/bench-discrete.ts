/**
 * Discrete training (src/sgd): steps per second of every model with a finite-sample form, at its
 * default sizes — full-batch GD on the exact population loss (the flow's own field), GD on n = 1024
 * sampled examples, and online SGD with B = 64 — with the garbage collections the online run
 * triggered (a step that allocated nothing triggers none). Timings live here, never in tests.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { MODELS } from '../src/models/registry.js';
import { resolveParams } from '../src/models/params.js';
import type { Model } from '../src/models/types.js';
import { train, type DataMode } from '../src/sgd/train.js';
import { fmt } from '../src/util/errors.js';

/** Collections of the young generation ("minor" GCs) while f runs. */
async function withGcCount<T>(f: () => T): Promise<{ value: T; minor: number }> {
  let minor = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === 1) minor++; // 1 = NODE_PERFORMANCE_GC_MINOR
  });
  obs.observe({ entryTypes: ['gc'] });
  const value = f();
  await new Promise((r) => setTimeout(r, 20)); // gc entries are delivered asynchronously
  obs.disconnect();
  return { value, minor };
}

/** Steps per second of `steps` discrete steps (the best of 3 runs after a warm-up of the same run). */
async function stepsPerSecond(model: Model, data: DataMode, batch: number, steps: number): Promise<{ rate: number; minorPerKStep: number }> {
  const p = resolveParams(model);
  const eta = model.compareDefaults?.(p).etas.at(-1) ?? 1e-3;
  const run = () => train(model, p, { schedule: { kind: 'constant', eta }, data, batch, tauEnd: steps * eta, seed: 1, record: [steps * eta] });
  run();
  let best = 0;
  let minor = 0;
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    const { value, minor: m } = await withGcCount(run);
    const ms = performance.now() - t0;
    if (value.status !== 'success') throw new Error(`${model.id}: ${value.message}`);
    best = Math.max(best, (value.steps / ms) * 1000);
    minor = m;
  }
  return { rate: best, minorPerKStep: (minor / steps) * 1000 };
}

export async function benchDiscrete(): Promise<string> {
  const rows: string[] = [];
  for (const model of MODELS.values()) {
    if (!model.finiteSample) continue;
    const p = resolveParams(model);
    const dim = model.finiteSample(p).dim;
    // fewer steps for the costly models, so each measurement takes about a second
    const scale = model.id === 'yang' || model.id === 'gong' ? 0.1 : 1;
    const pop = await stepsPerSecond(model, { kind: 'population' }, 1, Math.round(2000 * scale));
    const full = await stepsPerSecond(model, { kind: 'sample', n: 1024 }, 1024, Math.round(200 * scale));
    const online = await stepsPerSecond(model, { kind: 'online' }, 64, Math.round(2000 * scale));
    rows.push(`| ${model.id} | ${dim} | ${fmt(Math.round(pop.rate))} | ${fmt(Math.round(full.rate))} | ${fmt(Math.round(online.rate))} | ${fmt(Number(online.minorPerKStep.toFixed(2)))} |`);
  }
  return [
    `load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} (1, 5, 15 min)`,
    '',
    '| model | θ size | GD, population (steps/s) | GD, n = 1024 (steps/s) | online SGD, B = 64 (steps/s) | minor GCs per 1000 online steps |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}
