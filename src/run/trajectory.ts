/**
 * One run of a model: integrate its flow from its seeded initial state and measure everything
 * at the save-at times (observers run on the save grid only, never inside the integrator).
 */
import { solve } from '../solve/index.js';
import type { EventHit, Solution, SolveOptions } from '../solve/types.js';
import { spectralObservables } from '../spectral/index.js';
import { makeRng } from '../util/rng.js';
import type { Model, Params } from '../models/types.js';

export interface Trajectory {
  readonly model: string;
  readonly params: Params;
  readonly seed: number;
  readonly solution: Solution;
  /** Save times reached. */
  readonly t: Float64Array;
  /**
   * Scalar series on `t`: `loss`, each model observable, and per tracked matrix M:
   * `M.sigma1`…, `M.stable_rank`, `M.effective_rank`, `M.numerical_rank`, `M.frobenius`,
   * `M.condensation` (mean |cos| between rows).
   */
  readonly series: Readonly<Record<string, Float64Array>>;
  /** All singular values of each tracked matrix at each save time. */
  readonly spectra: Readonly<Record<string, readonly Float64Array[]>>;
  readonly events: readonly EventHit[];
  readonly wallMs: number;
}

export interface SimulateOptions {
  /** Solver options, merged over the model's horizon defaults. */
  solver?: SolveOptions;
  /** Override the save grid (and with it the end time: its last entry). */
  saveAt?: Float64Array;
  /** Skip spectral observers (cheap runs inside predictions that need only the loss). */
  spectra?: boolean;
}

export function simulate(model: Model, params: Params, options: SimulateOptions = {}): Trajectory {
  const seed = typeof params.seed === 'number' ? params.seed : 0;
  const y0 = model.init(params, makeRng(seed));
  const horizon = model.horizon(params);
  const saveAt = options.saveAt ?? horizon.saveAt;
  const tEnd = options.saveAt ? saveAt[saveAt.length - 1] : horizon.tEnd;
  const solverOptions: SolveOptions = {
    ...horizon.solver,
    ...options.solver,
    saveAt,
    events: [...(model.events?.(params) ?? []), ...(options.solver?.events ?? [])],
  };
  // a model with kinks brings its switched form: exact crossings and sliding modes by default
  if (model.switching && solverOptions.switching === undefined) solverOptions.switching = model.switching(params);
  // the implicit method (rodas5p, auto) uses the model's exact Jacobian when it has one
  if ((solverOptions.method === 'rodas5p' || solverOptions.method === 'auto') && model.jacobian && solverOptions.jacobian === undefined) {
    solverOptions.jacobian = model.jacobian(params);
  }
  const start = performance.now();
  const solution = solve(model.flow(params), [0, tEnd], y0, solverOptions);
  const wallMs = performance.now() - start;

  const t = solution.t;
  const series: Record<string, Float64Array> = {};
  const spectra: Record<string, Float64Array[]> = {};
  const n = t.length;
  series.loss = Float64Array.from(solution.y, (y) => model.loss(y, params));
  for (const obs of model.observables(params)) {
    series[obs.name] = Float64Array.from(solution.y, (y, i) => obs.value(y, t[i]));
  }
  if (options.spectra !== false) {
    for (const m of model.matrices(params)) {
      const sv: Float64Array[] = [];
      const cols = ['stable_rank', 'effective_rank', 'numerical_rank', 'frobenius', 'condensation'];
      for (const c of cols) series[`${m.name}.${c}`] = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const s = spectralObservables(m.matrix(solution.y[i]));
        sv.push(s.singularValues);
        series[`${m.name}.stable_rank`][i] = s.stableRank;
        series[`${m.name}.effective_rank`][i] = s.effectiveRank;
        series[`${m.name}.numerical_rank`][i] = s.numericalRank;
        series[`${m.name}.frobenius`][i] = s.frobeniusNorm;
        series[`${m.name}.condensation`][i] = s.condensation.meanAbsCos;
      }
      const k = sv.length > 0 ? sv[0].length : 0;
      for (let j = 0; j < Math.min(k, 8); j++) series[`${m.name}.sigma${j + 1}`] = Float64Array.from(sv, (s) => s[j]);
      spectra[m.name] = sv;
    }
  }
  return { model: model.id, params, seed, solution, t, series, spectra, events: solution.events, wallMs };
}
