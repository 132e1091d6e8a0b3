/**
 * One Rosenbrock stepper, driven by a {@link RosenbrockTableau}, with the same life cycle as the
 * explicit `ErkStepper` (start → attempt → accept | attempt again → evaluate), so that one
 * integration loop, the save-at grid and the events serve both.
 *
 * Per step attempt: the Jacobian J = ∂f/∂y at the step's start (once per accepted point, reused
 * after a rejection), one LU factorisation of I/(hγ) − J, and one RHS call plus one forward/back
 * substitution per stage; the first stage reuses f(t0, y0). Every buffer is allocated in the
 * constructor, so a step allocates nothing.
 */
import { LuFactors } from '../../linalg/lu.js';
import type { Interpolant } from '../dense.js';
import type { JacobianFn, RhsFn, Vec } from '../types.js';
import { allFinite, infNorm } from '../vec.js';
import type { RosenbrockTableau } from './tableau.js';

export type { JacobianFn };

/**
 * ∂f/∂t(t, y) into `out`, given f0 = f(t, y). `null` means f does not depend on t (the term vanishes).
 */
export type TimeDerivativeFn = (t: number, y: Vec, f0: Vec, out: Vec) => void;

/** Where the stepper gets J and ∂f/∂t from. */
export interface DerivativeSources {
  /** Exact Jacobian; `null`: forward differences, n RHS calls per Jacobian. */
  readonly jacobian: JacobianFn | null;
  /** `'zero'`: autonomous f; `'fd'`: a forward difference in t (one RHS call); or a function. */
  readonly timeDerivative: 'zero' | 'fd' | TimeDerivativeFn;
}

/** Forward-difference increment for a variable of value x: √(eps·max(1e-5, |x|)) (Hairer's RODAS). */
function fdIncrement(x: number): number {
  return Math.sqrt(Number.EPSILON * Math.max(1e-5, Math.abs(x)));
}

export class RosenbrockStepper implements Interpolant {
  readonly tableau: RosenbrockTableau;
  readonly n: number;
  /** RHS calls made by this stepper (stages, f at each accepted point, finite differences). */
  nfev = 0;
  /** Jacobian evaluations (exact, or by finite differences: those RHS calls are also in nfev). */
  njev = 0;
  /** LU factorisations of I/(hγ) − J. */
  ndec = 0;
  /** Current (last accepted) state. Owned by the stepper; read, do not keep. */
  y: Vec;
  /** ‖y1‖∞ of the last attempt (NaN if y1 was not finite). */
  yNewNorm = 0;
  /** J = ∂f/∂y at the start of the current or last attempted step, row-major n×n (read only). */
  readonly J: Float64Array;

  private readonly f: RhsFn;
  private readonly src: DerivativeSources;
  private readonly s: number;
  private readonly lu: LuFactors;
  /** Stage increments U_1…U_s back to back (U_i at offset i·n). */
  private readonly U: Float64Array;
  private readonly f0: Vec;
  private readonly ft: Vec;
  private readonly yStage: Vec;
  private readonly rhs: Vec;
  private readonly tmp: Vec;
  private readonly mErr: Float64Array;
  private readonly Kd: Float64Array;
  /** Trial y1 of the last attempt; after accept() it holds the previous state y0 (buffers swap). */
  private yNew: Vec;
  private t = 0;
  private tOld = 0;
  private hOld = 0;
  private f0Valid = false;
  private jValid = false;
  private jFinite = true;
  private hasStep = false;
  private denseReady = false;

  constructor(tableau: RosenbrockTableau, f: RhsFn, n: number, src: DerivativeSources) {
    this.tableau = tableau;
    this.f = f;
    this.n = n;
    this.src = src;
    const s = tableau.m.length;
    this.s = s;
    this.lu = new LuFactors(n);
    this.J = new Float64Array(n * n);
    this.U = new Float64Array(s * n);
    this.f0 = new Float64Array(n);
    this.ft = new Float64Array(n);
    this.yStage = new Float64Array(n);
    this.rhs = new Float64Array(n);
    this.tmp = new Float64Array(n);
    this.mErr = Float64Array.from(tableau.m, (m, i) => m - tableau.mHat[i]);
    this.Kd = new Float64Array(tableau.H.length * n);
    this.y = new Float64Array(n);
    this.yNew = new Float64Array(n);
  }

  /**
   * Sets the state to (t0, y0) and the slope f(t0, y0): evaluated, or copied from `f0` when the
   * caller already has it (a method switch). Returns: false if the slope is not finite.
   */
  start(t0: number, y0: ArrayLike<number>, f0?: Vec): boolean {
    this.t = t0;
    this.y.set(y0);
    if (f0) this.f0.set(f0);
    else {
      this.f(t0, this.y, this.f0);
      this.nfev++;
    }
    this.f0Valid = true;
    this.jValid = false;
    this.hasStep = false;
    return allFinite(this.f0);
  }

  /** The slope f(t, y) at the current state (evaluated once per accepted point). */
  slope(): Vec {
    this.ensureF0();
    return this.f0;
  }

  /**
   * Whether the current point admits a step: f and J are finite there. After a non-finite
   * attempt, a false answer means that no smaller step can help.
   */
  pointFinite(): boolean {
    this.ensureF0();
    return allFinite(this.f0) && (!this.jValid || this.jFinite);
  }

  /**
   * Computes a trial step of size h from the current state into an internal buffer.
   *
   * Returns: the scaled RMS error norm √(1/n Σ_i (e_i/sc_i)²) with e = y1 − ŷ1 = Σ_j (m_j − m̂_j) U_j and
   * sc_i = atol + rtol·max(|y0_i|, |y1_i|); 0 when withError is false; NaN if y1, J or a stage is
   * not finite, +Infinity if I/(hγ) − J is singular to working precision (a smaller step helps: it
   * happens where 1/(hγ) meets a positive eigenvalue of J, e.g. near a saddle of a gradient flow).
   */
  attempt(h: number, rtol: number, atol: number, withError: boolean): number {
    this.ensureF0();
    this.ensureJacobian();
    this.hasStep = false;
    if (!this.jFinite) return NaN;
    const { n, s, U, J, f0, ft, yStage, rhs, lu, tableau } = this;
    const y = this.y;
    const t = this.t;
    // M = I/(hγ) − J
    const a = lu.a;
    const diag = 1 / (h * tableau.gamma);
    for (let i = 0; i < n * n; i++) a[i] = -J[i];
    for (let i = 0; i < n; i++) a[i * n + i] += diag;
    this.ndec++;
    if (!lu.factor()) return Infinity;
    const hasFt = this.src.timeDerivative !== 'zero';
    for (let st = 0; st < s; st++) {
      const ai = tableau.a[st];
      const ci = tableau.C[st];
      let F: Vec = f0;
      if (st > 0) {
        for (let k = 0; k < n; k++) {
          let acc = y[k];
          for (let j = 0; j < st; j++) if (ai[j] !== 0) acc += ai[j] * U[j * n + k]; // Y_i = y0 + Σ a_ij U_j
          yStage[k] = acc;
        }
        this.f(t + tableau.c[st] * h, yStage, rhs);
        this.nfev++;
        F = rhs;
      }
      const off = st * n;
      const hd = h * tableau.d[st];
      for (let k = 0; k < n; k++) {
        let acc = F[k];
        for (let j = 0; j < st; j++) acc += (ci[j] / h) * U[j * n + k]; // + Σ (C_ij/h) U_j
        if (hasFt) acc += hd * ft[k]; // + h d_i ∂f/∂t
        U[off + k] = acc;
      }
      lu.solve(U, off); // U_i = (I/(hγ) − J)⁻¹ (…)
    }
    const yNew = this.yNew;
    const m = tableau.m;
    for (let k = 0; k < n; k++) {
      let acc = y[k];
      for (let j = 0; j < s; j++) if (m[j] !== 0) acc += m[j] * U[j * n + k]; // y1 = y0 + Σ m_j U_j
      yNew[k] = acc;
    }
    const ymax = infNorm(yNew);
    this.yNewNorm = ymax;
    if (!Number.isFinite(ymax)) return NaN;
    if (!withError) return 0;
    const me = this.mErr;
    let sum = 0;
    for (let k = 0; k < n; k++) {
      let e = 0;
      for (let j = 0; j < s; j++) if (me[j] !== 0) e += me[j] * U[j * n + k]; // e = Σ (m_j − m̂_j) U_j
      const sc = atol + rtol * Math.max(Math.abs(y[k]), Math.abs(yNew[k]));
      const r = e / sc;
      sum += r * r;
    }
    const err = Math.sqrt(sum / n);
    return Number.isFinite(err) ? err : NaN;
  }

  /**
   * Makes the last attempt the current state at tNew (passed explicitly so that the final step
   * lands exactly on t_end). The step stays available to {@link RosenbrockStepper.evaluate} until
   * the next attempt.
   */
  accept(h: number, tNew: number): void {
    this.tOld = this.t;
    this.hOld = h;
    this.t = tNew;
    const y0 = this.y;
    this.y = this.yNew;
    this.yNew = y0; // now holds the step's start state, needed by the interpolant
    this.f0Valid = false;
    this.jValid = false;
    this.hasStep = true;
    this.denseReady = false;
  }

  /**
   * The state at time t inside the last accepted step, into `out`:
   * y(θ) = (1 − θ) y0 + θ (y1 + (1 − θ)(K1 + θ (K2 + θ K3))), θ = (t − t0)/h, K_r = Σ_i H_ri U_i.
   * Exact at both ends; inside a stiff step its error can exceed the tolerance by orders of
   * magnitude (see tableau.ts), so the adaptive loop lands on save-at times rather than calling this.
   */
  evaluate(t: number, out: Vec): void {
    if (t === this.t && this.hasStep) {
      out.set(this.y);
      return;
    }
    this.evaluateTheta((t - this.tOld) / this.hOld, out);
  }

  /** The interpolant at θ ∈ [0, 1] of the last accepted step, always through the formula. */
  evaluateTheta(th: number, out: Vec): void {
    if (!this.hasStep) throw new Error('RosenbrockStepper: no accepted step to interpolate');
    const { n, Kd } = this;
    const nK = this.tableau.H.length;
    if (!this.denseReady) {
      const { U, s } = this;
      const H = this.tableau.H;
      for (let r = 0; r < nK; r++) {
        const row = H[r];
        for (let k = 0; k < n; k++) {
          let acc = 0;
          for (let j = 0; j < s; j++) acc += row[j] * U[j * n + k]; // K_r = Σ_i H_ri U_i
          Kd[r * n + k] = acc;
        }
      }
      this.denseReady = true;
    }
    const y0 = this.yNew;
    const y1 = this.y;
    const th1 = 1 - th;
    for (let k = 0; k < n; k++) {
      let acc = Kd[(nK - 1) * n + k];
      for (let r = nK - 2; r >= 0; r--) acc = Kd[r * n + k] + th * acc; // K1 + θ(K2 + θ(K3 …))
      out[k] = th1 * y0[k] + th * (y1[k] + th1 * acc);
    }
  }

  private ensureF0(): void {
    if (this.f0Valid) return; // the dense output does not need f(y1), so this never invalidates it
    this.f(this.t, this.y, this.f0);
    this.nfev++;
    this.f0Valid = true;
  }

  /** J and ∂f/∂t at the current point, once per point. */
  private ensureJacobian(): void {
    if (this.jValid) return;
    const { n, J, y, f0, ft, tmp } = this;
    const t = this.t;
    const jac = this.src.jacobian;
    if (jac) jac(t, y, J);
    else {
      // forward differences, column by column: J_ij ≈ (f_i(y + δ_j e_j) − f_i(y)) / δ_j
      for (let j = 0; j < n; j++) {
        const yj = y[j];
        y[j] = yj + fdIncrement(yj);
        const dj = y[j] - yj; // the increment actually represented in float64
        this.f(t, y, tmp);
        y[j] = yj;
        for (let i = 0; i < n; i++) J[i * n + j] = (tmp[i] - f0[i]) / dj;
      }
      this.nfev += n;
    }
    this.njev++;
    this.jValid = true;
    this.jFinite = allFinite(J);
    const td = this.src.timeDerivative;
    if (td === 'fd') {
      const t1 = t + fdIncrement(t);
      this.f(t1, y, tmp);
      this.nfev++;
      const h = t1 - t;
      for (let i = 0; i < n; i++) ft[i] = (tmp[i] - f0[i]) / h; // ∂f/∂t ≈ (f(t + δ, y) − f(t, y))/δ
    } else if (td !== 'zero') td(t, y, f0, ft);
    if (td !== 'zero' && !allFinite(ft)) this.jFinite = false;
  }
}
