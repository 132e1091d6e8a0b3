/**
 * The Gong model trained on finite data: fresh prompts with a finite context, the
 * exact minibatch gradient in the full matrices, and the map to and from the flow's coordinates.
 * Used by `src/sgd` (`train`, `gradflow compare`) to set GD and SGD beside the gradient flow.
 *
 * Parameters θ = [W_P (d², row-major), W_Q (d²), u (only with readout=trained)], the layout of the
 * full-matrix flow (fullLayout in full.ts).
 *
 * What is sampled. A prompt is L in-context examples and one query, L + 1 tokens drawn i.i.d. from
 * the configured data law (data.ts: qlaw, normalize, p0/q0, γ0, σ_P, ζ, σ_Q) with the model's own
 * fixed directions ŵ, ẑ, ζ̂ (from dataSeed), in stream order from the trainer's rng. Unlike the
 * full flow's fixed sample, the prompts are not antithetic: they are plain draws of the law.
 *
 * Loss of a batch: mean over its prompts of ℓ(y_q ŷ), ℓ(m) = log(1 + e^{−m}), with the finite-L
 * predictor ŷ = u · c_L Σ_{i≤L} y_i σ(s_i) (Variant A; Variant B: σ(s_iᴾ) + σ(s_iᑫ)), c_L = 1/L,
 * 1/(L+1) or 1 by `normalizer`, plus λ/2(‖W_P‖²_F + ‖W_Q‖²_F) (added once, not per prompt).
 * The gradient is exact, with relu′(0) = heaviside(0) = 0; the per-prompt kernels are the full
 * flow's own (finitePromptForward / finitePromptBackward in full.ts).
 *
 * Finite L against the flow. With context=finite the flow's loss is the same finite-L loss, on
 * its fixed sample of N prompts: discrete runs differ from it by the sampling noise of both
 * samples. With context=infinite (the default) the flow uses the L = ∞ in-context average. For
 * c_L = 1/L the finite-context prediction is unbiased given the query, E[ŷ_L | x_q] = ŷ_∞, but ℓ
 * is convex, so the finite-L loss lies above the L = ∞ loss by ½E[ℓ″ Var(ŷ_L | x_q)] = O(1/L)
 * (1/(L+1) adds a further factor L/(L+1) on ŷ). A discrete run therefore differs from the
 * infinite-context flow by an O(1/L) bias plus sampling noise plus the O(η) discretisation:
 * this is part of what `gradflow compare` measures, not an error. (flow=full at L = ∞ is itself
 * an estimate on N fixed queries, with its own O(N^{−1/2}) sampling error; flow=reduced is the
 * population at L = ∞ by quadrature.)
 *
 * The flow's coordinates. flow=full: θ itself (project and lift are the identity, residual 0).
 * flow=reduced: (a, β, π, q[, u]), the coefficients of W_P, W_Q in the Frobenius-orthonormal
 * basis of the reduced flow's invariant subspace (reduced.ts, layout in model.ts):
 *   W_P: ŵŵᵀ, Π⊥/√(d−1);   W_Q: Π_ζ⊥/√(d−1), ζ̂ζ̂ᵀ (clusters) or ẑẑᵀ, ζ̂ζ̂ᵀ (rays).
 * project takes the inner products ⟨W, E_k⟩_F (the orthogonal projection), lift builds the
 * matrices with exactly those coefficients (ReducedModel.blocks), and residual is the Frobenius
 * norm of θ − lift(project(θ)).
 *
 * Only dynamics=flow can be sampled: with gd or noisy the model's own horizon and right-hand side
 * are in GD steps with the model's schedule, while the trainer brings its own η and noise.
 */
import type { Vec } from '../../solve/types.js';
import { inputError } from '../../util/errors.js';
import type { Rng } from '../../util/rng.js';
import { checkAllocation, FLOAT64 } from '../../util/limits.js';
import type { FiniteSample, Params } from '../types.js';
import { gongConfig, type GongConfig } from './config.js';
import { directions, drawIidTokens, redrawIidTokens, type Tokens } from './data.js';
import { engineFor } from './engine.js';
import { finitePromptBackward, finitePromptForward, fullLayout, type PromptValue } from './full.js';
import { logistic, logisticDeriv } from './metrics.js';

/** A batch of prompts: prompt n is tokens n·stride … n·stride + L − 1 (examples) and n·stride + L (query). */
export interface GongPrompts {
  readonly prompts: number;
  /** Tokens per prompt, L + 1. */
  readonly stride: number;
  readonly tokens: Tokens;
}

export function gongFiniteSample(p: Params): FiniteSample<GongPrompts> {
  const c = gongConfig(p); // validates the flow's own configuration
  if (c.dynamics !== 'flow') {
    throw inputError(`gong: the finite-sample form compares discrete training with the gradient flow; set dynamics=flow (got dynamics=${c.dynamics}: its horizon is in GD steps of the model's own η schedule, while discrete training brings its own η, schedule and Langevin noise, e.g. --eta and --langevin of gradflow compare).`);
  }
  // the same parameters at a finite context of L examples: the sampler and c_L (1/L, 1/(L+1), 1)
  const fc: GongConfig = c.infinite ? gongConfig({ ...p, context: 'finite', flow: 'full' }) : c;
  const d = c.d;
  const dd = d * d;
  const L = fc.L;
  const lay = fullLayout(c);
  const dir = directions(c);
  const reduced = c.flow === 'reduced';
  const sq = Math.sqrt(d - 1);
  const clusters = c.qlaw === 'clusters';
  // per-prompt workspace: the kernels loop over prompts, so nothing depends on the batch size
  const vP = new Float64Array(d);
  const vQ = new Float64Array(d);
  const sumP = new Float64Array(d);
  const sumQ = new Float64Array(d);
  const value: PromptValue = { f: 0, fp: 0, fq: 0, fabs: 0 };
  const flowDim = reduced ? 4 + (c.trainU ? 1 : 0) : lay.dim;

  /** xᵀ M y for the block of θ at offset o. */
  const form = (theta: Vec, o: number, x: Float64Array, y: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < d; i++) {
      let r = 0;
      for (let j = 0; j < d; j++) r += theta[o + i * d + j] * y[j];
      s += x[i] * r;
    }
    return s;
  };
  const trace = (theta: Vec, o: number): number => {
    let s = 0;
    for (let i = 0; i < d; i++) s += theta[o + i * d + i];
    return s;
  };

  /** (a, β, π, q[, u]) = ⟨W, E_k⟩_F for the orthonormal basis E_k of the reduced subspace. */
  const project = (theta: Vec, out: Vec): void => {
    if (!reduced) {
      out.set(theta);
      return;
    }
    const a = form(theta, lay.wp, dir.w, dir.w);
    const q = form(theta, lay.wq, dir.zeta, dir.zeta);
    out[0] = a;
    out[1] = (trace(theta, lay.wp) - a) / sq; // ⟨W_P, Π⊥⟩/√(d−1), tr(Π⊥W) = tr W − ŵᵀWŵ
    out[2] = clusters ? (trace(theta, lay.wq) - q) / sq : form(theta, lay.wq, dir.z, dir.z);
    out[3] = q;
    if (c.trainU) out[4] = theta[lay.u];
  };

  const projected = new Float64Array(flowDim);
  const exampleBytes = (L + 1) * (2 * d * FLOAT64 + 2); // a prompt: L + 1 tokens [x^P; x^Q], label and type
  const exampleShape = `${L + 1} tokens × ${2 * d} coordinates`; // one example is one prompt
  return {
    dim: lay.dim,
    exampleBytes,
    exampleShape,
    lift(yFlow: Vec): Vec {
      if (!reduced) return Float64Array.from(yFlow);
      const { WP, WQ, u } = engineFor(p).blocks(yFlow); // the reduced flow's own matrices
      const theta = new Float64Array(lay.dim);
      theta.set(WP, lay.wp);
      theta.set(WQ, lay.wq);
      if (c.trainU) theta[lay.u] = u;
      return theta;
    },
    sample(rng: Rng, count: number): GongPrompts {
      checkAllocation(`gong: ${count} prompts × ${L + 1} tokens × ${2 * d} coordinates`, count * exampleBytes, { of: 'training data', hint: 'draw fewer prompts, or use a smaller L or d' });
      return { prompts: count, stride: L + 1, tokens: drawIidTokens(fc, dir, rng, count * (L + 1)) };
    },
    resample: (rng, data) => redrawIidTokens(fc, dir, rng, data.tokens),
    lossGrad(theta: Vec, data: GongPrompts, idx: Int32Array | null, grad: Vec): number {
      if (data.stride !== L + 1 || data.tokens.d !== d) throw new Error(`gong finite sample: prompts of ${data.stride} tokens in dimension ${data.tokens.d}, expected ${L + 1} in dimension ${d}`);
      const m = idx ? idx.length : data.prompts;
      const t = data.tokens;
      const u = c.trainU ? theta[lay.u] : c.u0;
      grad.fill(0);
      let loss = 0;
      let gu = 0;
      for (let s = 0; s < m; s++) {
        const first = (idx ? idx[s] : s) * data.stride;
        finitePromptForward(fc, t, first, theta, lay.wp, theta, lay.wq, vP, vQ, 0, value);
        const label = t.y[first + L];
        const margin = label * u * value.f;
        loss += logistic(margin);
        const e = (logisticDeriv(margin) * label) / m; // ∂(mean loss)/∂ŷ
        gu += e * value.f; // ∂ŷ/∂u = F
        finitePromptBackward(fc, t, first, vP, vQ, 0, e * u, grad, lay.wp, lay.wq, sumP, sumQ);
      }
      loss /= m;
      let decay = 0;
      for (let i = 0; i < 2 * dd; i++) {
        decay += theta[i] * theta[i];
        grad[i] += c.lambda * theta[i];
      }
      if (c.trainU) grad[lay.u] = gu;
      return loss + 0.5 * c.lambda * decay;
    },
    project,
    residual(theta: Vec): number {
      if (!reduced) return 0;
      project(theta, projected);
      const a = projected[0];
      const b = projected[1] / sq;
      const pc = clusters ? projected[2] / sq : projected[2];
      const q = projected[3];
      const { w, zeta, z } = dir;
      let r = 0;
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          const id = i === j ? 1 : 0;
          r += (theta[lay.wp + i * d + j] - a * w[i] * w[j] - b * (id - w[i] * w[j])) ** 2;
          const sym = clusters ? pc * (id - zeta[i] * zeta[j]) + q * zeta[i] * zeta[j] : pc * z[i] * z[j] + q * zeta[i] * zeta[j];
          r += (theta[lay.wq + i * d + j] - sym) ** 2;
        }
      }
      return Math.sqrt(r);
    },
  };
}
