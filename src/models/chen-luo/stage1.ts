/**
 * Stage 1 reduced system: the effective dynamics of the outer parameters at small initialization.
 *
 * To leading order in ε the attention is uniform and the flow is gradient ascent on the cubic
 * energy E = v W_V W1 W2 [V: Chen & Luo, Prop. 1, Eq. 6–8]. In normalized time
 * t̄ = ε κ t (κ = |ℓ′(0)|‖S‖/(ns)) and normalized weights W̄ = W/ε, with w = (v W̄_V)ᵀ, M = W̄1,
 * b = W̄2, it closes on (w, M, b) [R: note §4.2]:
 *
 *   ẇ = M b,   Ṁ = w bᵀ,   ḃ = Mᵀ w,   E = wᵀ M b,
 *
 * W̄_V(t̄) = W̄_V(0) + vᵀ (w(t̄) − w(0))ᵀ exactly (every column of W_V moves only along v) [R],
 * conserved: w_k² − Σ_k′ M_kk′² and b_k² − Σ_k′ M_k′k² for every k [V: Prop. 2] — in fact the
 * whole matrices wwᵀ − MMᵀ and bbᵀ − MᵀM [R] — and Ė = ‖Mb‖² + ‖w‖²‖b‖² + ‖Mᵀw‖² ≥ 3E^{4/3}
 * [V: Eq. 16], so E blows up in finite time T̄* (Theorem 1) and E^{−1/3} → T̄* − t̄.
 *
 * State layout: [w (d), M (d×d row-major), b (d)].
 */
import { solve } from '../../solve/index.js';
import type { RhsFn, Solution, Vec } from '../../solve/types.js';
import { singularValues, stableRank } from '../../spectral/index.js';

export const stage1Size = (d: number): number => d * d + 2 * d;

/** (w, M, b) ↦ (Mb, w bᵀ, Mᵀw), in place. */
export function stage1Rhs(d: number): RhsFn {
  const M0 = d;
  const B0 = d + d * d;
  return (_t, y, dy) => {
    for (let k = 0; k < d; k++) {
      let mb = 0;
      let mtw = 0;
      for (let l = 0; l < d; l++) {
        mb += y[M0 + k * d + l] * y[B0 + l]; // (M b)_k
        mtw += y[M0 + l * d + k] * y[l]; // (Mᵀ w)_k
      }
      dy[k] = mb;
      dy[B0 + k] = mtw;
      for (let l = 0; l < d; l++) dy[M0 + k * d + l] = y[k] * y[B0 + l]; // (w bᵀ)_kl
    }
  };
}

/** E = wᵀ M b. */
export function stage1Energy(y: Vec, d: number): number {
  let e = 0;
  for (let k = 0; k < d; k++) for (let l = 0; l < d; l++) e += y[k] * y[d + k * d + l] * y[d + d * d + l];
  return e;
}

/** Ė = ‖Mb‖² + ‖w‖²‖b‖² + ‖Mᵀw‖² [V: Eq. 16]. */
export function stage1EnergyRate(y: Vec, d: number): number {
  const B0 = d + d * d;
  let mb = 0;
  let mtw = 0;
  let ww = 0;
  let bb = 0;
  for (let k = 0; k < d; k++) {
    let a = 0;
    let c = 0;
    for (let l = 0; l < d; l++) { a += y[d + k * d + l] * y[B0 + l]; c += y[d + l * d + k] * y[l]; }
    mb += a * a;
    mtw += c * c;
    ww += y[k] * y[k];
    bb += y[B0 + k] * y[B0 + k];
  }
  return mb + ww * bb + mtw;
}

/**
 * The reduced state of a full-model state θ (blocks at the given offsets): w = (v W_V)ᵀ/ε,
 * M = W1/ε, b = W2/ε.
 */
export function stage1FromFull(theta: Vec, d: number, v: ArrayLike<number>, eps: number, off: { WV: number; W1: number; W2: number }): Float64Array {
  const y = new Float64Array(stage1Size(d));
  for (let k = 0; k < d; k++) {
    let acc = 0;
    for (let l = 0; l < d; l++) acc += v[l] * theta[off.WV + l * d + k]; // (v W_V)_k
    y[k] = acc / eps;
    y[d + d * d + k] = theta[off.W2 + k] / eps;
  }
  for (let i = 0; i < d * d; i++) y[d + i] = theta[off.W1 + i] / eps;
  return y;
}

/** W̄_V(t̄) = W̄_V(0) + vᵀ (w(t̄) − w(0))ᵀ, d×d row-major [R, exact in the reduced system]. */
export function valueClosedForm(WV0: ArrayLike<number>, v: ArrayLike<number>, w: ArrayLike<number>, w0: ArrayLike<number>, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let l = 0; l < d; l++) for (let k = 0; k < d; k++) out[l * d + k] = WV0[l * d + k] + v[l] * (w[k] - w0[k]);
  return out;
}

/** The conserved quantities: per index (Prop. 2) and as matrices. */
export interface Stage1Invariants {
  /** w_k² − Σ_k′ M_kk′². */
  readonly rowW: Float64Array;
  /** b_k² − Σ_k′ M_k′k². */
  readonly colB: Float64Array;
  /** w_k² + Σ_k′ M_kk′² and b_k² + Σ_k′ M_k′k²: the size of the terms that cancel (round-off scale). */
  readonly rowScale: Float64Array;
  readonly colScale: Float64Array;
  /** wwᵀ − MMᵀ and bbᵀ − MᵀM (d×d). */
  readonly matW: Float64Array;
  readonly matB: Float64Array;
}

export function stage1Invariants(y: Vec, d: number): Stage1Invariants {
  const B0 = d + d * d;
  const rowW = new Float64Array(d);
  const colB = new Float64Array(d);
  const rowScale = new Float64Array(d);
  const colScale = new Float64Array(d);
  const matW = new Float64Array(d * d);
  const matB = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    let rm = 0;
    let cm = 0;
    for (let l = 0; l < d; l++) { rm += y[d + k * d + l] ** 2; cm += y[d + l * d + k] ** 2; }
    rowW[k] = y[k] ** 2 - rm;
    colB[k] = y[B0 + k] ** 2 - cm;
    rowScale[k] = y[k] ** 2 + rm;
    colScale[k] = y[B0 + k] ** 2 + cm;
    for (let l = 0; l < d; l++) {
      let mm = 0;
      let mtm = 0;
      for (let m = 0; m < d; m++) { mm += y[d + k * d + m] * y[d + l * d + m]; mtm += y[d + m * d + k] * y[d + m * d + l]; }
      matW[k * d + l] = y[k] * y[l] - mm;
      matB[k * d + l] = y[B0 + k] * y[B0 + l] - mtm;
    }
  }
  return { rowW, colB, rowScale, colScale, matW, matB };
}

/**
 * Largest drift of the per-index conservation laws between two states, each difference relative
 * to max(1, size of the cancelling terms at the later state): absolute while the terms are O(1),
 * relative once they grow (a difference of numbers of size X cannot be better than ~1e-16·X).
 */
export function invariantDrift(y0: Vec, y: Vec, d: number): number {
  const a = stage1Invariants(y0, d);
  const b = stage1Invariants(y, d);
  let worst = 0;
  for (let k = 0; k < d; k++) {
    worst = Math.max(worst, Math.abs(b.rowW[k] - a.rowW[k]) / Math.max(1, b.rowScale[k]));
    worst = Math.max(worst, Math.abs(b.colB[k] - a.colB[k]) / Math.max(1, b.colScale[k]));
  }
  return worst;
}

export interface BlowUp {
  /** Whether E reached `Emax` (finite-time blow-up observed). */
  readonly blewUp: boolean;
  /** t̄ at which E = Emax. */
  readonly tHit: number;
  /** T̄* ≈ t̄ + E^{−1/3} at E = Emax (the self-similar extrapolation, exact for E = (T̄* − t̄)^{−3}). */
  readonly Tstar: number;
  readonly E0: number;
  readonly yEnd: Float64Array;
  /** d(E^{−1/3})/dt̄ = −Ė/(3E^{4/3}) at the end (→ −1). */
  readonly slope: number;
  /** Stable rank of M at the end (→ 1). */
  readonly stableRankM: number;
  /** ‖w‖/‖b‖ at the end (→ 1). */
  readonly ratioWB: number;
  /** Largest relative drift of the conservation laws over the accepted steps ({@link invariantDrift}). */
  readonly drift: number;
  readonly solution: Solution;
}

/**
 * Integrates the reduced system from y0 in t̄ until E = Emax (a terminal event located on the
 * dense output), with dop853 at rtol 1e-13; gives T̄* and the blow-up diagnostics.
 */
export function solveBlowUp(y0: Vec, d: number, options: { Emax?: number; tMax?: number; saveAt?: ArrayLike<number> } = {}): BlowUp {
  const Emax = options.Emax ?? 1e9;
  const tMax = options.tMax ?? 1e3;
  let drift = 0;
  const solution = solve(stage1Rhs(d), [0, tMax], y0, {
    method: 'dop853',
    rtol: 1e-13,
    atol: 1e-15,
    maxSteps: 200_000,
    saveAt: options.saveAt,
    events: [{ name: 'E_max', g: (_t, y) => stage1Energy(y, d) - Emax, direction: 1, terminal: true }],
    onStep: (_t, y) => { drift = Math.max(drift, invariantDrift(y0, y, d)); },
  });
  const hit = solution.events.find((e) => e.name === 'E_max');
  const yEnd = Float64Array.from(hit ? hit.y : solution.yEnd);
  drift = Math.max(drift, invariantDrift(y0, yEnd, d));
  const E = stage1Energy(yEnd, d);
  const M = { data: yEnd, offset: d, rows: d, cols: d };
  let ww = 0;
  let bb = 0;
  for (let k = 0; k < d; k++) { ww += yEnd[k] ** 2; bb += yEnd[d + d * d + k] ** 2; }
  const tHit = hit ? hit.t : solution.tEnd;
  return {
    blewUp: hit !== undefined,
    tHit,
    Tstar: hit ? tHit + Math.cbrt(1 / E) : Infinity,
    E0: stage1Energy(y0, d),
    yEnd,
    slope: -stage1EnergyRate(yEnd, d) / (3 * E * Math.cbrt(E)),
    stableRankM: stableRank(singularValues(M)),
    ratioWB: Math.sqrt(ww / bb),
    drift,
    solution,
  };
}
