/**
 * Per-run measurements shared by the predictions, figures and report (computed once per
 * trajectory), and the ε sweep the scaling predictions use. Conventions: measure.ts.
 */
import { svd } from '../../spectral/index.js';
import type { Trajectory } from '../../run/trajectory.js';
import type { CheckContext, Params } from '../types.js';
import { EVENT, eventState, eventTime, plateauPoint, stateAt, type PlateauPoint } from './measure.js';
import { valueColumnCosines } from './observables.js';
import type { ChenLuoSetup } from './setup.js';

/** The ε values of the scaling predictions (ε = 1e-2 … 1e-5). */
export const EPS_SWEEP: readonly number[] = [1e-2, 1e-3, 1e-4, 1e-5];

/**
 * Condensation of W_V is measured this long before escape, in units of τ = ns/(|ℓ′(0)|‖S‖)
 * (the note's "t_esc − 20" was 3.7τ on its data set) [G]: at escape itself W_V has already begun
 * to turn toward the bag-of-tokens readout u* (note §8.7).
 */
export const CONDENSATION_LEAD = 4;

export interface RunAnalysis {
  readonly setup: ChenLuoSetup;
  readonly tr: Trajectory;
  /** First time L < the escape level (0.9 L(0); see ChenLuoSetup.escapeLevel) (NaN if never). */
  readonly tEsc: number;
  /** First time L < 0.9 min L̃1 (NaN if never or no plateau). */
  readonly tExit: number;
  /** First ‖A‖_F = 1e-2 (NaN if never). */
  readonly tAttention: number;
  /** The flattest point after escape (null if none). */
  readonly plateau: PlateauPoint | null;
  /**
   * First save time after escape at which ‖∇_{W_Q,W_K} L‖ ≥ ‖∇_{W_V,W1,W2} L‖: attention updates
   * start to dominate (the paper's stage-2 marker, Fig. 1b); NaN if never.
   */
  readonly tAttentionDominates: number;
  /** State at t_esc − CONDENSATION_LEAD·τ (null if that is before 0). */
  readonly beforeEscape: Float64Array | null;
  /** 1 − min_k |cos(col_k W_V, v)| there, and at escape. */
  readonly condensationGap: number;
  readonly condensationGapAtEscape: number;
  /** F_p = −∇_A L at the plateau point (d×d), its singular values (null without a plateau). */
  readonly Fp: Float64Array | null;
  readonly FpSigma: Float64Array | null;
}

const cache = new WeakMap<Trajectory, RunAnalysis>();

export function analyze(setup: ChenLuoSetup, tr: Trajectory): RunAnalysis {
  const hit = cache.get(tr);
  if (hit) return hit;
  const { d, offsets: off, stats, tau } = setup;
  const tEsc = eventTime(tr, EVENT.escape);
  const tBefore = tEsc - CONDENSATION_LEAD * tau;
  const beforeEscape = Number.isFinite(tEsc) && tBefore >= 0 ? stateAt(setup, tr, tBefore) : null;
  const gap = (y: Float64Array | null): number => (y ? 1 - valueColumnCosines(y, d, off.WV, stats.v).min : NaN);
  const plateau = Number.isFinite(tEsc) ? plateauPoint(setup, tr, tEsc) : null;
  let Fp: Float64Array | null = null;
  let FpSigma: Float64Array | null = null;
  if (plateau) {
    const G = new Float64Array(d * d);
    setup.transformer.attentionGradient(plateau.y, G);
    Fp = G.map((x) => -x);
    FpSigma = svd({ data: Fp, offset: 0, rows: d, cols: d }).s;
  }
  let tAttentionDominates = NaN;
  for (let i = 0; i < tr.t.length; i++) {
    if (tr.t[i] > tEsc && tr.series.grad_attention[i] >= tr.series.grad_outer[i]) { tAttentionDominates = tr.t[i]; break; }
  }
  const out: RunAnalysis = {
    setup, tr, tEsc, tAttentionDominates,
    tExit: eventTime(tr, EVENT.plateauExit),
    tAttention: eventTime(tr, EVENT.attention),
    plateau, beforeEscape,
    condensationGap: gap(beforeEscape),
    condensationGapAtEscape: gap(eventState(tr, EVENT.escape)),
    Fp, FpSigma,
  };
  cache.set(tr, out);
  return out;
}

/** The run at a given ε (the main run when ε is the check's own). */
export function runAtEps(ctx: CheckContext, eps: number): Trajectory {
  return ctx.params.eps === eps ? ctx.main() : ctx.run({ eps });
}

/** Analyses of the ε sweep, in the order of {@link EPS_SWEEP}. */
export function sweep(ctx: CheckContext, setupOf: (p: Params) => ChenLuoSetup): RunAnalysis[] {
  return EPS_SWEEP.map((eps) => {
    const tr = runAtEps(ctx, eps);
    return analyze(setupOf(tr.params), tr);
  });
}
