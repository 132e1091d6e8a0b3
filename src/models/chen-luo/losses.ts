/**
 * Margin losses ℓ(q) of the binary task, q = y·f: exponential (the paper's, Eq. 3) and logistic
 * ("can be readily extended", §3.2). Stable forms: softplus and the logistic sigmoid never
 * exponentiate a large positive number.
 */
export type LossName = 'exp' | 'logistic';

export interface MarginLoss {
  readonly name: LossName;
  /** ℓ(q). */
  value(q: number): number;
  /** ℓ′(q) (negative). */
  d1(q: number): number;
  /** ℓ″(q) (positive). */
  d2(q: number): number;
  /** |ℓ′(0)|: the stage-1 time scale is κ = |ℓ′(0)|·‖S‖/(ns) [R: note §4.1, "logistic doubles the escape time"]. */
  readonly slope0: number;
}

/** σ(x) = 1/(1 + e^{−x}) without overflow. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

const exponential: MarginLoss = {
  name: 'exp',
  value: (q) => Math.exp(-q), // ℓ = e^{−q}
  d1: (q) => -Math.exp(-q),
  d2: (q) => Math.exp(-q),
  slope0: 1,
};

const logistic: MarginLoss = {
  name: 'logistic',
  value: (q) => Math.max(-q, 0) + Math.log1p(Math.exp(-Math.abs(q))), // ℓ = log(1 + e^{−q}) = softplus(−q)
  d1: (q) => -sigmoid(-q), // ℓ′ = −σ(−q)
  d2: (q) => sigmoid(q) * sigmoid(-q), // ℓ″ = σ(q)σ(−q)
  slope0: 0.5,
};

export function marginLoss(name: string): MarginLoss {
  if (name === 'exp') return exponential;
  if (name === 'logistic') return logistic;
  throw new Error(`unknown loss '${name}'`);
}
