/**
 * An array model's loss, from text to a compiled gradient field: parse every definition into one
 * graph, differentiate the loss in reverse mode, emit the loops. The one front door of src/tensor.
 */
import { inputError } from '../util/errors.js';
import { Graph, shapeText, unravel, type Shape, type TNode } from './graph.js';
import { ArrayOps, type Value } from './ops.js';
import { parseArrayExpression } from './parse.js';
import { reverseMode } from './grad.js';
import { compileProgram, type ArrayProgram, type Output } from './emit.js';
import { tangentsOf } from './tangent.js';
import { switchedForm } from './switched.js';
import type { ExpectationOptions } from './expect.js';

export interface BlockDecl { readonly name: string; readonly shape: Shape; readonly offset: number }
export interface DataArray {
  readonly name: string;
  readonly shape: Shape;
  readonly values: Float64Array;
  /** The caller refills `values` between calls (a minibatch's rows): computed from on every call. */
  readonly perCall?: boolean;
}

export interface ArraySource {
  /** Names the model in messages ("model.json"). */
  readonly label: string;
  /** The state blocks, in layout order (a scalar has shape []). */
  readonly blocks: readonly BlockDecl[];
  readonly data: readonly DataArray[];
  /** Parameters and sizes: numbers folded into the code. */
  readonly numbers: ReadonlyMap<string, number>;
  /** Named definitions in order; each may use everything above it. */
  readonly lets: ReadonlyArray<readonly [string, string]>;
  readonly loss: string;
  /** Gaussian random vectors x ~ N(0, I_size), usable inside expect(…, x). */
  readonly gaussians?: ReadonlyArray<{ readonly name: string; readonly size: number }>;
  /** Random variables of finite laws: values along the first axis and their probabilities. */
  readonly discrete?: ReadonlyArray<{ readonly name: string; readonly values: { readonly shape: Shape; readonly data: Float64Array }; readonly probs: readonly number[] }>;
  /** How expectations are derived (tests force the quadrature to compare it with the closed forms). */
  readonly expectation?: ExpectationOptions;
  /** Further scalar expressions (events, observables), compiled as value-only programs; they may use `loss`. */
  readonly scalars?: ReadonlyArray<readonly [string, string]>;
  /** Array expressions (tracked matrices, directions), each compiled to fill a buffer of its shape. */
  readonly arrays?: ReadonlyArray<readonly [string, string]>;
}

/** An array expression compiled: its shape and a function writing its values (row-major) into `out`. */
export interface CompiledArray {
  readonly shape: Shape;
  evaluate(y: Float64Array, out: Float64Array): void;
}

export interface CompiledArrayModel {
  readonly size: number;
  readonly graph: Graph;
  readonly lossNode: TNode;
  readonly gradients: ReadonlyMap<string, TNode>;
  /** out = −∇L(y); returns L(y). Allocation-free. */
  readonly field: (y: Float64Array, out: Float64Array) => number;
  readonly loss: (y: Float64Array) => number;
  /** The compiled scalars, by name (the loss is available to them as `loss`). */
  readonly scalars: ReadonlyMap<string, (y: Float64Array) => number>;
  readonly arrays: ReadonlyMap<string, CompiledArray>;
  readonly sources: { readonly field: string; readonly loss: string };
  /** The names the file gives to nodes (definitions), for printing the gradient. */
  readonly names: ReadonlyMap<TNode, string>;
  /** What each expectation used (closed forms, quadratures), one line each. */
  readonly notes: readonly string[];
  /** The kinks as switching functions (null: the loss has none on the state). */
  readonly switched: CompiledSwitchedArrays | null;
  /** out = J v, J = ∂(−∇L)/∂y = −∇²L: an exact Hessian–vector product (compiled on first use). */
  readonly jacobianTimes: () => (y: Float64Array, v: Float64Array, out: Float64Array) => void;
}

/** The switched form compiled (see switched.ts): what src/solve/kinks needs. */
export interface CompiledSwitchedArrays {
  readonly count: number;
  label(i: number): string;
  evaluate(y: Float64Array, out: Float64Array): void;
  field(y: Float64Array, mode: Float64Array, out: Float64Array): void;
  rates(y: Float64Array, mode: Float64Array, v: Float64Array, out: Float64Array): void;
}

export function compileArrayModel(src: ArraySource): CompiledArrayModel {
  const graph = new Graph();
  const ops = new ArrayOps(graph);
  const values = new Map<string, Value>();
  const names = new Map<TNode, string>();
  for (const [k, v] of src.numbers) values.set(k, v);
  for (const d of src.data) values.set(d.name, graph.data(d.name, d.shape, d.values, d.perCall === true));
  for (const b of src.blocks) values.set(b.name, graph.state(b.name, b.offset, b.shape));
  // a Gaussian variable is a marker node that only expect(…) may read (slot 2 is never emitted)
  const gaussians = new Map((src.gaussians ?? []).map((g, i) => [g.name, graph.input(2, i, [g.size])]));
  const notes: string[] = [];
  const discrete = new Map((src.discrete ?? []).map((law, i) => {
    const shape = law.values.shape.slice(1);
    const size = shape.reduce((a, m) => a * m, 1);
    const values = law.probs.map((_, k) => graph.data(`${law.name}=value ${k + 1}`, shape, law.values.data.subarray(k * size, (k + 1) * size)));
    return [law.name, { marker: graph.input(3, i, shape), values, probs: law.probs }];
  }));
  const scope = (v: ReadonlyMap<string, Value>) => ({ values: v, gaussians, discrete, notes, expectation: src.expectation });
  /** The definition each node was built for (labels of switching functions inside it). */
  const origin = new Map<TNode, string>();
  const claim = (from: number, name: string): void => {
    for (let i = from; i < graph.nodes.length; i++) if (!origin.has(graph.nodes[i])) origin.set(graph.nodes[i], name);
  };
  for (const [name, text] of src.lets) {
    const before = graph.nodes.length;
    const v = parseArrayExpression(text, `${src.label}: let.${name}`, scope(values), ops);
    claim(before, name);
    if (typeof v !== 'number') {
      ops.inlinable.delete(v); // a named definition is stored, not recomputed per use
      if (!names.has(v)) names.set(v, name);
    }
    values.set(name, v);
  }
  const beforeLoss = graph.nodes.length;
  const lossValue = parseArrayExpression(src.loss, `${src.label}: loss`, scope(values), ops);
  claim(beforeLoss, 'loss');
  const lossNode = ops.node(lossValue);
  if (lossNode.size !== 1) throw inputError(`${src.label}: the loss must be a scalar, but it has shape ${shapeText(lossNode.shape)}; reduce it with sum(…) or mean(…).`);
  const scalarLoss = graph.reshape(lossNode, []);
  const gradients = reverseMode(graph, scalarLoss);
  const size = src.blocks.reduce((n, b) => n + b.shape.reduce((a, m) => a * m, 1), 0);
  const outputs = src.blocks.map((b) => ({ offset: b.offset, size: b.shape.reduce((a, m) => a * m, 1), node: gradients.get(b.name) ?? null }));
  const fieldProgram = compileProgram(scalarLoss, outputs, -1);
  const lossProgram = compileProgram(scalarLoss, [], 1);
  const withLoss = new Map(values);
  withLoss.set('loss', scalarLoss);
  const scalars = new Map<string, (y: Float64Array) => number>();
  for (const [name, text] of src.scalars ?? []) {
    const v = parseArrayExpression(text, `${src.label}: ${name}`, scope(withLoss), ops);
    const node = ops.node(v);
    if (node.size !== 1) throw inputError(`${src.label}: ${name} must be a scalar, but it has shape ${shapeText(node.shape)}.`);
    const p: ArrayProgram = compileProgram(graph.reshape(node, []), [], 1);
    scalars.set(name, (y) => p.run(y, null));
  }
  const arrays = new Map<string, CompiledArray>();
  for (const [name, text] of src.arrays ?? []) {
    const node = ops.node(parseArrayExpression(text, `${src.label}: ${name}`, scope(withLoss), ops));
    const p = compileProgram(null, [{ offset: 0, size: node.size, node }], 1);
    arrays.set(name, { shape: node.shape, evaluate: (y, out) => { p.run(y, out); } });
  }
  const blockOutputs = (grads: ReadonlyMap<string, TNode | null>) => src.blocks.map((b) => ({ offset: b.offset, size: b.shape.reduce((a, m) => a * m, 1), node: grads.get(b.name) ?? null }));
  let hvp: ((y: Float64Array, v: Float64Array, out: Float64Array) => void) | null = null;
  const jacobianTimes = () => {
    if (!hvp) {
      const roots = [...gradients.values()];
      const t = tangentsOf(graph, roots);
      const program = compileProgram(null, blockOutputs(new Map([...gradients].map(([k, g]) => [k, t.get(g) ?? null]))), -1);
      hvp = (y, v, out) => { program.run(y, out, undefined, v); };
    }
    return hvp;
  };
  return {
    size, graph, lossNode: scalarLoss, gradients, jacobianTimes,
    switched: compileSwitched(graph, scalarLoss, new Map([...origin, ...names]), blockOutputs),
    field: fieldProgram.run as (y: Float64Array, out: Float64Array) => number,
    loss: (y) => lossProgram.run(y, null),
    scalars, arrays, notes,
    sources: { field: fieldProgram.source, loss: lossProgram.source },
    names,
  };
}

function compileSwitched(graph: Graph, loss: TNode, names: ReadonlyMap<TNode, string>, blockOutputs: (g: ReadonlyMap<string, TNode | null>) => Output[]): CompiledSwitchedArrays | null {
  const form = switchedForm(graph, loss, names);
  if (!form) return null;
  const field = compileProgram(null, blockOutputs(reverseMode(graph, form.loss)), -1);
  const at = (node: TNode | null, offset: number, size: number): Output => ({ offset, size, node });
  const values = compileProgram(null, form.groups.map((g) => at(g.value, g.offset, g.value.size)), 1);
  const tangents = tangentsOf(graph, form.groups.map((g) => g.switched));
  const rates = compileProgram(null, form.groups.map((g) => at(tangents.get(g.switched) ?? null, g.offset, g.value.size)), 1);
  const groups = form.groups;
  return {
    count: form.count,
    label(i) {
      let g = groups[0];
      for (const x of groups) if (x.offset <= i) g = x;
      const idx = unravel(i - g.offset, g.value.shape);
      return `${g.label}${idx.map((k) => `[${k}]`).join('')}`;
    },
    evaluate: (y, out) => { values.run(y, out); },
    field: (y, mode, out) => { field.run(y, out, mode); },
    rates: (y, mode, v, out) => { rates.run(y, out, mode, v); },
  };
}

/**
 * A number from an expression of the parameters, sizes and data arrays (no state), and of `t` when
 * `withTime`: a prediction's predicted value, compiled once. It must reduce to a scalar.
 */
export function compileArrayConstant(src: Pick<ArraySource, 'label' | 'data' | 'numbers'>, text: string, where: string, withTime: boolean): (t: number) => number {
  const { graph, ops, values } = constantScope(src);
  // `t` is a one-number array refilled per call: the expression is compiled once, not per time
  const time = new Float64Array(1);
  if (withTime) values.set('t', graph.data('t', [], time, true));
  const v = parseArrayExpression(text, where, { values }, ops);
  if (typeof v === 'number') return () => v;
  if (v.size !== 1) throw inputError(`${where}: the expression has shape ${shapeText(v.shape)}; it must reduce to a number.`);
  const program = compileProgram(graph.reshape(v, []), [], 1);
  const none = new Float64Array(0);
  return (t) => { time[0] = t; return program.run(none, null); };
}

function constantScope(src: Pick<ArraySource, 'data' | 'numbers'>): { graph: Graph; ops: ArrayOps; values: Map<string, Value> } {
  const graph = new Graph();
  const ops = new ArrayOps(graph);
  const values = new Map<string, Value>();
  for (const [k, v] of src.numbers) values.set(k, v);
  for (const d of src.data) values.set(d.name, graph.data(d.name, d.shape, d.values));
  return { graph, ops, values };
}

/** An array from an expression of the parameters, sizes and data arrays (no state): an initial value, a predicted value. */
export function evaluateArrayExpression(src: Pick<ArraySource, 'label' | 'data' | 'numbers'>, text: string, where: string): { readonly shape: Shape; readonly data: Float64Array } {
  const { ops, values } = constantScope(src);
  const v = parseArrayExpression(text, where, { values }, ops);
  if (typeof v === 'number') return { shape: [], data: Float64Array.of(v) };
  const out = new Float64Array(v.size);
  compileProgram(null, [{ offset: 0, size: v.size, node: v }], 1).run(new Float64Array(0), out);
  return { shape: v.shape, data: out };
}
