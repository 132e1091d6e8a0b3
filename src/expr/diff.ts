/**
 * Symbolic differentiation on expression trees: one rule per operation, chain rule throughout.
 *
 * Kinks follow one convention, used everywhere in gradflow:
 *   d/dx relu(x)      = heaviside(x), heaviside(0) = 0
 *   d/dx abs(x)       = sign(x),      sign(0) = 0
 *   d/dx heaviside(x) = d/dx sign(x) = 0
 *   max(a, b) = a + relu(b − a), min(a, b) = a − relu(a − b): at a tie the FIRST argument
 *   carries the derivative, so max(0, x) has derivative heaviside(x), like relu(x);
 *   max/min of more arguments fold from the left.
 * Results are memoised per node, so shared subtrees are differentiated once.
 */
import { add, div, fn, isConst, isNum, mul, neg, num, pow, sub, type Expr } from './ast.js';

const TWO_OVER_SQRT_PI = 1.1283791670955126;

export function derivative(e: Expr, variable: string): Expr {
  const memo = new Map<Expr, Expr>();
  const d = (x: Expr): Expr => {
    const hit = memo.get(x);
    if (hit) return hit;
    const out = rule(x, d, variable);
    memo.set(x, out);
    return out;
  };
  return d(e);
}

/** ∂e/∂v for every variable, sharing nothing but the input tree (CSE happens at emit time). */
export function gradient(e: Expr, variables: readonly string[]): Expr[] {
  return variables.map((v) => derivative(e, v));
}

function rule(x: Expr, d: (e: Expr) => Expr, v: string): Expr {
  if (x.kind === 'num') return num(0);
  if (x.kind === 'sym') return num(x.name === v ? 1 : 0);
  const a = x.args[0];
  const b = x.args[1];
  switch (x.op) {
    case 'add': return add(d(a), d(b));
    case 'sub': return sub(d(a), d(b));
    case 'neg': return neg(d(a));
    case 'mul': return add(mul(d(a), b), mul(a, d(b))); // (ab)′ = a′b + ab′
    case 'div': {
      // (a/b)′ = a′/b − a·b′/b²
      const db = d(b);
      return sub(div(d(a), b), isConst(db, 0) ? num(0) : div(mul(a, db), mul(b, b)));
    }
    case 'pow': return powRule(a, b, d(a), d(b));
    case 'exp': return mul(x, d(a)); // (e^u)′ = e^u·u′
    case 'expm1': return mul(fn('exp', a), d(a));
    case 'log': return div(d(a), a);
    case 'log1p': return div(d(a), add(num(1), a));
    case 'sqrt': return div(d(a), mul(num(2), x));
    case 'abs': return mul(fn('sign', a), d(a));
    case 'sign':
    case 'heaviside': return num(0);
    case 'relu': return mul(fn('heaviside', a), d(a));
    case 'max':
    case 'min': return d(foldMinMax(x.op, x.args));
    case 'sigmoid': return mul(mul(x, fn('sigmoid', neg(a))), d(a)); // σ′ = σ(u)σ(−u): no cancellation in 1 − σ
    case 'softplus': return mul(fn('sigmoid', a), d(a));
    case 'tanh': return mul(sub(num(1), mul(x, x)), d(a));
    case 'sin': return mul(fn('cos', a), d(a));
    case 'cos': return neg(mul(fn('sin', a), d(a)));
    case 'erf': return mul(mul(num(TWO_OVER_SQRT_PI), fn('exp', neg(mul(a, a)))), d(a));
    case 'Phi': return mul(fn('phi', a), d(a));
    case 'phi': return neg(mul(mul(a, x), d(a))); // φ′(u) = −u·φ(u)
  }
}

/** u^w: constant exponent, constant base, or the general form e^{w log u}. */
function powRule(u: Expr, w: Expr, du: Expr, dw: Expr): Expr {
  if (isConst(dw, 0)) {
    if (isConst(du, 0)) return num(0);
    // (u^c)′ = c·u^{c−1}·u′
    const lower = isNum(w) ? pow(u, num(w.value - 1)) : pow(u, sub(w, num(1)));
    return mul(mul(w, lower), du);
  }
  const uw = pow(u, w);
  // (u^w)′ = u^w·(w′ log u + w·u′/u)
  const viaBase = isConst(du, 0) ? num(0) : div(mul(w, du), u);
  return mul(uw, add(mul(dw, fn('log', u)), viaBase));
}

/** max(a, b, c, …) as a + relu(b − a), folded from the left (min likewise). */
export function foldMinMax(op: 'min' | 'max', args: readonly Expr[]): Expr {
  let acc = args[0];
  for (let i = 1; i < args.length; i++) {
    acc = op === 'max' ? add(acc, fn('relu', sub(args[i], acc))) : sub(acc, fn('relu', sub(acc, args[i])));
  }
  return acc;
}

