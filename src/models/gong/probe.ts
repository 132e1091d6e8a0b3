/**
 * The rank-reduction probe, mirroring the authors' GPT-2 experiment (technical note §6.1, [V:
 * authors' code, `matrix_utils.do_low_rank`; the bottom-k variant `do_low_rank_small_singular` is
 * in the code but commented out]): replace W by its best rank-k part (the top-k singular
 * triplets) or by its bottom-k triplets, k/2d = 0.1, 0.2, …, 1, and measure P and Q accuracy
 * without retraining. Our W is exactly blockdiag(W_P, W_Q); the truncated W is split back into its
 * diagonal blocks (its off-diagonal blocks vanish up to rounding, since each singular triplet of
 * a block-diagonal matrix lies in one block).
 */
import { matrixView, svd } from '../../spectral/index.js';
import type { Engine } from './engine.js';
import { emptyMetrics } from './metrics.js';
import { blockDiag } from './observables.js';

export const PROBE_FRACTIONS: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

export interface ProbeCurves {
  readonly fractions: readonly number[];
  /** Accuracy of the P evaluation (W_Q masked) and the Q evaluation (W_P masked) keeping the top-k triplets. */
  readonly topP: number[];
  readonly topQ: number[];
  readonly bottomP: number[];
  readonly bottomQ: number[];
}

export function rankProbe(engine: Engine, y: Float64Array): ProbeCurves {
  const d = engine.config.d;
  const n = 2 * d;
  const { WP, WQ, u } = engine.blocks(y);
  const dec = svd(matrixView(blockDiag(WP, WQ, d), n, n));
  const full = engine.full();
  const m = emptyMetrics();
  const WPk = new Float64Array(d * d);
  const WQk = new Float64Array(d * d);
  const accAt = (from: number, to: number): [number, number] => {
    WPk.fill(0);
    WQk.fill(0);
    for (let k = from; k < to; k++) {
      const s = dec.s[k];
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          WPk[i * d + j] += s * dec.U.get(i, k) * dec.V.get(j, k); // Σ σ_k u_k v_kᵀ, top-left block
          WQk[i * d + j] += s * dec.U.get(d + i, k) * dec.V.get(d + j, k); // bottom-right block
        }
      }
    }
    full.evaluate(WPk, WQk, u, 'P', m);
    const p = m.acc;
    full.evaluate(WPk, WQk, u, 'Q', m);
    return [p, m.acc];
  };
  const out: ProbeCurves = { fractions: PROBE_FRACTIONS, topP: [], topQ: [], bottomP: [], bottomQ: [] };
  for (const f of PROBE_FRACTIONS) {
    const k = Math.max(1, Math.round(f * n));
    const [tp, tq] = accAt(0, k);
    const [bp, bq] = accAt(n - k, n);
    out.topP.push(tp);
    out.topQ.push(tq);
    out.bottomP.push(bp);
    out.bottomQ.push(bq);
  }
  return out;
}

/** Mean accuracy lost by keeping only the top-k triplets, over k/2d < 1: [P, Q]. */
export function topKDamage(c: ProbeCurves): [number, number] {
  const last = c.fractions.length - 1;
  let p = 0;
  let q = 0;
  for (let i = 0; i < last; i++) {
    p += c.topP[last] - c.topP[i];
    q += c.topQ[last] - c.topQ[i];
  }
  return [p / last, q / last];
}
