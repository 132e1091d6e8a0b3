/**
 * When `auto` switches between the explicit method (DOP853) and the implicit one (Rodas5P).
 *
 * Explicit → implicit (Hairer's test in DOPRI5/DOP853 [R: Hairer & Wanner, Solving ODEs II,
 * Sect. IV.2, "automatic stiffness detection", and the Fortran dop853.f, from memory of both; the
 * constants 6.1, 15 and 6 are DOP853's]): after each accepted step,
 * h·|λ| ≈ h·‖f(y1) − f(Y_q)‖/‖y1 − Y_q‖ (see `ErkStepper.stiffnessQuotient`). A value above the
 * stability boundary (6.1 for DOP853) marks a step limited by stability; STIFF_STEPS such steps
 * without NONSTIFF_RESET unmarked steps in a row in between make the problem stiff. The switch then
 * happens only if the explicit method has spent, since the last switch back, at least
 * TRIAL_FACTOR·2^failures times the cost of one implicit step — so failed trials (the implicit
 * method turned out dearer) cost a bounded fraction of the run.
 *
 * Implicit → explicit: after each accepted implicit step the explicit cost per unit time at its
 * stability limit, EXPLICIT_STAGES·ρ(J)/BOUNDARY, is compared with the implicit cost per unit
 * time, implicitStepCost(n)/h, with h the largest of the last STEP_WINDOW implicit steps (a few
 * small steps, e.g. where a component crosses zero and atol takes over, say nothing about
 * stiffness). After at least MIN_IMPLICIT_STEPS steps, RETURN_STEPS steps in a row on which the
 * explicit method would be more than RETURN_MARGIN times cheaper switch back. ρ(J), the spectral
 * radius of the Jacobian the step already has, comes from power iteration.
 *
 * Costs are counted in RHS-call equivalents, deterministically (never wall time, so that a run is
 * reproducible): an exact Jacobian counts as one RHS call, a finite-difference one as n (or n + 1
 * with ∂f/∂t), an LU factorisation plus the stage solves as (n³/3 + 2·stages·n²)/(RHS_FLOPS·n),
 * i.e. an RHS call is assumed to cost RHS_FLOPS floating-point operations per state component.
 */

/** Boundary of DOP853's stability region on the negative real axis, as used by its stiffness test. */
export const DOP853_BOUNDARY = 6.1;
/** Stages (RHS calls) of one accepted DOP853 step, counting the end slope. */
export const EXPLICIT_STAGES = 12;
/** Stiff-marked explicit steps that make the problem stiff (DOP853: 15). */
export const STIFF_STEPS = 15;
/** Unmarked steps in a row that clear the count (DOP853: 6). */
export const NONSTIFF_RESET = 6;
/** The explicit spend (in implicit-step costs) required before a trial of the implicit method. */
export const TRIAL_FACTOR = 20;
/** Implicit steps before switching back is considered (the step needs a few steps to grow). */
export const MIN_IMPLICIT_STEPS = 3;
/** Consecutive implicit steps on which the explicit method would be cheaper, to switch back. */
export const RETURN_STEPS = 3;
/** Implicit steps over which the representative (largest) step is taken. */
export const STEP_WINDOW = 8;
/** How much cheaper the explicit method must look before the switch back. */
export const RETURN_MARGIN = 2;
/** Assumed floating-point operations per state component of one RHS call (see the header). */
export const RHS_FLOPS = 20;

export type { MethodSwitch } from './types.js';

/** What one implicit step costs, in RHS calls, for a system of size n. */
export function implicitStepCost(n: number, stages: number, exactJacobian: boolean, timeDerivativeCalls: number): number {
  const jac = exactJacobian ? 1 : n;
  const linear = (n * n * n) / 3 + 2 * stages * n * n;
  return stages + jac + timeDerivativeCalls + linear / (RHS_FLOPS * n);
}

/** The switching state of one `auto` run. */
export class StiffnessMonitor {
  /** Cost of one implicit step, in RHS calls. */
  readonly implicitCost: number;
  private stiffCount = 0;
  private nonStiffRun = 0;
  private explicitSpend = 0;
  private failures = 0;
  private implicitSteps = 0;
  private cheaperRun = 0;
  private readonly recent = new Float64Array(STEP_WINDOW);

  constructor(implicitCost: number) {
    this.implicitCost = implicitCost;
  }

  /**
   * After an accepted explicit step with stiffness quotient hLambda (NaN: unknown) that cost
   * `cost` RHS calls. Returns: true if the run should switch to the implicit method now.
   */
  explicitStep(hLambda: number, cost: number): boolean {
    if (hLambda > DOP853_BOUNDARY) {
      this.nonStiffRun = 0;
      this.stiffCount++;
      this.explicitSpend += cost;
    } else {
      this.nonStiffRun++;
      if (this.nonStiffRun >= NONSTIFF_RESET) this.stiffCount = 0;
    }
    if (this.stiffCount < STIFF_STEPS) return false;
    const gate = TRIAL_FACTOR * this.implicitCost * 2 ** this.failures;
    if (this.explicitSpend < gate) return false;
    this.stiffCount = 0;
    this.nonStiffRun = 0;
    this.implicitSteps = 0;
    this.cheaperRun = 0;
    return true;
  }

  /**
   * After an accepted implicit step of size h, whose Jacobian has spectral radius rho.
   * Returns: true if the run should switch back to the explicit method now.
   */
  implicitStep(h: number, rho: number): boolean {
    this.recent[this.implicitSteps % STEP_WINDOW] = h;
    this.implicitSteps++;
    let hRep = 0;
    for (let i = 0; i < Math.min(this.implicitSteps, STEP_WINDOW); i++) hRep = Math.max(hRep, this.recent[i]);
    const explicitRate = (EXPLICIT_STAGES * rho) / DOP853_BOUNDARY; // RHS calls per unit time at the stability limit
    const implicitRate = this.implicitCost / hRep;
    if (RETURN_MARGIN * explicitRate < implicitRate) this.cheaperRun++;
    else this.cheaperRun = 0;
    if (this.implicitSteps < MIN_IMPLICIT_STEPS || this.cheaperRun < RETURN_STEPS) return false;
    // Leaving right after the minimum means the trial did not pay: wait longer before the next one.
    if (this.implicitSteps <= MIN_IMPLICIT_STEPS + RETURN_STEPS) this.failures++;
    this.explicitSpend = 0;
    this.stiffCount = 0;
    this.nonStiffRun = 0;
    return true;
  }
}

/**
 * Spectral radius of a row-major n×n matrix, estimated by power iteration:
 * ρ ≈ (‖A^k v‖/‖A^(k−m) v‖)^(1/m) with k = 16, m = 8 from a fixed start vector (deterministic).
 * Exact for a dominant real eigenvalue, close for a dominant complex pair. v0, w0: scratch of length n.
 */
export function spectralRadius(A: Float64Array, n: number, v0: Float64Array, w0: Float64Array): number {
  let v = v0;
  let w = w0;
  for (let i = 0; i < n; i++) v[i] = 1 + 0.1 * Math.sin(i + 1); // a generic start: not orthogonal to the dominant eigenvector in general
  let logGrowth = 0;
  const K = 16;
  const M = 8;
  for (let k = 1; k <= K; k++) {
    let norm = 0;
    for (let i = 0; i < n; i++) {
      let acc = 0;
      const row = i * n;
      for (let j = 0; j < n; j++) acc += A[row + j] * v[j];
      w[i] = acc;
      norm += acc * acc;
    }
    norm = Math.sqrt(norm);
    if (!(norm > 0)) return 0; // v is in the null space (A nilpotent on it, or A = 0)
    if (!Number.isFinite(norm)) return Infinity;
    for (let i = 0; i < n; i++) w[i] /= norm;
    if (k > K - M) logGrowth += Math.log(norm);
    const tmp = v;
    v = w;
    w = tmp;
  }
  return Math.exp(logGrowth / M);
}
