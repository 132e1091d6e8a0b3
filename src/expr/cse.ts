/**
 * Common-subexpression elimination: structurally equal subtrees (anywhere in any output) get
 * one id. Keys are built from child ids, so each node is hashed in O(arity); the commutative
 * operations (+, ·) sort their child ids, which merges a·b with b·a (equal in float64).
 */
import type { Expr } from './ast.js';

export interface DagNode {
  readonly id: number;
  readonly expr: Expr;
  /** Child ids (for calls). */
  readonly children: readonly number[];
  /** How many times the node is used as an argument or as an output. */
  uses: number;
}

export interface Dag {
  /** Nodes in topological order: children before parents. */
  readonly nodes: readonly DagNode[];
  /** Node id of each output. */
  readonly outputs: readonly number[];
}

export function buildDag(outputs: readonly Expr[]): Dag {
  const nodes: DagNode[] = [];
  const byKey = new Map<string, number>();
  const byRef = new Map<Expr, number>();
  const visit = (root: Expr): number => {
    // Iterative post-order: derivative DAGs can be deep enough to overflow a recursive walk.
    const stack: Array<{ e: Expr; i: number }> = [{ e: root, i: 0 }];
    let last = -1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const known = byRef.get(top.e);
      if (known !== undefined) { last = known; stack.pop(); continue; }
      if (top.e.kind === 'call' && top.i < top.e.args.length) {
        stack.push({ e: top.e.args[top.i++], i: 0 });
        continue;
      }
      stack.pop();
      const children = top.e.kind === 'call' ? top.e.args.map((a) => byRef.get(a) as number) : [];
      const key = keyOf(top.e, children);
      let id = byKey.get(key);
      if (id === undefined) {
        id = nodes.length;
        nodes.push({ id, expr: top.e, children, uses: 0 });
        byKey.set(key, id);
        for (const c of children) nodes[c].uses++;
      }
      byRef.set(top.e, id);
      last = id;
    }
    return last;
  };
  const outIds = outputs.map((o) => {
    const id = visit(o);
    nodes[id].uses++;
    return id;
  });
  return { nodes, outputs: outIds };
}

function keyOf(e: Expr, children: readonly number[]): string {
  if (e.kind === 'num') return `n${e.value}`;
  if (e.kind === 'sym') return `s${e.name}`;
  const ids = e.op === 'add' || e.op === 'mul' ? [...children].sort((a, b) => a - b) : children;
  return `${e.op}(${ids.join(',')})`;
}
