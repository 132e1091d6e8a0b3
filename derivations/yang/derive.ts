/**
 * Derivation of the 9-scalar averaged system of Yang et al. (K = 2; technical note §4.4 [R]).
 *
 * Claim: under the averaged initialisation and both data symmetries (sign mirror D, mixture swap
 * Π) the token-span flow stays on the 9-dimensional manifold
 *   ω_± = ±α(μ_1 + μ_2) + β(c_1 + c_2),
 *   A_+ : a = A[c_k,c_k], b = A[c_k,μ_k], b' = A[c_k,μ_k'], g = A[μ_k,c_k], g' = A[μ_k',c_k],
 *         e = A[μ_j,μ_j], f = A[μ_i,μ_j≠i];   A_− = D A_+ D (identifier–signal entries negated),
 * on which the population loss is the closed form
 *   L₉ = ½[ℓ(F(+,+)) + ℓ(F(+,−))],  F(s,s') = Φ(s,s') − Φ(−s,−s'),  Φ = Σ_{l ∈ {c,r,i}} σ(Σ_j P_lj v_j),
 * with the logit table (rows = queries c, r, i; columns = keys c, r, i)
 *   c: a, s g, s' g'     r: s b, e, s s' f     i: s' b', s s' f, e
 * and values v_c = β, v_r = α s, v_i = α s'. Each scalar stands for four entries of the full
 * parameters, so the token-span flow dθ/dτ = −∇L is dθ_j/dτ = −¼ ∂L₉/∂θ_j ("Read first" 2).
 *
 * How it is checked: L₉ is written in gradflow's expression language, differentiated by the
 * symbolic engine and compiled; the gradient is compared with central differences of L₉, and
 * −¼∇L₉ and L₉ with the token-span model's flow and loss at random points of the manifold.
 * The output is the checked-in module nine-scalar.gen.ts (`npm run derive`); a test fails if it
 * differs from a fresh derivation.
 */
import { compileScalar, compileVector, gradient, parseExpression, toText } from '../../src/expr/index.js';
import { compileSwitchedGradient } from '../../src/expr/switching.js';
import { yangConfig } from '../../src/models/yang/config.js';
import { TokenSpanNetwork } from '../../src/models/yang/network.js';
import { yangParams } from '../../src/models/yang/params.js';
import { embedNine, NINE_ENTRIES, NINE_NAMES } from '../../src/models/yang/nine-map.js';
import { makeRng } from '../../src/util/rng.js';

const times = (s: number, x: string): string => (s > 0 ? x : `(-${x})`);

/** Φ(s, s') of head + as expression text. */
function headOutput(s: number, sp: number): string {
  const rows = [
    ['a', times(s, 'g'), times(sp, 'gp')],
    [times(s, 'b'), 'e', times(s * sp, 'f')],
    [times(sp, 'bp'), times(s * sp, 'f'), 'e'],
  ];
  const values = ['beta', times(s, 'alpha'), times(sp, 'alpha')];
  const pre = rows.map((S) => S.map((_, j) => {
    // P_lj = 1/Σ_j' exp(S_lj' − S_lj): overflow-free softmax
    const others = S.map((Sk, k) => (k === j ? null : `exp(${Sk} - ${S[j]})`)).filter((x) => x !== null);
    return `${values[j]}/(1 + ${others.join(' + ')})`;
  }).join(' + '));
  return pre.map((x) => `relu(${x})`).join(' + ');
}

/** L₉ as expression text. */
export function nineScalarLossText(): string {
  const F = (s: number, sp: number): string => `(${headOutput(s, sp)}) - (${headOutput(-s, -sp)})`;
  return `(softplus(-(${F(1, 1)})) + softplus(-(${F(1, -1)})))/2`;
}

/** The body of an emitted function: what lies between its signature line and its closing `};`. */
function bodyOf(source: string): string {
  const lines = source.split('\n');
  const start = lines.findIndex((l) => l.startsWith('  return function (t, y'));
  const end = lines.lastIndexOf('  };');
  if (start < 0 || end <= start) throw new Error('derive: unexpected layout of the emitted source');
  return lines.slice(start + 1, end).map((l) => l.slice(2)).join('\n');
}

export function deriveYangNineScalar(): string {
  const names = new Set<string>(NINE_NAMES);
  const lossText = nineScalarLossText();
  const loss = parseExpression(lossText, { label: 'yang 9-scalar loss', names });
  const grads = gradient(loss, [...NINE_NAMES]);
  const layout = { state: [...NINE_NAMES], params: [] as string[] };
  const lossFn = compileScalar(loss, layout);
  const gradFn = compileVector(grads, layout);
  const L9 = lossFn.bind([]);
  const dL9 = gradFn.bind([]);
  const switched = compileSwitchedGradient(loss, layout);
  if (!switched) throw new Error('derive: L₉ has no kinks?');
  const sw = switched.bind([]);

  // check 1: symbolic gradient against central differences of L₉ (Richardson-extrapolated)
  const rng = makeRng(2025);
  const points = 20;
  let worstFd = 0;
  const g = new Float64Array(9);
  const randomTheta = (): Float64Array => Float64Array.from(NINE_NAMES, (_, i) => (i === 0 ? 0.5 + 2 * rng.uniform() : rng.normal()));
  for (let trial = 0; trial < points; trial++) {
    const th = randomTheta();
    dL9(0, th, g);
    for (let j = 0; j < 9; j++) {
      const at = (d: number): number => { const z = Float64Array.from(th); z[j] += d; return L9(0, z); };
      const h = 1e-4;
      const d1 = (at(h) - at(-h)) / (2 * h);
      const d2 = (at(h / 2) - at(-h / 2)) / h;
      const fd = (4 * d2 - d1) / 3;
      worstFd = Math.max(worstFd, Math.abs(g[j] - fd) / Math.max(1e-3, Math.abs(fd)));
    }
  }
  // check 2: L₉ and −¼∇L₉ against the token-span model on the manifold
  const net = new TokenSpanNetwork(yangConfig(yangParams()));
  const full = new Float64Array(40);
  let worstLoss = 0;
  let worstFlow = 0;
  for (let trial = 0; trial < points; trial++) {
    const th = randomTheta();
    const y = embedNine(th);
    const Lfull = net.gradient(y, full);
    worstLoss = Math.max(worstLoss, Math.abs(Lfull - L9(0, th)) / Math.abs(Lfull));
    dL9(0, th, g);
    for (let j = 0; j < 9; j++) {
      const v = full[NINE_ENTRIES[j]];
      worstFlow = Math.max(worstFlow, Math.abs(v - g[j] / 4) / Math.max(1e-3, Math.abs(v)));
    }
  }
  // check 3: the switched form. With modes = heaviside(s_i) it is −∇L₉; its switching functions
  // are exactly the token-span pre-activations (each stands for 4: two heads, two mixtures)
  let worstSwitched = 0;
  let unmatched = 0;
  const sv = new Float64Array(sw.count);
  const mode = new Float64Array(sw.count);
  const fieldOut = new Float64Array(9);
  for (let trial = 0; trial < points; trial++) {
    const th = randomTheta();
    sw.evaluate(0, th, sv);
    sv.forEach((v, i) => { mode[i] = v > 0 ? 1 : 0; });
    sw.field(0, th, mode, fieldOut);
    dL9(0, th, g);
    for (let j = 0; j < 9; j++) worstSwitched = Math.max(worstSwitched, Math.abs(fieldOut[j] + g[j]) / Math.max(1e-3, Math.abs(g[j])));
    net.forward(embedNine(th));
    const pre = Array.from(net.pre);
    for (const v of sv) if (!pre.some((q) => Math.abs(q - v) <= 1e-12 * Math.max(1, Math.abs(v)))) unmatched++;
    for (const q of pre) if (!Array.from(sv).some((v) => Math.abs(q - v) <= 1e-12 * Math.max(1, Math.abs(v)))) unmatched++;
  }
  const verdict = (x: number, tol: number): string => `${x < 1e-15 ? '< 1e-15' : x.toExponential(2)} (${x <= tol ? 'agree' : 'DISAGREE'})`;

  const lines = [
    '// GENERATED by derivations/yang/derive.ts (`npm run derive`); do not edit.',
    '//',
    '// The 9-scalar averaged system of Yang et al. (K = 2): the population loss L₉(α, β, a, b, b′, g, g′, e, f)',
    '// of the technical note §4.4, written in gradflow\'s expression language, differentiated by the symbolic',
    '// engine and compiled. The flow in token-span time τ is dθ_j/dτ = −¼ ∂L₉/∂θ_j (see nine-scalar.ts).',
    '// Kinks: relu′(0) = heaviside(0) = 0.',
    '//',
    '// Checks at derivation time (20 seeded random points each):',
    `//   ∂L₉/∂θ vs central differences of L₉: max relative difference ${verdict(worstFd, 1e-7)}`,
    `//   L₉ vs the token-span loss on the 9-scalar manifold: max relative difference ${verdict(worstLoss, 1e-13)}`,
    `//   −¼∂L₉/∂θ vs the token-span flow of the representing entries: max relative difference ${verdict(worstFlow, 1e-12)}`,
    `//   switched form with modes heaviside(s_i) vs −∂L₉/∂θ: max relative difference ${verdict(worstSwitched, 1e-13)}`,
    `//   its ${sw.count} switching functions vs the 48 token-span pre-activations (both ways, to 1e-12): ${unmatched} unmatched (${unmatched === 0 ? 'agree' : 'DISAGREE'})`,
    '//',
    `// L₉ = ${toText(loss)}`,
    '//',
    '// Switching functions (ReLU arguments, canonical orientation):',
    ...switched.labels.map((l, i) => `//   s${i} = ${l}`),
    '/* eslint-disable */',
    "import { erf, Phi, phi, sigmoid, softplus, heaviside, sign, relu } from '../../src/expr/special.js';",
    '',
    'const rt_erf = erf; const rt_Phi = Phi; const rt_phi = phi; const rt_sigmoid = sigmoid;',
    'const rt_softplus = softplus; const rt_heaviside = heaviside; const rt_sign = sign; const rt_relu = relu;',
    'void [rt_erf, rt_Phi, rt_phi, rt_sigmoid, rt_softplus, rt_heaviside, rt_sign, rt_relu];',
    '',
    `/** State order of the nine scalars. */`,
    `export const NINE_SCALARS = ${JSON.stringify(NINE_NAMES)} as const;`,
    '',
    '/** L₉(θ), θ = (α, β, a, b, b′, g, g′, e, f). */',
    'export function nineScalarLoss(y: Float64Array): number {',
    bodyOf(lossFn.source),
    '}',
    '',
    '/** ∂L₉/∂θ into out (length 9). */',
    'export function nineScalarGradient(y: Float64Array, out: Float64Array): void {',
    bodyOf(gradFn.source),
    '}',
    '',
    `/** Number of switching functions of L₉. */`,
    `export const NINE_SWITCH_COUNT = ${sw.count};`,
    '',
    `/** Labels of the switching functions. */`,
    `export const NINE_SWITCH_LABELS: readonly string[] = ${JSON.stringify(switched.labels)};`,
    '',
    '/** The switching functions s_i(θ) into out. */',
    'export function nineScalarSwitching(t: number, y: Float64Array, out: Float64Array): void {',
    bodyOf(switched.sources.evaluate),
    '}',
    '',
    '/** −∇L₉ in switched form: relu(s_i) = m_i·s_i, relu′(s_i) = m_i with m = in0. */',
    'export function nineScalarSwitchedField(t: number, y: Float64Array, in0: Float64Array, out: Float64Array): void {',
    bodyOf(switched.sources.field),
    '}',
    '',
    '/** ds_i/dt = ∇s_i·v along the velocity v = in1 (modes in0 for nested kinks; none here). */',
    'export function nineScalarSwitchingRates(t: number, y: Float64Array, in0: Float64Array, in1: Float64Array, out: Float64Array): void {',
    bodyOf(switched.sources.rates),
    '}',
    '',
  ];
  return lines.join('\n');
}
