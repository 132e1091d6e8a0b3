/**
 * One run of a model: integrate its flow problem (src/run/problem.ts) and measure everything at
 * the save-at times (observers run on the save grid only, never inside the integrator).
 */
import type { KinkEvent } from '../solve/kinks/types.js';
import type { EventSpec, MethodName, SolveOptions } from '../solve/types.js';
import { spectralObservables } from '../spectral/index.js';
import type { Model, Params, Trajectory } from '../models/types.js';
import { flowProblem, solveFlow } from './problem.js';
import type { SolverFlags } from './solver-flags.js';

export type { Trajectory } from '../models/types.js';

export interface SimulateOptions {
  /** The user's solver flags, over the model's defaults. */
  flags?: SolverFlags;
  /** Solver settings this run fixes for itself, over the flags. */
  fixed?: SolveOptions;
  /** Multiply rtol and atol by this (check --verify). */
  tighten?: number;
  /** Integrate with this method whatever the run fixed (check --verify-with). */
  method?: MethodName;
  /** Events beyond the model's own (e.g. `--event loss<0.1`). */
  events?: readonly EventSpec[];
  /** Override the save grid (and with it the end time: its last entry). */
  saveAt?: Float64Array;
  /** Skip spectral observers (cheap runs inside predictions that need only the loss). */
  spectra?: boolean;
  /** Seed of the initial state (default: the `seed` parameter, else 0). */
  seed?: number;
  /** Wall-clock deadline (performance.now() ms) of the integration. */
  deadline?: number;
}

export function simulate(model: Model, params: Params, options: SimulateOptions = {}): Trajectory {
  const problem = flowProblem(model, params, options);
  const { solution, wallMs } = solveFlow(problem);
  const t = solution.t;
  const series: Record<string, Float64Array> = {};
  const spectra: Record<string, Float64Array[]> = {};
  const n = t.length;
  series.loss = Float64Array.from(solution.y, (y) => model.loss(y, params));
  if (solution.kinks) series.sliding = slidingCounts(t, solution.kinks.events);
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
  return { model: model.id, params, seed: problem.seed, solution, t, series, spectra, events: solution.events, wallMs };
}

/**
 * How many switching functions are held at zero (sliding) at each save time, from the kink events:
 * a pin counts from its time on, a release from its time off (events at a save time count there).
 */
export function slidingCounts(t: Float64Array, events: readonly KinkEvent[]): Float64Array {
  const out = new Float64Array(t.length);
  let held = 0;
  let e = 0;
  for (let i = 0; i < t.length; i++) {
    while (e < events.length && events[e].t <= t[i]) {
      if (events[e].kind === 'pin') held++;
      else if (events[e].kind === 'release') held--;
      e++;
    }
    out[i] = held;
  }
  return out;
}
