/**
 * An array model's loss, from text to a compiled gradient field: parse every definition into one
 * graph, differentiate the loss in reverse mode, emit the loops. The one front door of src/tensor.
 */
import { inputError } from '../util/errors.js';
import { Graph, shapeText, type Shape, type TNode } from './graph.js';
import { ArrayOps, type Value } from './ops.js';
import { parseArrayExpression } from './parse.js';
import { reverseMode } from './grad.js';
import { compileProgram, type ArrayProgram } from './emit.js';

export interface BlockDecl { readonly name: string; readonly shape: Shape; readonly offset: number }
export interface DataArray { readonly name: string; readonly shape: Shape; readonly values: Float64Array }

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
  /** Further scalar expressions (events), compiled as value-only programs. */
  readonly scalars?: ReadonlyArray<readonly [string, string]>;
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
  readonly sources: { readonly field: string; readonly loss: string };
  /** The names the file gives to nodes (definitions), for printing the gradient. */
  readonly names: ReadonlyMap<TNode, string>;
}

export function compileArrayModel(src: ArraySource): CompiledArrayModel {
  const graph = new Graph();
  const ops = new ArrayOps(graph);
  const values = new Map<string, Value>();
  const names = new Map<TNode, string>();
  for (const [k, v] of src.numbers) values.set(k, v);
  for (const d of src.data) values.set(d.name, graph.data(d.name, d.shape, d.values));
  for (const b of src.blocks) values.set(b.name, graph.state(b.name, b.offset, b.shape));
  for (const [name, text] of src.lets) {
    const v = parseArrayExpression(text, `${src.label}: let.${name}`, { values }, ops);
    if (typeof v !== 'number') {
      ops.inlinable.delete(v); // a named definition is stored, not recomputed per use
      if (!names.has(v)) names.set(v, name);
    }
    values.set(name, v);
  }
  const lossValue = parseArrayExpression(src.loss, `${src.label}: loss`, { values }, ops);
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
    const v = parseArrayExpression(text, `${src.label}: ${name}`, { values: withLoss }, ops);
    const node = ops.node(v);
    if (node.size !== 1) throw inputError(`${src.label}: ${name} must be a scalar, but it has shape ${shapeText(node.shape)}.`);
    const p: ArrayProgram = compileProgram(graph.reshape(node, []), [], 1);
    scalars.set(name, (y) => p.run(y, null));
  }
  return {
    size, graph, lossNode: scalarLoss, gradients,
    field: fieldProgram.run as (y: Float64Array, out: Float64Array) => number,
    loss: (y) => lossProgram.run(y, null),
    scalars,
    sources: { field: fieldProgram.source, loss: lossProgram.source },
    names,
  };
}
