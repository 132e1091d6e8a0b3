/**
 * The array operations of the model-file language, on graph nodes, with their shape rules.
 * Every shape error names both shapes and the place (`where`: the label and the subexpression).
 *
 *   element-wise   + − .* ./ .^ and every scalar function, NumPy broadcasting; `*` and `/` with a
 *                  scalar operand are element-wise too
 *   A * B          matrix product: [m,k]·[k,n], [k]·[k,n], [m,k]·[k], [k]·[k] (dot), and a batch
 *                  [..., m, k]·[k, n] or [..., m, k]·[..., k, n] (NumPy's matmul)
 *   A'             transpose (the last two axes; a vector is unchanged)
 *   sum, mean, amax over all elements or one axis; softmax and logsumexp along an axis
 *   einsum("ij,jk->ik", A, B)   the index notation: Σ over every index not in the result
 */
import { call, div, mul, num, substitute, sym, type Expr, type Op } from '../expr/ast.js';
import { compileScalar } from '../expr/emit-js.js';
import { rewriteStable } from '../expr/stable.js';
import { inputError } from '../util/errors.js';
import { broadcastShapes, shapeText, sizeOf, type Graph, type Shape, type TNode } from './graph.js';

/** A value during parsing: a node, or a scalar known at compile time (folded into element-wise bodies). */
export type Value = TNode | number;

export function shapeOfValue(v: Value): Shape {
  return typeof v === 'number' ? [] : v.shape;
}

export class ArrayOps {
  /** Nodes that may be inlined into an element-wise consumer (temporaries, not named definitions). */
  readonly inlinable = new Set<TNode>();

  constructor(readonly graph: Graph) {}

  /** op(args) element-wise, broadcast. `build` makes the scalar body from the arguments' scalars. */
  elementwise(args: readonly Value[], build: (xs: Expr[]) => Expr, where: string): Value {
    let shape: Shape = [];
    for (const a of args) {
      const next = broadcastShapes(shape, shapeOfValue(a));
      if (!next) throw inputError(`${where}: shapes ${args.map((x) => shapeText(shapeOfValue(x))).join(' and ')} do not broadcast (sizes must agree or be 1, aligned from the right).`);
      shape = next;
    }
    const nodes: TNode[] = [];
    const slot = (n: TNode): Expr => {
      let i = nodes.indexOf(n);
      if (i < 0) { nodes.push(n); i = nodes.length - 1; }
      return sym(`a${i}`);
    };
    const size = sizeOf(shape);
    const scalars = args.map((a): Expr => {
      if (typeof a === 'number') return num(a);
      // an element-wise temporary of the same size is computed inside this loop instead of stored
      if (a.op === 'map' && a.size === size && this.inlinable.has(a)) return substitute(a.body, new Map(a.args.map((x, i) => [`a${i}`, slot(x)])));
      return slot(a);
    });
    // stable forms (softplus, log1p, …) are recognised across fused operations
    const body = rewriteStable(build(scalars));
    if (nodes.length === 0) {
      // a constant subexpression: folded now, and it must be a number (log(-1), 1/0 are errors of the file)
      const v = body.kind === 'num' ? body.value : evaluateConstant(body);
      if (!Number.isFinite(v)) throw inputError(`${where}: this constant subexpression evaluates to ${v}; every constant must be a finite number.`);
      return v;
    }
    const node = this.graph.map(body, nodes, shape);
    this.inlinable.add(node);
    return node;
  }

  unary(op: Op, x: Value, where: string): Value {
    return this.elementwise([x], ([a]) => call(op, [a]), where);
  }

  /** A node for a value (a compile-time scalar becomes a constant map). */
  node(v: Value): TNode {
    return typeof v === 'number' ? this.graph.map(num(v), [], []) : v;
  }

  einsum(spec: string, args: readonly Value[], where: string): TNode {
    const m = /^\s*([A-Za-z,\s]*)->\s*([A-Za-z]*)\s*$/.exec(spec);
    if (!m) throw inputError(`${where}: einsum needs a spec like "ij,jk->ik" (index letters of each argument, then -> and those of the result); got "${spec}".`);
    const subs = m[1].split(',').map((s) => s.replace(/\s+/g, ''));
    const out = m[2];
    if (subs.length !== args.length) throw inputError(`${where}: the einsum spec "${spec}" names ${subs.length} argument${subs.length === 1 ? '' : 's'} but ${args.length} ${args.length === 1 ? 'is' : 'are'} given.`);
    const sizes: Record<string, number> = {};
    subs.forEach((s, i) => {
      const shape = shapeOfValue(args[i]);
      if (s.length !== shape.length) throw inputError(`${where}: einsum argument ${i + 1} has shape ${shapeText(shape)} (${shape.length} axes) but its indices "${s}" name ${s.length}.`);
      if (new Set(s).size !== s.length) throw inputError(`${where}: einsum indices "${s}" repeat a letter within one argument (diagonals are not supported).`);
      [...s].forEach((c, k) => {
        if (sizes[c] !== undefined && sizes[c] !== shape[k]) throw inputError(`${where}: einsum index '${c}' has size ${sizes[c]} in one argument and ${shape[k]} in argument ${i + 1} (shape ${shapeText(shape)}).`);
        sizes[c] = shape[k];
      });
    });
    if (new Set(out).size !== out.length) throw inputError(`${where}: the einsum result "${out}" repeats an index.`);
    for (const c of out) if (sizes[c] === undefined) throw inputError(`${where}: the einsum result index '${c}' appears in no argument.`);
    // an argument that is only a transpose (a permutation einsum) is read through its own argument
    const nodes = args.map((a) => this.node(a));
    const readSubs = subs.map((s, i) => {
      const a = nodes[i];
      if (a.op !== 'einsum' || a.args.length !== 1 || a.out.length !== a.subs[0].length) return s;
      nodes[i] = a.args[0];
      // a.out[k] ↔ s[k]; the argument's axis j carries the letter a.subs[0][j]
      return [...a.subs[0]].map((c) => s[a.out.indexOf(c)]).join('');
    });
    return this.graph.einsum(readSubs, out, nodes, sizes);
  }

  /** `A * B`: a scalar on either side scales; otherwise the matrix product. */
  times(a: Value, b: Value, where: string): Value {
    const sa = shapeOfValue(a);
    const sb = shapeOfValue(b);
    if (sa.length === 0 || sb.length === 0) return this.elementwise([a, b], ([x, y]) => mul(x, y), where);
    const mismatch = (): never => {
      throw inputError(`${where}: matrix product of shapes ${shapeText(sa)} and ${shapeText(sb)}: the inner sizes ${sa[sa.length - 1]} and ${sb.length === 1 ? sb[0] : sb[sb.length - 2]} differ (use .* for the element-wise product).`);
    };
    const k = sa[sa.length - 1];
    if (sb.length === 1) {
      if (sb[0] !== k) mismatch();
      const lead = letters(sa.length - 1);
      return this.einsum(`${lead}z,z->${lead}`, [a, b], where);
    }
    if (sb[sb.length - 2] !== k) mismatch();
    if (sa.length === 1) {
      const lead = letters(sb.length - 2);
      return this.einsum(`z,${lead}zy->${lead}y`, [a, b], where);
    }
    if (sb.length === 2) {
      const lead = letters(sa.length - 1);
      return this.einsum(`${lead}z,zy->${lead}y`, [a, b], where);
    }
    const batchA = sa.slice(0, -2);
    const batchB = sb.slice(0, -2);
    if (batchA.length !== batchB.length || batchA.some((n, i) => n !== batchB[i])) {
      throw inputError(`${where}: batched matrix product of shapes ${shapeText(sa)} and ${shapeText(sb)} needs the same leading (batch) sizes.`);
    }
    const lead = letters(batchA.length);
    return this.einsum(`${lead}xz,${lead}zy->${lead}xy`, [a, b], where);
  }

  transpose(a: Value): Value {
    const s = shapeOfValue(a);
    if (s.length < 2) return a;
    const lead = letters(s.length - 2);
    return this.einsum(`${lead}xy->${lead}yx`, [a], 'transpose');
  }

  /** Sum over all elements (axis null) or over one axis (0-based here). */
  sum(a: Value, axis: number | null, where: string): Value {
    if (typeof a === 'number') return a;
    const all = letters(a.shape.length);
    const out = axis === null ? '' : all.slice(0, axis) + all.slice(axis + 1);
    return this.einsum(`${all}->${out}`, [a], where);
  }

  mean(a: Value, axis: number | null, where: string): Value {
    if (typeof a === 'number') return a;
    const count = axis === null ? a.size : a.shape[axis];
    return this.elementwise([this.sum(a, axis, where)], ([x]) => div(x, num(count)), where);
  }

  axisOp(op: 'softmax' | 'logsumexp' | 'amax', a: Value, axis: number): Value {
    if (typeof a === 'number') return op === 'softmax' ? 1 : a;
    if (a.shape.length === 0) return op === 'softmax' ? this.elementwise([a], () => num(1), op) : a;
    return this.graph.axisOp(op, a, axis);
  }

  /** A 1-based axis argument (or negative from the end) checked against a shape; returns it 0-based. */
  axis(k: number, shape: Shape, where: string): number {
    const r = shape.length;
    if (!Number.isInteger(k) || k === 0 || k > r || k < -r) throw inputError(`${where}: axis ${k} does not exist for shape ${shapeText(shape)} (axes are numbered 1 … ${r}, or −1 for the last).`);
    return k > 0 ? k - 1 : r + k;
  }
}


/** n distinct index letters for leading axes (never x, y, z, which the callers use). */
function letters(n: number): string {
  const pool = 'abcdefghijklmnopqrstuvw';
  if (n > pool.length) throw inputError(`arrays with more than ${pool.length + 2} axes are not supported.`);
  return pool.slice(0, n);
}

/** A scalar tree without symbols (a constant call such as exp(2), or a parameter expression), evaluated. */
function evaluateConstant(e: Expr): number {
  return compileScalar(e, { state: [], params: [] }).bind([])(0, new Float64Array(0));
}
