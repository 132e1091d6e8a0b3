/**
 * Reverse mode on the tensor graph: ∂L/∂(each state block), as more graph nodes.
 *
 * Adjoints are propagated from the loss down the graph in reverse topological order; each node
 * kind has one rule (below), written with the same node kinds, so the gradient is compiled by the
 * same emitter, shares the forward values it needs (hash-consing), and obeys the scalar
 * language's kink conventions (the derivative of an element-wise body comes from src/expr/diff.ts:
 * relu′(0) = heaviside(0) = 0, |x|′ = sign(x), at a tie of max/min the first argument carries it).
 *   map       ∂/∂aᵢ of the body, times the adjoint, summed over the axes aᵢ was broadcast along
 *   einsum    the einsum of the other arguments and the adjoint, with aᵢ's indices as the result
 *   softmax   p ⊙ (g − Σ_axis g ⊙ p)          logsumexp   softmax(x) ⊙ g
 *   amax      g at the first maximum           slice ↔ unslice,  reshape ↔ reshape
 */
import { add, mul, num, sym, type Expr } from '../expr/ast.js';
import { derivative, gradient } from '../expr/diff.js';
import { substitute, symbolsOf } from '../expr/ast.js';
import { reachable, type Graph, type Shape, type StateNode, type TNode } from './graph.js';

/** The gradient of a scalar node with respect to every state block it depends on (absent: it does not). */
export function reverseMode(graph: Graph, loss: TNode): Map<string, TNode> {
  if (loss.size !== 1) throw new Error('reverseMode: the loss must be a scalar');
  const order = reachable([loss]);
  const adjoints = new Map<number, TNode[]>();
  const push = (n: TNode, g: TNode): void => {
    if (!n.onState) return;
    const list = adjoints.get(n.id);
    if (list) list.push(g); else adjoints.set(n.id, [g]);
  };
  push(loss, graph.map(num(1), [], loss.shape));
  const byBlock = new Map<string, { node: StateNode; parts: TNode[] }>();
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i];
    const parts = adjoints.get(n.id);
    if (!parts) continue;
    const g = sumOf(graph, parts, n.shape);
    if (n.op === 'state') {
      const entry = byBlock.get(n.block) ?? { node: n, parts: [] };
      entry.parts.push(g);
      byBlock.set(n.block, entry);
      continue;
    }
    backward(graph, n, g, push);
  }
  const grads = new Map<string, TNode>();
  for (const [block, { node, parts }] of byBlock) {
    // the same block may be read with several shapes (reshapes): add in the flat order
    grads.set(block, sumOf(graph, parts.map((p) => graph.reshape(p, [p.size])), [node.size]));
  }
  return grads;
}

function backward(graph: Graph, n: TNode, g: TNode, push: (to: TNode, g: TNode) => void): void {
  switch (n.op) {
    case 'state':
    case 'data':
    case 'input':
      return;
    case 'map':
      if (n.size === 1 && n.args.filter((a) => a.onState).length > 1) {
        // a scalar of many scalars (an expectation's closed form): all partials in one block, sharing subexpressions
        const on = n.args.flatMap((a, i) => (a.onState ? [i] : []));
        const partials = gradient(n.body, on.map((i) => `a${i}`));
        const g0 = sym(`a${n.args.length}`);
        const self = sym(`a${n.args.length + 1}`);
        const all = graph.exprs(partials.map((d) => mul(g0, replaceSubtree(graph, d, n.body, self))), [...n.args, g, n]);
        on.forEach((i, k) => push(n.args[i], graph.reshape(graph.slice(all, [k], [1], [true]), n.args[i].shape)));
        return;
      }
      n.args.forEach((a, i) => {
        if (!a.onState) return;
        const d = derivative(n.body, `a${i}`);
        if (d.kind === 'num' && d.value === 0) return;
        // where the derivative repeats the body (exp, sigmoid, tanh′ = 1 − tanh², …) read the stored value
        const reuse = replaceSubtree(graph, d, n.body, sym(`a${n.args.length + 1}`));
        const body = mul(sym(`a${n.args.length}`), reuse);
        push(a, unbroadcast(graph, compactMap(graph, body, [...n.args, g, n], n.shape), a.shape));
      });
      return;
    case 'einsum':
      n.args.forEach((a, i) => {
        if (!a.onState) return;
        const others = n.args.filter((_, j) => j !== i);
        const subs = n.subs.filter((_, j) => j !== i);
        push(a, graph.einsum([...subs, n.out], n.subs[i], [...others, g], n.sizes));
      });
      return;
    case 'softmax': {
      const kept = keepDims(n.shape, n.axis);
      const gp = compactMap(graph, mul(sym('a0'), sym('a1')), [g, n], n.shape);
      const s = graph.reshape(sumAxis(graph, gp, n.axis), kept);
      push(n.args[0], compactMap(graph, mul(sym('a1'), add(sym('a0'), mul(num(-1), sym('a2')))), [g, n, s], n.shape));
      return;
    }
    case 'logsumexp': {
      const x = n.args[0];
      const p = graph.axisOp('softmax', x, n.axis);
      push(x, compactMap(graph, mul(sym('a0'), sym('a1')), [p, graph.reshape(g, keepDims(x.shape, n.axis))], x.shape));
      return;
    }
    case 'amax':
      push(n.args[0], graph.amaxGrad(n.args[0], g, n.axis));
      return;
    case 'slice':
      push(n.args[0], graph.unslice(g, n));
      return;
    case 'unslice':
      push(n.args[0], graph.slice(g, n.starts, n.counts, n.drops));
      return;
    case 'reshape':
      push(n.args[0], graph.reshape(g, n.args[0].shape));
      return;
    case 'amaxGrad':
      throw new Error('reverseMode: second derivatives of amax are not supported');
    case 'exprs':
      throw new Error('reverseMode: an exprs node is only built by reverse mode itself');
  }
}

/** A map over only the arguments its body uses, renumbered a0, a1, … in order. */
export function compactMap(graph: Graph, body: Expr, args: readonly TNode[], shape: Shape): TNode {
  const used = symbolsOf(body);
  const keep: TNode[] = [];
  const rename = new Map<string, Expr>();
  args.forEach((a, i) => {
    if (!used.has(`a${i}`)) return;
    let j = keep.indexOf(a);
    if (j < 0) { keep.push(a); j = keep.length - 1; }
    rename.set(`a${i}`, sym(`a${j}`));
  });
  // one simultaneous substitution: a_i → a_j (each symbol is replaced once)
  return graph.map(substitute(body, rename), keep, shape);
}


/** e with every subtree structurally equal to `target` replaced by `by` (structure compared through the graph's interner). */
export function replaceSubtree(graph: Graph, e: Expr, target: Expr, by: Expr): Expr {
  if (target.kind !== 'call') return e;
  const want = graph.bodies.idOf(target);
  const memo = new Map<Expr, Expr>();
  const walk = (x: Expr): Expr => {
    if (x.kind !== 'call') return x;
    const known = memo.get(x);
    if (known) return known;
    const out: Expr = x === target || (x.op === target.op && graph.bodies.idOf(x) === want) ? by : { kind: 'call', op: x.op, args: x.args.map(walk) };
    memo.set(x, out);
    return out;
  };
  return walk(e);
}

/** The sum of adjoint contributions of one shape. */
export function sumOf(graph: Graph, parts: readonly TNode[], shape: Shape): TNode {
  if (parts.length === 1) return parts[0];
  let body: Expr = sym('a0');
  for (let i = 1; i < parts.length; i++) body = add(body, sym(`a${i}`));
  return compactMap(graph, body, parts, shape);
}

/** g (of a broadcast result's shape) summed back to the shape of the argument that was broadcast. */
function unbroadcast(graph: Graph, g: TNode, shape: Shape): TNode {
  if (g.shape.length === shape.length && g.shape.every((m, i) => m === shape[i])) return g;
  const letters = 'abcdefghijklmnopqrstuvwxyz'.slice(0, g.shape.length);
  const lead = g.shape.length - shape.length;
  let out = '';
  const sizes: Record<string, number> = {};
  g.shape.forEach((m, i) => {
    sizes[letters[i]] = m;
    const j = i - lead;
    if (j >= 0 && shape[j] === m) out += letters[i];
  });
  const summed = graph.einsum([letters], out, [g], sizes);
  return graph.reshape(summed, shape);
}

export function sumAxis(graph: Graph, x: TNode, axis: number): TNode {
  const letters = 'abcdefghijklmnopqrstuvwxyz'.slice(0, x.shape.length);
  const sizes: Record<string, number> = {};
  x.shape.forEach((m, i) => { sizes[letters[i]] = m; });
  return graph.einsum([letters], letters.slice(0, axis) + letters.slice(axis + 1), [x], sizes);
}

export function keepDims(shape: Shape, axis: number): Shape {
  return shape.map((m, i) => (i === axis ? 1 : m));
}

