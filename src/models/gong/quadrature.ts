/**
 * Gauss quadrature rules for the expectations of the Gong model (reduced flow, κ, Variant A's
 * inner average), all as probability rules: nodes xⱼ and weights wⱼ ≥ 0 with Σwⱼ = 1, so that
 * E[h(X)] ≈ Σⱼ wⱼ h(xⱼ), exact for polynomials h of degree < 2n.
 *
 * Construction (Golub–Welsch): the nodes are the eigenvalues of the Jacobi matrix of the
 * measure's monic recurrence π_{k+1} = (x − α_k)π_k − β_k π_{k−1}, the weights the squared first
 * components of its normalised eigenvectors. Recurrences:
 * - standard normal (probabilists' Hermite): α_k = 0, β_k = k;
 * - Gamma(α+1, 1) (generalised Laguerre, weight x^α e^{−x}): α_k = 2k + α + 1, β_k = k(k + α);
 * - uniform on [0, 1] (shifted Legendre): α_k = ½, β_k = k²/(4(4k² − 1));
 * - χ_k (density ∝ r^{k−1}e^{−r²/2}; k = 1 is the half-normal |g|, half-range Hermite): no
 *   closed form; the coefficients come from the discretised Stieltjes procedure (Gautschi,
 *   Orthogonal Polynomials, 2004, §2.2.3.1) on a composite 32-point Gauss–Legendre
 *   discretisation of [0, 40] with 40 panels (the weight is negligible beyond 37 for moderate k,
 *   and r^{2n+k}e^{−r²/2} peaks at √(2n + k) ≤ 25 for n ≤ 200, k ≤ 400).
 */

/** A probability quadrature rule. */
export interface Rule {
  readonly x: Float64Array;
  readonly w: Float64Array;
}

/**
 * Eigenvalues of the symmetric tridiagonal matrix (diag, off) and the first components of its
 * normalised eigenvectors, by the implicit QL method (Numerical Recipes `tqli`, tracking only
 * the first row of the eigenvector matrix). Returns a rule with weights μ0·z₀ₖ², sorted by node.
 */
function golubWelsch(diag: Float64Array, off: Float64Array, mu0: number): Rule {
  const n = diag.length;
  const d = Float64Array.from(diag);
  const e = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) e[i] = off[i]; // e[i] couples i and i+1
  const z = new Float64Array(n);
  z[0] = 1;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let m: number;
    do {
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * dd) break;
      }
      if (m !== l) {
        if (iter++ === 100) throw new Error('golubWelsch: QL iteration did not converge');
        let g = (d[l + 1] - d[l]) / (2 * e[l]);
        let r = Math.hypot(g, 1);
        g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
        let s = 1;
        let c = 1;
        let p = 0;
        let i: number;
        let underflow = false;
        for (i = m - 1; i >= l; i--) {
          const f = s * e[i];
          const b = c * e[i];
          r = Math.hypot(f, g);
          e[i + 1] = r;
          if (r === 0) {
            d[i + 1] -= p;
            e[m] = 0;
            underflow = true;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1] - p;
          r = (d[i] - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
          const zf = z[i + 1]; // rotate the first row of the eigenvector matrix
          z[i + 1] = s * z[i] + c * zf;
          z[i] = c * z[i] - s * zf;
        }
        if (underflow) continue;
        d[l] -= p;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }
  const order = Array.from({ length: n }, (_, k) => k).sort((i, j) => d[i] - d[j]);
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  let total = 0;
  order.forEach((k, i) => {
    x[i] = d[k];
    w[i] = mu0 * z[k] * z[k];
    total += w[i];
  });
  for (let i = 0; i < n; i++) w[i] /= total; // probability rule: Σw = 1 exactly up to rounding
  return { x, w };
}

function checkOrder(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 400) throw new RangeError(`quadrature order must be an integer in [1, 400] (got ${n})`);
}

const cache = new Map<string, Rule>();
function cached(key: string, make: () => Rule): Rule {
  let r = cache.get(key);
  if (!r) {
    r = make();
    cache.set(key, r);
  }
  return r;
}

/** E[h(g)], g ~ N(0, 1): probabilists' Gauss–Hermite. */
export function normalRule(n: number): Rule {
  checkOrder(n);
  return cached(`normal:${n}`, () => {
    const diag = new Float64Array(n);
    const off = new Float64Array(Math.max(n - 1, 0));
    for (let k = 1; k < n; k++) off[k - 1] = Math.sqrt(k);
    return golubWelsch(diag, off, 1);
  });
}

/** E[h(t)], t ~ Gamma(α + 1, 1) (density t^α e^{−t}/Γ(α+1)): generalised Gauss–Laguerre, α > −1. */
export function gammaRule(n: number, alpha: number): Rule {
  checkOrder(n);
  if (!(alpha > -1)) throw new RangeError(`gammaRule: α must be > −1 (got ${alpha})`);
  return cached(`gamma:${n}:${alpha}`, () => {
    const diag = new Float64Array(n);
    const off = new Float64Array(Math.max(n - 1, 0));
    for (let k = 0; k < n; k++) diag[k] = 2 * k + alpha + 1;
    for (let k = 1; k < n; k++) off[k - 1] = Math.sqrt(k * (k + alpha));
    return golubWelsch(diag, off, 1);
  });
}

/** E[h(ρ)], ρ ~ χ²_k (k ≥ 1 degrees of freedom): ρ = 2t with t ~ Gamma(k/2, 1). */
export function chiSquareRule(n: number, k: number): Rule {
  const g = gammaRule(n, k / 2 - 1);
  return { x: g.x.map((t) => 2 * t), w: g.w };
}

/** E[h(α)], α ~ U[0, 1]: shifted Gauss–Legendre. */
export function uniformRule(n: number): Rule {
  checkOrder(n);
  return cached(`uniform:${n}`, () => {
    const diag = new Float64Array(n).fill(0.5);
    const off = new Float64Array(Math.max(n - 1, 0));
    for (let k = 1; k < n; k++) off[k - 1] = k / (2 * Math.sqrt(4 * k * k - 1)); // √β_k on [0, 1]
    return golubWelsch(diag, off, 1);
  });
}

/**
 * A discrete measure: the composite 32-point Gauss–Legendre rule on [0, 40] (40 panels) times the
 * density ∝ r^{k−1}e^{−r²/2} (the χ_k law; k = 1 is the half-normal), evaluated in log space so
 * that large k does not overflow.
 */
function chiDiscretisation(k: number): Rule {
  const leg = uniformRule(32);
  const panels = 40;
  const width = 40 / panels;
  const x = new Float64Array(panels * leg.x.length);
  const logw = new Float64Array(x.length);
  let top = -Infinity;
  let j = 0;
  for (let p = 0; p < panels; p++) {
    for (let i = 0; i < leg.x.length; i++) {
      const r = (p + leg.x[i]) * width;
      x[j] = r;
      logw[j] = Math.log(leg.w[i] * width) + (k - 1) * Math.log(r) - 0.5 * r * r; // log(w_i·r^{k−1}e^{−r²/2})
      top = Math.max(top, logw[j]);
      j++;
    }
  }
  const w = logw.map((lw) => Math.exp(lw - top));
  return { x, w };
}

/**
 * E[h(r)] for r ~ χ_k (density ∝ r^{k−1}e^{−r²/2} on r ≥ 0; k = 1: r = |g|, g ~ N(0, 1)): Gauss
 * rule from the discretised Stieltjes procedure with orthonormal polynomials (a Lanczos-type
 * three-term recurrence). Unlike a Laguerre rule in ρ = r², it is exact for odd powers of r.
 */
export function chiRule(n: number, k: number): Rule {
  checkOrder(n);
  if (n > 200) throw new RangeError(`chiRule: order at most 200 (got ${n})`);
  if (!(k >= 1 && k <= 400)) throw new RangeError(`chiRule: degrees of freedom in [1, 400] (got ${k})`);
  return cached(`chi:${n}:${k}`, () => {
    const disc = chiDiscretisation(k);
    const M = disc.x.length;
    let mass = 0;
    for (let j = 0; j < M; j++) mass += disc.w[j];
    const pPrev = new Float64Array(M);
    const p = new Float64Array(M).fill(1 / Math.sqrt(mass)); // orthonormal p₀
    const next = new Float64Array(M);
    const diag = new Float64Array(n);
    const off = new Float64Array(Math.max(n - 1, 0));
    let bPrev = 0;
    for (let i = 0; i < n; i++) {
      let a = 0;
      for (let j = 0; j < M; j++) a += disc.w[j] * disc.x[j] * p[j] * p[j]; // α_i = ⟨x p_i, p_i⟩
      diag[i] = a;
      if (i === n - 1) break;
      let norm = 0;
      for (let j = 0; j < M; j++) {
        next[j] = (disc.x[j] - a) * p[j] - bPrev * pPrev[j]; // (x − α_i)p_i − b_i p_{i−1}
        norm += disc.w[j] * next[j] * next[j];
      }
      const b = Math.sqrt(norm); // b_{i+1} = √β_{i+1}
      off[i] = b;
      for (let j = 0; j < M; j++) {
        pPrev[j] = p[j];
        p[j] = next[j] / b;
      }
      bPrev = b;
    }
    return golubWelsch(diag, off, 1);
  });
}

/** E[h(|g|)], g ~ N(0, 1): half-range Gauss–Hermite (the χ_1 rule). */
export function halfNormalRule(n: number): Rule {
  return chiRule(n, 1);
}

/** Tensor product of two rules as a flat list of (x₁, x₂, w). */
export function tensor(r1: Rule, r2: Rule): { x1: Float64Array; x2: Float64Array; w: Float64Array } {
  const n = r1.x.length * r2.x.length;
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const w = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < r1.x.length; i++) {
    for (let j = 0; j < r2.x.length; j++) {
      x1[k] = r1.x[i];
      x2[k] = r2.x[j];
      w[k] = r1.w[i] * r2.w[j];
      k++;
    }
  }
  return { x1, x2, w };
}
