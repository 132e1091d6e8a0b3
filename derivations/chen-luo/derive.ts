/**
 * Derivation check of the Chen–Luo vector field (src/models/chen-luo/transformer.ts).
 *
 * Claim (note §4.1): with z_j = q A x_jᵀ/√d, A = W_Q W_Kᵀ, p = softmax(z), x̃ = Σ_j p_j x_j,
 * a = x̃ W_V, h = a W1, f = σ(h)·W2 and L = (1/n) Σ_i ℓ(y_i f_i), the gradient is
 *   g = y ℓ′(y f)/n, δ = g W2 ⊙ σ′(h), α = δ W1ᵀ,
 *   ∇W2 = Σ g σ(h), ∇W1 = Σ aᵀδ, ∇W_V = Σ x̃ᵀα,
 *   r_j = x_j W_V αᵀ, ζ_j = p_j (r_j − Σ_l p_l r_l), G_A = (1/√d) Σ ζ_ij q_iᵀ x_ij,
 *   ∇W_Q = G_A W_K, ∇W_K = G_Aᵀ W_Q;
 * and at A = 0 with σ = id, −G_A is the paper's Eq. 15 F at u = W_V W1 W2.
 *
 * How it is checked: the loss of a tiny instance (d = 2, s = 3, n = 3, tokens and labels drawn
 * from a fixed seed) is written out in gradflow's expression language, entry by entry, once in the
 * weights (W_Q, W_K, W_V, W1, W2) and once with A as its own variable; gradflow's symbolic engine
 * differentiates both, and the compiled derivatives are compared with the hand-written kernel
 * (negGradient, attentionGradient) and with Eq. 15 at seeded random points, for both activations
 * (identity, tanh) and both losses (exp, logistic). The output is deterministic; `npm run derive`
 * rewrites gradient.gen.md and a test fails if the checked-in file differs.
 */
import { compileScalar, gradient, parseExpression } from '../../src/expr/index.js';
import { makeRng } from '../../src/util/rng.js';
import { paperF } from '../../src/models/chen-luo/bag-of-tokens.js';
import { dataStats, type DataSet } from '../../src/models/chen-luo/data.js';
import { marginLoss } from '../../src/models/chen-luo/losses.js';
import { makeTransformer, type Activation } from '../../src/models/chen-luo/transformer.js';

const D = 2;
const S = 3;
const N = 3;
const POINTS = 8;
const AGREE = 1e-11;

const range = (k: number): number[] => [...Array(k).keys()];
const wq = (l: number, m: number): string => `WQ_${l}${m}`;
const wk = (l: number, m: number): string => `WK_${l}${m}`;
const wv = (l: number, m: number): string => `WV_${l}${m}`;
const w1 = (l: number, m: number): string => `W1_${l}${m}`;
const w2 = (k: number): string => `W2_${k}`;
const av = (l: number, m: number): string => `A_${l}${m}`;
const x = (i: number, j: number, k: number): string => `x_${i}${j}${k}`;

/** The tiny data set (tokens N(0, 1), labels alternate). */
function tinyData(): DataSet {
  const rng = makeRng(2510);
  const X = Float64Array.from({ length: N * S * D }, () => rng.normal());
  const y = Float64Array.from({ length: N }, (_, i) => (i % 2 === 0 ? 1 : -1));
  return { name: 'tiny', n: N, s: S, d: D, X, y };
}

/** Loss text; `score(i, j, k)` is the text of A_lk-contraction for query of sample i and key j. */
function lossText(data: DataSet, activation: Activation, loss: 'exp' | 'logistic', withA: boolean): string {
  const sqrtD = Math.sqrt(D);
  const entry = (l: number, k: number): string => (withA ? av(l, k) : range(D).map((m) => `${wq(l, m)}*${wk(k, m)}`).join(' + '));
  const terms = range(N).map((i) => {
    const z = (j: number): string => `((${range(D).flatMap((l) => range(D).map((k) => `${x(i, S - 1, l)}*(${entry(l, k)})*${x(i, j, k)}`)).join(' + ')})/${sqrtD})`;
    const total = range(S).map((j) => `exp(${z(j)})`).join(' + ');
    const p = (j: number): string => `(exp(${z(j)})/(${total}))`;
    const a = (k: number): string => `(${range(S).map((j) => `${p(j)}*(${range(D).map((l) => `${x(i, j, l)}*${wv(l, k)}`).join(' + ')})`).join(' + ')})`;
    const h = (k: number): string => `(${range(D).map((l) => `${a(l)}*${w1(l, k)}`).join(' + ')})`;
    const act = (k: number): string => (activation === 'tanh' ? `tanh(${h(k)})` : h(k));
    const f = `(${range(D).map((k) => `${act(k)}*${w2(k)}`).join(' + ')})`;
    const margin = `(${data.y[i]})*${f}`;
    return loss === 'exp' ? `exp(-${margin})` : `softplus(-${margin})`;
  });
  return `(${terms.join(' + ')})/${N}`;
}

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(scale, 1e-300));
  return worst;
}

const verdict = (e: number): string => (e < AGREE ? `< ${AGREE.toExponential(0)} (agree)` : `${e.toExponential(2)} (DISAGREE)`);

export function deriveChenLuo(): string {
  const data = tinyData();
  const weights = [
    ...range(D).flatMap((l) => range(D).map((m) => wq(l, m))),
    ...range(D).flatMap((l) => range(D).map((m) => wk(l, m))),
    ...range(D).flatMap((l) => range(D).map((m) => wv(l, m))),
    ...range(D).flatMap((l) => range(D).map((m) => w1(l, m))),
    ...range(D).map(w2),
  ];
  const aVars = range(D).flatMap((l) => range(D).map((k) => av(l, k)));
  const outer = weights.slice(2 * D * D);
  const tokens = range(N).flatMap((i) => range(S).flatMap((j) => range(D).map((k) => x(i, j, k))));
  const tokenValues = Float64Array.from(data.X);
  const lines = [
    '# Chen–Luo transformer: check of the §4.1 gradient (generated by derivations/chen-luo/derive.ts; do not edit)',
    '',
    `Tiny instance: d = ${D}, s = ${S}, n = ${N}, tokens N(0, 1) from seed 2510, labels y = (${Array.from(data.y).join(', ')}); the query is the last token.`,
    'The loss is written entry by entry in gradflow\'s expression language and differentiated symbolically; the compiled derivatives',
    `are compared with the hand-written kernel at ${POINTS} seeded random points (weights N(0, 0.8²)); "max rel" is the largest`,
    'difference divided by the largest component.',
    '',
    '| σ | ℓ | loss expression (chars) | −∂L/∂θ vs negGradient: max rel | ∂L/∂A vs attentionGradient: max rel |',
    '|---|---|---:|---|---|',
  ];
  const rng = makeRng(4);
  const rows: string[] = [];
  for (const activation of ['identity', 'tanh'] as const) {
    for (const lossName of ['exp', 'logistic'] as const) {
      const text = lossText(data, activation, lossName, false);
      const names = new Set([...weights, ...tokens]);
      const L = parseExpression(text, { label: 'chen-luo loss', names });
      const grads = gradient(L, weights).map((g) => compileScalar(g, { state: weights, params: tokens }).bind(tokenValues));
      const textA = lossText(data, activation, lossName, true);
      const LA = parseExpression(textA, { label: 'chen-luo loss in A', names: new Set([...aVars, ...outer, ...tokens]) });
      const stateA = [...aVars, ...outer];
      const gradsA = gradient(LA, aVars).map((g) => compileScalar(g, { state: stateA, params: tokens }).bind(tokenValues));
      const tf = makeTransformer(data, activation, marginLoss(lossName));
      let worst = 0;
      let worstA = 0;
      for (let k = 0; k < POINTS; k++) {
        const th = Float64Array.from(weights, () => 0.8 * rng.normal());
        const kernel = new Float64Array(th.length);
        tf.negGradient(th, kernel);
        const symbolic = grads.map((g) => -g(0, th));
        worst = Math.max(worst, maxRel(symbolic, kernel));
        const A = range(D).flatMap((l) => range(D).map((kk) => range(D).reduce((acc, m) => acc + th[l * D + m] * th[D * D + kk * D + m], 0)));
        const yA = Float64Array.from([...A, ...th.subarray(2 * D * D)]);
        const GA = new Float64Array(D * D);
        tf.attentionGradient(th, GA);
        worstA = Math.max(worstA, maxRel(gradsA.map((g) => g(0, yA)), GA));
      }
      rows.push(`| ${activation} | ${lossName} | ${text.length} | ${verdict(worst)} | ${verdict(worstA)} |`);
    }
  }
  lines.push(...rows, '');

  // Eq. 15 against −∂L/∂A at A = 0, σ = id, both losses (F with weight −ℓ′)
  lines.push('## The paper\'s F (Eq. 15, with the 1/s of Eq. 45) equals −∂L/∂A at A = 0 for σ = id', '');
  const stats = dataStats(data);
  for (const lossName of ['exp', 'logistic'] as const) {
    const loss = marginLoss(lossName);
    const tf = makeTransformer(data, 'identity', loss);
    let worst = 0;
    for (let k = 0; k < POINTS; k++) {
      const th = Float64Array.from(weights, () => 0.8 * rng.normal());
      th.fill(0, 0, 2 * D * D); // W_Q = W_K = 0, so A = 0
      const u = range(D).map((l) => range(D).reduce((acc, m) => acc + th[2 * D * D + l * D + m] * range(D).reduce((s2, q) => s2 + th[3 * D * D + m * D + q] * th[4 * D * D + q], 0), 0));
      const F = paperF(data, stats, loss, u);
      const GA = new Float64Array(D * D);
      tf.attentionGradient(th, GA);
      worst = Math.max(worst, maxRel(F, GA.map((g) => -g)));
    }
    lines.push(`- ℓ = ${lossName}: F(u = W_V W1 W2) vs −∇_A L, max rel ${verdict(worst)}`);
  }
  lines.push('');
  return lines.join('\n');
}
