/**
 * A subgraph rebuilt with some nodes replaced (a random variable by one of its values, an
 * element-wise node by its switched form): `replace` may give a node's replacement, built from its
 * arguments' rebuilt versions (`to`); every other node between the replaced ones and the root is
 * made again from its rebuilt arguments, in the same graph (so unchanged parts stay shared).
 */
import { reachable, type Graph, type TNode } from './graph.js';

export type Replacement = (n: TNode, to: (a: TNode) => TNode) => TNode | undefined;

export function rebuild(graph: Graph, root: TNode, replace: Replacement): TNode {
  const mapped = new Map<number, TNode>();
  const to = (n: TNode): TNode => mapped.get(n.id) ?? n;
  for (const n of reachable([root])) {
    const r = replace(n, to);
    if (r) { mapped.set(n.id, r); continue; }
    switch (n.op) {
      case 'state': case 'data': case 'input': break;
      case 'map': if (n.args.some((a) => mapped.has(a.id))) mapped.set(n.id, graph.map(n.body, n.args.map(to), n.shape)); break;
      case 'exprs': if (n.args.some((a) => mapped.has(a.id))) mapped.set(n.id, graph.exprs(n.exprs, n.args.map(to))); break;
      case 'einsum': if (n.args.some((a) => mapped.has(a.id))) mapped.set(n.id, graph.einsum(n.subs, n.out, n.args.map(to), n.sizes)); break;
      case 'softmax': case 'logsumexp': case 'amax': if (mapped.has(n.args[0].id)) mapped.set(n.id, graph.axisOp(n.op, to(n.args[0]), n.axis)); break;
      case 'amaxGrad': if (n.args.some((a) => mapped.has(a.id))) mapped.set(n.id, graph.amaxGrad(to(n.args[0]), to(n.args[1]), n.axis)); break;
      case 'slice': if (mapped.has(n.args[0].id)) mapped.set(n.id, graph.slice(to(n.args[0]), n.starts, n.counts, n.drops)); break;
      case 'unslice': if (mapped.has(n.args[0].id)) mapped.set(n.id, graph.unslice(to(n.args[0]), n)); break;
      case 'reshape': if (mapped.has(n.args[0].id)) mapped.set(n.id, graph.reshape(to(n.args[0]), n.shape)); break;
    }
  }
  return to(root);
}
