/**
 * Symbolic differentiation on expression trees: one rule per operation, chain rule throughout.
 *
 * Kinks follow one convention, used everywhere in gradflow:
 *   d/dx relu(x)      = heaviside(x), heaviside(0) = 0
 *   d/dx abs(x)       = sign(x),      sign(0) = 0
 *   d/dx heaviside(x) = d/dx sign(x) = 0
 *   max(a, b) = a + relu(b − a), min(a, b) = a − relu(a − b): at a tie the FIRST argument
 *   carries the derivative, so max(0, x) has derivative heaviside(x), like relu(x).
 *   max/min of up to MINMAX_FOLD arguments fold from the left; of more, they split into halves,
 *   max(a₁…aₙ) = max(L, R) with L = max of the first half and R = max of the second (a balanced
 *   tournament, so the derivative and the switched form stay linear in n and shallow). Both give
 *   the derivative of the first maximal argument: at a tie L (which holds the earlier arguments)
 *   carries it.
 * Zero derivatives annihilate: in a derivative, 0·x and 0/x fold to 0 whatever x is (x is a factor
 * the chain rule multiplies by a zero derivative, so the product is the derivative we want). The
 * expression being differentiated keeps its own domain (ast.ts).
 * Results are memoised per node, so shared subtrees are differentiated once; the walk is
 * iterative (no recursion over the tree), so any depth is fine.
 */
import { guardDepth } from './limits.js';
import { add, call, div, fn, isConst, isNum, mapDag, mul, neg, num, pow, sub, type CallNode, type Expr } from './ast.js';

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/** max/min with more arguments than this are differentiated as a balanced tournament (header). */
export const MINMAX_FOLD = 4;

/** d·x in a derivative: a zero factor annihilates x (module header). */
function dmul(a: Expr, b: Expr): Expr {
  return isConst(a, 0) || isConst(b, 0) ? num(0) : mul(a, b);
}

/** d/x in a derivative: a zero numerator annihilates x (unless x is the number 0). */
function ddiv(a: Expr, b: Expr): Expr {
  return isConst(a, 0) && !isConst(b, 0) ? num(0) : div(a, b);
}

export function derivative(e: Expr, variable: string): Expr {
  return guardDepth('differentiation', () => differentiate(e, variable, new Map(), null));
}

/**
 * ∂e/∂v for every variable, sharing nothing but the input tree (CSE happens at emit time).
 * Subtrees that cannot contain v are not walked (see SymbolRanges), so the gradient of a sum of
 * n terms in n variables costs about n·log n steps, not n².
 */
export function gradient(e: Expr, variables: readonly string[]): Expr[] {
  return guardDepth('differentiation', () => {
    const ranges = variables.length > 1 ? symbolRanges(e) : null;
    return variables.map((v) => differentiate(e, v, new Map(), ranges));
  });
}

/**
 * The symbols of a tree numbered in order of first appearance (left to right, post-order), and
 * for every call node the lowest and highest number of a symbol under it. A variable whose number
 * is outside a node's range does not occur below it, so that node's derivative is 0. Exact for
 * chains (a subtree of a sum of distinct variables covers a contiguous run of them); merely
 * unhelpful, never wrong, when subtrees share symbols. O(nodes) memory, unlike symbol sets.
 */
interface SymbolRanges {
  readonly index: ReadonlyMap<string, number>;
  readonly range: ReadonlyMap<Expr, readonly [number, number]>;
}

const EMPTY_RANGE: readonly [number, number] = [Infinity, -Infinity];

function symbolRanges(e: Expr): SymbolRanges {
  const index = new Map<string, number>();
  const range = new Map<Expr, readonly [number, number]>();
  mapDag<readonly [number, number]>(e, (x) => {
    if (x.kind === 'num') return EMPTY_RANGE;
    let i = index.get(x.name);
    if (i === undefined) { i = index.size; index.set(x.name, i); }
    return [i, i];
  }, (_, args) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const [a, b] of args) { if (a < lo) lo = a; if (b > hi) hi = b; }
    return [lo, hi];
  }, range);
  return { index, range };
}

/**
 * The derivative of e, filling `memo` (node → derivative) for every node it needs. With `ranges`,
 * subtrees without v are 0 at once: the rules give exactly 0 for them anyway, except for a
 * constant divided by the constant 0 (which they turn into 0/0), where 0 is the better answer.
 */
function differentiate(root: Expr, v: string, memo: Map<Expr, Expr>, ranges: SymbolRanges | null): Expr {
  const iv = ranges ? ranges.index.get(v) ?? -1 : 0;
  const stack: Expr[] = [root];
  while (stack.length > 0) {
    const x = stack[stack.length - 1];
    if (memo.has(x)) { stack.pop(); continue; }
    if (x.kind !== 'call') {
      stack.pop();
      memo.set(x, num(x.kind === 'sym' && x.name === v ? 1 : 0));
      continue;
    }
    if (ranges) {
      const r = ranges.range.get(x);
      if (r && (iv < r[0] || iv > r[1])) {
        stack.pop();
        memo.set(x, num(0));
        continue;
      }
    }
    const needs = needed(x);
    let pending = false;
    for (let i = needs.length - 1; i >= 0; i--) {
      if (!memo.has(needs[i])) { stack.push(needs[i]); pending = true; }
    }
    if (pending) continue;
    stack.pop();
    memo.set(x, rule(x, (y) => memo.get(y) as Expr));
  }
  return memo.get(root) as Expr;
}

/** The nodes whose derivatives `rule` reads for x. */
function needed(x: CallNode): readonly Expr[] {
  switch (x.op) {
    case 'sign':
    case 'heaviside': return [];
    case 'max':
    case 'min': {
      const m = expandMinMax(x);
      return m.kind === 'fold' ? [m.fold] : [m.left, m.right];
    }
    default: return x.args;
  }
}

function rule(x: CallNode, d: (e: Expr) => Expr): Expr {
  const a = x.args[0];
  const b = x.args[1];
  switch (x.op) {
    case 'add': return add(d(a), d(b));
    case 'sub': return sub(d(a), d(b));
    case 'neg': return neg(d(a));
    case 'mul': return add(dmul(d(a), b), dmul(a, d(b))); // (ab)′ = a′b + ab′
    case 'div': {
      // (a/b)′ = a′/b − a·b′/b²
      const db = d(b);
      return sub(ddiv(d(a), b), isConst(db, 0) ? num(0) : ddiv(dmul(a, db), mul(b, b)));
    }
    case 'pow': return powRule(a, b, d(a), d(b));
    case 'exp': return dmul(x, d(a)); // (e^u)′ = e^u·u′
    case 'expm1': return dmul(fn('exp', a), d(a));
    case 'log': return ddiv(d(a), a);
    case 'log1p': return ddiv(d(a), add(num(1), a));
    case 'sqrt': return ddiv(d(a), mul(num(2), x));
    case 'abs': return dmul(fn('sign', a), d(a));
    case 'sign':
    case 'heaviside': return num(0);
    case 'relu': return dmul(fn('heaviside', a), d(a));
    case 'max':
    case 'min': {
      const m = expandMinMax(x);
      if (m.kind === 'fold') return d(m.fold);
      // max(L, R): R carries the derivative where R > L, L elsewhere (ties included); written as
      // (1 − h)·L′ + h·R′, not L′ + h·(R′ − L′), so that L′ appears once and the printed tree stays
      // O(n log n) instead of O(n^1.58)
      const h = fn('heaviside', x.op === 'max' ? sub(m.right, m.left) : sub(m.left, m.right));
      return add(dmul(sub(num(1), h), d(m.left)), dmul(h, d(m.right)));
    }
    case 'sigmoid': return dmul(mul(x, fn('sigmoid', neg(a))), d(a)); // σ′ = σ(u)σ(−u): no cancellation in 1 − σ
    case 'softplus': return dmul(fn('sigmoid', a), d(a));
    case 'tanh': return dmul(sub(num(1), mul(x, x)), d(a));
    case 'sin': return dmul(fn('cos', a), d(a));
    case 'cos': return neg(dmul(fn('sin', a), d(a)));
    case 'erf': return dmul(mul(num(TWO_OVER_SQRT_PI), fn('exp', neg(mul(a, a)))), d(a));
    case 'Phi': return dmul(fn('phi', a), d(a));
    case 'phi': return neg(dmul(mul(a, x), d(a))); // φ′(u) = −u·φ(u)
    case 'asin': return ddiv(d(a), fn('sqrt', sub(num(1), mul(a, a)))); // (asin u)′ = u′/√(1 − u²)
    case 'acos': return neg(ddiv(d(a), fn('sqrt', sub(num(1), mul(a, a))))); // (acos u)′ = −u′/√(1 − u²)
    case 'atan': return ddiv(d(a), add(num(1), mul(a, a))); // (atan u)′ = u′/(1 + u²)
    case 'atan2': {
      // atan2(y, x)′ = (x·y′ − y·x′)/(x² + y²): continuous across the branch cut (x < 0, y = 0)
      const dy = d(a);
      const dx = d(b);
      return ddiv(sub(dmul(b, dy), dmul(a, dx)), add(mul(b, b), mul(a, a)));
    }
  }
}

/** u^w: constant exponent, constant base, or the general form e^{w log u}. */
function powRule(u: Expr, w: Expr, du: Expr, dw: Expr): Expr {
  if (isConst(dw, 0)) {
    if (isConst(du, 0)) return num(0);
    // (u^c)′ = c·u^{c−1}·u′
    const lower = isNum(w) ? pow(u, num(w.value - 1)) : pow(u, sub(w, num(1)));
    return dmul(dmul(w, lower), du);
  }
  const uw = pow(u, w);
  // (u^w)′ = u^w·(w′ log u + w·u′/u)
  const viaBase = isConst(du, 0) ? num(0) : ddiv(dmul(w, du), u);
  return dmul(uw, add(dmul(dw, fn('log', u)), viaBase));
}

/**
 * How a max/min call is taken apart (cached per node, so that every caller sees the same
 * subtrees): up to MINMAX_FOLD arguments the left fold `fold` of relu terms; beyond, the two halves
 * `left` and `right` (each a max/min call, or a lone argument), with max(L, R) = L + relu(R − L)
 * and min(L, R) = L − relu(L − R) as `fold`.
 */
export type MinMaxParts =
  | { readonly kind: 'fold'; readonly fold: Expr }
  | { readonly kind: 'halves'; readonly fold: Expr; readonly left: Expr; readonly right: Expr };

const partsCache = new WeakMap<CallNode, MinMaxParts>();

export function expandMinMax(x: CallNode): MinMaxParts {
  const hit = partsCache.get(x);
  if (hit) return hit;
  if (x.op !== 'max' && x.op !== 'min') throw new Error(`expandMinMax: not a max/min call (${x.op})`);
  const op = x.op;
  const args = x.args;
  let parts: MinMaxParts;
  if (args.length <= MINMAX_FOLD) {
    parts = { kind: 'fold', fold: foldMinMax(op, args) };
  } else {
    const mid = args.length >>> 1;
    const half = (xs: readonly Expr[]): Expr => (xs.length === 1 ? xs[0] : call(op, xs));
    const left = half(args.slice(0, mid));
    const right = half(args.slice(mid));
    parts = { kind: 'halves', fold: foldMinMax(op, [left, right]), left, right };
  }
  partsCache.set(x, parts);
  return parts;
}

/** max(a, b, c, …) as a + relu(b − a), folded from the left (min likewise). */
function foldMinMax(op: 'min' | 'max', args: readonly Expr[]): Expr {
  let acc = args[0];
  for (let i = 1; i < args.length; i++) {
    acc = op === 'max' ? add(acc, fn('relu', sub(args[i], acc))) : sub(acc, fn('relu', sub(acc, args[i])));
  }
  return acc;
}
