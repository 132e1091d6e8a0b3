/**
 * The map between the nine scalars of the averaged system (technical note §4.4) and the
 * token-span state (K = 2, m = 1, free heads, combined A; dictionary c1 = 0, c2 = 1, μ1 = 2, μ2 = 3):
 *   ω_± = ±α(μ_1 + μ_2) + β(c_1 + c_2);  A_+ entries a, b, b′, g, g′, e, f as in the note's table;
 *   A_− = D A_+ D (identifier–signal entries negated).
 */

/** The nine scalars in state order. */
export const NINE_NAMES = ['alpha', 'beta', 'a', 'b', 'bp', 'g', 'gp', 'e', 'f'] as const;

/** The 9 scalars embedded as a token-span state (K = 2, m = 1, free heads, combined A). */
export function embedNine(theta: ArrayLike<number>): Float64Array {
  const [alpha, beta, a, b, bp, g, gp, e, f] = Array.from(theta);
  const p = 4;
  const y = new Float64Array(2 * p * p + 2 * p);
  // indices: c1 = 0, c2 = 1, μ1 = 2, μ2 = 3; A[key·p + query]
  const Aplus = [
    [a, 0, b, bp],
    [0, a, bp, b],
    [g, gp, e, f],
    [gp, g, f, e],
  ];
  const D = [1, 1, -1, -1];
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) {
    y[i * p + j] = Aplus[i][j];
    y[p * p + i * p + j] = D[i] * D[j] * Aplus[i][j]; // A_− = D A_+ D
  }
  const w = [beta, beta, alpha, alpha];
  for (let j = 0; j < p; j++) {
    y[2 * p * p + j] = w[j];
    y[2 * p * p + p + j] = D[j] * w[j]; // ω_− = +D ω_+
  }
  return y;
}

/** The entries of the token-span state that represent each scalar (head +). */
export const NINE_ENTRIES: readonly number[] = [2 * 16 + 2, 2 * 16 + 0, 0, 2, 3, 8, 12, 10, 11];

