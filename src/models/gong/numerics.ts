/**
 * The numerical validations of the Gong model, computed once per check context:
 * - the reduced L = ∞ flow against the full-matrix flow on K independent samples (d = 16);
 * - quadrature convergence of the reduced vector field (order n against 2n);
 * - integration through the ReLU kinks of a finite-sample flow at two tolerances.
 */
import type { Trajectory } from '../../run/trajectory.js';
import type { CheckContext, ParamValue } from '../types.js';
import { gongConfig, infiniteSupported } from './config.js';
import { ReducedModel } from './reduced.js';
import { resolveParams } from '../params.js';
import { GONG_PARAMS } from './config.js';
import { engineFor } from './engine.js';
import { TYPE_P, TYPE_Q } from './data.js';
import { maxAbs, maxOf } from '../../util/array.js';

/** The setting of the reduced/full comparison: the check's own data law and model from the symmetric start (the reduced flow's domain). */
export const AGREEMENT_SETTING: Readonly<Record<string, ParamValue>> = {
  variant: 'B', context: 'infinite', d: 16, init: 'symmetric', omega: 0.1, readout: 'fixed', dynamics: 'flow', N: 4096, tEnd: 2000, saves: 60,
};
export const AGREEMENT_SEEDS: readonly number[] = [11, 12, 13, 14];
export const AGREEMENT_OBSERVABLES: readonly string[] = ['a', 'p', 'q', 'loss_data', 'loss_P', 'loss_Q', 'frob_P', 'frob_Q'];

export interface Agreement {
  readonly reduced: Trajectory;
  readonly full: readonly Trajectory[];
  /** max over observables and times of |mean_k full − reduced| / s, s the spread (std) over the K samples. */
  readonly maxZ: number;
  /** max over observables and times of |full_k − reduced| / max(|reduced|, scale). */
  readonly maxRel: number;
  /** Largest sampling spread s relative to the observable, over observables and times. */
  readonly maxSpreadRel: number;
  readonly worst: string;
}

/** Quadrature convergence: relative change of the reduced vector field when the order doubles. */
export interface QuadratureCheck {
  readonly order: number;
  readonly rows: readonly { readonly setting: string; readonly states: number; readonly relChange: number }[];
  readonly maxRel: number;
}

export interface KinkCheck {
  readonly setting: Readonly<Record<string, ParamValue>>;
  readonly tolerances: readonly [number, number];
  readonly runs: readonly [Trajectory, Trajectory];
  /** Largest difference over the compared observables and times, in units of its allowance (see kinkCheck). */
  readonly maxDiff: number;
  readonly worst: string;
  readonly nfev: readonly [number, number];
}

const cache = new WeakMap<CheckContext, { agreement?: Agreement; quadrature?: QuadratureCheck; kinks?: KinkCheck }>();
function slot(ctx: CheckContext) {
  let s = cache.get(ctx);
  if (!s) {
    s = {};
    cache.set(ctx, s);
  }
  return s;
}

export function agreement(ctx: CheckContext): Agreement {
  const s = slot(ctx);
  if (s.agreement) return s.agreement;
  // the check's own Q law and normalisation where the reduced flow covers them, else the defaults
  const own = { variant: 'B', qlaw: ctx.params.qlaw, normalize: ctx.params.normalize } as const;
  const law = infiniteSupported(own as never) ? { qlaw: own.qlaw, normalize: own.normalize } : { qlaw: 'rays', normalize: 'blocks' };
  const setting = { ...AGREEMENT_SETTING, ...law };
  const reduced = ctx.run({ ...setting, flow: 'reduced' });
  const full = AGREEMENT_SEEDS.map((seed) => ctx.run({ ...setting, flow: 'full', dataSeed: seed }));
  let maxZ = 0;
  let maxRel = 0;
  let maxSpreadRel = 0;
  let worst = '';
  const K = full.length;
  for (const name of AGREEMENT_OBSERVABLES) {
    const red = reduced.series[name];
    const scale = Math.max(maxAbs(red), 1e-300);
    for (let i = 0; i < red.length; i++) {
      const vals = full.map((f) => f.series[name][i]);
      const mean = vals.reduce((a, b) => a + b, 0) / K;
      const sd = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / (K - 1));
      const bias = Math.abs(mean - red[i]);
      const ref = Math.max(Math.abs(red[i]), 1e-3 * scale);
      for (const v of vals) maxRel = Math.max(maxRel, Math.abs(v - red[i]) / ref);
      maxSpreadRel = Math.max(maxSpreadRel, sd / ref);
      const z = sd > 1e-13 * ref ? bias / sd : bias <= 1e-12 * ref ? 0 : Infinity;
      if (z > maxZ) {
        maxZ = z;
        worst = `${name} at t = ${reduced.t[i].toPrecision(3)}`;
      }
    }
  }
  s.agreement = { reduced, full, maxZ, maxRel, maxSpreadRel, worst };
  return s.agreement;
}

/** The three Q laws the reduced flow covers, at d = 16, with u trained so that every component moves. */
export const QUADRATURE_SETTINGS: readonly Readonly<Record<string, ParamValue>>[] = [
  { qlaw: 'clusters', normalize: 'off' },
  { qlaw: 'rays', normalize: 'off' },
  { qlaw: 'rays', normalize: 'blocks' },
];

export function quadratureCheck(ctx: CheckContext): QuadratureCheck {
  const s = slot(ctx);
  if (s.quadrature) return s.quadrature;
  const base = { variant: 'B', context: 'infinite', flow: 'reduced', d: 16, readout: 'trained', lambda: 0.01 };
  const rows: { setting: string; states: number; relChange: number }[] = [];
  let order = 0;
  for (const set of QUADRATURE_SETTINGS) {
    const c = gongConfig(resolveParams({ id: 'gong', params: GONG_PARAMS } as never, { ...ctx.params, ...base, ...set }));
    order = c.quad;
    const lo = new ReducedModel(c, c.quad);
    const hi = new ReducedModel(c, 2 * c.quad);
    // states: the symmetric start and points along a path to a learned state (all components ≠ 0)
    const states = [0.1, 0.5, 1, 2, 4, 8].map((k) => Float64Array.of(k, -0.3 * k, 0.7 * k + 0.05, 1.3 * k, 1 + 0.1 * k));
    let worst = 0;
    const g1 = new Float64Array(5);
    const g2 = new Float64Array(5);
    for (const y of states) {
      lo.lossGrad(y, g1);
      hi.lossGrad(y, g2);
      const scale = maxAbs(g2);
      for (let i = 0; i < 5; i++) worst = Math.max(worst, Math.abs(g1[i] - g2[i]) / scale);
    }
    rows.push({ setting: `${set.qlaw}, normalize=${set.normalize}`, states: states.length, relChange: worst });
  }
  s.quadrature = { order, rows, maxRel: maxOf(rows.map((r) => r.relChange)) };
  return s.quadrature;
}

/** A finite-sample flow with one ReLU kink per sample and score: finite context, clusters, token normalisation. */
export const KINK_SETTING: Readonly<Record<string, ParamValue>> = {
  variant: 'A', qlaw: 'clusters', normalize: 'token', context: 'finite', L: 8, N: 128, d: 6, dynamics: 'flow',
  init: 'random', omega: 0.1, tEnd: 100, zeta: 3, sigmaQ: 0.5, saves: 60,
};
export const KINK_TOLERANCES: readonly [number, number] = [1e-4, 1e-6];
const KINK_OBSERVABLES = ['loss_data', 'acc_P', 'acc_Q', 'loss_P', 'loss_Q', 'frob_P', 'frob_Q'];

/** Tolerance of the smooth observables (losses, norms), relative to max(1, |value|). */
export const KINK_SMOOTH_TOL = 1e-3;

/**
 * The kink check: smooth observables must agree to KINK_SMOOTH_TOL; an accuracy changes in steps
 * of one query (1/count, ½/count for a tie), and a query whose margin sits near 0 may flip a
 * little earlier or later, so accuracies must agree to one query's step. `maxDiff` is the largest
 * difference in units of its allowance (≤ 1 passes).
 */
export function kinkCheck(ctx: CheckContext): KinkCheck {
  const s = slot(ctx);
  if (s.kinks) return s.kinks;
  const [lo, hi] = KINK_TOLERANCES;
  const a = ctx.run(KINK_SETTING, { method: 'dopri5', rtol: lo, atol: lo * 1e-3 });
  const b = ctx.run(KINK_SETTING, { method: 'dopri5', rtol: hi, atol: hi * 1e-3 });
  const tokens = engineFor(a.params).full().tokens;
  const stride = Number(KINK_SETTING.L) + 1;
  const counts = { all: 0, P: 0, Q: 0 };
  for (let k = stride - 1; k < tokens.count; k += stride) {
    counts.all++;
    if (tokens.type[k] !== TYPE_Q) counts.P++;
    if (tokens.type[k] !== TYPE_P) counts.Q++;
  }
  const allowance: Record<string, number> = { acc_P: 1 / counts.P, acc_Q: 1 / counts.Q };
  let maxDiff = 0;
  let worst = '';
  for (const name of KINK_OBSERVABLES) {
    const x = a.series[name];
    const y = b.series[name];
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const raw = Math.abs(x[i] - y[i]);
      const dlt = name in allowance ? raw / allowance[name] : raw / (KINK_SMOOTH_TOL * Math.max(1, Math.abs(y[i])));
      if (dlt > maxDiff) {
        maxDiff = dlt;
        worst = `${name} at t = ${a.t[i].toPrecision(3)} (difference ${raw.toPrecision(2)})`;
      }
    }
  }
  s.kinks = { setting: KINK_SETTING, tolerances: KINK_TOLERANCES, runs: [a, b], maxDiff, worst, nfev: [a.solution.stats.nfev, b.solution.stats.nfev] };
  return s.kinks;
}
