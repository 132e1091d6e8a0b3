/**
 * Initial states (technical note §1.2 and §8; "Read first" 1 and 5).
 *
 * - averaged [R, best guess for the paper's "averaged initial value model"]: one neuron per head,
 *   ω_±(0) = ±σ0 Σ_j μ_j (for K = 2: ±σ0(μ_1 + μ_2)), which satisfies ω_− = +D ω_+.
 * - symmetric-random: ω_{+,r} ~ N(0, σ0² I_p), ω_{−,r} = D ω_{+,r}.
 * - random: every neuron of both heads independent N(0, σ0² I_p).
 * - mean-field: m particles drawn as symmetric-random; the time scaling is `meanFieldTime`:
 *   'finite-m' is the finite-m flow itself (readout ±1/m, so a particle's velocity is O(1/m)), and
 *   'per-particle' multiplies the neuron rate by m (particle velocity = the mean-field velocity
 *   field, attention equation unchanged; this multiplies the neuron-to-attention rate ratio by m).
 * Attention: 0 when attnScale = 0 (uniform attention), else entries of A_h (or of K̃_h, Q̃_h)
 * i.i.d. N(0, attnScale²), mirrored (A_− = D A_+ D) for the symmetric kinds.
 */
import type { Rng } from '../../util/rng.js';
import { mirrorDiagonal, signalIndex } from './data.js';
import type { YangConfig } from './config.js';

export function yangInit(c: YangConfig, rng: Rng): Float64Array {
  const { p, m, K, storedHeads, keyQuery, dk } = c;
  const y = new Float64Array(c.n);
  const D = mirrorDiagonal(K);
  const mirrored = c.init !== 'random';
  // attention
  for (let h = 0; h < storedHeads; h++) {
    const o = c.attnOffset(h);
    if (c.attnScale === 0) continue;
    if (h === 1 && mirrored) {
      if (keyQuery === 'combined') {
        for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) y[o + i * p + j] = D[i] * D[j] * y[c.attnOffset(0) + i * p + j];
      } else {
        for (let a = 0; a < 2 * dk; a++) for (let j = 0; j < p; j++) y[o + a * p + j] = D[j] * y[c.attnOffset(0) + a * p + j]; // K̃_− = K̃_+ D, Q̃_− = Q̃_+ D
      }
      continue;
    }
    for (let i = 0; i < c.attnSize; i++) y[o + i] = c.attnScale * rng.normal();
  }
  // neurons
  const w0 = c.neuronOffset(0);
  if (c.init === 'averaged') {
    for (let j = 0; j < K; j++) y[w0 + signalIndex(K, j)] = c.sigma0; // ω_+ = σ0 Σ μ_j
  } else {
    for (let i = 0; i < m * p; i++) y[w0 + i] = c.sigma0 * rng.normal();
  }
  if (storedHeads === 2) {
    const w1 = c.neuronOffset(1);
    if (mirrored) {
      for (let r = 0; r < m; r++) for (let j = 0; j < p; j++) y[w1 + r * p + j] = D[j] * y[w0 + r * p + j]; // ω_− = +D ω_+
    } else {
      for (let i = 0; i < m * p; i++) y[w1 + i] = c.sigma0 * rng.normal();
    }
  }
  return y;
}
