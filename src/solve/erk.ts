/**
 * One generic explicit Runge–Kutta stepper, driven by a {@link Tableau}.
 *
 * All stage derivatives live in one Float64Array (slot l at offset l·n) with a subarray view per slot
 * for the RHS to write into; every buffer is allocated in the constructor, so a step allocates nothing.
 * The tableau's nonzero coefficients are precompiled into (offset, weight) lists so the kernels skip
 * DOP853's many zeros.
 *
 * Life cycle of a step: {@link ErkStepper.attempt} computes a trial y1 and its error norm; the driver
 * either calls {@link ErkStepper.accept} (y1 becomes the state, the step becomes available to
 * {@link ErkStepper.evaluate}) or simply attempts again with a smaller h. The slope at the step end is
 * reused as the next k1: for FSAL methods it is the last stage, for the others it is evaluated lazily,
 * either by the dense output (which needs it anyway) or at the start of the next step.
 */
import type { RhsFn, Vec } from './types.js';
import { endSlot, slotCount, type Tableau } from './tableau.js';
import { evaluateNested, type Interpolant } from './dense.js';
import { allFinite, infNorm } from './vec.js';

/** Nonzero weights of one linear combination of slots: Σ_q w[q]·K[off[q] + i]. */
interface Combo {
  readonly off: Int32Array;
  readonly w: Float64Array;
}

function combo(weights: readonly number[], n: number): Combo {
  const idx: number[] = [];
  weights.forEach((x, l) => {
    if (x !== 0) idx.push(l);
  });
  return { off: Int32Array.from(idx, (l) => l * n), w: Float64Array.from(idx, (l) => weights[l]) };
}

/** Σ_q w[q]·K[off[q] + i]; the first term starts the sum so that a single weight 1 is exact. */
function dot(K: Float64Array, c: Combo, i: number): number {
  const off = c.off;
  const w = c.w;
  const m = off.length;
  if (m === 0) return 0;
  let acc = w[0] * K[off[0] + i];
  for (let q = 1; q < m; q++) acc += w[q] * K[off[q] + i];
  return acc;
}

/** Steps, error estimate and interpolant of one explicit Runge–Kutta tableau on an n-dimensional system. */
export class ErkStepper implements Interpolant {
  readonly tableau: Tableau;
  readonly n: number;
  /** RHS evaluations made by this stepper (stages, end slopes, dense stages). */
  nfev = 0;
  /** Current (last accepted) state. Owned by the stepper; read, do not keep. */
  y: Vec;
  /** ‖y1‖∞ of the last attempt (NaN if y1 was not finite). */
  yNewNorm = 0;

  private readonly f: RhsFn;
  private readonly s: number;
  private readonly fsal: boolean;
  private readonly c: Float64Array;
  private readonly K: Float64Array;
  private readonly kv: Vec[];
  private readonly stageRows: Combo[];
  private readonly bCombo: Combo;
  private readonly eCombo: Combo | null;
  private readonly e3Combo: Combo | null;
  private readonly endOff: number;
  private readonly yStage: Vec;
  /** Trial y1 of the last attempt; after accept() it holds the previous state y0 (buffers swap). */
  private yNew: Vec;
  private t = 0;

  // Dense output of the last accepted step [tOld, tOld + hOld].
  private tOld = 0;
  private hOld = 0;
  private readonly denseC: Float64Array;
  private readonly denseRows: Combo[];
  private readonly dRows: Combo[];
  /** Interpolation coefficients F_0…F_(m−1), each of length n (see {@link ErkStepper.evaluate}). */
  private readonly F: Float64Array;
  private readonly nF: number;

  private k0Valid = false;
  private endValid = false;
  private denseReady = false;
  /** True between accept() and the next attempt(): only then do K and yNew describe the last step. */
  private hasStep = false;
  private readonly endIdx: number;

  constructor(tableau: Tableau, f: RhsFn, n: number) {
    this.tableau = tableau;
    this.f = f;
    this.n = n;
    const s = tableau.b.length;
    this.s = s;
    this.fsal = tableau.fsal;
    this.c = Float64Array.from(tableau.c);
    const slots = slotCount(tableau);
    this.K = new Float64Array(slots * n);
    this.kv = [];
    for (let l = 0; l < slots; l++) this.kv.push(this.K.subarray(l * n, (l + 1) * n));
    this.stageRows = tableau.a.map((row) => combo(row, n));
    this.bCombo = combo(tableau.b, n);
    this.eCombo = tableau.bErr ? combo(tableau.bErr, n) : null;
    this.e3Combo = tableau.bErr3 ? combo(tableau.bErr3, n) : null;
    this.endIdx = endSlot(tableau);
    this.endOff = this.endIdx * n;
    const dense = tableau.dense;
    this.denseC = Float64Array.from(dense ? dense.c : []);
    this.denseRows = dense ? dense.a.map((row) => combo(row, n)) : [];
    this.dRows = dense ? dense.d.map((row) => combo(row, n)) : [];
    // Linear interpolation needs F0 only; the Hermite-based form needs F0…F2 plus one per d row.
    this.nF = dense ? 3 + dense.d.length : 1;
    this.F = new Float64Array(this.nF * n);
    this.y = new Float64Array(n);
    this.yNew = new Float64Array(n);
    this.yStage = new Float64Array(n);
  }

  /**
   * Sets the state to (t0, y0) and evaluates k1 = f(t0, y0).
   * Returns: false if that slope is not finite (the integration cannot start).
   */
  start(t0: number, y0: ArrayLike<number>): boolean {
    this.t = t0;
    this.y.set(y0);
    this.f(t0, this.y, this.kv[0]);
    this.nfev++;
    this.k0Valid = true;
    this.endValid = false;
    this.denseReady = false;
    this.hasStep = false;
    return allFinite(this.kv[0]);
  }

  /**
   * The slope f(t, y) at the current state (computed if the previous step did not leave it).
   * Call it after the last step's interpolant has been used, not before.
   */
  slope(): Vec {
    this.ensureK0();
    return this.kv[0];
  }

  /**
   * Computes a trial step of size h from the current state into an internal buffer.
   *
   * Arguments: h the step; rtol, atol the tolerances of the error norm; withError false in
   * fixed-step mode (no error estimate is formed).
   * Returns: Hairer's scaled RMS error norm, √(1/n Σ_i (e_i/sc_i)²) with e = h Σ_j bErr_j k_j and
   * sc_i = atol + rtol·max(|y0_i|, |y1_i|) (DOP853: the combined 5th/3rd-order form); 0 when
   * withError is false; NaN if y1 or any stage is not finite. Also sets {@link ErkStepper.yNewNorm}.
   */
  attempt(h: number, rtol: number, atol: number, withError: boolean): number {
    this.ensureK0();
    this.hasStep = false;
    const { n, s, K, c, y, yStage } = this;
    const yNew = this.yNew;
    const t = this.t;
    for (let j = 1; j < s; j++) {
      const row = this.stageRows[j];
      // FSAL: the last stage input is y1 itself (a[s−1] = b)
      const target = this.fsal && j === s - 1 ? yNew : yStage;
      for (let i = 0; i < n; i++) target[i] = y[i] + h * dot(K, row, i); // Y_j = y0 + h Σ_l a_jl k_l
      this.f(t + c[j] * h, target, this.kv[j]); // k_j = f(t + c_j h, Y_j)
    }
    this.nfev += s - 1;
    if (!this.fsal) {
      const bc = this.bCombo;
      for (let i = 0; i < n; i++) yNew[i] = y[i] + h * dot(K, bc, i); // y1 = y0 + h Σ b_j k_j
    }
    const ymax = infNorm(yNew); // NaN or Infinity if y1 is not finite
    this.yNewNorm = ymax;
    if (!withError) return Number.isFinite(ymax) ? 0 : NaN;
    return Number.isFinite(ymax) ? this.errorNorm(h, rtol, atol) : NaN;
  }

  private errorNorm(h: number, rtol: number, atol: number): number {
    const { n, K, y } = this;
    const yNew = this.yNew;
    const ec = this.eCombo;
    if (ec === null) throw new Error(`${this.tableau.name} has no error estimate`);
    const e3 = this.e3Combo;
    let sum = 0;
    let sum3 = 0;
    for (let i = 0; i < n; i++) {
      const sc = atol + rtol * Math.max(Math.abs(y[i]), Math.abs(yNew[i])); // sc_i = atol + rtol·max(|y0|,|y1|)
      const e = dot(K, ec, i) / sc;
      sum += e * e;
      if (e3 !== null) {
        const e3i = dot(K, e3, i) / sc;
        sum3 += e3i * e3i;
      }
    }
    const ah = Math.abs(h);
    if (e3 === null) return ah * Math.sqrt(sum / n); // err = ‖h Σ bErr_j k_j / sc‖_rms
    if (sum === 0 && sum3 === 0) return 0;
    return (ah * sum) / Math.sqrt(n * (sum + 0.01 * sum3)); // err = h‖e5‖²/√(n(‖e5‖² + 0.01‖e3‖²))
  }

  /**
   * Makes the last attempt the current state at t + h. `tNew` is passed explicitly so that the final
   * step lands exactly on t_end. The step stays available to {@link ErkStepper.evaluate} until the
   * next attempt.
   */
  accept(h: number, tNew: number): void {
    this.tOld = this.t;
    this.hOld = h;
    this.t = tNew;
    const y0 = this.y;
    this.y = this.yNew;
    this.yNew = y0; // now holds the step's start state, needed by the interpolant
    this.k0Valid = false;
    this.endValid = this.fsal;
    this.denseReady = false;
    this.hasStep = true;
  }

  /**
   * Interpolates the state at time t inside the last accepted step into `out`.
   *
   * The interpolant has Hairer's nested form, with θ = (t − t0)/h and θ' = 1 − θ:
   * y(θ) = y0 + θ(F0 + θ'(F1 + θ(F2 + θ'(F3 + θ(F4 + …))))); a tableau without a dense spec uses
   * F0 only (linear interpolation). The first call per step computes the F's (for DOP853 that costs
   * the end slope and three extra stages; for DOPRI5 nothing, since k7 is the end slope).
   */
  evaluate(t: number, out: Vec): void {
    if (t === this.t) {
      out.set(this.y); // exactly the step end, not an interpolated copy
      return;
    }
    this.evaluateTheta((t - this.tOld) / this.hOld, out);
  }

  /**
   * The interpolant at θ = (t − t0)/h ∈ [0, 1] of the last accepted step, always through the
   * interpolation formula (evaluate() copies y1 at the step end instead). For diagnostics and tests.
   */
  evaluateTheta(th: number, out: Vec): void {
    if (!this.hasStep) throw new Error('ErkStepper: no accepted step to interpolate');
    if (!this.denseReady) this.prepareDense();
    evaluateNested(this.F, this.nF, this.yNew, th, out);
  }

  private prepareDense(): void {
    const { n, K, F } = this;
    const y1 = this.y;
    const y0 = this.yNew;
    const h = this.hOld;
    if (this.nF === 1) {
      for (let i = 0; i < n; i++) F[i] = y1[i] - y0[i]; // F0 = Δy
      this.denseReady = true;
      return;
    }
    this.ensureEnd();
    const first = this.endIdx + 1;
    for (let e = 0; e < this.denseRows.length; e++) {
      const row = this.denseRows[e];
      for (let i = 0; i < n; i++) this.yStage[i] = y0[i] + h * dot(K, row, i);
      this.f(this.tOld + this.denseC[e] * h, this.yStage, this.kv[first + e]);
      this.nfev++;
    }
    const endOff = this.endOff;
    for (let i = 0; i < n; i++) {
      const dy = y1[i] - y0[i];
      const f0 = K[i];
      const f1 = K[endOff + i];
      F[i] = dy; // F0 = Δy
      F[n + i] = h * f0 - dy; // F1 = h f0 − Δy
      F[2 * n + i] = 2 * dy - h * (f0 + f1); // F2 = 2Δy − h(f0 + f1)
    }
    for (let r = 0; r < this.dRows.length; r++) {
      const row = this.dRows[r];
      const base = (3 + r) * n;
      for (let i = 0; i < n; i++) F[base + i] = h * dot(K, row, i); // F_(3+r) = h Σ d_rl k_l
    }
    this.denseReady = true;
  }

  /**
   * Makes sure slot 0 holds f(t, y) for the current state. This overwrites the last step's k1, so
   * an interpolant not prepared by then is no longer available.
   */
  private ensureK0(): void {
    if (this.k0Valid) return;
    if (!this.denseReady) this.hasStep = false;
    if (this.endValid) {
      this.K.copyWithin(0, this.endOff, this.endOff + this.n); // k1 of this step = end slope of the last
    } else {
      this.f(this.t, this.y, this.kv[0]);
      this.nfev++;
    }
    this.k0Valid = true;
  }

  /**
   * Hairer's stiffness estimate of the last accepted step (DOPRI5/DOP853, "stiffness detection"):
   * h·‖f(t1, y1) − k_q‖ / ‖y1 − Y_q‖, where stage q is the last stage at c = 1 before the end
   * (DOPRI5's 6th, DOP853's 12th). It estimates |h·λ| for the dominant eigenvalue λ of ∂f/∂y along
   * the step; near the boundary of the stability region (3.3 for DOPRI5, 6.1 for DOP853) the step
   * size is limited by stability, not accuracy.
   *
   * Call right after accept(), before the dense output is used (its extra stages overwrite Y_q).
   * Costs nothing extra: f(t1, y1) is the end slope the next step starts from anyway.
   * Returns: the estimate (0 if y1 = Y_q), or NaN if the tableau has no stage at c = 1 before the end.
   */
  stiffnessQuotient(): number {
    if (!this.hasStep || this.denseReady) throw new Error('ErkStepper: stiffnessQuotient() must follow accept()');
    const q = this.fsal ? this.s - 2 : this.s - 1;
    if (q < 1 || this.c[q] !== 1) return NaN;
    this.ensureEnd();
    const { n, K, yStage } = this;
    const y1 = this.y;
    const qOff = q * n;
    const endOff = this.endOff;
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) {
      const df = K[endOff + i] - K[qOff + i]; // f(y1) − f(Y_q)
      const dy = y1[i] - yStage[i];
      num += df * df;
      den += dy * dy;
    }
    return den > 0 ? Math.abs(this.hOld) * Math.sqrt(num / den) : 0;
  }

  /** Makes sure the end-slope slot holds f(t, y) for the current state (the last step's end). */
  private ensureEnd(): void {
    if (this.endValid) return;
    this.f(this.t, this.y, this.kv[this.endIdx]);
    this.nfev++;
    this.endValid = true;
  }
}
