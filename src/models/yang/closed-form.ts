/**
 * Stage 1 of the averaged model in closed form (technical note §4.5 [R], time convention
 * "Read first" 2), generalised to the query aggregation: with A = 0 (uniform attention) and
 * 0 ≤ β < 2α, hard samples have F = 0 exactly, consistent samples F = v := agg·u with
 * u = 2α + β (agg = 1 for the sum over queries, 1/L for the mean), and
 *   dα/dτ = η_w (agg/4) ψ(v),  dβ/dτ = η_w (agg/8) ψ(v)  ⇒  β = (α − α0)/2,
 *   v + e^v = (5/8) agg² η_w τ + v0 + e^{v0}.
 * For the defaults (sum, η_w = 1) this is the note's u + e^u = (5/8)τ + u0 + e^{u0}.
 */

/** The root v of v + e^v = R (Newton from above: the function is convex and increasing). */
export function solveVPlusExpV(R: number): number {
  let v = R > 1 ? Math.log(R) : R;
  for (let k = 0; k < 100; k++) {
    const e = Math.exp(v);
    const step = (v + e - R) / (1 + e);
    v -= step;
    if (Math.abs(step) <= 1e-16 * Math.max(1, Math.abs(v))) break;
  }
  return v;
}

export interface StageOneClosedForm {
  /** u = 2α + β at time τ. */
  u(tau: number): number;
  alpha(tau: number): number;
  beta(tau: number): number;
  /** Consistent-sample loss ℓ(agg·u). */
  lossConsistent(tau: number): number;
}

/** The closed form for initial α0 (β0 = 0), aggregation factor agg and neuron rate η_w. */
export function stageOneClosedForm(alpha0: number, agg: number, etaW: number): StageOneClosedForm {
  const v0 = agg * 2 * alpha0;
  const c0 = v0 + Math.exp(v0);
  const u = (tau: number): number => solveVPlusExpV((5 / 8) * agg * agg * etaW * tau + c0) / agg;
  const alpha = (tau: number): number => (u(tau) + alpha0 / 2) / 2.5; // u = 2α + (α − α0)/2
  return {
    u,
    alpha,
    beta: (tau) => (alpha(tau) - alpha0) / 2,
    lossConsistent: (tau) => Math.log1p(Math.exp(-agg * u(tau))),
  };
}
