/**
 * Butcher tableaux for explicit Runge–Kutta methods, and the identities every tableau must satisfy.
 *
 * A method is data: `erk.ts` runs any tableau that passes {@link validateTableau}. Layout of a tableau
 * with s stages (rows of `a` are strictly lower triangular, so row j has exactly j entries):
 *
 * ```
 *   c[0] |
 *   c[1] | a[1][0]
 *   c[2] | a[2][0] a[2][1]
 *    ⋮   |   ⋮              ⋱
 *  ------+---------------------------
 *        | b[0]    b[1]   …   b[s−1]        y1 = y0 + h Σ_j b_j k_j
 *        | bErr[0] bErr[1] … bErr[s−1]      err = h Σ_j bErr_j k_j   (bErr = b − b̂)
 * ```
 *
 * Stage derivatives live in numbered *slots*: slots 0…s−1 are the stages k_1…k_s; the slope at the step
 * end, f(t+h, y1), is slot s−1 for an FSAL method (its last stage is evaluated at y1) and slot s
 * otherwise; dense-output stages follow it. `dense.a` rows and `dense.d` columns index these slots.
 */

/** Extra data for a continuous extension (dense output) of the form used by Hairer's DOPRI5/DOP853. */
export interface DenseSpec {
  /** Order p of the interpolant: its local error inside a step is O(h^(p+1)). */
  readonly order: number;
  /** Nodes of the extra stages that only the interpolant needs (DOP853 stages 14–16). */
  readonly c: readonly number[];
  /** Rows of the extra stages; row e covers all slots before it (stages, end slope, earlier extras). */
  readonly a: readonly (readonly number[])[];
  /**
   * Weights of the high-order interpolation coefficients: F_(3+r) = h Σ_l d[r][l] k_l over all slots.
   * The first three coefficients come from Hermite data: F0 = Δy, F1 = h f0 − Δy, F2 = 2Δy − h(f0 + f1).
   */
  readonly d: readonly (readonly number[])[];
}

/** An explicit Runge–Kutta method as coefficients. All arrays are plain numbers, checked at load. */
export interface Tableau {
  readonly name: string;
  /** Order of the propagated solution y1 (weights `b`). */
  readonly order: number;
  /**
   * Order q of the error estimate: the controller scales h by err^(−1/(q+1)). `null` when the method
   * has no embedded estimate and can only take fixed steps (Euler).
   */
  readonly errorOrder: number | null;
  readonly c: readonly number[];
  /** Strictly lower-triangular rows: `a[j]` has j entries, `a[0]` is empty. */
  readonly a: readonly (readonly number[])[];
  readonly b: readonly number[];
  /** Difference weights b − b̂ (not the embedded weights b̂ themselves); they sum to 0. */
  readonly bErr?: readonly number[];
  /**
   * Second difference weights b − b̂₃ for DOP853's combined estimator
   * err = h·‖e5‖² / √(‖e5‖² + 0.01‖e3‖²) (Hairer's DOP853, SciPy's DOP853). Sums to 0.
   */
  readonly bErr3?: readonly number[];
  /** First Same As Last: a[s−1] = b and c[s−1] = 1, so k_s = f(t+h, y1) is the next step's k_1. */
  readonly fsal: boolean;
  /** Continuous extension; without it the interpolant is linear between y0 and y1. */
  readonly dense?: DenseSpec;
}

/** Tolerance of the identities below. The coefficients are decimal expansions rounded to float64. */
export const TABLEAU_TOL = 1e-14;

/** Σ x_i with Neumaier's compensation, so the check measures the coefficients, not the summation. */
export function exactSum(x: readonly number[]): number {
  let s = 0;
  let comp = 0;
  for (const v of x) {
    const t = s + v;
    comp += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + comp;
}

/** Number of derivative slots a tableau needs: stages, end slope (unless FSAL), dense-output stages. */
export function slotCount(tab: Tableau): number {
  const s = tab.b.length;
  return (tab.fsal ? s : s + 1) + (tab.dense ? tab.dense.c.length : 0);
}

/** Index of the slot that holds f(t+h, y1). */
export function endSlot(tab: Tableau): number {
  return tab.fsal ? tab.b.length - 1 : tab.b.length;
}

/**
 * Checks the consistency identities of a tableau and returns it frozen; throws (a bug in gradflow,
 * not a user error) if one fails. Checked: shapes; row sums Σ_l a_jl = c_j (also for dense stages);
 * Σ b = 1; Σ bErr = 0 and Σ bErr3 = 0; for FSAL, a[s−1] = b and c[s−1] = 1; dense weights cover all slots.
 */
export function validateTableau(tab: Tableau): Tableau {
  const s = tab.b.length;
  const fail = (what: string): never => {
    throw new Error(`Tableau ${tab.name}: ${what}`);
  };
  if (s < 1) fail('no stages');
  if (tab.c.length !== s || tab.a.length !== s) fail(`c and a must have ${s} entries`);
  if (tab.c[0] !== 0) fail('c[0] must be 0 for an explicit method');
  for (let j = 0; j < s; j++) {
    if (tab.a[j].length !== j) fail(`row a[${j}] must have ${j} entries (strictly lower triangular)`);
    if (j > 0) checkClose(exactSum(tab.a[j]), tab.c[j], `row sum of a[${j}] = c[${j}]`, fail);
  }
  checkClose(exactSum(tab.b), 1, 'Σb = 1', fail);
  for (const [key, w] of [['bErr', tab.bErr], ['bErr3', tab.bErr3]] as const) {
    if (w === undefined) continue;
    if (w.length !== s) fail(`${key} must have ${s} entries`);
    checkClose(exactSum(w), 0, `Σ${key} = 0`, fail);
  }
  if (tab.bErr3 !== undefined && tab.bErr === undefined) fail('bErr3 needs bErr');
  if ((tab.errorOrder === null) !== (tab.bErr === undefined)) fail('errorOrder must be given exactly when bErr is');
  if (tab.fsal) {
    if (s < 2 || tab.c[s - 1] !== 1 || tab.b[s - 1] !== 0) fail('FSAL needs c[s−1] = 1 and b[s−1] = 0');
    for (let l = 0; l < s - 1; l++) if (tab.a[s - 1][l] !== tab.b[l]) fail(`FSAL needs a[s−1][${l}] = b[${l}]`);
  }
  if (tab.dense) {
    const d = tab.dense;
    const first = endSlot(tab) + 1;
    if (d.a.length !== d.c.length) fail('dense.a and dense.c differ in length');
    d.a.forEach((row, e) => {
      if (row.length !== first + e) fail(`dense.a[${e}] must cover ${first + e} slots`);
      checkClose(exactSum(row), d.c[e], `row sum of dense.a[${e}] = dense.c[${e}]`, fail);
    });
    const slots = slotCount(tab);
    d.d.forEach((row, r) => {
      if (row.length !== slots) fail(`dense.d[${r}] must cover all ${slots} slots`);
    });
  }
  return deepFreeze(tab);
}

function checkClose(got: number, want: number, what: string, fail: (m: string) => never): void {
  if (!(Math.abs(got - want) <= TABLEAU_TOL)) fail(`${what} violated (off by ${got - want})`);
}

function deepFreeze<T>(x: T): T {
  if (x !== null && typeof x === 'object' && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x as object)) deepFreeze(v);
  }
  return x;
}
