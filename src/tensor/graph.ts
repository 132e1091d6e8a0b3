/**
 * The tensor graph: what an array model file's loss is, after parsing and before compiling.
 *
 * A node is an array of float64 with a static shape (row-major; a scalar has shape []). There are
 * few kinds, each with a small backward rule (grad.ts) and one loop nest in the emitted code
 * (emit.ts):
 *   state    a block of the flat state y (read in place: y[offset + k])
 *   input    a block of another per-call array (kink modes, a tangent's velocity)
 *   data     a constant array (a data set, or a parameter, which is an array of one)
 *   map      an element-wise scalar expression (the scalar language's tree, symbols a0 … ak) of
 *            its arguments, broadcast NumPy-style to one shape
 *   einsum   a sum of products over named indices: matrix products, transposes, reductions over
 *            axes, dot products and the user's index sums are all this one node
 *   softmax, logsumexp, amax   along one axis, in stable forms (the row maximum is subtracted)
 *   slice    a rectangular part (indexing drops axes; ranges keep them); unslice is its adjoint
 *   reshape  the same numbers seen with another shape (free: no copy)
 * Nodes are hash-consed by the `Graph` that builds them: a structurally equal node is the same
 * object, so common subexpressions (and the forward values the backward pass reuses) are
 * computed once.
 */
import type { Expr } from '../expr/ast.js';
import { ExprInterner } from './intern.js';
import { inputError } from '../util/errors.js';

export type Shape = readonly number[];

interface Base {
  readonly id: number;
  readonly shape: Shape;
  readonly size: number;
  /** True if the value changes between calls (it depends on the state or on an input): else it is computed once, when the program is built. */
  readonly varying: boolean;
  /** True if the value depends on the state: only such nodes get adjoints and tangents. */
  readonly onState: boolean;
}

export interface StateNode extends Base { readonly op: 'state'; readonly block: string; readonly offset: number }
/**
 * A per-call input array other than the state: slot 0 of a switched program holds the kink modes,
 * slot 1 the velocity of a tangent (read as in<slot>[offset + k]).
 */
export interface InputNode extends Base { readonly op: 'input'; readonly slot: number; readonly offset: number }
export interface DataNode extends Base { readonly op: 'data'; readonly name: string; readonly values: Float64Array | null; readonly param: number | null }
export interface MapNode extends Base { readonly op: 'map'; readonly body: Expr; readonly args: readonly TNode[] }
export interface EinsumNode extends Base {
  readonly op: 'einsum';
  /** Index letters of each argument, and of the result. */
  readonly subs: readonly string[];
  readonly out: string;
  /** Size of every index letter. */
  readonly sizes: Readonly<Record<string, number>>;
  readonly args: readonly TNode[];
}
export interface AxisNode extends Base { readonly op: 'softmax' | 'logsumexp' | 'amax'; readonly axis: number; readonly args: readonly [TNode] }
/** The adjoint of amax: g placed at the first maximum of x along the axis (args [x, g]). */
export interface AmaxGradNode extends Base { readonly op: 'amaxGrad'; readonly axis: number; readonly args: readonly [TNode, TNode] }
export interface SliceNode extends Base {
  readonly op: 'slice' | 'unslice';
  /** Per axis of the larger array: the first index taken and how many (count 0 with drop: one index, axis removed). */
  readonly starts: readonly number[];
  readonly counts: readonly number[];
  readonly drops: readonly boolean[];
  /** Shape of the larger array (the source of a slice, the result of an unslice). */
  readonly full: Shape;
  readonly args: readonly [TNode];
}
export interface ReshapeNode extends Base { readonly op: 'reshape'; readonly args: readonly [TNode] }
/**
 * Several scalar expressions of the same scalar arguments (symbols a0 …), as a vector: the
 * adjoint of an element-wise node with many scalar arguments (an expectation's closed form), so
 * its partial derivatives share their common subexpressions in one block of code.
 */
export interface ExprsNode extends Base { readonly op: 'exprs'; readonly exprs: readonly Expr[]; readonly args: readonly TNode[] }

export type TNode = StateNode | InputNode | DataNode | MapNode | EinsumNode | AxisNode | AmaxGradNode | SliceNode | ReshapeNode | ExprsNode;

export function sizeOf(shape: Shape): number {
  let s = 1;
  for (const n of shape) s *= n;
  return s;
}

export function shapeText(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** The multi-index of flat (row-major) position k in an array of `shape`. */
export function unravel(k: number, shape: Shape): number[] {
  const idx = shape.map(() => 0);
  for (let i = shape.length - 1; i >= 0; i--) { idx[i] = k % shape[i]; k = Math.floor(k / shape[i]); }
  return idx;
}

/** NumPy broadcasting of two shapes, or null when they do not broadcast. */
export function broadcastShapes(a: Shape, b: Shape): Shape | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out[i] = x === 1 ? y : x;
  }
  return out;
}

/** Largest number of elements in one array, and in all arrays of a graph (checked as nodes are built). */
export const MAX_ARRAY_ELEMENTS = 50_000_000;
export const MAX_GRAPH_NODES = 20_000;

/** Builds hash-consed nodes; `where` of each constructor names the place for shape errors. */
export class Graph {
  private readonly byKey = new Map<string, TNode>();
  readonly nodes: TNode[] = [];
  private elements = 0;

  constructor(private readonly maxElements = MAX_ARRAY_ELEMENTS * 4) {}

  private intern<T extends TNode>(key: string, make: (id: number) => T): T {
    const known = this.byKey.get(key);
    if (known) return known as T;
    const node = make(this.nodes.length);
    if (node.size > MAX_ARRAY_ELEMENTS) {
      throw inputError(`an intermediate array of shape ${shapeText(node.shape)} (${node.size} numbers) exceeds the limit of ${MAX_ARRAY_ELEMENTS} numbers per array.`);
    }
    this.elements += node.size;
    if (this.elements > this.maxElements) throw inputError(`the model's arrays need ${this.elements} numbers in all, above the limit of ${this.maxElements}.`);
    if (this.nodes.length >= MAX_GRAPH_NODES) throw inputError(`the model needs more than ${MAX_GRAPH_NODES} array operations (with its derivative); write it with fewer, larger operations.`);
    this.nodes.push(node);
    this.byKey.set(key, node);
    return node;
  }

  state(block: string, offset: number, shape: Shape): StateNode {
    return this.intern(`state:${block}:${shape.join('x')}`, (id) => ({ id, op: 'state', block, offset, shape: [...shape], size: sizeOf(shape), varying: true, onState: true }));
  }

  input(slot: number, offset: number, shape: Shape): InputNode {
    return this.intern(`input:${slot}:${offset}:${shape.join('x')}`, (id) => ({ id, op: 'input', slot, offset, shape: [...shape], size: sizeOf(shape), varying: true, onState: false }));
  }

  /** A data array; `perCall`: its values are refilled between calls (a minibatch), so nothing computed from it is precomputed. */
  data(name: string, shape: Shape, values: Float64Array, perCall = false): DataNode {
    return this.intern(`data:${name}`, (id) => ({ id, op: 'data', name, values, param: null, shape: [...shape], size: sizeOf(shape), varying: perCall, onState: false }));
  }

  /** A scalar parameter: read from the bound parameter vector at `slot`. */
  param(name: string, slot: number): DataNode {
    return this.intern(`param:${slot}`, (id) => ({ id, op: 'data', name, values: null, param: slot, shape: [], size: 1, varying: false, onState: false }));
  }

  /** An element-wise expression; args are broadcast to `shape` (the caller has checked that they do). */
  /** Structural ids of element-wise bodies (hash-consing without writing them out). */
  readonly bodies = new ExprInterner();

  map(body: Expr, args: readonly TNode[], shape: Shape): MapNode {
    const key = `map:${shape.join('x')}:${args.map((a) => a.id).join(',')}:${this.bodies.idOf(body)}`;
    return this.intern(key, (id) => ({ id, op: 'map', body, args: [...args], shape: [...shape], size: sizeOf(shape), varying: args.some((a) => a.varying), onState: args.some((a) => a.onState) }));
  }

  exprs(exprs: readonly Expr[], args: readonly TNode[]): ExprsNode {
    const key = `exprs:${args.map((a) => a.id).join(',')}:${exprs.map((e) => this.bodies.idOf(e)).join(',')}`;
    return this.intern(key, (id) => ({ id, op: 'exprs', exprs: [...exprs], args: [...args], shape: [exprs.length], size: exprs.length, varying: args.some((a) => a.varying), onState: args.some((a) => a.onState) }));
  }

  einsum(subs: readonly string[], out: string, args: readonly TNode[], sizes: Readonly<Record<string, number>>): EinsumNode {
    const shape = [...out].map((c) => sizes[c]);
    const used: Record<string, number> = {};
    for (const c of [...subs.join(''), ...out]) used[c] = sizes[c];
    const key = `einsum:${subs.join(',')}->${out}:${args.map((a) => a.id).join(',')}:${JSON.stringify(used)}`;
    return this.intern(key, (id) => ({ id, op: 'einsum', subs: [...subs], out, sizes: used, args: [...args], shape, size: sizeOf(shape), varying: args.some((a) => a.varying), onState: args.some((a) => a.onState) }));
  }

  axisOp(op: 'softmax' | 'logsumexp' | 'amax', x: TNode, axis: number): AxisNode {
    const shape = op === 'softmax' ? x.shape : x.shape.filter((_, i) => i !== axis);
    return this.intern(`${op}:${axis}:${x.id}`, (id) => ({ id, op, axis, args: [x], shape: [...shape], size: sizeOf(shape), varying: x.varying, onState: x.onState }));
  }

  amaxGrad(x: TNode, g: TNode, axis: number): AmaxGradNode {
    return this.intern(`amaxGrad:${axis}:${x.id}:${g.id}`, (id) => ({ id, op: 'amaxGrad', axis, args: [x, g], shape: x.shape, size: x.size, varying: x.varying || g.varying, onState: x.onState || g.onState }));
  }

  slice(x: TNode, starts: readonly number[], counts: readonly number[], drops: readonly boolean[]): SliceNode {
    const shape = counts.filter((_, i) => !drops[i]);
    return this.intern(`slice:${starts}:${counts}:${drops}:${x.id}`, (id) => ({ id, op: 'slice', starts, counts, drops, full: x.shape, args: [x], shape, size: sizeOf(shape), varying: x.varying, onState: x.onState }));
  }

  unslice(g: TNode, like: SliceNode): SliceNode {
    return this.intern(`unslice:${like.starts}:${like.counts}:${like.drops}:${like.full.join('x')}:${g.id}`, (id) => ({
      id, op: 'unslice', starts: like.starts, counts: like.counts, drops: like.drops, full: like.full, args: [g], shape: like.full, size: sizeOf(like.full), varying: g.varying, onState: g.onState,
    }));
  }

  reshape(x: TNode, shape: Shape): TNode {
    if (sizeOf(shape) !== x.size) throw new Error(`reshape: ${shapeText(x.shape)} → ${shapeText(shape)}`);
    if (shape.length === x.shape.length && shape.every((n, i) => n === x.shape[i])) return x;
    if (x.op === 'state') return this.state(x.block, x.offset, shape);
    if (x.op === 'input') return this.input(x.slot, x.offset, shape);
    if (x.op === 'reshape') return this.reshape(x.args[0], shape);
    return this.intern(`reshape:${shape.join('x')}:${x.id}`, (id) => ({ id, op: 'reshape', args: [x], shape: [...shape], size: x.size, varying: x.varying, onState: x.onState }));
  }
}

/** The arguments of a node (none for state and data). */
export function argsOf(n: TNode): readonly TNode[] {
  return n.op === 'state' || n.op === 'data' || n.op === 'input' ? [] : n.args;
}

/** Nodes reachable from `roots`, children before parents (ids are already topological: a node's args are built before it). */
export function reachable(roots: readonly TNode[]): TNode[] {
  const seen = new Map<number, TNode>();
  const stack = [...roots];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n.id)) continue;
    seen.set(n.id, n);
    for (const a of argsOf(n)) if (!seen.has(a.id)) stack.push(a);
  }
  return [...seen.values()].sort((a, b) => a.id - b.id);
}
