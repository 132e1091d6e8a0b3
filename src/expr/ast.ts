/**
 * Expression trees: numbers, symbols and calls of whitelisted operations.
 *
 * Trees are immutable and built only through the constructors below, which fold constants and
 * drop neutral elements as they go (x·1 → x, x+0 → x). That keeps symbolic derivatives small
 * without a separate (slow) simplification pass. Subtrees are shared by reference, so a
 * derivative is a DAG in memory; `emit-js` merges structurally equal subtrees into temporaries
 * (common-subexpression elimination).
 *
 * Domains are preserved: a fold never turns an expression that is NaN somewhere into one that is
 * finite there. So 0·x folds to 0 only when x is *total* (finite for every finite input: numbers,
 * symbols, + − ·, integer powers, and exp, sin, cos, tanh, sigmoid, softplus, relu, abs, …; see
 * `isTotal`), 0/x folds only when x is a nonzero number, and x/x is never cancelled: 0·log(u) and
 * (u − ½)/(u − ½) keep their NaN at u < 0 and u = ½. Derivatives are different: there a zero
 * *derivative* factor annihilates whatever it multiplies (the chain rule's convention, see diff.ts,
 * which uses its own folding products for that).
 *
 * Deep trees: every walk over trees in src/expr is iterative (or recurses only a bounded number
 * of levels), and long chains of + − or · / are built as balanced trees (`sumOf`, `productOf`),
 * so expressions of any length up to the parser's limit compile without exhausting the stack.
 */

export type Op =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'neg'
  | 'exp' | 'log' | 'log1p' | 'expm1' | 'sqrt' | 'abs' | 'sign'
  | 'min' | 'max' | 'relu' | 'heaviside' | 'sigmoid' | 'softplus'
  | 'tanh' | 'sin' | 'cos' | 'erf' | 'Phi' | 'phi'
  | 'acos' | 'asin' | 'atan' | 'atan2';

export type Expr = NumNode | SymNode | CallNode;

export interface NumNode { readonly kind: 'num'; readonly value: number }
/** A state variable, a parameter, or the time `t`. */
export interface SymNode { readonly kind: 'sym'; readonly name: string }
export interface CallNode { readonly kind: 'call'; readonly op: Op; readonly args: readonly Expr[] }

const ZERO: NumNode = Object.freeze({ kind: 'num', value: 0 });
const ONE: NumNode = Object.freeze({ kind: 'num', value: 1 });

export function num(value: number): NumNode {
  if (value === 0) return ZERO; // also maps −0 to 0: derivatives never need the sign of zero
  if (value === 1) return ONE;
  return Object.freeze({ kind: 'num', value });
}

export function sym(name: string): SymNode {
  return Object.freeze({ kind: 'sym', name });
}

/** Folds a constant operation only when the result is a finite number (else keeps the node). */
function folded(value: number): NumNode | null {
  return Number.isFinite(value) ? num(value) : null;
}

export function isNum(e: Expr): e is NumNode {
  return e.kind === 'num';
}

/** True if e is the number `value` (not a type guard: other numbers stay possible). */
export function isConst(e: Expr, value: number): boolean {
  return e.kind === 'num' && e.value === value;
}

/** A raw call node, without simplification. Prefer the folding constructors. */
export function call(op: Op, args: readonly Expr[]): CallNode {
  return Object.freeze({ kind: 'call', op, args: Object.freeze([...args]) });
}

export function add(a: Expr, b: Expr): Expr {
  if (isNum(a) && isNum(b)) return folded(a.value + b.value) ?? call('add', [a, b]);
  if (isConst(a, 0)) return b;
  if (isConst(b, 0)) return a;
  if (b.kind === 'call' && b.op === 'neg') return sub(a, b.args[0]);
  return call('add', [a, b]);
}

export function sub(a: Expr, b: Expr): Expr {
  if (isNum(a) && isNum(b)) return folded(a.value - b.value) ?? call('sub', [a, b]);
  if (isConst(b, 0)) return a;
  if (isConst(a, 0)) return neg(b);
  if (b.kind === 'call' && b.op === 'neg') return add(a, b.args[0]);
  return call('sub', [a, b]);
}

export function neg(a: Expr): Expr {
  if (isNum(a)) return num(-a.value);
  if (a.kind === 'call' && a.op === 'neg') return a.args[0];
  return call('neg', [a]);
}

export function mul(a: Expr, b: Expr): Expr {
  if (isNum(a) && isNum(b)) return folded(a.value * b.value) ?? call('mul', [a, b]);
  if (isConst(a, 0) || isConst(b, 0)) {
    // 0·x → 0 only where x cannot be NaN or infinite: 0·log(u) keeps log's domain (header)
    const x = isConst(a, 0) ? b : a;
    return isTotal(x) ? ZERO : call('mul', [ZERO, x]);
  }
  if (isConst(a, 1)) return b;
  if (isConst(b, 1)) return a;
  if (isConst(a, -1)) return neg(b);
  if (isConst(b, -1)) return neg(a);
  // Pull negations out so that −x·−y meets x·y in the CSE table.
  if (a.kind === 'call' && a.op === 'neg') return neg(mul(a.args[0], b));
  if (b.kind === 'call' && b.op === 'neg') return neg(mul(a, b.args[0]));
  // c·(d·x) → (cd)·x, x·c → c·x: constants gather at the front, where they fold
  if (isNum(b)) return mul(b, a);
  if (!isNum(a) && a.kind === 'call' && a.op === 'mul' && isNum(a.args[0])) return mul(a.args[0], mul(a.args[1], b));
  if (isNum(a) && b.kind === 'call' && b.op === 'mul' && isNum(b.args[0])) {
    const c = folded(a.value * b.args[0].value);
    if (c) return mul(c, b.args[1]);
  }
  return call('mul', [a, b]);
}

export function div(a: Expr, b: Expr): Expr {
  if (isNum(a) && isNum(b)) return folded(a.value / b.value) ?? call('div', [a, b]);
  // 0/x is not folded: x may be 0 (and 0/c with c a nonzero number was folded above)
  if (isConst(b, 1)) return a;
  if (isConst(b, -1)) return neg(a);
  if (a.kind === 'call' && a.op === 'neg') return neg(div(a.args[0], b));
  // (c·x)/d → (c/d)·x, so ½ of 2·x·x′ comes out as x·x′
  if (isNum(b) && a.kind === 'call' && a.op === 'mul' && isNum(a.args[0])) {
    const c = folded(a.args[0].value / b.value);
    if (c) return mul(c, a.args[1]);
  }
  return call('div', [a, b]);
}

export function pow(a: Expr, b: Expr): Expr {
  if (isNum(a) && isNum(b)) return folded(Math.pow(a.value, b.value)) ?? call('pow', [a, b]);
  if (isConst(b, 0)) return ONE;
  if (isConst(b, 1)) return a;
  return call('pow', [a, b]);
}

/** A call of a named function; constant arguments are folded by the caller when wanted. */
export function fn(op: Op, ...args: Expr[]): CallNode {
  return call(op, args);
}

/** Every symbol name used in the tree. */
export function symbolsOf(e: Expr, into: Set<string> = new Set()): Set<string> {
  // pre-order, left to right (the order of first appearance in the text)
  const seen = new Set<Expr>();
  const stack: Expr[] = [e];
  while (stack.length > 0) {
    const x = stack.pop() as Expr;
    if (seen.has(x)) continue;
    seen.add(x);
    if (x.kind === 'sym') into.add(x.name);
    else if (x.kind === 'call') for (let i = x.args.length - 1; i >= 0; i--) stack.push(x.args[i]);
  }
  return into;
}

/** Replaces symbols by trees (used to inline `loss` into event expressions). */
export function substitute(e: Expr, bindings: ReadonlyMap<string, Expr>): Expr {
  return mapDag<Expr>(e, (x) => (x.kind === 'sym' ? bindings.get(x.name) ?? x : x), (x, args) => call(x.op, args));
}

/** A memo for `mapDag`: a Map, or a WeakMap shared across calls. */
export interface DagMemo<T> {
  get(e: Expr): T | undefined;
  set(e: Expr, value: T): unknown;
}

/**
 * Post-order map over a tree (a DAG: shared subtrees are mapped once, by reference) without
 * recursion: `node(x, mapped arguments)` for calls, `leaf(x)` for numbers and symbols, each called
 * once per distinct node, children left to right before their parent — the order of the obvious
 * recursive walk, so results (and any side effects' order) are the same as that walk's.
 */
export function mapDag<T>(
  root: Expr,
  leaf: (x: NumNode | SymNode) => T,
  node: (x: CallNode, args: T[]) => T,
  memo: DagMemo<T> = new Map(),
): T {
  const hit = memo.get(root);
  if (hit !== undefined) return hit;
  if (root.kind !== 'call') {
    const out = leaf(root);
    memo.set(root, out);
    return out;
  }
  const stack: Array<{ x: CallNode; done: T[] }> = [{ x: root, done: [] }];
  for (;;) {
    const top = stack[stack.length - 1];
    if (top.done.length < top.x.args.length) {
      const a = top.x.args[top.done.length];
      const known = memo.get(a);
      if (known !== undefined) top.done.push(known);
      else if (a.kind !== 'call') {
        const out = leaf(a);
        memo.set(a, out);
        top.done.push(out);
      } else stack.push({ x: a, done: [] });
      continue;
    }
    stack.pop();
    const out = node(top.x, top.done);
    memo.set(top.x, out);
    if (stack.length === 0) return out;
    stack[stack.length - 1].done.push(out);
  }
}

/** Longest root-to-leaf path (a lone number or symbol has depth 0). */
export function depthOf(e: Expr): number {
  return mapDag<number>(e, () => 0, (_, d) => 1 + d.reduce((m, x) => (x > m ? x : m), 0));
}

const TOTAL_FN: ReadonlySet<Op> = new Set<Op>([
  'add', 'sub', 'mul', 'neg', 'exp', 'expm1', 'sin', 'cos', 'tanh', 'sigmoid', 'softplus', 'relu', 'abs',
  'sign', 'heaviside', 'min', 'max', 'erf', 'Phi', 'phi', 'atan', 'atan2',
]);
const totalMemo = new WeakMap<Expr, boolean>();

/**
 * True if e is finite wherever its symbols are (numbers, symbols, + − ·, powers with a constant
 * nonnegative integer exponent, and the functions defined on the whole line). log, log1p, sqrt,
 * division and other powers are not total. Used to decide whether 0·e may fold to 0.
 */
export function isTotal(e: Expr): boolean {
  if (e.kind !== 'call') return true;
  return mapDag<boolean>(e, () => true, (x, args) => {
    if (x.op === 'pow') {
      const w = x.args[1];
      return args[0] && w.kind === 'num' && Number.isInteger(w.value) && w.value >= 0;
    }
    return TOTAL_FN.has(x.op) && args.every(Boolean);
  }, totalMemo);
}

/**
 * Chains longer than this are built as balanced trees; up to it they fold from the left exactly
 * as a left-to-right reading does (so every existing short expression, and its emitted code, is
 * unchanged). A balanced chain of n terms has depth ⌈log2 n⌉ instead of n.
 */
export const CHAIN_FOLD = 64;

/**
 * Σ ±terms[i] (`negative[i]` marks a subtracted term; the first term is normally positive):
 * folded from the left with add/sub for up to CHAIN_FOLD terms, as a balanced tree beyond.
 *
 * Floating point: a balanced sum re-associates the terms, so its rounding differs from the left
 * fold's (its error bound is O(log n)·ε instead of O(n)·ε); only long chains are re-associated.
 */
export function sumOf(terms: readonly Expr[], negative?: readonly boolean[]): Expr {
  if (terms.length === 0) return ZERO;
  const neg_ = (i: number): boolean => negative?.[i] ?? false;
  if (terms.length <= CHAIN_FOLD) {
    let acc = neg_(0) ? neg(terms[0]) : terms[0];
    for (let i = 1; i < terms.length; i++) acc = neg_(i) ? sub(acc, terms[i]) : add(acc, terms[i]);
    return acc;
  }
  // each subtree is (e, s): the value s·e with s = ±1, so runs of subtracted terms stay sums
  const build = (lo: number, hi: number): [Expr, boolean] => {
    if (hi - lo === 1) return [terms[lo], neg_(lo)];
    const mid = (lo + hi) >>> 1;
    const [l, ln] = build(lo, mid);
    const [r, rn] = build(mid, hi);
    if (ln === rn) return [add(l, r), ln];
    return ln ? [sub(r, l), false] : [sub(l, r), false];
  };
  const [e, isNeg] = build(0, terms.length);
  return isNeg ? neg(e) : e;
}

/**
 * Π factors[i]^(±1) (`inverse[i]` marks a divisor): folded from the left with mul/div for up to
 * CHAIN_FOLD factors, as a balanced tree beyond (x/a/b becomes x/(a·b) there: the same value up
 * to rounding, and over- or underflow of partial products, which either order can meet).
 */
export function productOf(factors: readonly Expr[], inverse?: readonly boolean[]): Expr {
  if (factors.length === 0) return ONE;
  const inv = (i: number): boolean => inverse?.[i] ?? false;
  if (factors.length <= CHAIN_FOLD) {
    let acc = inv(0) ? div(ONE, factors[0]) : factors[0];
    for (let i = 1; i < factors.length; i++) acc = inv(i) ? div(acc, factors[i]) : mul(acc, factors[i]);
    return acc;
  }
  const build = (lo: number, hi: number): [Expr, boolean] => {
    if (hi - lo === 1) return [factors[lo], inv(lo)];
    const mid = (lo + hi) >>> 1;
    const [l, li] = build(lo, mid);
    const [r, ri] = build(mid, hi);
    if (li === ri) return [mul(l, r), li];
    return li ? [div(r, l), false] : [div(l, r), false];
  };
  const [e, isInv] = build(0, factors.length);
  return isInv ? div(ONE, e) : e;
}
