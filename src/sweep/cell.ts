/**
 * One sweep cell = one run: parameters from the definition and the cell, one integration through
 * the flow-problem seam under the sweep's solver flags, then the metrics — all read off that run
 * (model metrics and predictions get it as their context's main run). Pure function of
 * (definition, cell): the result does not depend on scheduling or on other cells. A failure
 * (solver status, bad parameters, a model file edited since the sweep began) is recorded in the
 * result, never thrown.
 */
import { findModel } from '../models/registry.js';
import { resolveParams } from '../models/params.js';
import { makeCheckContext } from '../check/context.js';
import { simulate } from '../run/trajectory.js';
import { observableEvent } from '../run/observable-events.js';
import { isGradflowError } from '../util/errors.js';
import type { ParamValue } from '../models/types.js';
import type { Cell } from './grid.js';
import { CELL_TIMEOUT, type SweepDefinition } from './definition.js';
import { evaluateMetrics, planMetrics } from './metrics.js';

export interface CellResult {
  readonly index: number;
  readonly ix: number;
  readonly iy: number;
  /** The swept parameters' values, by name. */
  readonly params: Readonly<Record<string, ParamValue>>;
  /** The solver's status, or 'error' if the cell could not be set up or measured. */
  readonly status: string;
  readonly message: string;
  /** Metric values; null where not computable. */
  readonly metrics: Record<string, number | null>;
  /** Integrations this cell made: 1, plus any further runs its predictions (verdict:) asked for. */
  readonly integrations: number;
  readonly wall_ms: number;
}

export function runCell(def: SweepDefinition, cell: Cell): CellResult {
  const start = performance.now();
  const base = { index: cell.index, ix: cell.ix, iy: cell.iy, params: { [def.x.name]: cell.x, [def.y.name]: cell.y } };
  try {
    const model = findModel(def.model);
    const sha = def.identity?.file?.sha256;
    if (sha && model.file?.sha256 !== sha) {
      return { ...base, status: 'error', message: `the model file ${def.model} changed since the sweep began (SHA-256 ${model.file?.sha256.slice(0, 12) ?? 'none'}…, the sweep's ${sha.slice(0, 12)}…); start the sweep again with --restart`, metrics: {}, integrations: 0, wall_ms: performance.now() - start };
    }
    const params = resolveParams(model, { ...def.sets, [def.x.name]: cell.x, [def.y.name]: cell.y });
    const plan = planMetrics(def.metrics, model, params);
    const horizon = model.horizon(params);
    const saveAt = Float64Array.from(new Set([...horizon.saveAt, ...plan.saveAt.filter((t) => t <= horizon.tEnd)])).sort();
    const deadline = start + 1000 * (def.cellTimeout ?? CELL_TIMEOUT);
    const needsContext = def.metrics.some((m) => m.startsWith('model:') || m.startsWith('verdict:'));
    const run = simulate(model, params, {
      flags: def.solver,
      saveAt: saveAt[saveAt.length - 1] === horizon.tEnd ? saveAt : Float64Array.from([...saveAt, horizon.tEnd]),
      events: plan.events.map((e) => observableEvent(model, params, e)),
      spectra: needsContext, // model metrics and predictions may read the tracked matrices
      deadline,
    });
    const ctx = makeCheckContext(model, params, { flags: def.solver, main: run, deadline });
    const values = evaluateMetrics(def.metrics, model, params, run, ctx);
    const metrics = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Number.isFinite(v) ? v : null]));
    return { ...base, status: run.solution.status, message: run.solution.status === 'success' ? '' : run.solution.message, metrics, integrations: 1 + ctx.integrations(), wall_ms: performance.now() - start };
  } catch (e) {
    const message = isGradflowError(e) || e instanceof Error ? (e as Error).message : String(e);
    return { ...base, status: 'error', message, metrics: {}, integrations: 0, wall_ms: performance.now() - start };
  }
}
