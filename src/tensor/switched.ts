/**
 * Kinks of an array model as switching functions, and its switched form — the tensor version of
 * src/expr/switching.ts, with the same conventions.
 *
 * Every element of the argument a of relu, heaviside, sign and abs (max/min folded into relu of
 * differences: max(a, b) = a + relu(b − a), min(a, b) = a − relu(a − b), so at a tie the first
 * argument carries the derivative) inside an element-wise node, when a depends on the state, is
 * one switching function. The switched form reads each kink factor from the mode array m (input
 * slot 0), one mode per switching function:
 *   relu(a) → m·a,   heaviside(a) → m,   sign(a) → 2m − 1,   abs(a) → (2m − 1)·a,
 * a smooth graph for fixed modes whose reverse-mode gradient is the field of the branch (relu′
 * read as m), affine in each m: what the Filippov treatment in src/solve/kinks needs. A switching
 * function's value is its argument as written (inner kinks intact); its rate along a velocity is
 * the tangent of the argument in switched form (inner kinks read from the modes).
 * Unlike the scalar language, arguments that differ only by sign (x and −x) are separate functions.
 * amax over the state is not a switching function: its argmax switch is stepped over (smooth-through).
 */
import { add, call, mul, num, sub, sym, symbolsOf, type CallNode, type Expr } from '../expr/ast.js';
import type { Graph, MapNode, TNode } from './graph.js';
import { compactMap } from './grad.js';
import { rebuild } from './rebuild.js';

export interface SwitchedGraph {
  /** Number of switching functions K. */
  readonly count: number;
  /** The loss with every kink factor read from the modes. */
  readonly loss: TNode;
  /** Each group of switching functions (one array per kink call): its value node, its switched-form node, where it starts among the K, and a label. */
  readonly groups: ReadonlyArray<{ readonly value: TNode; readonly switched: TNode; readonly offset: number; readonly label: string }>;
}

const KINKS = new Set(['relu', 'heaviside', 'sign', 'abs', 'max', 'min']);

/** True if an element-wise body has a kink whose argument uses a state-dependent argument. */
function hasStateKink(n: MapNode): boolean {
  const onState = new Set(n.args.flatMap((a, i) => (a.onState ? [`a${i}`] : [])));
  const stack: Expr[] = [n.body];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e.kind !== 'call') continue;
    if (KINKS.has(e.op) && [...symbolsOf(e)].some((s) => onState.has(s))) return true;
    stack.push(...e.args);
  }
  return false;
}

/**
 * The switched form of `loss`, or null when nothing it depends on has a kink on the state.
 * `names`: the definition each node belongs to, for the labels (`relu@f[2][0]`: element [2][0] of the relu in f).
 */
export function switchedForm(graph: Graph, loss: TNode, names: ReadonlyMap<TNode, string>): SwitchedGraph | null {
  const groups: Array<{ value: TNode; switched: TNode; offset: number; label: string }> = [];
  let count = 0;
  /** An element-wise node with kinks on the state, its kink factors read from the modes. */
  const switchMap = (n: MapNode, to: (a: TNode) => TNode): TNode => {
    const args = n.args.map(to);
    const onState = new Set(n.args.flatMap((a, i) => (a.onState ? [`a${i}`] : [])));
    const extra: TNode[] = []; // mode inputs, read as a_(args.length + j)
    const label = names.get(n) ?? `#${n.id}`;
    const memo = new Map<Expr, Expr>();
    const rewrite = (e: Expr): Expr => {
      if (e.kind !== 'call') return e;
      const known = memo.get(e);
      if (known) return known;
      let out: Expr;
      if (!KINKS.has(e.op) || ![...symbolsOf(e)].some((s) => onState.has(s))) {
        out = call(e.op, e.args.map(rewrite));
      } else if (e.op === 'max' || e.op === 'min') {
        out = rewrite(foldMinMax(e));
      } else {
        const a = e.args[0];
        const ra = rewrite(a);
        const mode = graph.input(0, count, n.shape);
        const m = sym(`a${args.length + extra.length}`);
        extra.push(mode);
        groups.push({
          value: compactMap(graph, a, n.args, n.shape),
          switched: compactMap(graph, ra, [...args, ...extra], n.shape),
          offset: count,
          label: `${e.op}@${label}`,
        });
        count += n.size;
        const twoMMinus1 = sub(mul(num(2), m), num(1));
        out = e.op === 'relu' ? mul(m, ra) : e.op === 'heaviside' ? m : e.op === 'sign' ? twoMMinus1 : mul(twoMMinus1, ra);
      }
      memo.set(e, out);
      return out;
    };
    return compactMap(graph, rewrite(n.body), [...args, ...extra], n.shape);
  };
  const switched = rebuild(graph, loss, (n, to) => (n.op === 'map' && n.onState && hasStateKink(n) ? switchMap(n, to) : undefined));
  return count === 0 ? null : { count, loss: switched, groups };
}

/** max/min of two or more arguments as relu of differences, folded from the left (diff.ts's convention). */
function foldMinMax(e: CallNode): Expr {
  let acc = e.args[0];
  for (const b of e.args.slice(1)) acc = e.op === 'max' ? add(acc, call('relu', [sub(b, acc)])) : sub(acc, call('relu', [sub(acc, b)]));
  return acc;
}
