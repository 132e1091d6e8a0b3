/**
 * The resolved configuration of one Yang model instance: the switches of the reconstruction
 * (technical note §1.2, "Switches a simulator should expose") and the state layout they imply.
 *
 * State layout (flat Float64Array), per stored head h (+ first, then − unless symmetry is imposed):
 *   combined key-query:  A_h (p×p, row = key index, column = query index: A_ij = e_iᵀ W_h e_j)
 *   separate key-query:  K̃_h (dk×p), then Q̃_h (dk×p), with A_h = K̃_hᵀ Q̃_h
 * followed, per stored head, by the neurons ω_{h,1..m} (m×p, one row per neuron).
 * With symmetry imposed only head + is stored and head − is its sign mirror:
 * A_− = D A_+ D (K̃_− = K̃_+ D, Q̃_− = Q̃_+ D) and ω_− = +D ω_+ (note, "Read first" 1).
 */
import { inputError } from '../../util/errors.js';
import { choice, num } from '../params.js';
import type { Params, StateBlock } from '../types.js';

export type KeyQuery = 'combined' | 'separate';
export type Aggregate = 'sum' | 'mean';
export type Symmetry = 'free' | 'imposed';
export type InitKind = 'averaged' | 'symmetric-random' | 'random' | 'mean-field';
export type MeanFieldTime = 'finite-m' | 'per-particle';
export type Training = 'simultaneous' | 'three-stage' | 'neurons' | 'attention';
export type StageEnds = 'durations' | 'criteria';

export interface YangConfig {
  readonly K: number;
  readonly pad: number;
  /** Dictionary size 2K. */
  readonly p: number;
  /** Sequence length K + 1 + pad. */
  readonly L: number;
  /** Neurons (particles) per head. */
  readonly m: number;
  readonly keyQuery: KeyQuery;
  /** Rows of K̃_h, Q̃_h (separate key-query only). */
  readonly dk: number;
  readonly aggregate: Aggregate;
  readonly symmetry: Symmetry;
  readonly init: InitKind;
  readonly sigma0: number;
  readonly attnScale: number;
  readonly meanFieldTime: MeanFieldTime;
  readonly training: Training;
  readonly stageEnds: StageEnds;
  readonly tau1: number;
  readonly tau2: number;
  readonly tau3: number;
  readonly eps1: number;
  readonly eps2: number;
  readonly etaW: number;
  readonly etaA: number;
  /** Heads stored in the state: 2 (free) or 1 (symmetry imposed). */
  readonly storedHeads: number;
  /** Entries of one head's attention block: p² or 2·dk·p. */
  readonly attnSize: number;
  /** Entries of one head's neuron block: m·p. */
  readonly neuronSize: number;
  /** Offset of head h's attention block (h = 0 for +, 1 for −; only h < storedHeads). */
  attnOffset(h: number): number;
  /** Offset of head h's neuron block. */
  neuronOffset(h: number): number;
  /** State length. */
  readonly n: number;
  /** Rate of the neuron blocks: η_w, times m for the per-particle mean-field time. */
  readonly neuronRate: number;
}

/** Resolves and cross-checks the switches; contradictions are input errors. */
export function yangConfig(p: Params): YangConfig {
  const K = num(p, 'K');
  const pad = num(p, 'pad');
  const m = num(p, 'm');
  const keyQuery = choice(p, 'keyQuery') as KeyQuery;
  const aggregate = choice(p, 'aggregate') as Aggregate;
  const symmetry = choice(p, 'symmetry') as Symmetry;
  const init = choice(p, 'init') as InitKind;
  const meanFieldTime = choice(p, 'meanFieldTime') as MeanFieldTime;
  const training = choice(p, 'training') as Training;
  const stageEnds = choice(p, 'stageEnds') as StageEnds;
  const attnScale = num(p, 'attnScale');
  const dim = 2 * K;
  const dk = num(p, 'dk') === 0 ? dim : num(p, 'dk');
  if (init === 'averaged' && m !== 1) {
    throw inputError(`yang: init=averaged has one neuron per head (all neurons share the averaged value), so m must be 1 (got m = ${m}); use init=symmetric-random, random or mean-field for m > 1.`);
  }
  if (symmetry === 'imposed' && init === 'random') {
    throw inputError('yang: symmetry=imposed determines head − from head +, so init=random (independent heads) is contradictory; use init=symmetric-random, averaged or mean-field.');
  }
  if (keyQuery === 'separate' && attnScale === 0) {
    throw inputError('yang: keyQuery=separate needs attnScale > 0: W_K = W_Q = 0 is a saddle of the flow, so the attention would never move.');
  }
  const storedHeads = symmetry === 'imposed' ? 1 : 2;
  const attnSize = keyQuery === 'combined' ? dim * dim : 2 * dk * dim;
  const neuronSize = m * dim;
  const attnOffset = (h: number): number => h * attnSize;
  const neuronOffset = (h: number): number => storedHeads * attnSize + h * neuronSize;
  const perParticle = init === 'mean-field' && meanFieldTime === 'per-particle';
  return {
    K, pad, p: dim, L: K + 1 + pad, m, keyQuery, dk, aggregate, symmetry, init,
    sigma0: num(p, 'sigma0'), attnScale, meanFieldTime, training, stageEnds,
    tau1: num(p, 'tau1'), tau2: num(p, 'tau2'), tau3: num(p, 'tau3'),
    eps1: num(p, 'eps1'), eps2: num(p, 'eps2'), etaW: num(p, 'etaW'), etaA: num(p, 'etaA'),
    storedHeads, attnSize, neuronSize, attnOffset, neuronOffset,
    n: storedHeads * (attnSize + neuronSize),
    neuronRate: num(p, 'etaW') * (perParticle ? m : 1),
  };
}

const HEAD = ['plus', 'minus'];

/** The named state blocks of a configuration. */
export function yangLayout(c: YangConfig): StateBlock[] {
  const blocks: StateBlock[] = [];
  for (let h = 0; h < c.storedHeads; h++) {
    const sign = h === 0 ? '+' : '−';
    if (c.keyQuery === 'combined') {
      blocks.push({ name: `A${HEAD[h]}`, offset: c.attnOffset(h), shape: [c.p, c.p], doc: `A_${sign} = Eᵀ W_${sign} E (row = key, column = query)` });
    } else {
      blocks.push({ name: `K${HEAD[h]}`, offset: c.attnOffset(h), shape: [c.dk, c.p], doc: `K̃_${sign} = W_K E` });
      blocks.push({ name: `Q${HEAD[h]}`, offset: c.attnOffset(h) + c.dk * c.p, shape: [c.dk, c.p], doc: `Q̃_${sign} = W_Q E` });
    }
  }
  for (let h = 0; h < c.storedHeads; h++) {
    const sign = h === 0 ? '+' : '−';
    blocks.push({ name: `w${HEAD[h]}`, offset: c.neuronOffset(h), shape: [c.m, c.p], doc: `neurons ω_${sign},r = Eᵀ w_${sign},r (one row per neuron)` });
  }
  return blocks;
}
