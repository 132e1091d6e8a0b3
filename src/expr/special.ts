/**
 * Special functions used by compiled expressions, in float64 with stable forms.
 *
 * erf/erfc follow the rational approximations of Sun's fdlibm (s_erf.c, the coefficients
 * published there), accurate to below 1 ulp-ish over the whole line; erfc keeps full
 * relative accuracy in the far tail, which is what Φ(x) for very negative x needs.
 *
 * Conventions (used everywhere in gradflow, including the symbolic derivatives):
 *   heaviside(0) = 0, sign(0) = 0, relu(x) = max(0, x), relu′(x) = heaviside(x).
 */

const ERX = 8.45062911510467529297e-1;
const EFX = 1.28379167095512586316e-1;
const PP = [1.28379167095512558561e-1, -3.25042107247001499370e-1, -2.84817495755985104766e-2,
  -5.77027029648944159157e-3, -2.37630166566501626084e-5] as const;
const QQ = [3.97917223959155352819e-1, 6.50222499887672944485e-2, 5.08130628187576562776e-3,
  1.32494738004321644526e-4, -3.96022827877536812320e-6] as const;
const PA = [-2.36211856075265944077e-3, 4.14856118683748331666e-1, -3.72207876035701323847e-1,
  3.18346619901161753674e-1, -1.10894694282396677476e-1, 3.54783043256182359371e-2,
  -2.16637559486879084300e-3] as const;
const QA = [1.06420880400844228286e-1, 5.40397917702171048937e-1, 7.18286544141962662868e-2,
  1.26171219808761642112e-1, 1.36370839120290507362e-2, 1.19844998467991074170e-2] as const;
const RA = [-9.86494403484714822705e-3, -6.93858572707181764372e-1, -1.05586262253232909814e1,
  -6.23753324503260060396e1, -1.62396669462573470355e2, -1.84605092906711035994e2,
  -8.12874355063065934246e1, -9.81432934416914548592e0] as const;
const SA = [1.96512716674392571292e1, 1.37657754143519042600e2, 4.34565877475229228821e2,
  6.45387271733267880336e2, 4.29008140027567833386e2, 1.08635005541779435134e2,
  6.57024977031928170135e0, -6.04244152148580987438e-2] as const;
const RB = [-9.86494292470009928597e-3, -7.99283237680523006574e-1, -1.77579549177547519889e1,
  -1.60636384855821916062e2, -6.37566443368389627722e2, -1.02509513161107724954e3,
  -4.83519191608651397019e2] as const;
const SB = [3.03380607434824582924e1, 3.25792512996573918826e2, 1.53672958608443695994e3,
  3.19985821950859553908e3, 2.55305040643316442583e3, 4.74528541206955367215e2,
  -2.24409524465858183362e1] as const;

/** Horner: c0 + z·(c1 + z·(…)). */
function poly(c: readonly number[], z: number): number {
  let s = c[c.length - 1];
  for (let i = c.length - 2; i >= 0; i--) s = c[i] + z * s;
  return s;
}
/** 1 + z·(c0 + z·(c1 + …)). */
function poly1(c: readonly number[], z: number): number {
  return 1 + z * poly(c, z);
}

const split = new Float64Array(1);
const splitWords = new Uint32Array(split.buffer);
/** x with the low 32 bits of its mantissa cleared, so z·z below is exact. */
function highPart(x: number): number {
  split[0] = x;
  splitWords[0] = 0; // little-endian: word 0 is the low word
  return split[0];
}

/** exp(−x²)·(correction) / x for x ≥ 1.25: the tail factor shared by erf and erfc. */
function tail(ax: number): number {
  const s = 1 / (ax * ax);
  const rs = ax < 1 / 0.35 ? poly(RA, s) / poly1(SA, s) : poly(RB, s) / poly1(SB, s);
  const z = highPart(ax);
  // e^{−x²} split as e^{−z² − 0.5625}·e^{(z−x)(z+x) + R/S}: keeps the tail's relative accuracy
  return (Math.exp(-z * z - 0.5625) * Math.exp((z - ax) * (z + ax) + rs)) / ax;
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 0.84375) {
    if (ax < 2 ** -28) return x + EFX * x;
    const z = x * x;
    return x + x * (poly(PP, z) / poly1(QQ, z));
  }
  if (ax < 1.25) {
    const s = ax - 1;
    const pq = poly(PA, s) / poly1(QA, s);
    return x >= 0 ? ERX + pq : -ERX - pq;
  }
  if (ax >= 6) return x > 0 ? 1 : -1;
  const r = tail(ax);
  return x >= 0 ? 1 - r : r - 1;
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 0.84375) {
    if (ax < 2 ** -56) return 1 - x;
    const z = x * x;
    const y = poly(PP, z) / poly1(QQ, z);
    if (x < 0.25) return 1 - (x + x * y);
    return 0.5 - (x * y + (x - 0.5));
  }
  if (ax < 1.25) {
    const s = ax - 1;
    const pq = poly(PA, s) / poly1(QA, s);
    return x >= 0 ? 1 - ERX - pq : 1 + (ERX + pq);
  }
  if (ax < 28) {
    if (x < 0 && ax >= 6) return 2;
    const r = tail(ax);
    return x > 0 ? r : 2 - r;
  }
  return x > 0 ? 0 : 2;
}

const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;

/** Standard normal CDF Φ(x) = ½·erfc(−x/√2): keeps relative accuracy in the lower tail. */
export function Phi(x: number): number {
  return 0.5 * erfc(-x * INV_SQRT2);
}

/** Standard normal density φ(x) = e^{−x²/2}/√(2π). */
export function phi(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/** Logistic sigmoid 1/(1+e^{−x}), evaluated without overflow on either side. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^{−|x|}): no overflow, no cancellation. */
export function softplus(x: number): number {
  return (x > 0 ? x : 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** heaviside(x) = 1 for x > 0, 0 for x ≤ 0 (the gradflow convention at the kink). NaN stays NaN. */
export function heaviside(x: number): number {
  return x > 0 ? 1 : x <= 0 ? 0 : NaN;
}

/** sign(x) ∈ {−1, 0, 1}, sign(0) = 0. */
export function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN;
}

export function relu(x: number): number {
  return x > 0 ? x : x <= 0 ? 0 : NaN;
}
