/**
 * Save-at values of `rodas5p` and of `auto`'s Rodas5P phases on stiff problems.
 *
 * Rodas5P's own dense output (OrdinaryDiffEq's Rodas interpolant, coefficients H checked against
 * its current Rodas5P tableau) is exact at both ends of a step, but inside a stiff step it is not
 * stiffly accurate: on Prothero–Robinson its interior error is O(h⁴) and does not shrink with |λ|,
 * while the end error and the error estimate are O(h³/|λ|). The step-size control never sees it, so
 * with the large steps a stiff phase allows the interpolated values missed rtol by 10³–10⁶ (first
 * describe). Adaptive Rosenbrock steps therefore land on the save-at times (src/solve/auto.ts).
 *
 * What every accuracy test below asserts, at every save time t and for every component i:
 *   |y_i(t) − y_i,ref(t)| ≤ 10·rtol·max(|y_i,ref(t)|, atol/rtol),
 * i.e. 10× the mixed tolerance, with atol the default 1e-10 (so atol/rtol = 0.01 at rtol 1e-8).
 */
import { describe, expect, it } from 'vitest';
import { solve } from '../../src/solve/index.js';
import type { JacobianFn, RhsFn, SolveOptions } from '../../src/solve/index.js';
import { RosenbrockStepper } from '../../src/solve/rosenbrock/stepper.js';
import { RODAS5P } from '../../src/solve/rosenbrock/tableau.js';

const ATOL = 1e-10; // the default
const METHODS = ['rodas5p', 'auto'] as const;

/** The largest |y_i − ref_i| / (rtol·max(|ref_i|, atol/rtol)) over the save times; ref(t) per component. */
function worstRatio(ts: ArrayLike<number>, ys: readonly Float64Array[], ref: (j: number) => readonly number[], rtol: number): number {
  let worst = 0;
  for (let j = 0; j < ts.length; j++) {
    const r = ref(j);
    r.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(ys[j][i] - v) / (rtol * Math.max(Math.abs(v), ATOL / rtol)));
    });
  }
  return worst;
}

// y′ = λ(y − cos t), y(0) = 0: y = (λ² cos t − λ sin t)/(λ² + 1) + C e^(λt), C = −λ²/(λ² + 1)
const LAM = -1e6;
const quasiSteady: RhsFn = (t, y, d) => { d[0] = LAM * (y[0] - Math.cos(t)); };
const quasiSteadyExact = (t: number): number =>
  (LAM * LAM * Math.cos(t) - LAM * Math.sin(t)) / (LAM * LAM + 1) - ((LAM * LAM) / (LAM * LAM + 1)) * Math.exp(LAM * t);
const scalarJac: JacobianFn = (_t, _y, J) => { J[0] = LAM; };

// Prothero–Robinson y′ = λ(y − φ) + φ′, φ = sin: y = sin t from y(0) = 0
const protheroRobinson = (lam: number): RhsFn => (t, y, d) => { d[0] = lam * (y[0] - Math.sin(t)) + Math.cos(t); };

describe("Rodas5P's own dense output is not stiffly accurate (why Rosenbrock steps land on save-at times)", () => {
  // one step of h = 0.4 from y = φ(0.3) on Prothero–Robinson with exact J and ∂f/∂t
  const oneStep = (lam: number): { interior: number; end: number } => {
    const f = protheroRobinson(lam);
    const st = new RosenbrockStepper(RODAS5P, f, 1, {
      jacobian: (_t, _y, J) => { J[0] = lam; },
      timeDerivative: (t, _y, _f0, out) => { out[0] = -lam * Math.cos(t) - Math.sin(t); },
    });
    const t0 = 0.3;
    const h = 0.4;
    st.start(t0, [Math.sin(t0)]);
    st.attempt(h, 1e-8, ATOL, true);
    st.accept(h, t0 + h);
    const out = new Float64Array(1);
    let interior = 0;
    for (let k = 1; k < 20; k++) {
      st.evaluateTheta(k / 20, out);
      interior = Math.max(interior, Math.abs(out[0] - Math.sin(t0 + (k / 20) * h)));
    }
    return { interior, end: Math.abs(st.y[0] - Math.sin(t0 + h)) };
  };

  it('on Prothero–Robinson the end error is O(1/|λ|) but the interior error (~3.7e-6 at h = 0.4) stays put from |λ| = 1e6 to 1e9', () => {
    const a = oneStep(-1e6);
    const b = oneStep(-1e9);
    expect(a.end).toBeLessThan(1e-9);
    expect(a.end / b.end).toBeGreaterThan(500); // ~1000
    expect(a.interior).toBeGreaterThan(1e-6);
    expect(a.interior).toBeLessThan(1e-5);
    expect(Math.abs(b.interior / a.interior - 1)).toBeLessThan(0.05);
    expect(a.interior / a.end).toBeGreaterThan(1e3);
  });
});

describe("save-at values of rodas5p and auto on stiff problems (within 10·rtol·max(|y|, atol/rtol))", () => {
  // Before the landing: rodas5p gave y(1) = 0.5403156 and y(50) = 0.9649779 (errors 1.2e-5, i.e.
  // ~2000× the bound), auto 3.1e-6 at t = 1 and 1.7e-5 at t = 50.
  it.each(METHODS.flatMap((method) => [true, false].map((exactJ) => ({ method, exactJ }))))(
    "y′ = −1e6 (y − cos t), y(0) = 0, rtol 1e-8: y(1), y(50), y(100) from $method (exact Jacobian: $exactJ)",
    ({ method, exactJ }) => {
      const rtol = 1e-8;
      const saveAt = [1, 50, 100];
      const sol = solve(quasiSteady, [0, 100], [0], { method, rtol, saveAt, ...(exactJ ? { jacobian: scalarJac } : {}) });
      expect(sol.status).toBe('success');
      expect(Array.from(sol.t)).toEqual(saveAt);
      const ratio = worstRatio(sol.t, sol.y, (j) => [quasiSteadyExact(saveAt[j])], rtol);
      expect(ratio).toBeLessThan(10); // measured ≤ 0.15
      expect(Math.abs(sol.y[0][0] - 0.5403031473385843)).toBeLessThan(1e-7);
    },
  );

  // Before the landing the worst save-at value missed by 5e4·rtol (rtol 1e-8) and 3e5–1e6·rtol (1e-6)
  it.each(METHODS.flatMap((method) => [1e-6, 1e-8].map((rtol) => ({ method, rtol }))))(
    'Prothero–Robinson y′ = −1e6 (y − sin t) + cos t, y(0) = 0, on a 201-point grid over [0, 10] ($method, rtol $rtol)',
    ({ method, rtol }) => {
      const saveAt = Array.from({ length: 201 }, (_, i) => i / 20);
      const sol = solve(protheroRobinson(LAM), [0, 10], [0], { method, rtol, saveAt, jacobian: scalarJac });
      expect(sol.status).toBe('success');
      expect(sol.t.length).toBe(201);
      expect(worstRatio(sol.t, sol.y, (j) => [Math.sin(saveAt[j])], rtol)).toBeLessThan(10); // measured < 1e-3
    },
  );

  it.each(METHODS)('%s: Rosenbrock steps end on the save-at times, so the values are step ends', (method) => {
    const steps: number[] = [];
    const saveAt = [0.3, 1, 2.5, 7, 10];
    const sol = solve(protheroRobinson(LAM), [0, 10], [0], { method, saveAt, jacobian: scalarJac, onStep: (t) => steps.push(t) });
    expect(sol.status).toBe('success');
    if (method === 'auto') expect(sol.switches.map((s) => s.to)).toEqual(['rodas5p']); // stiff from the start
    for (const t of saveAt) expect(steps).toContain(t);
  });

  it.each(METHODS)('%s: a step cut short at a save-at time does not shrink the steps after it (20 save times cost at most 10 steps more)', (method) => {
    // the step resumes at the size the cut interrupted; without that, rodas5p took 19 steps more here and auto 32
    const o: SolveOptions = { method, rtol: 1e-8, jacobian: scalarJac };
    const bare = solve(protheroRobinson(LAM), [0, 10], [0], o);
    const saved = solve(protheroRobinson(LAM), [0, 10], [0], { ...o, saveAt: Array.from({ length: 20 }, (_, i) => (i + 1) / 2) });
    const steps = (s: typeof bare): number => s.stats.accepted + s.stats.rejected;
    expect(steps(saved)).toBeLessThanOrEqual(steps(bare) + 10); // measured +3 (rodas5p), +6 (auto)
  });
});

/**
 * Van der Pol with μ = 1000 in Hairer's scaling (HW II, Sect. IV.10, VDPOL): y1′ = y2,
 * y2′ = ((1 − y1²) y2 − y1)/ε, ε = 1/μ² = 1e-6, from (2, −0.66) on [0, 2] (time t/μ, y2 scaled by μ);
 * the fast jumps (y1 = 0) are at t = 0.80708 and 1.61428.
 *
 * Reference: SciPy's Radau IIA (scipy.integrate.solve_ivp, method 'Radau', exact Jacobian) at
 * rtol 1e-13, atol 1e-15, restarted at every save time so that each value is a step end, not an
 * interpolant. An independent implementation; it agrees with Radau at rtol 1e-12 to 1.8e-12 and with
 * this project's rodas5p at rtol 1e-13 to ~1e-11 (relative) on these points.
 *
 * Save times: every 0.02, except those in (t_jump − 0.03, t_jump + 0.01). Just before a jump the
 * solution leaves the stable slow manifold and the global error grows far beyond the local
 * tolerance for any method (rodas5p at rtol 1e-8 is ~37·rtol off at t = 1.61, at a step end), which
 * says nothing about the save-at values.
 */
const VDP_REF: readonly (readonly [number, number, number])[] = [
  [0.02, 1.986591694674568, -0.6742100520690268], [0.04, 1.9730297082636161, -0.6820373959897713],
  [0.06, 1.959308182819522, -0.6901672011051532], [0.08, 1.9454208682721097, -0.6986198645999931],
  [0.1, 1.931361087079423, -0.7074177763757049], [0.12, 1.9171216918550815, -0.7165855773034292],
  [0.14, 1.9026950174211643, -0.7261504596611161], [0.16, 1.888072826362331, -0.7361425181541718],
  [0.18, 1.873246246968734, -0.7465951619120541], [0.2, 1.8582057022239848, -0.757545600397819],
  [0.22, 1.8429408282039603, -0.769035419443718], [0.24, 1.8274403798872805, -0.7811112678751476],
  [0.26, 1.8116921219159954, -0.7938256807427865], [0.28, 1.795682701254718, -0.8072380725158496],
  [0.3, 1.7793974979373945, -0.8214159433563375], [0.32, 1.7628204491010362, -0.8364363547388524],
  [0.34, 1.745933840214792, -0.8523877485542966], [0.36, 1.7287180556938395, -0.8693722084394209],
  [0.38, 1.7111512787911014, -0.8875082963575256], [0.4, 1.6932091275428984, -0.9069346458922037],
  [0.42, 1.6748642092628747, -0.9278145631686011], [0.44, 1.6560855701141914, -0.9503419875257759],
  [0.46, 1.6368380078447828, -0.974749314193436], [0.48, 1.6170812036167512, -1.0013178082955951],
  [0.5, 1.596768611023904, -1.030391690439955], [0.52, 1.57584601366664, -1.062397529671166],
  [0.54, 1.5542496216542083, -1.0978714828422733], [0.56, 1.5319035128208203, -1.1374984332517124],
  [0.58, 1.5087161196027332, -1.1821697069677035], [0.6, 1.484575286375205, -1.233070782040135],
  [0.62, 1.459341114052697, -1.291819350590943], [0.64, 1.4328352444539494, -1.3606919155486752],
  [0.66, 1.4048241438538998, -1.443014959694369], [0.68, 1.3749916798351265, -1.5438836526346285],
  [0.7, 1.3428911796593648, -1.6715910688308764], [0.72, 1.3078543402228018, -1.8407822592924683],
  [0.74, 1.2687971696250027, -2.0804957886532667], [0.76, 1.2237302640059764, -2.459631531420819],
  [0.82, -1.9914364724248665, 0.6714623998103221], [0.84, -1.9779304705498832, 0.6791854958264366],
  [0.86, -1.964267082557529, 0.6872041534443584], [0.88, -1.950440202851479, 0.6955381086492837],
  [0.9, -1.9364433124072002, 0.704209006135604], [0.92, -1.9222694382099357, 0.7132406441159757],
  [0.94, -1.9079111074126225, 0.722659258693128], [0.96, -1.8933602953468731, 0.7324938555864011],
  [0.98, -1.8786083663482118, 0.7427765988311267], [1.0, -1.8636460061393745, 0.7535432683989937],
  [1.02, -1.848463144251236, 0.7648338016742776], [1.04, -1.8330488646222902, 0.7766929375882401],
  [1.06, -1.8173913020952837, 0.7891709872535275], [1.08, -1.801477521988802, 0.8023247615702446],
  [1.1, -1.7852933792285002, 0.8162186950752593], [1.12, -1.768823352625188, 0.8309262171027569],
  [1.14, -1.752050348713842, 0.8465314373057989], [1.16, -1.7349554680198103, 0.8631312344871137],
  [1.18, -1.7175177245517717, 0.8808378680650495], [1.2, -1.6997137065329755, 0.899782274200007],
  [1.22, -1.6815171625690575, 0.9201182694986936], [1.24, -1.6628984921659882, 0.942027973419342],
  [1.26, -1.643824112075091, 0.9657288904812653], [1.28, -1.624255659303156, 0.9914832885626582],
  [1.3, -1.6041489761253271, 1.0196108088087628], [1.32, -1.5834527993935554, 1.0505057121461074],
  [1.34, -1.5621070413896838, 1.0846609231551663], [1.36, -1.5400404948142163, 1.1227022843714203],
  [1.38, -1.5171677067695875, 1.165438578332684], [1.4, -1.4933846210892758, 1.2139366861763163],
  [1.42, -1.4685623377472024, 1.2696383259493609], [1.44, -1.4425378869783776, 1.3345486247851874],
  [1.46, -1.4151000602874493, 1.411555407394004], [1.48, -1.3859666130484394, 1.5050018825114817],
  [1.5, -1.3547453842971322, 1.6217909022023835], [1.52, -1.3208628081152975, 1.773723730242226],
  [1.54, -1.2834184450012214, 1.9831265069114672], [1.56, -1.2408426250458584, 2.299137677565056],
  [1.58, -1.1898806951068908, 2.861459212916151], [1.64, 1.9828108359492715, -0.676371890514713],
  [1.66, 1.9692047943374302, -0.6842819568357583], [1.68, 1.9554375048555221, -0.6925000070478576],
  [1.7, 1.9415026017455717, -0.7010469723112648], [1.72, 1.9273932804305032, -0.7099458449676948],
  [1.74, 1.9131022536648576, -0.7192219478534091], [1.76, 1.8986217018689189, -0.7289032479733182],
  [1.78, 1.8839432166731587, -0.7390207234462232], [1.8, 1.869057736501096, -0.7496087947633058],
  [1.82, 1.8539554727717493, -0.7607058341315075], [1.84, 1.8386258249937117, -0.7723547701938884],
  [1.86, 1.8230572826333142, -0.784603809995924], [1.88, 1.8072373111447546, -0.7975073060671627],
  [1.9, 1.7911522189165392, -0.8111268044261892], [1.92, 1.7747870010732307, -0.8255323199183695],
  [1.94, 1.7581251550047587, -0.8408038996063483], [1.96, 1.7411484610986507, -0.8570335544559958],
  [1.98, 1.7238367202901768, -0.8743276665217555], [2.0, 1.7061674375441533, -0.8928100165500792],
];

describe('save-at values on Van der Pol, μ = 1000 (within 10·rtol·max(|y|, atol/rtol) of Radau at rtol 1e-13)', () => {
  const eps = 1e-6;
  const f: RhsFn = (_t, y, d) => {
    d[0] = y[1];
    d[1] = ((1 - y[0] * y[0]) * y[1] - y[0]) / eps;
  };
  const jac: JacobianFn = (_t, y, J) => {
    J[0] = 0;
    J[1] = 1;
    J[2] = (-2 * y[0] * y[1] - 1) / eps;
    J[3] = (1 - y[0] * y[0]) / eps;
  };

  it.each(METHODS.flatMap((method) => [1e-6, 1e-8].map((rtol) => ({ method, rtol }))))('$method at rtol $rtol on 96 save times', ({ method, rtol }) => {
    const saveAt = VDP_REF.map((r) => r[0]);
    const sol = solve(f, [0, 2], [2, -0.66], { method, rtol, saveAt, jacobian: jac, autonomous: true });
    expect(sol.status).toBe('success');
    expect(Array.from(sol.t)).toEqual(saveAt);
    if (method === 'auto') expect(sol.switches.length).toBeGreaterThanOrEqual(3); // rodas5p on the slow arcs, dop853 on the jumps
    expect(worstRatio(sol.t, sol.y, (j) => [VDP_REF[j][1], VDP_REF[j][2]], rtol)).toBeLessThan(10); // measured 0.7–4.4
  });
});
