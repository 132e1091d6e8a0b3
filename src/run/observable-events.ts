/**
 * Events on observables: "first time loss < 0.1", "first time W2W1.stable_rank < 1.05",
 * "first time W2W1.sigma2 > 0.75". A spec `NAME<LEVEL` or `NAME>LEVEL` becomes an EventSpec whose
 * g(t, y) = value − level, located by the integrator on its dense output (not interpolated
 * between save points). NAME is `loss`, a model observable, or `M.metric` for a tracked matrix M
 * with metric sigmaK, stable_rank, effective_rank, numerical_rank, frobenius or spectral_norm.
 */
import { effectiveRank, frobeniusNorm, numericalRank, singularValues, stableRank } from '../spectral/index.js';
import type { EventSpec, Vec } from '../solve/types.js';
import type { Model, Params } from '../models/types.js';
import { inputError } from '../util/errors.js';
import { makeRng } from '../util/rng.js';

const SPEC = /^\s*([A-Za-z][\w.]*)\s*([<>])\s*([-+0-9.eE]+)\s*$/;
const METRICS = ['sigmaK', 'stable_rank', 'effective_rank', 'numerical_rank', 'frobenius', 'spectral_norm'];

/** The scalar named `name` as a function of the state, or an input error listing what exists. */
export function observableFunction(model: Model, p: Params, name: string): (t: number, y: Vec) => number {
  if (name === 'loss') return (_t, y) => model.loss(y, p);
  const obs = model.observables(p).find((o) => o.name === name);
  if (obs) return (t, y) => obs.value(y, t);
  const dot = name.indexOf('.');
  const matrices = model.matrices(p);
  if (dot > 0) {
    const m = matrices.find((x) => x.name === name.slice(0, dot));
    const metric = name.slice(dot + 1);
    if (m) {
      const k = /^sigma(\d+)$/.exec(metric);
      if (k) {
        const idx = Number(k[1]) - 1;
        // σ_k exists only up to min(rows, cols): a larger k would never be reported, so it is refused
        const count = singularValues(m.matrix(model.init(p, makeRng(0)))).length;
        if (idx < 0 || idx >= count) throw inputError(`'${name}': ${m.name} has ${count} singular values (sigma1 … sigma${count}).`);
        return (_t, y) => singularValues(m.matrix(y))[idx] ?? NaN;
      }
      switch (metric) {
        case 'stable_rank': return (_t, y) => stableRank(singularValues(m.matrix(y)));
        case 'effective_rank': return (_t, y) => effectiveRank(singularValues(m.matrix(y)));
        case 'numerical_rank': return (_t, y) => numericalRank(singularValues(m.matrix(y)));
        case 'frobenius': return (_t, y) => frobeniusNorm(m.matrix(y));
        case 'spectral_norm': return (_t, y) => singularValues(m.matrix(y))[0];
        default: break;
      }
    }
  }
  const known = ['loss', ...model.observables(p).map((o) => o.name), ...matrices.map((m) => `${m.name}.{${METRICS.join(',')}}`)];
  throw inputError(`unknown observable '${name}' for ${model.id}. Known: ${known.join(', ')}.`);
}

/** Parses `NAME<LEVEL` / `NAME>LEVEL` into an event that fires at the first crossing in that direction. */
export function observableEvent(model: Model, p: Params, spec: string): EventSpec {
  const m = SPEC.exec(spec);
  if (!m) throw inputError(`--event '${spec}': expected NAME<LEVEL or NAME>LEVEL, e.g. loss<0.1 or W2W1.stable_rank<1.05.`);
  const [, name, op, levelText] = m;
  const level = Number(levelText);
  if (!Number.isFinite(level)) throw inputError(`--event '${spec}': the level must be a finite number.`);
  const value = observableFunction(model, p, name);
  return { name: `${name}${op}${levelText}`, g: (t, y) => value(t, y) - level, direction: op === '<' ? -1 : 1 };
}
