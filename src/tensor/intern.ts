/**
 * Structural identity of scalar trees in time proportional to their DAG: every distinct structure
 * gets one integer, built bottom-up from its children's integers (a tree that shares subtrees is
 * never written out). Used to hash-cons element-wise bodies, which can be large (quadratures).
 */
import type { Expr } from '../expr/ast.js';

export class ExprInterner {
  private readonly ids = new Map<string, number>();
  private readonly memo = new WeakMap<Expr, number>();

  /** The integer of e's structure: equal structures, equal integers. */
  idOf(root: Expr): number {
    const known = this.memo.get(root);
    if (known !== undefined) return known;
    // iterative post-order: bodies may be deep
    const stack: Array<{ e: Expr; i: number }> = [{ e: root, i: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (this.memo.has(top.e)) { stack.pop(); continue; }
      if (top.e.kind === 'call' && top.i < top.e.args.length) {
        const child = top.e.args[top.i++];
        if (!this.memo.has(child)) stack.push({ e: child, i: 0 });
        continue;
      }
      stack.pop();
      const e = top.e;
      const key = e.kind === 'num' ? `n${e.value}` : e.kind === 'sym' ? `s${e.name}` : `${e.op}(${e.args.map((a) => this.memo.get(a)).join(',')})`;
      let id = this.ids.get(key);
      if (id === undefined) { id = this.ids.size; this.ids.set(key, id); }
      this.memo.set(e, id);
    }
    return this.memo.get(root)!;
  }
}
