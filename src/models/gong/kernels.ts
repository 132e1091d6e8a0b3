/**
 * The in-context average at L = ∞: E_i[y_i σ(s_i)] given the query, in closed form (or by a 1-D
 * quadrature for Variant A), with its derivatives. Shared by the full-matrix flow (any W) and the
 * reduced flow (symmetric W). [R: derived in derivations/gong/ and in the technical note §4.3]
 *
 * Notation: v = W x̃_q (a block's query vector); items carry type both / P-only / Q-only with
 * probabilities 1 − p0 − q0, p0, q0 (a missing part is 0 and scores 0 there).
 *
 * P block, Variant B, any W_P and any normalisation that commutes with z ↦ −z ('off', 'blocks'):
 * x̃⁻ has the law of −x̃⁺, so E_i[y_i σ(x̃_i·v)] = ½E[σ(x̃⁺·v) − σ(−x̃⁺·v)] = ½E[x̃⁺]·v = ½κ ŵ·v,
 * with κ = E[ŵ·x̃⁺] = γ0 + σ_P√(2/π) ('off') or E[m/√(m² + σ_P²ρ)] ('blocks', m = γ0 + σ_P|g|,
 * ρ ~ χ²_{d−1}). The P sub-model is linear in W_P; its score noise never matters at L = ∞.
 *
 * Q block, Variant B:
 * - clusters, 'off': E σ(x·v) = R(μ·v, σ_Q‖v‖) for x ~ N(μ, σ_Q²I), R(μ, s) = μΦ(μ/s) + sφ(μ/s);
 * - rays: items are the points ẑ (y = +1) and ẑ ± ζ (y = −1), scaled by α_i (E α = ½) when 'off'
 *   (σ(αc) = ασ(c) for α ≥ 0) or normalised to unit norm when 'blocks'.
 *
 * Variant A (clusters, 'off'): s_i | y_i, m_i, μ_i ~ N(y_i m_i ŵ·v_P + μ_i·v_Q, S²) with
 * S² = σ_P²‖Π⊥v_P‖² + σ_Q²‖v_Q‖², so E σ(s_i) = E_m R(·, S), the half-normal m_i by quadrature.
 */
import { Phi, phi } from '../../expr/special.js';
import { halfNormalRule, chiSquareRule } from './quadrature.js';
import type { GongConfig } from './config.js';

/** R(μ, s) = E[max(0, N(μ, s²))] = μΦ(μ/s) + sφ(μ/s); R(μ, 0) = max(0, μ). */
export function relMean(mu: number, s: number): number {
  if (s <= 0) return mu > 0 ? mu : 0;
  const z = mu / s;
  return mu * Phi(z) + s * phi(z);
}

/** ∂R/∂μ = Φ(μ/s) (heaviside(μ) at s = 0). */
export function relMeanDmu(mu: number, s: number): number {
  if (s <= 0) return mu > 0 ? 1 : 0;
  return Phi(mu / s);
}

/** ∂R/∂s = φ(μ/s) (0 at s = 0, the kink convention). */
export function relMeanDs(mu: number, s: number): number {
  if (s <= 0) return 0;
  return phi(mu / s);
}

/** κ = E[ŵ·x̃^P | y = +1] (see the module comment), by quadrature of order n when normalised. */
export function kappa(c: Pick<GongConfig, 'normalize' | 'gamma0' | 'sigmaP' | 'd'>, n: number): number {
  if (c.normalize === 'off') return c.gamma0 + c.sigmaP * Math.sqrt(2 / Math.PI);
  const g = halfNormalRule(n);
  const r = chiSquareRule(n, c.d - 1);
  let acc = 0;
  for (let i = 0; i < g.x.length; i++) {
    const m = c.gamma0 + c.sigmaP * g.x[i];
    let inner = 0;
    for (let j = 0; j < r.x.length; j++) inner += r.w[j] / Math.sqrt(m * m + c.sigmaP * c.sigmaP * r.x[j]); // E_ρ 1/‖x‖
    acc += g.w[i] * m * inner;
  }
  return acc;
}

/** R(μ, s) with ∂R/∂μ = Φ(μ/s) and ∂R/∂s = φ(μ/s), from one Φ and one φ evaluation. */
export interface RelTriple { r: number; dmu: number; ds: number }

export function relTriple(mu: number, s: number, out: RelTriple): void {
  if (s <= 0) {
    out.r = mu > 0 ? mu : 0;
    out.dmu = mu > 0 ? 1 : 0;
    out.ds = 0;
    return;
  }
  const z = mu / s;
  const P = Phi(z);
  const f = phi(z);
  out.r = mu * P + s * f; // R = μΦ(μ/s) + sφ(μ/s)
  out.dmu = P;
  out.ds = f;
}

const T1: RelTriple = { r: 0, dmu: 0, ds: 0 };
const T2: RelTriple = { r: 0, dmu: 0, ds: 0 };
const T3: RelTriple = { r: 0, dmu: 0, ds: 0 };
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Values and derivatives of g(μ, s) = ½R(0, s) − ¼R(μ, s) − ¼R(−μ, s) (the Q clusters kernel, per Q-bearing item). */
export interface ClusterKernel { g: number; dMu: number; dS: number }

export function clusterKernel(mu: number, s: number, out: ClusterKernel): void {
  if (s <= 0) {
    out.g = 0.5 * relMean(0, s) - 0.25 * (relMean(mu, s) + relMean(-mu, s));
    out.dMu = -0.25 * (relMeanDmu(mu, s) - relMeanDmu(-mu, s));
    out.dS = 0;
    return;
  }
  relTriple(mu, s, T1); // R(−μ, s) = R(μ, s) − μ, Φ(−z) = 1 − Φ(z), φ(−z) = φ(z)
  const r0 = s * INV_SQRT_2PI; // R(0, s) = sφ(0)
  out.g = 0.5 * r0 - 0.25 * (2 * T1.r - mu);
  out.dMu = -0.25 * (2 * T1.dmu - 1);
  out.dS = 0.5 * INV_SQRT_2PI - 0.5 * T1.ds;
}

/**
 * The rays item points and signed weights: Σ_k weight_k σ(point_k·v) is the per-Q-bearing-item
 * kernel (already including E α = ½ when 'off'). Points are unit or unnormalised per `normalize`.
 */
export function rayPoints(zHat: Float64Array, zetaHat: Float64Array, r: number, normalize: 'off' | 'blocks'): { points: Float64Array[]; weights: number[] } {
  const d = zHat.length;
  const scale = normalize === 'blocks' ? 1 / Math.sqrt(1 + r * r) : 1;
  const plus = new Float64Array(d);
  const minus = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    plus[i] = (zHat[i] + r * zetaHat[i]) * scale;
    minus[i] = (zHat[i] - r * zetaHat[i]) * scale;
  }
  const ea = normalize === 'off' ? 0.5 : 1; // E α over the items
  return { points: [Float64Array.from(zHat), plus, minus], weights: [0.5 * ea, -0.25 * ea, -0.25 * ea] };
}

/** Variant A at L = ∞: the in-context average and its derivatives in the four sufficient statistics. */
export interface AverageA {
  /** E_i[y_i σ(s_i)]. */
  value: number;
  /** ∂/∂w, w = ŵ·v_P. */
  dw: number;
  /** ∂/∂c, c = ζ·v_Q. */
  dc: number;
  /** ∂/∂S_P² and ∂/∂S_Q² (S_P² = σ_P²‖Π⊥v_P‖², S_Q² = σ_Q²‖v_Q‖²), with the S = 0 convention 0. */
  dSP2: number;
  dSQ2: number;
}

/**
 * E_i[y_i σ(s_i)] for Variant A (clusters, 'off') with item-type probabilities (both, P-only, Q-only),
 * the half-normal m_i = γ0 + σ_P|g| by the rule `hn`.
 */
export function averageA(w: number, SP2: number, c: number, SQ2: number, probs: readonly [number, number, number], gamma0: number, sigmaP: number, hn: { x: Float64Array; w: Float64Array }, out: AverageA): void {
  const [pb, pp, pq] = probs;
  const Sb = Math.sqrt(SP2 + SQ2);
  const SP = Math.sqrt(SP2);
  const SQ = Math.sqrt(SQ2);
  let value = 0;
  let dw = 0;
  let dc = 0;
  let dSb = 0; // ∂/∂S_b (both items), ∂/∂S_P (P-only), ∂/∂S_Q (Q-only)
  const dSP = 0; // P-only items: ½R(a, S_P) − ½R(−a, S_P) = ½a does not depend on S_P
  let dSQ = 0;
  for (let j = 0; j < hn.x.length; j++) {
    const m = gamma0 + sigmaP * hn.x[j];
    const wj = hn.w[j];
    const a = m * w;
    // both: ½R(a, S_b) − ¼R(−a + c, S_b) − ¼R(−a − c, S_b)
    if (pb > 0) {
      const k = pb * wj;
      relTriple(a, Sb, T1);
      relTriple(-a + c, Sb, T2);
      relTriple(-a - c, Sb, T3);
      value += k * (0.5 * T1.r - 0.25 * (T2.r + T3.r));
      dw += k * m * (0.5 * T1.dmu + 0.25 * (T2.dmu + T3.dmu));
      dc += k * (-0.25 * (T2.dmu - T3.dmu));
      dSb += k * (0.5 * T1.ds - 0.25 * (T2.ds + T3.ds));
    }
    // P-only: ½R(a, S_P) − ½R(−a, S_P) = ½a (R(a) − R(−a) = a), so ∂/∂w = ½m and ∂/∂S_P = 0
    if (pp > 0) {
      const k = pp * wj;
      value += k * 0.5 * a;
      dw += k * m * 0.5;
    }
  }
  // Q-only: ½R(0, S_Q) − ¼R(c, S_Q) − ¼R(−c, S_Q) (no m dependence)
  if (pq > 0) {
    value += pq * (0.5 * relMean(0, SQ) - 0.25 * (relMean(c, SQ) + relMean(-c, SQ)));
    dc += pq * (-0.25 * (relMeanDmu(c, SQ) - relMeanDmu(-c, SQ)));
    dSQ += pq * (0.5 * relMeanDs(0, SQ) - 0.25 * (relMeanDs(c, SQ) + relMeanDs(-c, SQ)));
  }
  out.value = value;
  out.dw = dw;
  out.dc = dc;
  // ∂S/∂(S²) = 1/(2S); S_b² = S_P² + S_Q²
  const hb = Sb > 0 ? dSb / (2 * Sb) : 0;
  out.dSP2 = hb + (SP > 0 ? dSP / (2 * SP) : 0);
  out.dSQ2 = hb + (SQ > 0 ? dSQ / (2 * SQ) : 0);
}
