/**
 * The regimes of Luo, Xu, Ma, Zhang (JMLR 2021) as checks: the slope of log RD(θ_w) at the end
 * of training against log m is negative in the linear regime, positive in the condensed regime
 * and about zero on the critical line, measured as in the authors' code (antisymmetric
 * initialization, train to a small loss, fit over widths).
 */
import { fmt4 as fmt } from '../../util/errors.js';
import { logLogSlope } from '../../util/fit.js';
import type { CheckContext, Model, Prediction, Verdict } from '../types.js';
import { num, resolveParams } from '../params.js';
import { trainGd } from './train-gd.js';

const LXMZ = 'Luo, Xu, Ma, Zhang, JMLR 22(71) 2021';
export const WIDTHS = [100, 400, 1600] as const;

/**
 * Final RD at each width, and the fitted slope; NaN where a run did not reach the loss target.
 * `model` is the two-layer ReLU flow (its parameters, initialization, flow and loss), passed in
 * so that this module does not import model.ts.
 */
export function rdSlope(model: Model, ctx: CheckContext, at: { gamma?: number; gammaPrime?: number } = {}): { slope: number; rd: number[] } {
  const rd = WIDTHS.map((m) => {
    const r = trainGd(model, resolveParams(model, { ...ctx.params, ...at, m }));
    return r.reached ? r.rd : NaN;
  });
  return { slope: rd.some((x) => !Number.isFinite(x)) ? NaN : logLogSlope([...WIDTHS], rd), rd };
}

function regime(model: Model, id: string, claim: string, where: string, gamma: number, gammaPrime: number, test: (s: number) => boolean, predicted: string): Prediction {
  return {
    id,
    claim,
    source: { paper: LXMZ, where, status: 'verified' },
    check(ctx): Verdict {
      const { slope, rd } = rdSlope(model, ctx, { gamma, gammaPrime });
      return {
        pass: Number.isFinite(slope) && test(slope),
        measured: slope,
        predicted,
        tolerance: 'sign of the fitted slope over m = 100, 400, 1600 (full-batch GD to the loss target)',
        detail: `(γ, γ′) = (${gamma}, ${gammaPrime}): RD at the end of training ${rd.map(fmt).join(', ')} (loss < ${fmt(num(ctx.params, 'lossTarget'))}; NaN: target not reached)`,
      };
    },
  };
}

/** The three regime checks, training copies of `model` (the two-layer ReLU flow). */
export const twoLayerPredictions = (model: Model): readonly Prediction[] => [
  regime(model, 'linear-regime', 'At the NTK scaling (γ, γ′) = (1/2, 0), inside the linear regime (γ < 1), the input weights barely move: RD → 0 as m grows.', 'Theorem 1 (linear regime)', 0.5, 0, (s) => s < -0.1, 'slope < 0 (RD → 0)'),
  regime(model, 'condensed-regime', 'At (γ, γ′) = (1.75, 0), inside the condensed regime (γ > 1, γ′ < γ − 1), the input weights move far from their start: RD → ∞ as m grows.', 'Theorem 2 (condensed regime)', 1.75, 0, (s) => s > 0.1, 'slope > 0 (RD → ∞)'),
  regime(model, 'critical-line', 'At the mean-field scaling (γ, γ′) = (1, 0), on the critical line, RD stays of order one: the slope is near zero.', 'critical regime (boundary of Theorems 1–2)', 1, 0, (s) => Math.abs(s) < 0.15, '|slope| < 0.15'),
];
