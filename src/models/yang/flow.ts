/**
 * Vector fields of the token-span model: dθ/dτ = −R ∇L(θ) with R the rate of each block, so
 * τ = η·steps for gradient descent with learning rate η (explicit Euler with step η).
 *
 * Rates: neurons η_w (times m for the per-particle mean-field time), attention η_A; a training
 * stage masks one of them to 0 (Algorithm 1 [V: name; R: details]):
 *   Stage 1 'neurons' (η_w, 0), Stage 2 'attention' (0, η_A), Stage 3 'neurons' (η_w, 0),
 *   'simultaneous' (η_w, η_A).
 */
import type { SwitchedSystem } from '../../solve/kinks/types.js';
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
 * The field of one training mode, or of a three-stage schedule with its masks switched at the
 * stage boundaries. `withModes` takes a kink mode per switching function (see
 * TokenSpanNetwork.gradient); `switched` is the same field in the form src/solve's kink treatment
 * takes (switching functions = the pre-activations, field with kink factors as input, exact rates).
 */
export interface YangField extends RhsFn {
  readonly net: TokenSpanNetwork;
  withModes(t: number, y: Float64Array, modes: Float64Array | null, dy: Float64Array): void;
  readonly switched: SwitchedSystem;
}

/**
 * The independent switching functions: every pre-activation, or with symmetry imposed only those
 * of head + (head −'s are the same functions of the state, pre_{−,r,t,l} = pre_{+,r,D(t),l} with
 * D(t) the mirrored sample type, and listing both would give the kink treatment duplicate surfaces).
 */
export class SwitchingSet {
  readonly count: number;
  private readonly net: TokenSpanNetwork;
  /** Independent index of every pre-activation. */
  private readonly source: Int32Array;
  private readonly full: Float64Array;
  private readonly fullRates: Float64Array;

  constructor(net: TokenSpanNetwork) {
    this.net = net;
    const { m, L } = net.c;
    const T = net.T;
    const imposed = net.c.storedHeads === 1;
    this.count = imposed ? net.nSwitch / 2 : net.nSwitch;
    this.source = new Int32Array(net.nSwitch);
    const types = net.data.types;
    const mirror = types.map((tp) => types.findIndex((q) => q.k === tp.k && q.s.every((v, j) => v === -tp.s[j])));
    for (let h = 0; h < 2; h++) for (let t = 0; t < T; t++) for (let r = 0; r < m; r++) for (let l = 0; l < L; l++) {
      const i = ((h * T + t) * m + r) * L + l;
      this.source[i] = imposed && h === 1 ? ((0 * T + mirror[t]) * m + r) * L + l : i;
    }
    this.full = new Float64Array(net.nSwitch);
    this.fullRates = new Float64Array(net.nSwitch);
  }

  /** s_i(y) into out (length count). */
  values(y: Float64Array, out: Float64Array): void {
    this.net.forward(y);
    out.set(this.net.pre.subarray(0, this.count));
  }

  /** The kink mode of every pre-activation from the modes of the independent functions. */
  expand(mode: Float64Array): Float64Array {
    if (this.count === this.net.nSwitch) return mode;
    for (let i = 0; i < this.full.length; i++) this.full[i] = mode[this.source[i]];
    return this.full;
  }

  /** ds_i/dt along v into out (length count). */
  rates(y: Float64Array, v: Float64Array, out: Float64Array): void {
    this.net.forward(y);
    this.net.preRates(y, v, this.fullRates);
    for (let i = 0; i < this.count; i++) out[i] = this.fullRates[i];
  }

  label(i: number): string {
    return switchLabel(this.net, i);
  }
}

function makeField(c: YangConfig, ratesAt: (t: number) => Rates, net: TokenSpanNetwork): YangField {
  const withModes = (t: number, y: Float64Array, modes: Float64Array | null, dy: Float64Array): void => {
    net.gradient(y, dy, modes);
    applyRates(c, ratesAt(t), dy);
  };
  const set = new SwitchingSet(net);
  const switched: SwitchedSystem = {
    count: set.count,
    label: (i) => set.label(i),
    evaluate: (_t, y, out) => set.values(y, out),
    field: (t, y, mode, dydt) => withModes(t, y, set.expand(mode), dydt),
    rates: (_t, y, _mode, v, out) => set.rates(y, v, out), // no nested kinks
  };
  return Object.assign((t: number, y: Float64Array, dy: Float64Array) => withModes(t, y, null, dy), { net, withModes, switched });
}

/** The field of one training mode. */
export function gradientField(c: YangConfig, mode: StageMode, net = new TokenSpanNetwork(c)): YangField {
  const rates = stageRates(c, mode);
  return makeField(c, () => rates, net);
}

/** Which mode is active at time τ of a three-stage run with stage boundaries [τ_a, τ_b]. */
export function modeAt(tau: number, boundaries: readonly [number, number]): StageMode {
  return tau < boundaries[0] ? 'neurons' : tau < boundaries[1] ? 'attention' : 'neurons';
}

/**
 * Three-stage training as one time-dependent field (for `gradflow run`): the masks switch at the
 * stage boundaries τ_a, τ_b. In switched form the boundaries are two more switching functions,
 * s_a = τ − τ_a and s_b = τ − τ_b (rate 1, never pinned), so the kink treatment ends a step exactly
 * at each boundary and restarts on the next stage's field: with modes m_a, m_b the neuron rate is
 * η_w·[(1 − m_a) + m_b] and the attention rate η_A·m_a(1 − m_b) (affine in each mode; with
 * m = heaviside(s) these are the masks of Stages 1, 2, 3). The checks use the staged runner
 * (training.ts), which restarts at each boundary itself.
 */
export function threeStageField(c: YangConfig, boundaries: readonly [number, number], net = new TokenSpanNetwork(c)): YangField {
  const neurons = stageRates(c, 'neurons');
  const attention = stageRates(c, 'attention');
  const plain = (t: number, y: Float64Array, modes: Float64Array | null, dy: Float64Array): void => {
    net.gradient(y, dy, modes);
    applyRates(c, modeAt(t, boundaries) === 'attention' ? attention : neurons, dy);
  };
  const set = new SwitchingSet(net);
  const K = set.count;
  const inner = new Float64Array(K);
  const switched: SwitchedSystem = {
    count: K + 2,
    label: (i) => (i < K ? set.label(i) : i === K ? `end of Stage 1 (τ − ${boundaries[0]})` : `end of Stage 2 (τ − ${boundaries[1]})`),
    evaluate: (t, y, out) => {
      set.values(y, inner);
      out.set(inner);
      out[K] = t - boundaries[0];
      out[K + 1] = t - boundaries[1];
    },
    field: (_t, y, mode, dydt) => {
      net.gradient(y, dydt, set.expand(mode.subarray(0, K)));
      const ma = mode[K];
      const mb = mode[K + 1];
      applyRates(c, { neuron: c.neuronRate * (1 - ma + mb), attention: c.etaA * ma * (1 - mb) }, dydt);
    },
    rates: (_t, y, _mode, v, out) => {
      set.rates(y, v, inner);
      out.set(inner);
      out[K] = 1; // d(τ − τ_a)/dτ
      out[K + 1] = 1;
    },
  };
  return Object.assign((t: number, y: Float64Array, dy: Float64Array) => plain(t, y, null, dy), { net, withModes: plain, switched });
}

/** "pre[+, r1, k1 (+,-), q2 μ_1]": head, neuron, sample type, query position and its token. */
export function switchLabel(net: TokenSpanNetwork, i: number): string {
  const { m, L, K } = net.c;
  const l = i % L;
  const r = Math.floor(i / L) % m;
  const t = Math.floor(i / (L * m)) % net.T;
  const h = Math.floor(i / (L * m * net.T));
  const tp = net.data.types[t];
  const token = tp.sign[l] === 0 ? '0' : tp.index[l] < K ? `c_${tp.index[l] + 1}` : `μ_${tp.index[l] - K + 1}`;
  return `pre[${h === 0 ? '+' : '−'}, r${r + 1}, ${tp.name}, q${l + 1} ${token}]`;
}
