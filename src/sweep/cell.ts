/**
 * One sweep cell = one run: parameters from the definition and the cell, then the metrics. Pure
 * function of (definition, cell): the result does not depend on scheduling or on other cells.
 * A failure (solver status or bad parameters) is recorded in the result, never thrown.
 */
import { findModel } from '../models/registry.js';
import { resolveParams } from '../models/params.js';
import { makeCheckContext } from '../check/context.js';
import { simulate } from '../run/trajectory.js';
import { observableEvent } from '../run/observable-events.js';
import { isGradflowError } from '../util/errors.js';
import type { Cell } from './grid.js';
import type { SweepDefinition } from './definition.js';
import { evaluateMetrics, planMetrics } from './metrics.js';

export interface CellResult {
  readonly index: number;
  readonly ix: number;
  readonly iy: number;
  readonly x: number;
  readonly y: number;
  /** The solver's status, or 'error' if the cell could not be set up or measured. */
  readonly status: string;
  readonly message: string;
  /** Metric values; null where not computable. */
  readonly metrics: Record<string, number | null>;
  readonly wall_ms: number;
}

export function runCell(def: SweepDefinition, cell: Cell): CellResult {
  const start = performance.now();
  const base = { index: cell.index, ix: cell.ix, iy: cell.iy, x: cell.x, y: cell.y };
  try {
    const model = findModel(def.model);
    const params = resolveParams(model, { ...def.sets, [def.x.name]: cell.x, [def.y.name]: cell.y });
    const plan = planMetrics(def.metrics, model, params);
    const horizon = model.horizon(params);
    const saveAt = Float64Array.from(new Set([...horizon.saveAt, ...plan.saveAt.filter((t) => t <= horizon.tEnd)])).sort();
    const run = simulate(model, params, {
      saveAt: saveAt[saveAt.length - 1] === horizon.tEnd ? saveAt : Float64Array.from([...saveAt, horizon.tEnd]),
      solver: { maxSteps: def.maxSteps, events: plan.events.map((e) => observableEvent(model, params, e)) },
      spectra: false,
    });
    const ctx = makeCheckContext(model, params);
    const values = evaluateMetrics(def.metrics, model, params, run, ctx);
    const metrics = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Number.isFinite(v) ? v : null]));
    return { ...base, status: run.solution.status, message: run.solution.status === 'success' ? '' : run.solution.message, metrics, wall_ms: performance.now() - start };
  } catch (e) {
    const message = isGradflowError(e) || e instanceof Error ? (e as Error).message : String(e);
    return { ...base, status: 'error', message, metrics: {}, wall_ms: performance.now() - start };
  }
}
