/**
 * Everything one parameter set of the Chen–Luo model determines, computed once and cached: the
 * data set and its statistics, the transformer, the seeded initial state, the bag-of-tokens
 * optimum and F*, the stage-1 reduced system from the same (normalized) initial state, and the
 * predicted time scales that set the horizon.
 */
import { singularValues } from '../../spectral/index.js';
import { makeRng, type Rng } from '../../util/rng.js';
import { checkAllocation, memoryLimit } from '../../util/limits.js';
import { choice, num } from '../params.js';
import type { Params } from '../types.js';
import { bagOptimum, paperF, type BagOptimum } from './bag-of-tokens.js';
import { dataSetBytes, dataStats, makeAnchor, makeD2, type DataSet, type DataStats } from './data.js';
import { marginLoss, type MarginLoss } from './losses.js';
import { solveBlowUp, stage1FromFull, type BlowUp } from './stage1.js';
import { makeTransformer, offsets, type Activation, type Offsets, type Transformer } from './transformer.js';

export interface ChenLuoSetup {
  readonly params: Params;
  readonly data: DataSet;
  readonly stats: DataStats;
  readonly loss: MarginLoss;
  readonly activation: Activation;
  readonly eps: number;
  readonly d: number;
  readonly offsets: Offsets;
  /** κ = |ℓ′(0)|·‖S‖/(ns): t̄ = εκt [V: Prop. 1, with the 1/n prefactor; R: |ℓ′(0)| for logistic]. */
  readonly kappa: number;
  /** τ = 1/κ, the natural unit of real time after escape (ns/‖S‖ for exp loss). */
  readonly tau: number;
  /** A transformer for measurements (the flow gets its own workspace). */
  readonly transformer: Transformer;
  /** The initial state of `simulate` (init with makeRng(seed)). */
  readonly y0: Float64Array;
  readonly L0: number;
  /**
   * Escape is the first time L falls below this level: 0.9·L(0) (note §8.7), unless the plateau
   * min L̃1 lies above 0.8·L(0), in which case halfway from L(0) to the plateau — a 10% drop would
   * then not be reached before attention learns, and would mark the end of stage 2 instead [G].
   */
  readonly escapeLevel: number;
  readonly bag: BagOptimum;
  /** F* = Eq. 15 at u* (d×d), and its singular values. */
  readonly Fstar: Float64Array;
  readonly FstarSigma: Float64Array;
  /** The stage-1 reduced system from the normalized initial state, to E = 1e9. */
  readonly blowUp: BlowUp;
  /** Predicted escape time T̄*·(εκ)⁻¹ [R: note §4.4]. */
  readonly tEscPredicted: number;
  /** Predicted plateau length ln(1/ε)/σ₁(F*) (NaN without a plateau) [R: note §4.4]. */
  readonly plateauPredicted: number;
  readonly tEnd: number;
  readonly saveAt: Float64Array;
}

/** Where the data come from: generated from the parameters, or one fixed data set. */
export type DataSource = { readonly kind: 'params' } | { readonly kind: 'fixed'; readonly data: DataSet };

/** Time before the predicted escape from which the save grid is dense, in units of τ. */
export const DENSE_BEFORE_ESCAPE = 12;
/** Save points before / after the start of the dense window. */
const SPARSE_POINTS = 120;
const DENSE_POINTS = 1500;

/**
 * The data set of `source` under the parameters `p`: the fixed one, or D2 / the anchor task drawn
 * from the data parameters (after the memory check). Deterministic: the data set every setup with
 * these parameters holds, bit for bit, without building the rest of the setup.
 */
export function dataFrom(source: DataSource, p: Params): DataSet {
  if (source.kind === 'fixed') return source.data;
  const d = num(p, 'd');
  const s = num(p, 's');
  const seed = num(p, 'dataSeed');
  const anchor = choice(p, 'data') === 'anchor';
  // n·s·d token coordinates and their statistics, checked before the data set is drawn
  const n = anchor ? num(p, 'sequences') : num(p, 'sets') * s;
  const what = anchor ? `${n} sequences` : `${num(p, 'sets')} sets × ${s} rotations = ${n} sequences`;
  checkAllocation(`chen-luo: a data set of ${what} × s = ${s} tokens × d = ${d} coordinates`, dataSetBytes(n, s, d), { of: 'data and statistics', hint: anchor ? 'use fewer sequences or a smaller s or d' : 'use fewer sets or a smaller s or d' });
  return anchor
    ? makeAnchor({ d, s, sequences: num(p, 'sequences'), keys: num(p, 'keys'), seed })
    : makeD2({ d, s, sets: num(p, 'sets'), seed });
}

/** Every entry of W_Q, W_K, W_V, W1, W2 ~ N(0, ε²) [V: Eq. 4], in that block order. */
export function initialState(d: number, eps: number, rng: Rng): Float64Array {
  const y = new Float64Array(offsets(d).size);
  for (let i = 0; i < y.length; i++) y[i] = eps * rng.normal();
  return y;
}

export function buildSetup(source: DataSource, p: Params): ChenLuoSetup {
  const data = dataFrom(source, p);
  const stats = dataStats(data);
  const loss = marginLoss(choice(p, 'loss'));
  const activation = choice(p, 'activation') as Activation;
  const eps = num(p, 'eps');
  const d = data.d;
  const off = offsets(d);
  const kappa = (loss.slope0 * stats.normS) / (data.n * data.s);
  const tau = 1 / kappa;
  const transformer = makeTransformer(data, activation, loss);
  const y0 = initialState(d, eps, makeRng(num(p, 'seed')));
  const L0 = transformer.lossAt(y0);
  const bag = bagOptimum(data, stats, loss);
  const escapeLevel = L0 - (bag.attained && bag.value < L0 ? Math.min(0.1 * L0, 0.5 * (L0 - bag.value)) : 0.1 * L0);
  const Fstar = paperF(data, stats, loss, bag.u);
  const FstarSigma = singularValues({ data: Fstar, offset: 0, rows: d, cols: d });
  const blowUp = solveBlowUp(stage1FromFull(y0, d, stats.v, eps, off), d);
  // without a blow-up (a degenerate start), fall back on the Prop. 8 scale E(0)^{-1/3} ~ 1 in t̄
  const tEscPredicted = (blowUp.blewUp ? blowUp.Tstar : 1) / (eps * kappa);
  const plateauPredicted = bag.attained && FstarSigma[0] > 0 ? Math.log(1 / eps) / FstarSigma[0] : NaN;
  // horizon: escape, the plateau (1.5× its predicted length, at most 500τ) and 30τ of further training
  const after = (Number.isFinite(plateauPredicted) ? Math.min(1.5 * plateauPredicted, 500 * tau) : 30 * tau) + 30 * tau;
  const tEnd = tEscPredicted + after;
  const denseFrom = Math.max(0, tEscPredicted - DENSE_BEFORE_ESCAPE * tau);
  const saveAt: number[] = [0];
  for (let i = 1; i < SPARSE_POINTS; i++) saveAt.push((denseFrom * i) / SPARSE_POINTS);
  for (let i = 0; i <= DENSE_POINTS; i++) saveAt.push(denseFrom + ((tEnd - denseFrom) * i) / DENSE_POINTS);
  const grid = Float64Array.from(new Set(saveAt)).sort();
  grid[grid.length - 1] = tEnd;
  return {
    params: p, data, stats, loss, activation, eps, d, offsets: off, kappa, tau, transformer, y0, L0, escapeLevel, bag, Fstar, FstarSigma,
    blowUp, tEscPredicted, plateauPredicted, tEnd, saveAt: grid,
  };
}

/**
 * A small cache of setups keyed by the parameter values (runs with equal parameters share one):
 * at most 32 setups, and at most half the memory limit of data among them (the oldest go first;
 * a sweep over data sizes keeps only the last few large data sets).
 */
export function setupCache(source: DataSource): (p: Params) => ChenLuoSetup {
  const cache = new Map<string, ChenLuoSetup>();
  const bytes = (st: ChenLuoSetup): number => dataSetBytes(st.data.n, st.data.s, st.data.d);
  return (p) => {
    const key = JSON.stringify(Object.entries(p).sort(([a], [b]) => (a < b ? -1 : 1)));
    let hit = cache.get(key);
    if (!hit) {
      hit = buildSetup(source, p);
      cache.set(key, hit);
      let total = 0;
      for (const st of cache.values()) total += bytes(st);
      for (const [k, st] of cache) {
        if (k === key || (cache.size <= 32 && total <= 0.5 * memoryLimit())) break;
        cache.delete(k);
        total -= bytes(st);
      }
    }
    return hit;
  };
}
