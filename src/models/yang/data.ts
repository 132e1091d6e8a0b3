/**
 * The K-mixture of linear classification in the token span (Yang, Wang, Lee, Liang, ICLR 2025,
 * Definition 2.1; reconstructed in the technical note §2.2 [R]).
 *
 * Dictionary (orthonormal, p = 2K vectors): index k ∈ [0, K) is the class identifier c_{k+1},
 * index K + j is the classification signal μ_{j+1}. A sample of mixture k with signs
 * s ∈ {±1}^K has tokens X = [c_k, s_1 μ_1, …, s_K μ_K, 0, …, 0] (L = K + 1 + pad positions,
 * the padding zero tokens last) and label y = s_k. The population is the uniform law on the
 * K·2^K sample types, so every expectation is an exact finite average: no Monte Carlo.
 *
 * In the token span every token is a signed one-hot vector (or 0), stored as an index and a sign.
 */

/** One of the K·2^K equiprobable sample types. */
export interface SampleType {
  /** Mixture ("class") index k ∈ [0, K). */
  readonly k: number;
  /** Signs s_1..s_K of the classification signals. */
  readonly s: readonly number[];
  /** Label y = s_k. */
  readonly y: number;
  /** Dictionary index of each position (0 for a padding position, whose sign is 0). */
  readonly index: Int32Array;
  /** Sign of each position: ±1 for a token, 0 for padding. */
  readonly sign: Float64Array;
  /** Number of other signals j ≠ k whose sign disagrees with y. */
  readonly disagree: number;
  /** All signs equal (every signal agrees with y): a classifier that ignores k works. */
  readonly consistent: boolean;
  /** At least one other signal disagrees with y: only the identifier tells which signal counts. */
  readonly hard: boolean;
  /** Short name, e.g. "k1 (+,-)". */
  readonly name: string;
}

export interface Dataset {
  readonly K: number;
  /** Dictionary size 2K. */
  readonly p: number;
  /** Sequence length K + 1 + pad. */
  readonly L: number;
  readonly types: readonly SampleType[];
  /** Probability of each type, 1/(K·2^K). */
  readonly weight: number;
}

/** Dictionary index of identifier c_k (k from 0). */
export const identifierIndex = (k: number): number => k;
/** Dictionary index of signal μ_j (j from 0). */
export const signalIndex = (K: number, j: number): number => K + j;

/** All sample types for K mixtures and `pad` zero tokens. Signs: bit j of the type counter set ↦ s_j = −1. */
export function makeDataset(K: number, pad: number): Dataset {
  const p = 2 * K;
  const L = K + 1 + pad;
  const types: SampleType[] = [];
  for (let k = 0; k < K; k++) {
    for (let bits = 0; bits < 2 ** K; bits++) {
      const s = Array.from({ length: K }, (_, j) => ((bits >> j) & 1 ? -1 : 1));
      const index = new Int32Array(L);
      const sign = new Float64Array(L);
      index[0] = identifierIndex(k);
      sign[0] = 1;
      for (let j = 0; j < K; j++) {
        index[1 + j] = signalIndex(K, j);
        sign[1 + j] = s[j];
      }
      const y = s[k];
      const disagree = s.filter((v, j) => j !== k && v !== y).length;
      types.push({
        k, s, y, index, sign, disagree,
        consistent: disagree === 0,
        hard: disagree > 0,
        name: `k${k + 1} (${s.map((v) => (v > 0 ? '+' : '-')).join(',')})`,
      });
    }
  }
  return { K, p, L, types, weight: 1 / types.length };
}

/**
 * The sign mirror D: μ_j ↦ −μ_j, c_k ↦ c_k, as the diagonal of ±1 on the dictionary.
 * The data law is invariant under (X, y) ↦ (DX, −y), and with A_− = D A_+ D, ω_− = +D ω_+
 * the network output is odd: F(DX) = −F(X) (note, "Read first" 1).
 */
export function mirrorDiagonal(K: number): Float64Array {
  const d = new Float64Array(2 * K);
  for (let i = 0; i < 2 * K; i++) d[i] = i < K ? 1 : -1;
  return d;
}

/** The mixture swap Π for K = 2 (c_1 ↔ c_2, μ_1 ↔ μ_2), as a permutation of dictionary indices; general K: the cyclic shift k ↦ k + 1. */
export function mixturePermutation(K: number): Int32Array {
  const perm = new Int32Array(2 * K);
  for (let k = 0; k < K; k++) {
    perm[k] = (k + 1) % K;
    perm[K + k] = K + ((k + 1) % K);
  }
  return perm;
}
