/** Loss and accuracy of a set of margins, split by query label: the shape every evaluator returns. */
import { softplus, sigmoid } from '../../expr/special.js';

/** Which weights an evaluation uses: all, P only (W_Q masked) or Q only (W_P masked). */
export type Mask = 'all' | 'P' | 'Q';
export const MASKS: readonly Mask[] = ['all', 'P', 'Q'];

export interface Metrics {
  /** Mean logistic loss ℓ(m) = log(1 + e^{−m}) over the evaluated queries (no weight decay). */
  loss: number;
  /** Accuracy: margin > 0 counts 1, a tie (margin 0 up to rounding) ½. */
  acc: number;
  lossPos: number;
  lossNeg: number;
  accPos: number;
  accNeg: number;
}

export function emptyMetrics(): Metrics {
  return { loss: NaN, acc: NaN, lossPos: NaN, lossNeg: NaN, accPos: NaN, accNeg: NaN };
}

/** ℓ(m) = log(1 + e^{−m}) = softplus(−m). */
export function logistic(m: number): number {
  return softplus(-m);
}

/** ℓ′(m) = −1/(1 + e^{m}) = −sigmoid(−m). */
export function logisticDeriv(m: number): number {
  return -sigmoid(-m);
}

/** Relative size below which a margin counts as a tie (see MetricsAccumulator.add). */
export const TIE_RTOL = 1e-12;

/** Accumulates weighted (margin, label) pairs into Metrics. */
export class MetricsAccumulator {
  private w = [0, 0];
  private l = [0, 0];
  private a = [0, 0];

  reset(): void {
    this.w = [0, 0];
    this.l = [0, 0];
    this.a = [0, 0];
  }

  /**
   * Adds one margin. `scale` is the size of the terms the margin was summed from (Σ|terms|): a
   * margin within TIE_RTOL·scale of 0 is a tie, since it can be exactly 0 in exact arithmetic
   * (e.g. a ReLU kernel whose active terms cancel) and then only rounding decides its sign.
   */
  add(margin: number, label: number, weight: number, scale = 0): void {
    const k = label > 0 ? 0 : 1;
    this.w[k] += weight;
    this.l[k] += weight * logistic(margin);
    const tie = Math.abs(margin) <= TIE_RTOL * scale;
    this.a[k] += weight * (tie ? 0.5 : margin > 0 ? 1 : margin === 0 ? 0.5 : 0);
  }

  write(out: Metrics): void {
    const [wp, wn] = this.w;
    const tot = wp + wn;
    out.loss = (this.l[0] + this.l[1]) / tot;
    out.acc = (this.a[0] + this.a[1]) / tot;
    out.lossPos = this.l[0] / wp;
    out.lossNeg = this.l[1] / wn;
    out.accPos = this.a[0] / wp;
    out.accNeg = this.a[1] / wn;
  }
}
