/**
 * Rosenbrock methods as coefficients, in the transformed form that needs no Jacobian–vector
 * products (Hairer & Wanner, Solving ODEs II, Sect. IV.7, eq. (7.18)–(7.19)):
 *
 * ```
 *   (I/(hγ) − J) U_i = f(t0 + c_i h, Y_i) + Σ_{j<i} (C_ij / h) U_j + h d_i ∂f/∂t,
 *   Y_i = y0 + Σ_{j<i} a_ij U_j,          J = ∂f/∂y(t0, y0),
 *   y1  = y0 + Σ_j m_j U_j,               ŷ1 = y0 + Σ_j m̂_j U_j   (embedded, for the error),
 * ```
 * with one LU factorisation of I/(hγ) − J per step. The classical coefficients of the method
 * (α_ij, γ_ij, b_i; HW IV.7 eq. (7.4)) follow from Γ = (I/γ − C)^(−1): α = aΓ, b = mΓ, b̂ = m̂Γ,
 * c_i = Σ_j α_ij and d_i = Σ_j Γ_ij; {@link classicalForm} computes them for the order-condition
 * tests. Dense output (OrdinaryDiffEq's Rodas interpolant, [R] from its source):
 * y(θ) = (1 − θ) y0 + θ (y1 + (1 − θ)(K1 + θ (K2 + θ K3))), K_r = Σ_i H_ri U_i.
 *
 * That interpolant is exact at both step ends but not stiffly accurate inside a step. In the stiff
 * limit of Prothero–Robinson, y′ = λ(y − φ) + φ′ with λ → −∞, the method gives
 * y(θ) = y0 + b(θ)ᵀβ⁻¹(Φ − y0 + hφ′(t0)·d) with Φ_i = φ(t0 + c_i h) (b(θ) the classical weights,
 * β = α + Γ), which is φ(t0 + θh) + O(h^(q+1)) only if b(θ)ᵀβ⁻¹c^k = θ^k for k ≤ q. Rodas5P's H
 * meet these for k ≤ 3 (implied by the order-4 conditions), not 4: the interior error is
 * O(h⁴)·φ⁽⁴⁾, whatever |λ|, while y1 and the error estimate are O(h³/|λ|)
 * (test/solve/rosenbrock-save-at.test.ts). Other H could add k = 4 (the order-4 conditions leave 2
 * of the 8 weights free per power of θ) but not k = 5; measured, such H cut the interior error of
 * one step 4–10×, yet save-at values still missed rtol by 10²–10⁶ on stiff problems. So adaptive
 * Rosenbrock steps land on save-at times instead of interpolating them (../auto.ts); events and
 * the fixed-step mode still use this interpolant.
 */

/** Tolerance of the identities checked at load, relative to the size of the coefficients. */
const TOL = 1e-12;

export interface RosenbrockTableau {
  readonly name: string;
  /** Order of y1. */
  readonly order: number;
  /** Order of the embedded ŷ1: the controller scales h by err^(−1/(errorOrder+1)). */
  readonly errorOrder: number;
  /** Order of the continuous extension (local error O(h^(denseOrder+1)) inside a step). */
  readonly denseOrder: number;
  /** The diagonal γ_ii = γ of every stage. */
  readonly gamma: number;
  /** Strictly lower rows: a[i] has i entries. */
  readonly a: readonly (readonly number[])[];
  /** Strictly lower rows: C[i] has i entries. */
  readonly C: readonly (readonly number[])[];
  /** Nodes c_i = Σ_j α_ij. */
  readonly c: readonly number[];
  /** d_i = Σ_j γ_ij (diagonal included): the weight of h·∂f/∂t in stage i. */
  readonly d: readonly number[];
  readonly m: readonly number[];
  readonly mHat: readonly number[];
  /** Dense-output weights: K_r = Σ_i H[r][i]·U_i. */
  readonly H: readonly (readonly number[])[];
}

/**
 * Rodas5P (Steinebach 2023): 8 stages, order 5 with an embedded order-4 solution, stiffly
 * accurate (y1 is the last stage point plus U_8, ŷ1 the last stage point), L-stable, and a
 * 4th-order dense output. Constructed to avoid Rodas5's order reduction on the Prothero–Robinson
 * test and on index-1 DAEs (per the paper).
 *
 * Reference [R]: G. Steinebach, "Construction of Rosenbrock–Wanner method Rodas5P and numerical
 * benchmarks within the Julia Differential Equations package", BIT Numer. Math. 63 (2023) 27.
 * Coefficients as tabulated in OrdinaryDiffEq.jl (`Rodas5PTableau`, MIT), where the stages are
 * computed exactly as in the header above; checked here by the order conditions up to order 5
 * (test/solve/rosenbrock-tableau.test.ts).
 */
const A_ROW_LAST = [
  -7.502846399306121, 2.561846144803919, -11.627539656261098, -0.18268767659942256, 0.030198172008377946, 1, 1,
];

export const RODAS5P: RosenbrockTableau = validateRosenbrock({
  name: 'rodas5p',
  order: 5,
  errorOrder: 4,
  denseOrder: 4,
  gamma: 0.21193756319429014,
  a: [
    [],
    [3.0],
    [2.849394379747939, 0.45842242204463923],
    [-6.954028509809101, 2.489845061869568, -10.358996098473584],
    [2.8029986275628964, 0.5072464736228206, -0.3988312541770524, -0.04721187230404641],
    [-7.502846399306121, 2.561846144803919, -11.627539656261098, -0.18268767659942256, 0.030198172008377946],
    [-7.502846399306121, 2.561846144803919, -11.627539656261098, -0.18268767659942256, 0.030198172008377946, 1],
    A_ROW_LAST,
  ],
  C: [
    [],
    [-14.155112264123755],
    [-17.97296035885952, -2.859693295451294],
    [147.12150275711716, -1.41221402718213, 71.68940251302358],
    [165.43517024871676, -0.4592823456491126, 42.90938336958603, -5.961986721573306],
    [24.854864614690072, -3.0009227002832186, 47.4931110020768, 5.5814197821558125, -0.6610691825249471],
    [30.91273214028599, -3.1208243349937974, 77.79954646070892, 34.28646028294783, -19.097331116725623, -28.087943162872662],
    [
      37.80277123390563, -3.2571969029072276, 112.26918849496327, 66.9347231244047, -40.06618937091002,
      -54.66780262877968, -9.48861652309627,
    ],
  ],
  c: [0, 0.6358126895828704, 0.4095798393397535, 0.9769306725060716, 0.4288403609558664, 1, 1, 1],
  d: [
    0.21193756319429014, -0.42387512638858027, -0.3384627126235924, 1.8046452872882734, 2.325825639765069, 0, 0, 0,
  ],
  // stiffly accurate: y1 = Y_8 + U_8, ŷ1 = Y_8, so the error estimate is U_8
  m: [...A_ROW_LAST, 1],
  mHat: [...A_ROW_LAST, 0],
  H: [
    [
      25.948786856663858, -2.5579724845846235, 10.433815404888879, -2.3679251022685204, 0.524948541321073,
      1.1241088310450404, 0.4272876194431874, -0.17202221070155493,
    ],
    [
      -9.91568850695171, -0.9689944594115154, 3.0438037242978453, -24.495224566215796, 20.176138334709044,
      15.98066361424651, -6.789040303419874, -6.710236069923372,
    ],
    [
      11.419903575922262, 2.8879645146136994, 72.92137995996029, 80.12511834622643, -52.072871366152654,
      -59.78993625266729, -0.15582684282751913, 4.883087185713722,
    ],
  ],
});

/** The classical coefficients of a transformed tableau (see the header). */
export interface ClassicalRosenbrock {
  /** α_ij, strictly lower (full s×s, row-major rows). */
  readonly alpha: number[][];
  /** γ_ij including the diagonal γ (full s×s, lower). */
  readonly Gamma: number[][];
  readonly b: number[];
  readonly bHat: number[];
}

/** Γ = (I/γ − C)^(−1), α = aΓ, b = mΓ, b̂ = m̂Γ (forward substitution; Γ is lower triangular). */
export function classicalForm(tab: RosenbrockTableau): ClassicalRosenbrock {
  const s = tab.m.length;
  const Cfull = (i: number, j: number): number => (j < i ? tab.C[i][j] : 0);
  // (I/γ − C) Γ = I, lower triangular: column by column
  const G: number[][] = Array.from({ length: s }, () => new Array<number>(s).fill(0));
  for (let col = 0; col < s; col++) {
    for (let i = col; i < s; i++) {
      let r = i === col ? 1 : 0;
      for (let k = col; k < i; k++) r += Cfull(i, k) * G[k][col]; // row i: G_i/γ − Σ_k C_ik G_k = δ
      G[i][col] = r * tab.gamma;
    }
  }
  const times = (row: readonly number[]): number[] => {
    const out = new Array<number>(s).fill(0);
    row.forEach((v, k) => {
      for (let j = 0; j < s; j++) out[j] += v * G[k][j];
    });
    return out;
  };
  return { alpha: tab.a.map((row) => times(row)), Gamma: G, b: times(tab.m), bHat: times(tab.mHat) };
}

/**
 * Checks shapes and the identities that tie the parts of a tableau together, and returns it frozen;
 * throws (a bug in gradflow) if one fails: c_i = Σ_j α_ij, d_i = Σ_j γ_ij, Σ b = Σ b̂ = 1.
 */
export function validateRosenbrock(tab: RosenbrockTableau): RosenbrockTableau {
  const s = tab.m.length;
  const fail = (what: string): never => {
    throw new Error(`Rosenbrock tableau ${tab.name}: ${what}`);
  };
  if (tab.a.length !== s || tab.C.length !== s || tab.c.length !== s || tab.d.length !== s || tab.mHat.length !== s) {
    fail(`a, C, c, d, mHat must have ${s} entries`);
  }
  for (let i = 0; i < s; i++) {
    if (tab.a[i].length !== i || tab.C[i].length !== i) fail(`rows a[${i}] and C[${i}] must have ${i} entries`);
  }
  tab.H.forEach((row, r) => {
    if (row.length !== s) fail(`H[${r}] must have ${s} entries`);
  });
  const cl = classicalForm(tab);
  const close = (got: number, want: number, what: string): void => {
    if (!(Math.abs(got - want) <= TOL * Math.max(1, Math.abs(want)))) fail(`${what} violated (off by ${got - want})`);
  };
  for (let i = 0; i < s; i++) {
    close(cl.alpha[i].reduce((x, y) => x + y, 0), tab.c[i], `c[${i}] = Σ_j α_${i}j`);
    close(cl.Gamma[i].reduce((x, y) => x + y, 0), tab.d[i], `d[${i}] = Σ_j γ_${i}j`);
  }
  close(cl.b.reduce((x, y) => x + y, 0), 1, 'Σ b = 1');
  close(cl.bHat.reduce((x, y) => x + y, 0), 1, 'Σ b̂ = 1');
  return deepFreeze(tab);
}

function deepFreeze<T>(x: T): T {
  if (x !== null && typeof x === 'object' && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x as object)) deepFreeze(v);
  }
  return x;
}
