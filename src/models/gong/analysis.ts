/**
 * Stage times and the quantities the predictions compare, from one trajectory (technical note
 * §7.4, [R]). Times are physical: t for 'flow', Σ η for 'gd' and 'noisy'.
 *
 * - t_P (t_Q): the first time the P (Q) evaluation loss falls to 0.1·log 2, i.e. the block has
 *   been learned *with margin* (the note's alternative criterion). The note's other criterion,
 *   accuracy ≥ 0.95, is reported beside it (t_P^acc, t_Q^acc) but is not used for the stages:
 *   with u fixed the prediction is positively homogeneous of degree 1 in W, so accuracy depends
 *   only on the direction of each block and is decided within O(ω/rate) of a small start — it
 *   says when a direction is right, not when a block has been learned.
 * - Stage 1 is [0, t_P], stage 2 is [t_P, t_Q] (or [t_P, end] if Q is never learned).
 * - The learned spectrum: singular values of W above twice the initial spectral norm ‖W(0)‖₂.
 *   Separation index = (smallest learned singular value whose vectors lie mostly in Q) /
 *   (largest learned one lying mostly in P): > 1 means every learned Q direction is above every
 *   learned P direction (top from W_Q, bottom from W_P).
 */
import type { Trajectory } from '../../run/trajectory.js';
import { blockDiag, spectrumWithMass } from './observables.js';
import { engineFor } from './engine.js';
import { maxOf, minOf } from '../../util/array.js';

export const ACC_LEVEL = 0.95;
export const LOSS_LEVEL = 0.1 * Math.LN2;
/** Singular values above this multiple of ‖W(0)‖₂ count as learned. */
export const LEARNED_FACTOR = 2;

export interface StageAnalysis {
  readonly time: Float64Array;
  /** Stage times by the loss criterion (the stages). */
  readonly tP: number | null;
  readonly tQ: number | null;
  /** Times by the accuracy criterion (reported only). */
  readonly tPacc: number | null;
  readonly tQacc: number | null;
  /** t_Q/t_P (Infinity if Q is never learned, NaN if P is not). */
  readonly ratio: number;
  /** Index of the first save time ≥ t_P (end of stage 1), or −1. */
  readonly iP: number;
  readonly iEnd: number;
  /** max over stage 1 of ‖W_Q(t)‖_F/‖W_Q(0)‖_F, and of |acc_Q(t) − ½|. */
  readonly stage1FrobQ: number;
  readonly stage1AccQDev: number;
  /** min of acc_P over [t_P, end]. */
  readonly minAccPAfter: number;
}

/** First time `series` reaches `level` from below (rising) or above (falling), linear in t; t[0] if it starts there. */
export function firstReach(t: ArrayLike<number>, series: ArrayLike<number>, level: number, rising: boolean): number | null {
  const ok = (v: number): boolean => (rising ? v >= level : v <= level);
  if (series.length === 0) return null;
  if (ok(series[0])) return t[0];
  for (let i = 1; i < series.length; i++) {
    if (ok(series[i])) {
      const a = series[i - 1];
      const b = series[i];
      return t[i - 1] + ((level - a) / (b - a)) * (t[i] - t[i - 1]);
    }
  }
  return null;
}

const memo = new WeakMap<Trajectory, StageAnalysis>();

export function analyse(tr: Trajectory): StageAnalysis {
  const hit = memo.get(tr);
  if (hit) return hit;
  const time = tr.series.time;
  const s = tr.series;
  const n = time.length;
  const tP = firstReach(time, s.loss_P, LOSS_LEVEL, false);
  const tQ = firstReach(time, s.loss_Q, LOSS_LEVEL, false);
  const tPacc = firstReach(time, s.acc_P, ACC_LEVEL, true);
  const tQacc = firstReach(time, s.acc_Q, ACC_LEVEL, true);
  const ratio = tP === null ? NaN : tQ === null ? Infinity : tP > 0 ? tQ / tP : tQ > 0 ? Infinity : NaN;
  const iP = tP === null ? -1 : time.findIndex((x) => x >= tP);
  let frobQ = 0;
  let accDev = 0;
  const end1 = iP < 0 ? n - 1 : iP;
  for (let i = 0; i <= end1; i++) {
    frobQ = Math.max(frobQ, s.frob_Q[i] / s.frob_Q[0]);
    accDev = Math.max(accDev, Math.abs(s.acc_Q[i] - 0.5));
  }
  let minAccP = Infinity;
  if (iP >= 0) for (let i = iP; i < n; i++) minAccP = Math.min(minAccP, s.acc_P[i]);
  const out: StageAnalysis = { time, tP, tQ, tPacc, tQacc, ratio, iP, iEnd: n - 1, stage1FrobQ: frobQ, stage1AccQDev: accDev, minAccPAfter: iP >= 0 ? minAccP : NaN };
  memo.set(tr, out);
  return out;
}

export interface LearnedSpectrum {
  /** Learned singular values lying mostly in Q and mostly in P (descending), at the end. */
  readonly q: number[];
  readonly p: number[];
  /** min(q)/max(p); Infinity if no P value is learned, 0 if no Q value is. */
  readonly index: number;
  readonly threshold: number;
}

/** The learned spectrum of W at save index i (default: the end) against the initial ‖W(0)‖₂. */
export function learnedSpectrum(tr: Trajectory, i = tr.solution.y.length - 1): LearnedSpectrum {
  const engine = engineFor(tr.params);
  const d = engine.config.d;
  const at = (y: Float64Array) => {
    const b = engine.blocks(y);
    return spectrumWithMass(blockDiag(b.WP, b.WQ, d), d);
  };
  const threshold = LEARNED_FACTOR * at(tr.solution.y[0]).sigma[0];
  const { sigma, qmass } = at(tr.solution.y[i]);
  const q: number[] = [];
  const p: number[] = [];
  sigma.forEach((x, k) => {
    if (x > threshold) (qmass[k] > 0.5 ? q : p).push(x);
  });
  const index = q.length === 0 ? 0 : p.length === 0 ? Infinity : minOf(q) / maxOf(p);
  return { q, p, index, threshold };
}
