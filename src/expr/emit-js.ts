/**
 * Expression trees → JavaScript functions on Float64Arrays.
 *
 * Safety: the emitted source is printed from our own tree, never from user text. Symbols are
 * printed as slot names we generate (`y3`, `p1`, `t`), numbers as numeric literals of float64
 * values, operations and functions from the fixed table below. So `new Function` only ever
 * sees code of our making, whatever the model file contained.
 *
 * Speed: shared subtrees (see cse.ts) become `const` temporaries, single-use subtrees are
 * inlined, state values are read once into locals, small integer powers become products,
 * and the parameters are captured once per `bind`. The emitted function allocates nothing.
 */
import type { CallNode, Expr, Op } from './ast.js';
import { buildDag, type Dag, type DagNode } from './cse.js';
import * as special from './special.js';
import { guardDepth } from './limits.js';
import { inputError } from '../util/errors.js';

export interface Layout {
  /** State variable names, in slot order: y[i]. */
  readonly state: readonly string[];
  /** Parameter names, in slot order: p[j]. */
  readonly params: readonly string[];
  /**
   * Extra array arguments read on every call (e.g. the kink modes of a switched field), each a
   * list of symbol names in slot order. With inputs [A, B] the emitted function is
   * (t, y, in0, in1, out) and symbol A[k] is read as in0[k]. Default: none.
   */
  readonly inputs?: readonly (readonly string[])[];
}

export type VectorFn = (t: number, y: Float64Array, out: Float64Array) => void;
export type ScalarFn = (t: number, y: Float64Array) => number;

export interface Compiled<F> {
  /** The emitted JavaScript body (for inspection and for checked-in generated code). */
  readonly source: string;
  /** Captures parameter values (in `layout.params` order) and returns the fast function. */
  bind(params: ArrayLike<number>): F;
}

/** Runtime helpers the emitted code may call; nothing else is in its scope. */
export const RUNTIME = Object.freeze({
  erf: special.erf, Phi: special.Phi, phi: special.phi, sigmoid: special.sigmoid,
  softplus: special.softplus, heaviside: special.heaviside, sign: special.sign, relu: special.relu,
});

const MATH_FN: Partial<Record<Op, string>> = {
  exp: 'Math.exp', log: 'Math.log', log1p: 'Math.log1p', expm1: 'Math.expm1', sqrt: 'Math.sqrt',
  abs: 'Math.abs', tanh: 'Math.tanh', sin: 'Math.sin', cos: 'Math.cos', min: 'Math.min', max: 'Math.max',
  acos: 'Math.acos', asin: 'Math.asin', atan: 'Math.atan', atan2: 'Math.atan2',
};
const RUNTIME_FN: Partial<Record<Op, keyof typeof RUNTIME>> = {
  erf: 'erf', Phi: 'Phi', phi: 'phi', sigmoid: 'sigmoid', softplus: 'softplus',
  heaviside: 'heaviside', sign: 'sign', relu: 'relu',
};
const BINARY: Partial<Record<Op, string>> = { add: '+', sub: '-', mul: '*', div: '/' };

/** Deepest nesting of calls printed inline in one expression of the emitted code (emitBody). */
const MAX_INLINE_DEPTH = 100;

export interface VectorOptions {
  /**
   * Write `out.fill(0, 0, n)` once and then only the outputs that are not the constant 0 (for
   * sparse results such as Jacobians, whose dense form is n² lines). Default: every output.
   */
  readonly sparse?: boolean;
}

/** Compiles outputs[i] into `out[i] = …` of one function (t, y, out) => void. */
export function compileVector(outputs: readonly Expr[], layout: Layout, options: VectorOptions = {}): Compiled<VectorFn> {
  return guardDepth('compiling the expression', () => {
    const dag = buildDag(outputs);
    const body = emitBody(dag, layout, (ids, print) => {
      if (!options.sparse) return ids.map((id, i) => `    out[${i}] = ${print(id)};`);
      const lines = [`    out.fill(0, 0, ${ids.length});`];
      ids.forEach((id, i) => {
        const e = dag.nodes[id].expr;
        if (!(e.kind === 'num' && e.value === 0)) lines.push(`    out[${i}] = ${print(id)};`);
      });
      return lines;
    });
    return makeCompiled<VectorFn>(body, layout, 'out');
  });
}

/** Compiles one expression into (t, y) => number. */
export function compileScalar(expr: Expr, layout: Layout): Compiled<ScalarFn> {
  return guardDepth('compiling the expression', () => {
    const dag = buildDag([expr]);
    const body = emitBody(dag, layout, (ids, print) => [`    return ${print(ids[0])};`]);
    return makeCompiled<ScalarFn>(body, layout, null);
  });
}

function makeCompiled<F>(body: string, layout: Layout, outName: string | null): Compiled<F> {
  const paramLoads = layout.params.map((_, j) => `  const p${j} = p[${j}];`).join('\n');
  const inputArgs = (layout.inputs ?? []).map((_, a) => `, in${a}`).join('');
  const runtimeLoads = Object.keys(RUNTIME).map((k) => `const rt_${k} = rt.${k};`).join(' ');
  const source = [
    '"use strict";',
    runtimeLoads,
    'return function bind(p) {',
    paramLoads,
    `  return function (t, y${inputArgs}${outName ? `, ${outName}` : ''}) {`,
    body,
    '  };',
    '};',
  ].join('\n');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- source is printed from our own tree only (see header)
  const factory = new Function('rt', source)(RUNTIME) as (p: Float64Array) => F;
  return {
    source,
    bind(params: ArrayLike<number>): F {
      if (params.length !== layout.params.length) {
        throw inputError(`expected ${layout.params.length} parameter values (${layout.params.join(', ')}), got ${params.length}.`);
      }
      return factory(Float64Array.from(params));
    },
  };
}

type Printer = (id: number) => string;

/**
 * One expression printed as JavaScript with its symbols printed by `symbolText` (locals the caller
 * declares): the lines of its temporaries (shared subtrees) and the text of its value. Used by the
 * array compiler (src/tensor/emit.ts) for the body of an element-wise loop.
 */
export function emitExpression(expr: Expr, symbolText: (name: string) => string): { readonly lines: readonly string[]; readonly value: string } {
  return guardDepth('compiling the expression', () => {
    let value = '';
    const lines = emitBody(buildDag([expr]), { state: [], params: [] }, (ids, print) => {
      value = print(ids[0]);
      return [];
    }, symbolText);
    return { lines: lines === '' ? [] : lines.split('\n'), value };
  });
}

/** Several expressions printed together (shared subtrees once): their temporaries and the text of each value. */
export function emitExpressions(exprs: readonly Expr[], symbolText: (name: string) => string): { readonly lines: readonly string[]; readonly values: readonly string[] } {
  return guardDepth('compiling the expression', () => {
    let values: string[] = [];
    const lines = emitBody(buildDag(exprs), { state: [], params: [] }, (ids, print) => {
      values = ids.map(print);
      return [];
    }, symbolText);
    return { lines: lines === '' ? [] : lines.split('\n'), values };
  });
}

function emitBody(dag: Dag, layout: Layout, finish: (outputs: readonly number[], print: Printer) => string[], symbolText?: (name: string) => string): string {
  const stateSlot = new Map(layout.state.map((n, i) => [n, i]));
  const paramSlot = new Map(layout.params.map((n, i) => [n, i]));
  const inputSlot = new Map<string, readonly [number, number]>();
  (layout.inputs ?? []).forEach((names, a) => names.forEach((n, k) => inputSlot.set(n, [a, k])));
  const usedInputs = new Map<string, string>(); // local i<a>_<k> → its array read in<a>[<k>]
  const { nodes } = dag;
  const needsTemp = new Array<boolean>(nodes.length).fill(false);
  for (const node of nodes) {
    if (node.expr.kind !== 'call') continue;
    if (node.uses > 1) needsTemp[node.id] = true;
    // the base of a small integer power is printed twice (x*x): make it a temporary
    if (smallIntPower(node.expr) !== null) needsTemp[node.children[0]] = true;
  }
  // A deeply nested inline expression would exhaust V8's own parser when the source is compiled:
  // a node whose inlined text would nest more than MAX_INLINE_DEPTH calls deep becomes a temporary.
  const inlineDepth = new Array<number>(nodes.length).fill(0);
  for (const node of nodes) {
    if (node.expr.kind !== 'call') continue;
    let d = 0;
    for (const c of node.children) if (!needsTemp[c] && inlineDepth[c] > d) d = inlineDepth[c];
    inlineDepth[node.id] = d + 1;
    if (d + 1 > MAX_INLINE_DEPTH) {
      needsTemp[node.id] = true;
      inlineDepth[node.id] = 0;
    }
  }
  const usedState = new Set<number>();
  const names = new Array<string>(nodes.length);
  const lines: string[] = [];

  const leaf = (e: Expr): string => {
    if (e.kind === 'num') return literal(e.value);
    if (e.kind !== 'sym') throw new Error('emit: not a leaf');
    if (symbolText) return symbolText(e.name);
    const s = stateSlot.get(e.name);
    if (s !== undefined) { usedState.add(s); return `y${s}`; }
    const p = paramSlot.get(e.name);
    if (p !== undefined) return `p${p}`;
    const slot = inputSlot.get(e.name);
    if (slot !== undefined) {
      const [a, k] = slot;
      usedInputs.set(`i${a}_${k}`, `in${a}[${k}]`);
      return `i${a}_${k}`;
    }
    if (e.name === 't') return 't';
    throw new Error(`emit: symbol '${e.name}' has no slot (the parser should have rejected it)`);
  };
  const print: Printer = (id) => names[id] ?? inline(nodes[id]);
  /**
   * The node's expression with its non-temporary children inlined: a depth-first walk on an explicit
   * stack, children left to right (the order in which the slots it reads are first met, which fixes
   * the order of the input loads).
   */
  const inline = (root: DagNode): string => {
    if (root.expr.kind !== 'call') return leaf(root.expr);
    const stack: Array<{ node: DagNode; parts: string[] }> = [{ node: root, parts: [] }];
    for (;;) {
      const top = stack[stack.length - 1];
      const { children } = top.node;
      if (top.parts.length < children.length) {
        const c = children[top.parts.length];
        const named = names[c];
        if (named !== undefined) top.parts.push(named);
        else if (nodes[c].expr.kind !== 'call') top.parts.push(leaf(nodes[c].expr));
        else stack.push({ node: nodes[c], parts: [] });
        continue;
      }
      stack.pop();
      const text = printCall(top.node.expr as CallNode, top.parts);
      if (stack.length === 0) return text;
      stack[stack.length - 1].parts.push(text);
    }
  };

  for (const node of nodes) {
    if (node.expr.kind === 'call' && needsTemp[node.id]) {
      const name = `v${node.id}`;
      lines.push(`    const ${name} = ${inline(node)};`);
      names[node.id] = name;
    }
  }
  const tail = finish(dag.outputs, print);
  const loads = [...usedState].sort((a, b) => a - b).map((s) => `    const y${s} = y[${s}];`);
  for (const [local, read] of usedInputs) loads.push(`    const ${local} = ${read};`);
  return [...loads, ...lines, ...tail].join('\n');
}

function smallIntPower(e: Expr): number | null {
  if (e.kind !== 'call' || e.op !== 'pow') return null;
  const w = e.args[1];
  return w.kind === 'num' && Number.isInteger(w.value) && Math.abs(w.value) <= 4 && w.value !== 0 ? w.value : null;
}

function printCall(e: CallNode, a: readonly string[]): string {
  const bin = BINARY[e.op];
  if (bin) return `(${a[0]} ${bin} ${a[1]})`;
  if (e.op === 'neg') return `(-${a[0]})`;
  if (e.op === 'pow') {
    const k = smallIntPower(e);
    if (k !== null) {
      const prod = new Array(Math.abs(k)).fill(a[0]).join(' * ');
      return k > 0 ? `(${prod})` : `(1 / (${prod}))`;
    }
    return `Math.pow(${a[0]}, ${a[1]})`;
  }
  const m = MATH_FN[e.op];
  if (m) return `${m}(${a.join(', ')})`;
  const r = RUNTIME_FN[e.op];
  if (r) return `rt_${r}(${a.join(', ')})`;
  throw new Error(`emit: no printer for operation '${e.op}'`);
}

/** A float64 as a JS literal that reads back to the same value. */
function literal(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`emit: non-finite constant ${v}`);
  const s = String(v);
  return v < 0 ? `(${s})` : s;
}
