/**
 * Parameters of the Yang model: the data, the reconstruction's unverified choices as switches
 * (technical note §1.2), the initialisation, and the training schedule. Defaults reproduce the
 * note's §8 configuration and reference run C (K = 2, L = 3, averaged init σ0 = 10⁻³,
 * Stage durations 6000/20000/6000 steps at η = 0.2, i.e. τ = 1200/4000/1200).
 */
import type { ParamSpec, ParamValue, Params } from '../types.js';

export const YANG_PARAMS: Readonly<Record<string, ParamSpec>> = {
  K: { kind: 'number', default: 2, range: [2, 5], integer: true, doc: 'number of mixtures (class identifiers c_k and signals μ_k); the population has K·2^K sample types' },
  pad: { kind: 'number', default: 0, range: [0, 8], integer: true, doc: 'zero tokens appended to each sequence (L = K + 1 + pad)' },
  m: { kind: 'number', default: 1, range: [1, 4096], integer: true, doc: 'neurons (particles) per head; readout ±1/m fixed' },
  init: { kind: 'choice', default: 'averaged', choices: ['averaged', 'symmetric-random', 'random', 'mean-field'], doc: 'averaged: ω_±(0) = ±σ0 Σ μ_j (m = 1); symmetric-random: ω_− = Dω_+ with ω_+ ~ N(0, σ0²); random: independent heads; mean-field: symmetric-random particles with the meanFieldTime scaling' },
  sigma0: { kind: 'number', default: 1e-3, range: [1e-8, 10], doc: 'neuron initialisation scale σ0' },
  attnScale: { kind: 'number', default: 0, range: [0, 10], doc: 'initial attention entries (A_h, or K̃_h and Q̃_h) ~ N(0, attnScale²); 0 = uniform attention' },
  keyQuery: { kind: 'choice', default: 'combined', choices: ['combined', 'separate'], doc: 'combined key-query matrix A_h, or separate K̃_h, Q̃_h with A_h = K̃_hᵀQ̃_h (needs attnScale > 0)' },
  dk: { kind: 'number', default: 0, range: [0, 64], integer: true, doc: 'rows of K̃_h and Q̃_h for keyQuery=separate; 0 means p = 2K' },
  aggregate: { kind: 'choice', default: 'sum', choices: ['sum', 'mean'], doc: 'output summed over query positions [V: review of Lemma 6.1] or averaged (rescales time)' },
  symmetry: { kind: 'choice', default: 'free', choices: ['free', 'imposed'], doc: 'imposed: head − is the sign mirror of head + (A_− = DA_+D, ω_− = +Dω_+) and only head + is stored' },
  meanFieldTime: { kind: 'choice', default: 'finite-m', choices: ['finite-m', 'per-particle'], doc: 'init=mean-field only: finite-m keeps the finite-m flow and its time; per-particle multiplies the neuron rate by m' },
  training: { kind: 'choice', default: 'simultaneous', choices: ['simultaneous', 'three-stage', 'neurons', 'attention'], doc: 'simultaneous (η_w, η_A), Algorithm 1 (neurons, attention, neurons), or one stage only' },
  stageEnds: { kind: 'choice', default: 'durations', choices: ['durations', 'criteria'], doc: 'three-stage: stages end after tau1/tau2, or by the criteria eps1/eps2 (tau1, tau2 then cap the stages)' },
  tau1: { kind: 'number', default: 1200, range: [1e-3, 1e7], doc: 'Stage 1 duration in τ = η·steps (6000 steps at η = 0.2)' },
  tau2: { kind: 'number', default: 4000, range: [1e-3, 1e7], doc: 'Stage 2 duration (20000 steps at η = 0.2)' },
  tau3: { kind: 'number', default: 1200, range: [1e-3, 1e7], doc: 'Stage 3 duration (6000 steps at η = 0.2); also the horizon of the other modes is tau1 + tau2 + tau3' },
  eps1: { kind: 'number', default: 0.01, range: [1e-12, 1], doc: 'stageEnds=criteria: Stage 1 ends when the consistent-sample loss falls below eps1' },
  eps2: { kind: 'number', default: 0.05, range: [1e-12, 1], doc: 'stageEnds=criteria: Stage 2 ends when the hard-sample loss falls below eps2' },
  etaW: { kind: 'number', default: 1, range: [0, 1e3], doc: 'neuron rate η_w (dω/dτ = −η_w ∇_ω L)' },
  etaA: { kind: 'number', default: 1, range: [0, 1e3], doc: 'attention rate η_A (dA/dτ = −η_A ∇_A L)' },
  d: { kind: 'number', default: 16, range: [2, 1024], integer: true, doc: 'finite-sample (SGD) form only: ambient token dimension d ≥ 2K (the flow is exact in the 2K-dimensional token span)' },
  overlap: { kind: 'number', default: 0, range: [0, 0.9], doc: 'finite-sample (SGD) form only: inner product ρ of every pair of the 2K feature vectors c_k, μ_j (unit norm; 0 = orthonormal). The flow keeps orthonormal features, so a comparison measures what the overlap changes' },
  noise: { kind: 'number', default: 0, range: [0, 10], doc: 'finite-sample (SGD) form only: Gaussian token noise σ_ξ added to every non-padding token (breaks the exact reduction)' },
  seed: { kind: 'number', default: 1, range: [0, 2 ** 32 - 1], integer: true, doc: 'seed of the random initialisations' },
};

/** Defaults with overrides, without validation (for derivations and internal runs; the CLI validates through resolveParams). */
export function yangParams(overrides: Readonly<Record<string, ParamValue>> = {}): Params {
  const out: Record<string, ParamValue> = {};
  for (const [k, spec] of Object.entries(YANG_PARAMS)) out[k] = overrides[k] ?? spec.default;
  for (const k of Object.keys(overrides)) if (!(k in YANG_PARAMS)) throw new Error(`yang: unknown parameter '${k}'`);
  return Object.freeze(out);
}
