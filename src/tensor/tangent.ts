/**
 * Forward mode on the tensor graph: the tangent d/dε node(y + ε·v) of every node, as more graph
 * nodes, with the velocity v read from input slot 1. Applied to the gradient's own nodes it gives
 * Hessian–vector products (the exact Jacobian of the field, column by column, for rodas5p);
 * applied to switching functions, their rates along the field (the kink driver's `rates`).
 * The same kink conventions as the reverse mode (the body derivatives come from src/expr/diff.ts).
 */
import { add, mul, num, sub, substitute, sym, type Expr } from '../expr/ast.js';

/** The step of a directional derivative (never a user name: those start with a letter). */
const EPS = '_eps';
import { derivative } from '../expr/diff.js';
import { reachable, type Graph, type TNode } from './graph.js';
import { compactMap, keepDims, replaceSubtree, sumAxis, sumOf } from './grad.js';

/** The tangents of `roots` (null: identically zero). */
export function tangentsOf(graph: Graph, roots: readonly TNode[]): Map<TNode, TNode | null> {
  const tangent = new Map<number, TNode | null>();
  for (const n of reachable(roots)) tangent.set(n.id, n.onState ? rule(graph, n, (a) => tangent.get(a.id) ?? null) : null);
  return new Map(roots.map((r) => [r, tangent.get(r.id) ?? null]));
}

function rule(graph: Graph, n: TNode, t: (a: TNode) => TNode | null): TNode | null {
  switch (n.op) {
    case 'state': return graph.input(1, n.offset, n.shape);
    case 'data': case 'input': return null;
    case 'map': {
      // Σ_i ∂body/∂a_i · ȧ_i, in one element-wise node; a derivative that repeats the body reads its value
      const extra: TNode[] = [];
      let body: Expr = num(0);
      n.args.forEach((a, i) => {
        const ta = t(a);
        if (!ta) return;
        const d = derivative(n.body, `a${i}`);
        if (d.kind === 'num' && d.value === 0) return;
        extra.push(ta);
        body = add(body, mul(replaceSubtree(graph, d, n.body, sym(`a${n.args.length}`)), sym(`a${n.args.length + extra.length}`)));
      });
      return extra.length === 0 ? null : compactMap(graph, body, [...n.args, n, ...extra], n.shape);
    }
    case 'einsum': {
      const parts = n.args.flatMap((a, i) => {
        const ta = t(a);
        return ta ? [graph.einsum(n.subs, n.out, n.args.map((b, j) => (j === i ? ta : b)), n.sizes)] : [];
      });
      return parts.length === 0 ? null : sumOf(graph, parts, n.shape);
    }
    case 'softmax': {
      const tx = t(n.args[0]);
      if (!tx) return null;
      const weighted = graph.reshape(sumAxis(graph, compactMap(graph, mul(sym('a0'), sym('a1')), [n, tx], n.shape), n.axis), keepDims(n.shape, n.axis));
      return compactMap(graph, mul(sym('a0'), sub(sym('a1'), sym('a2'))), [n, tx, weighted], n.shape);
    }
    case 'logsumexp': {
      const x = n.args[0];
      const tx = t(x);
      if (!tx) return null;
      const p = graph.axisOp('softmax', x, n.axis);
      return sumAxis(graph, compactMap(graph, mul(sym('a0'), sym('a1')), [p, tx], x.shape), n.axis);
    }
    case 'amax': {
      const x = n.args[0];
      const tx = t(x);
      if (!tx) return null;
      const mask = graph.amaxGrad(x, graph.map(num(1), [], n.shape), n.axis); // 1 at the first maximum
      return sumAxis(graph, compactMap(graph, mul(sym('a0'), sym('a1')), [mask, tx], x.shape), n.axis);
    }
    case 'amaxGrad': {
      const tg = t(n.args[1]);
      return tg ? graph.amaxGrad(n.args[0], tg, n.axis) : null; // the maximum's position is piecewise constant
    }
    case 'slice': {
      const tx = t(n.args[0]);
      return tx ? graph.slice(tx, n.starts, n.counts, n.drops) : null;
    }
    case 'unslice': {
      const tx = t(n.args[0]);
      return tx ? graph.unslice(tx, n) : null;
    }
    case 'reshape': {
      const tx = t(n.args[0]);
      return tx ? graph.reshape(tx, n.shape) : null;
    }
    case 'exprs': {
      // d/dε of each expression at a + ε·ȧ: the arguments' tangents are more scalar arguments
      const extra: TNode[] = [];
      const shift = new Map<string, Expr>();
      n.args.forEach((a, i) => {
        const ta = t(a);
        if (!ta) return;
        extra.push(ta);
        shift.set(`a${i}`, add(sym(`a${i}`), mul(sym(EPS), sym(`a${n.args.length + extra.length - 1}`))));
      });
      if (extra.length === 0) return null;
      const exprs = n.exprs.map((e) => substitute(derivative(substitute(e, shift), EPS), new Map([[EPS, num(0)]])));
      return graph.exprs(exprs, [...n.args, ...extra]);
    }
  }
}
