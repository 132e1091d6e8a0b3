/**
 * Vector fields of the token-span model: dθ/dτ = −R ∇L(θ) with R the rate of each block, so
 * τ = η·steps for gradient descent with learning rate η (explicit Euler with step η).
 *
 * Rates: neurons η_w (times m for the per-particle mean-field time), attention η_A; a training
 * stage masks one of them to 0 (Algorithm 1 [V: name; R: details]):
 *   Stage 1 'neurons' (η_w, 0), Stage 2 'attention' (0, η_A), Stage 3 'neurons' (η_w, 0),
 *   'simultaneous' (η_w, η_A).
 */
import type { RhsFn } from '../../solve/types.js';
import type { YangConfig } from './config.js';
import { TokenSpanNetwork } from './network.js';

export type StageMode = 'simultaneous' | 'neurons' | 'attention';

export interface Rates {
  readonly neuron: number;
  readonly attention: number;
}

/** The block rates of a training mode. */
export function stageRates(c: YangConfig, mode: StageMode): Rates {
  return {
    neuron: mode === 'attention' ? 0 : c.neuronRate,
    attention: mode === 'neurons' ? 0 : c.etaA,
  };
}

/** out ← −R g in place (g the gradient, already in `out`). */
export function applyRates(c: YangConfig, rates: Rates, out: Float64Array): void {
  const attnEnd = c.storedHeads * c.attnSize;
  for (let i = 0; i < attnEnd; i++) out[i] = -rates.attention * out[i];
  for (let i = attnEnd; i < c.n; i++) out[i] = -rates.neuron * out[i];
}

/**
 * The field of one training mode. `withModes` takes a kink mode per switching function (see
 * TokenSpanNetwork.gradient); `switching` writes the switching functions (the pre-activations).
 */
export interface YangField extends RhsFn {
  readonly net: TokenSpanNetwork;
  withModes(t: number, y: Float64Array, modes: Float64Array | null, dy: Float64Array): void;
  switching(t: number, y: Float64Array, out: Float64Array): void;
}

export function gradientField(c: YangConfig, mode: StageMode, net = new TokenSpanNetwork(c)): YangField {
  const rates = stageRates(c, mode);
  const withModes = (_t: number, y: Float64Array, modes: Float64Array | null, dy: Float64Array): void => {
    net.gradient(y, dy, modes);
    applyRates(c, rates, dy);
  };
  const switching = (_t: number, y: Float64Array, out: Float64Array): void => {
    net.forward(y);
    out.set(net.pre);
  };
  return Object.assign((t: number, y: Float64Array, dy: Float64Array) => withModes(t, y, null, dy), { net, withModes, switching });
}

/** Which mode is active at time τ of a three-stage run with stage boundaries [τ_a, τ_b]. */
export function modeAt(tau: number, boundaries: readonly [number, number]): StageMode {
  return tau < boundaries[0] ? 'neurons' : tau < boundaries[1] ? 'attention' : 'neurons';
}

/**
 * Three-stage training as one time-dependent field (for `gradflow run`): the mask switches at the
 * stage boundaries. An adaptive integrator resolves the jumps by step rejection; the staged runner
 * (training.ts) restarts at each boundary instead and is what the checks use.
 */
export function threeStageField(c: YangConfig, boundaries: readonly [number, number]): RhsFn {
  const net = new TokenSpanNetwork(c);
  const neurons = stageRates(c, 'neurons');
  const attention = stageRates(c, 'attention');
  return (t, y, dy) => {
    net.gradient(y, dy);
    applyRates(c, modeAt(t, boundaries) === 'attention' ? attention : neurons, dy);
  };
}
