/**
 * Expression trees: numbers, symbols and calls of whitelisted operations.
 *
 * Trees are immutable and built only through the constructors below, which fold constants and
 * drop neutral elements as they go (x·1 → x, x+0 → x, 0·x → 0). That keeps symbolic
 * derivatives small without a separate (slow) simplification pass. Subtrees are shared by
 * reference, so a derivative is a DAG in memory; `emit-js` merges structurally equal
 * subtrees into temporaries (common-subexpression elimination).
 *
 * Convention: 0·x folds to 0 even where x could be infinite. Every such x in a gradient is a
 * factor that the chain rule multiplies by a zero derivative (heaviside′, sign′), so the
 * product is zero almost everywhere, which is the derivative we want.
 */

export type Op =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'neg'
  | 'exp' | 'log' | 'log1p' | 'expm1' | 'sqrt' | 'abs' | 'sign'
  | 'min' | 'max' | 'relu' | 'heaviside' | 'sigmoid' | 'softplus'
  | 'tanh' | 'sin' | 'cos' | 'erf' | 'Phi' | 'phi';

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
  if (isConst(a, 0) || isConst(b, 0)) return ZERO;
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
  if (isConst(a, 0) && !isConst(b, 0)) return ZERO;
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
  const seen = new Set<Expr>();
  const walk = (x: Expr): void => {
    if (seen.has(x)) return;
    seen.add(x);
    if (x.kind === 'sym') into.add(x.name);
    else if (x.kind === 'call') x.args.forEach(walk);
  };
  walk(e);
  return into;
}

/** Replaces symbols by trees (used to inline `loss` into event expressions). */
export function substitute(e: Expr, bindings: ReadonlyMap<string, Expr>): Expr {
  const memo = new Map<Expr, Expr>();
  const walk = (x: Expr): Expr => {
    const hit = memo.get(x);
    if (hit) return hit;
    let out: Expr = x;
    if (x.kind === 'sym') out = bindings.get(x.name) ?? x;
    else if (x.kind === 'call') out = call(x.op, x.args.map(walk));
    memo.set(x, out);
    return out;
  };
  return walk(e);
}
