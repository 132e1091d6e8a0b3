/**
 * Parameters of the Gong model and their resolution into one typed, validated configuration.
 *
 * Every unverified modelling choice of the reconstruction is a switch (technical note
 * gong-two-stage.md, §1.3, §2, §3.3, §8): ReLU coupling (variant), data law of Q (qlaw), the
 * mixture of P-only/Q-only/both examples (p0, q0), token L2 normalisation (normalize), the
 * in-context normaliser, the readout u, weight decay, the dynamics mode and the initialisation.
 */
import { inputError } from '../../util/errors.js';
import { choice, num } from '../params.js';
import type { ParamSpec, Params } from '../types.js';

export const GONG_PARAMS: Readonly<Record<string, ParamSpec>> = {
  variant: { kind: 'choice', default: 'B', choices: ['A', 'B'], doc: 'A: one ReLU on the summed block scores; B: two parallel ReLU sub-models (P and Q)' },
  qlaw: { kind: 'choice', default: 'rays', choices: ['clusters', 'rays'], doc: "Q data: 'clusters' (y=+1 at 0, y=−1 at ±ζ, Gaussian noise σ_Q; authors' notebook) or 'rays' (α·z, α·(z ± ζ), α ~ U[0,1]; Li–Wei–Ma)" },
  normalize: { kind: 'choice', default: 'blocks', choices: ['off', 'blocks', 'token'], doc: "token L2 normalisation: 'off', 'blocks' (x^P and x^Q each to unit norm) or 'token' (the whole [x^P; x^Q]; finite context only)" },
  context: { kind: 'choice', default: 'infinite', choices: ['infinite', 'finite'], doc: "'infinite': L → ∞, the in-context average in closed form; 'finite': prompts of L examples" },
  L: { kind: 'number', default: 32, range: [1, 4096], integer: true, doc: 'in-context examples per prompt (context = finite)' },
  normalizer: { kind: 'choice', default: 'L', choices: ['L', 'L+1', 'none'], doc: "in-context normaliser 1/L, 1/(L+1) or none (identical 1/L at L = ∞; 'none' needs a finite context)" },
  flow: { kind: 'choice', default: 'full', choices: ['full', 'reduced'], doc: "'full': W_P, W_Q (d×d) on a fixed sample; 'reduced': (a, b, p, q[, u]) at L = ∞ by quadrature (Variant B)" },
  init: { kind: 'choice', default: 'random', choices: ['random', 'symmetric'], doc: "'random': entries ω·N(0,1)/√d; 'symmetric': W_P = ωI, W_Q = ωI (clusters) or ω(ẑẑᵀ + ζ̂ζ̂ᵀ) (rays)" },
  omega: { kind: 'number', default: 0.1, range: [0, 100], doc: 'initialisation scale ω' },
  readout: { kind: 'choice', default: 'fixed', choices: ['fixed', 'trained'], doc: 'readout scalar u fixed at u0, or trained from u0' },
  u0: { kind: 'number', default: 1, range: [-100, 100], doc: 'readout u (initial value if trained)' },
  lambda: { kind: 'number', default: 0, range: [0, 10], doc: 'weight decay λ/2·(‖W_P‖²_F + ‖W_Q‖²_F)' },
  dynamics: { kind: 'choice', default: 'flow', choices: ['flow', 'gd', 'noisy'], doc: "'flow': gradient flow; 'gd': discrete GD, η1 until t1 then η2; 'noisy': GD plus Langevin noise √(2τη)·ξ" },
  eta1: { kind: 'number', default: 40, range: [1e-6, 1e4], doc: 'learning rate of stage 1 (gd, noisy)' },
  eta2: { kind: 'number', default: 4, range: [1e-6, 1e4], doc: 'learning rate after t1 (gd, noisy)' },
  t1: { kind: 'number', default: 2000, range: [0, 1e9], doc: 'physical time Σ η at which η1 → η2 (gd, noisy)' },
  tau: { kind: 'number', default: 1e-5, range: [0, 10], doc: 'Langevin temperature τ: noise variance 2τη per step and entry (noisy)' },
  tEnd: { kind: 'number', default: 20000, range: [1e-3, 1e9], doc: 'horizon in physical time t (Σ η for gd and noisy)' },
  d: { kind: 'number', default: 16, range: [2, 256], integer: true, doc: 'dimension d = d_P = d_Q' },
  gamma0: { kind: 'number', default: 1, range: [0, 100], doc: 'P margin γ0 (‖w*‖ = 1)' },
  sigmaP: { kind: 'number', default: 0.25, range: [0, 100], doc: 'P noise per coordinate σ_P (default d^{−1/2} for d = 16, the Li–Wei–Ma scale)' },
  zeta: { kind: 'number', default: 2, range: [0, 100], doc: 'Q separation r = ‖ζ‖' },
  sigmaQ: { kind: 'number', default: 1, range: [0, 100], doc: 'Q noise per coordinate σ_Q (clusters)' },
  p0: { kind: 'number', default: 0.2, range: [0, 1], doc: 'probability that an example is P-only (Q part 0)' },
  q0: { kind: 'number', default: 0.2, range: [0, 1], doc: 'probability that an example is Q-only (P part 0)' },
  N: { kind: 'number', default: 2048, range: [16, 1048576], integer: true, doc: 'sample size of the full flow: queries (infinite context) or prompts (finite)' },
  quad: { kind: 'number', default: 48, range: [4, 200], integer: true, doc: 'Gauss quadrature order per dimension (reduced flow, κ, Variant A inner average)' },
  saves: { kind: 'number', default: 200, range: [10, 5000], integer: true, doc: 'number of save times (geometric in t)' },
  seed: { kind: 'number', default: 1, range: [0, 2 ** 32 - 1], integer: true, doc: 'seed of the initial weights (and the Langevin noise)' },
  dataSeed: { kind: 'number', default: 7, range: [0, 2 ** 32 - 1], integer: true, doc: 'seed of the directions ŵ, ẑ, ζ̂ and of the fixed sample (common random numbers)' },
};

export type Variant = 'A' | 'B';
export type QLaw = 'clusters' | 'rays';
export type Normalize = 'off' | 'blocks' | 'token';
export type Dynamics = 'flow' | 'gd' | 'noisy';

/** The resolved configuration (one object, validated once). */
export interface GongConfig {
  readonly variant: Variant;
  readonly qlaw: QLaw;
  readonly normalize: Normalize;
  readonly infinite: boolean;
  readonly L: number;
  /** Factor in front of Σᵢ: 1/L, 1/(L+1) or 1 (finite context); the L = ∞ average otherwise. */
  readonly contextFactor: number;
  readonly flow: 'full' | 'reduced';
  readonly init: 'random' | 'symmetric';
  readonly omega: number;
  readonly trainU: boolean;
  readonly u0: number;
  readonly lambda: number;
  readonly dynamics: Dynamics;
  readonly eta1: number;
  readonly eta2: number;
  readonly t1: number;
  readonly tau: number;
  readonly tEnd: number;
  readonly d: number;
  readonly gamma0: number;
  readonly sigmaP: number;
  readonly zeta: number;
  readonly sigmaQ: number;
  readonly p0: number;
  readonly q0: number;
  readonly N: number;
  readonly quad: number;
  readonly saves: number;
  readonly seed: number;
  readonly dataSeed: number;
}

/** Which combinations have a closed-form L = ∞ in-context average (see kernels.ts). */
export function infiniteSupported(c: Pick<GongConfig, 'variant' | 'qlaw' | 'normalize'>): boolean {
  if (c.normalize === 'token') return false;
  if (c.variant === 'B') return c.qlaw === 'rays' || c.normalize === 'off';
  return c.qlaw === 'clusters' && c.normalize === 'off';
}

export function gongConfig(p: Params): GongConfig {
  const c: GongConfig = {
    variant: choice(p, 'variant') as Variant,
    qlaw: choice(p, 'qlaw') as QLaw,
    normalize: choice(p, 'normalize') as Normalize,
    infinite: choice(p, 'context') === 'infinite',
    L: num(p, 'L'),
    contextFactor: 1,
    flow: choice(p, 'flow') as 'full' | 'reduced',
    init: choice(p, 'init') as 'random' | 'symmetric',
    omega: num(p, 'omega'),
    trainU: choice(p, 'readout') === 'trained',
    u0: num(p, 'u0'),
    lambda: num(p, 'lambda'),
    dynamics: choice(p, 'dynamics') as Dynamics,
    eta1: num(p, 'eta1'),
    eta2: num(p, 'eta2'),
    t1: num(p, 't1'),
    tau: num(p, 'tau'),
    tEnd: num(p, 'tEnd'),
    d: num(p, 'd'),
    gamma0: num(p, 'gamma0'),
    sigmaP: num(p, 'sigmaP'),
    zeta: num(p, 'zeta'),
    sigmaQ: num(p, 'sigmaQ'),
    p0: num(p, 'p0'),
    q0: num(p, 'q0'),
    N: num(p, 'N'),
    quad: num(p, 'quad'),
    saves: num(p, 'saves'),
    seed: num(p, 'seed'),
    dataSeed: num(p, 'dataSeed'),
  };
  const normalizer = choice(p, 'normalizer');
  const contextFactor = normalizer === 'none' ? 1 : normalizer === 'L+1' ? 1 / (c.L + 1) : 1 / c.L;
  if (c.p0 + c.q0 > 1) throw inputError(`gong: p0 + q0 = ${c.p0 + c.q0} exceeds 1 (they are probabilities of P-only and Q-only examples).`);
  if (c.infinite && normalizer === 'none') throw inputError("gong: normalizer=none needs context=finite (at L = ∞ the unnormalised sum diverges).");
  if (c.infinite && !infiniteSupported(c)) {
    throw inputError(`gong: context=infinite has a closed-form in-context average only for variant B with (qlaw=clusters, normalize=off), (qlaw=rays, normalize=off|blocks), and variant A with (qlaw=clusters, normalize=off); got variant=${c.variant}, qlaw=${c.qlaw}, normalize=${c.normalize}. Use context=finite.`);
  }
  if (c.flow === 'reduced') {
    if (!c.infinite) throw inputError('gong: flow=reduced is the L = ∞ population flow; use context=infinite.');
    if (c.variant !== 'B') throw inputError('gong: flow=reduced exists for variant B only (variant A has no closed-form reduction; the note: "use Monte Carlo or quadrature"); use flow=full.');
    if (c.dynamics === 'noisy') throw inputError('gong: Langevin noise breaks the symmetry the reduced flow assumes; use flow=full for dynamics=noisy.');
  }
  if (c.gamma0 === 0 && c.sigmaP === 0) throw inputError('gong: gamma0 and sigmaP cannot both be 0 (the P part would vanish).');
  if (c.qlaw === 'clusters' && c.sigmaQ === 0 && c.zeta === 0) throw inputError('gong: zeta and sigmaQ cannot both be 0 for qlaw=clusters.');
  return { ...c, contextFactor: c.infinite ? 1 : contextFactor };
}
