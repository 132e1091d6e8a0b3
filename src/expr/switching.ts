/**
 * Kinks of an expression as switching functions, and the switched form of a vector field.
 *
 * Every argument a of relu, heaviside, sign and abs (and of max/min, folded into relu of pairwise
 * differences as in diff.ts) whose value depends on the state or on t is a switching function:
 * the vector field is smooth on either side of a = 0 and kinks or jumps across it. Arguments that
 * differ only by sign or by a positive constant factor (x and −x, a − b and b − a, 2x and x) are
 * one switching function, because they share the surface a = 0.
 *
 * The switched form reads every kink factor from a mode array instead of from the state: with
 * m = mode[i] for the canonical s_i (and 1 − m where the argument is −s_i),
 *   relu(a) → m·a,   heaviside(a) → m,   sign(a) → 2m − 1,   abs(a) → (2m − 1)·a.
 * For fixed m this is a smooth field (the branch's own formula, continued past the surface), so a
 * Runge–Kutta step taken with fixed modes keeps its order; with m = heaviside(s_i) everywhere it is
 * the plain field off the surfaces. A gradient is taken *after* this rewrite (the modes are
 * constants to the differentiation), so −∇L in switched form uses m for relu′ = heaviside and
 * 2m − 1 for abs′ = sign, and is affine in each m on its own surface (where the value term m·s_i
 * vanishes). That is what the Filippov treatment in src/solve/kinks needs: a pinned function's
 * factor becomes an unknown λ_i ∈ [0, 1].
 *
 * Conventions (as everywhere in gradflow): heaviside(0) = 0, sign(0) = 0, relu′(0) = 0; at a tie
 * max/min give the derivative to their first argument. Off the surfaces the switched form with
 * modes heaviside(s_i) agrees with the plain field exactly; on a surface (s_i = 0 exactly) a free
 * function's mode is 0, which matches heaviside(s_i) but not heaviside(−s_i) = 0 for a flipped
 * argument (there 1 − m = 1); the kink driver never evaluates a free function on its surface
 * without deciding its mode first.
 */
import { add, call, div, fn, isNum, mapDag, mul, neg, num, pow, sub, sumOf, sym, symbolsOf, type CallNode, type Expr } from './ast.js';
import { derivative, expandMinMax } from './diff.js';
import { compileVector, type Layout } from './emit-js.js';
import { toTextClipped } from './format.js';
import { guardDepth } from './limits.js';
import * as special from './special.js';

/** Mode symbols `_m0, _m1, …` and velocity symbols `_v0, …` cannot clash with user names (they must start with a letter). */
const MODE_PREFIX = '_m';
const VELOCITY_PREFIX = '_v';

/** Finds switching functions and rewrites expressions into switched form (see the module header). */
export class KinkRewriter {
  /** The switching functions found so far, canonical orientation, inner kinks intact. */
  readonly functions: Expr[] = [];
  private readonly variables: ReadonlySet<string>;
  private readonly ids = new Map<Expr, number>();
  private readonly keys = new Map<string, number>();
  /** Interned id of a canonical argument → index of its switching function. */
  private readonly indexOfId = new Map<number, number>();
  private readonly memo = new Map<Expr, Expr>();
  private readonly dependsMemo = new Map<Expr, boolean>();

  /** `variables`: the names a switching function must depend on (state names and t). */
  constructor(variables: Iterable<string>) {
    this.variables = new Set(variables);
  }

  /** Names of the mode symbols, one per switching function. */
  get modeNames(): string[] {
    return this.functions.map((_, i) => `${MODE_PREFIX}${i}`);
  }

  /** e with every kink factor read from the mode symbols; registers new switching functions. */
  rewrite(e: Expr): Expr {
    return guardDepth('the switched form', () => this.rewriteTree(e));
  }

  /**
   * The rewrite as an explicit-stack depth-first walk (no recursion over the tree). Each node is
   * planned when first reached, before its arguments, and the arguments are rewritten left to right:
   * the order of the natural recursive walk, so switching functions are numbered as that walk
   * would number them (an outer kink before the kinks inside its argument).
   */
  private rewriteTree(root: Expr): Expr {
    const hit = this.memo.get(root);
    if (hit) return hit;
    const stack: RewriteFrame[] = [];
    let result: Expr | null = null;
    const deliver = (out: Expr): void => {
      if (stack.length > 0) stack[stack.length - 1].done.push(out);
      else result = out;
    };
    const enter = (x: Expr): void => {
      const known = this.memo.get(x);
      if (known) { deliver(known); return; }
      const plan = this.plan(x);
      if (!('kids' in plan)) {
        this.memo.set(x, plan);
        deliver(plan);
      } else stack.push({ node: x, kids: plan.kids, finish: plan.finish, done: [] });
    };
    enter(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.done.length < top.kids.length) {
        enter(top.kids[top.done.length]);
        continue;
      }
      stack.pop();
      const out = top.finish(top.done);
      this.memo.set(top.node, out);
      deliver(out);
    }
    return result as unknown as Expr;
  }

  /** x rewritten at once (an Expr), or what rewriting it needs first and how to combine the results. */
  private plan(e: Expr): Expr | RewritePlan {
    if (e.kind !== 'call') return e;
    const op = e.op;
    if (op === 'max' || op === 'min') {
      if (!this.isSwitching(e.args)) return this.rebuildPlan(e);
      return { kids: [expandMinMax(e).fold], finish: ([r]) => r };
    }
    if (op !== 'relu' && op !== 'heaviside' && op !== 'sign' && op !== 'abs') return this.rebuildPlan(e);
    const a = e.args[0];
    if (isNum(a)) return num(constantKink(op, a.value));
    if (!this.isSwitching([a])) return this.rebuildPlan(e);
    const m = this.modeOf(a); // registered before the kinks inside a (see rewriteTree)
    const twoMMinus1 = sub(mul(num(2), m), num(1));
    switch (op) {
      case 'relu': return { kids: [a], finish: ([ra]) => mul(m, ra) }; // relu(a) = H(a)·a
      case 'heaviside': return m;
      case 'sign': return twoMMinus1; // sign(a) = 2H(a) − 1 off the surface
      default: return { kids: [a], finish: ([ra]) => mul(twoMMinus1, ra) }; // abs(a) = sign(a)·a
    }
  }

  /** True if some argument depends on a state variable or t. */
  private isSwitching(args: readonly Expr[]): boolean {
    return args.some((a) => this.depends(a));
  }

  private depends(e: Expr): boolean {
    return mapDag<boolean>(e, (x) => x.kind === 'sym' && this.variables.has(x.name), (_, args) => args.some(Boolean), this.dependsMemo);
  }

  private rebuildPlan(e: CallNode): RewritePlan {
    return { kids: e.args, finish: (a) => rebuild(e, a) };
  }

  /** The mode factor heaviside(a) in switched form: m_i, or 1 − m_i for a = −c·s_i. */
  private modeOf(a: Expr): Expr {
    const { base, flip } = this.canonical(a);
    const id = this.intern(base);
    let i = this.indexOfId.get(id);
    if (i === undefined) {
      i = this.functions.length;
      this.functions.push(base);
      this.indexOfId.set(id, i);
    }
    const m = sym(`${MODE_PREFIX}${i}`);
    return flip ? sub(num(1), m) : m;
  }

  /** a = ±c·base with c > 0: strips negations and constant factors, orders a difference by intern id. */
  private canonical(a: Expr): { base: Expr; flip: boolean } {
    let x = a;
    let flip = false;
    for (;;) {
      if (x.kind === 'call' && x.op === 'neg') {
        flip = !flip;
        x = x.args[0];
      } else if (x.kind === 'call' && x.op === 'mul' && isNum(x.args[0]) && x.args[0].value !== 0) {
        if (x.args[0].value < 0) flip = !flip;
        x = x.args[1];
      } else break;
    }
    if (x.kind === 'call' && x.op === 'sub' && this.intern(x.args[0]) > this.intern(x.args[1])) {
      x = sub(x.args[1], x.args[0]); // b − a for a − b: the same surface, opposite side
      flip = !flip;
    }
    return { base: x, flip };
  }

  /** Structural id: equal trees get equal ids (+ and · commutative, as in cse.ts); ids in post-order. */
  private intern(e: Expr): number {
    return mapDag<number>(e, (x) => this.idOf(x.kind === 'num' ? `n${x.value}` : `s${x.name}`), (x, c) => {
      const ids = x.op === 'add' || x.op === 'mul' ? [...c].sort((p, q) => p - q) : c;
      return this.idOf(`${x.op}(${ids.join(',')})`);
    }, this.ids);
  }

  private idOf(key: string): number {
    let id = this.keys.get(key);
    if (id === undefined) {
      id = this.keys.size;
      this.keys.set(key, id);
    }
    return id;
  }
}

interface RewritePlan {
  readonly kids: readonly Expr[];
  readonly finish: (rewritten: Expr[]) => Expr;
}

interface RewriteFrame extends RewritePlan {
  readonly node: Expr;
  readonly done: Expr[];
}

/** e's operation on rewritten arguments, through the folding constructors; e itself if nothing changed. */
function rebuild(e: CallNode, a: readonly Expr[]): Expr {
  if (a.every((x, i) => x === e.args[i])) return e;
  switch (e.op) {
    case 'add': return add(a[0], a[1]);
    case 'sub': return sub(a[0], a[1]);
    case 'mul': return mul(a[0], a[1]);
    case 'div': return div(a[0], a[1]);
    case 'pow': return pow(a[0], a[1]);
    case 'neg': return neg(a[0]);
    default: return e.op === 'min' || e.op === 'max' ? call(e.op, a) : fn(e.op, ...a);
  }
}

function constantKink(op: 'relu' | 'heaviside' | 'sign' | 'abs', v: number): number {
  if (op === 'relu') return special.relu(v);
  if (op === 'heaviside') return special.heaviside(v);
  if (op === 'sign') return special.sign(v);
  return Math.abs(v);
}

/**
 * A vector field in switched form, bound to parameter values. Structurally the `SwitchedSystem`
 * of src/solve (this module does not depend on the solver).
 */
export interface BoundSwitched {
  readonly count: number;
  label(i: number): string;
  /** s_i(t, y) for every i (the original kink arguments, inner kinks evaluated as they are). */
  evaluate(t: number, y: Float64Array, out: Float64Array): void;
  /** The field with kink factors from `mode`. */
  field(t: number, y: Float64Array, mode: Float64Array, dydt: Float64Array): void;
  /** ds_i/dt = ∂s_i/∂t + ∇s_i·v for every i, inner kink factors from `mode`. */
  rates(t: number, y: Float64Array, mode: Float64Array, v: Float64Array, out: Float64Array): void;
}

/** A compiled switched field, before parameters are bound. */
export interface CompiledSwitched {
  readonly count: number;
  /** Switching functions as text (canonical orientation). */
  readonly labels: readonly string[];
  readonly functions: readonly Expr[];
  /** The field in switched form (mode symbols `_m<i>`), for inspection. */
  readonly modeField: readonly Expr[];
  /** Emitted JavaScript of the three functions. */
  readonly sources: Readonly<{ evaluate: string; field: string; rates: string }>;
  bind(params: ArrayLike<number>): BoundSwitched;
}

type FieldFn = (t: number, y: Float64Array, mode: Float64Array, out: Float64Array) => void;
type RatesFn = (t: number, y: Float64Array, mode: Float64Array, v: Float64Array, out: Float64Array) => void;

/**
 * The switched form of the gradient flow dθ/dt = −∇L. Returns null when L has no kinks that
 * depend on the state (the plain field is then smooth).
 */
export function compileSwitchedGradient(loss: Expr, layout: Layout): CompiledSwitched | null {
  return guardDepth('the switched field', () => {
    const rw = new KinkRewriter([...layout.state, 't']);
    const modeLoss = rw.rewrite(loss);
    if (rw.functions.length === 0) return null;
    // the mode symbols are constants to the differentiation: relu(a) = m·a gives m·a′
    const field = layout.state.map((v) => neg(derivative(modeLoss, v)));
    return compileSwitched(rw, field, layout);
  });
}

/** The switched form of a general ODE dy/dt = rhs(t, y); null when the rhs has no kinks. */
export function compileSwitchedField(rhs: readonly Expr[], layout: Layout): CompiledSwitched | null {
  return guardDepth('the switched field', () => {
    const rw = new KinkRewriter([...layout.state, 't']);
    const field = rhs.map((e) => rw.rewrite(e));
    if (rw.functions.length === 0) return null;
    return compileSwitched(rw, field, layout);
  });
}

/** Labels of switching functions are for messages: long ones are cut (with an ellipsis). */
const LABEL_LENGTH = 500;

function compileSwitched(rw: KinkRewriter, field: readonly Expr[], layout: Layout): CompiledSwitched {
  const functions = [...rw.functions];
  const modeNames = rw.modeNames;
  const velocity = layout.state.map((_, k) => `${VELOCITY_PREFIX}${k}`);
  // ds_i/dt = ∂s_i/∂t + Σ_k ∂s_i/∂y_k · v_k, with s_i's own inner kinks in switched form; only the
  // variables s_i uses are differentiated (the others give zero terms, which the sum drops anyway)
  const rates = functions.map((s) => {
    const sm = rw.rewrite(s);
    const used = symbolsOf(sm);
    const terms = [derivative(sm, 't')];
    layout.state.forEach((name, k) => {
      if (used.has(name)) terms.push(mul(derivative(sm, name), sym(velocity[k])));
    });
    return sumOf(terms);
  });
  if (rw.functions.length !== functions.length) throw new Error('switching: rewriting a switching function found a new kink');
  const plain = { state: layout.state, params: layout.params };
  const evaluate = compileVector(functions, plain);
  const fieldC = compileVector(field, { ...plain, inputs: [modeNames] });
  const ratesC = compileVector(rates, { ...plain, inputs: [modeNames, velocity] });
  const labels = functions.map((f) => toTextClipped(f, LABEL_LENGTH));
  return {
    count: functions.length,
    labels,
    functions,
    modeField: field,
    sources: { evaluate: evaluate.source, field: fieldC.source, rates: ratesC.source },
    bind(params: ArrayLike<number>): BoundSwitched {
      return {
        count: functions.length,
        label: (i) => labels[i],
        evaluate: evaluate.bind(params),
        field: fieldC.bind(params) as unknown as FieldFn,
        rates: ratesC.bind(params) as unknown as RatesFn,
      };
    },
  };
}
