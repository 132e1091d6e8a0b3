/**
 * Tensor graph → one JavaScript function of loops over Float64Arrays.
 *
 * Safety as in src/expr/emit-js.ts: the source is printed from our own graph — buffer names we
 * generate (b3), integer loop bounds and strides, float64 literals, and element-wise bodies
 * printed by the scalar emitter from whitelisted operations. No user text reaches `new Function`.
 *
 * Speed: every intermediate array is allocated once, when the program is built (sizes are
 * checked before: graph.ts); nodes that do not depend on the state (data slices, products of data)
 * are computed once then, not per call; state blocks are read in place from y; every loop has
 * constant bounds. A call allocates nothing.
 */
import { emitExpression, emitExpressions, RUNTIME } from '../expr/emit-js.js';
import { reachable, type EinsumNode, type ExprsNode, type MapNode, type Shape, type SliceNode, type TNode } from './graph.js';

export interface Output {
  /** Where in `out` the block's gradient goes, and its node (null: the loss does not depend on it). */
  readonly offset: number;
  readonly size: number;
  readonly node: TNode | null;
}

export interface ArrayProgram {
  /** The emitted source (for inspection). */
  readonly source: string;
  /**
   * Computes the value node (NaN without one); with `out`, also writes scale·(each output node)
   * into it. `in0`, `in1` are the input arrays of `input` nodes (slots 0 and 1). Returns the value.
   */
  readonly run: (y: Float64Array, out: Float64Array | null, in0?: Float64Array, in1?: Float64Array) => number;
}

/**
 * Compiles `value` (a scalar node, or null) and, when outputs are given, writes `scale` times each
 * output node into its place in `out` (scale −1: the gradient-flow field −∇L).
 */
export function compileProgram(value: TNode | null, outputs: readonly Output[], scale: number): ArrayProgram {
  const roots = [...(value ? [value] : []), ...outputs.flatMap((o) => (o.node ? [o.node] : []))];
  const order = reachable(roots);
  const valueOnly = new Set(value ? reachable([value]).map((n) => n.id) : []);
  const buffers: Float64Array[] = [];
  const bufferOf = new Map<number, number>();
  const storage = (n: TNode): string | null => {
    // a reshape reads its argument's storage; a state block reads y
    while (n.op === 'reshape') n = n.args[0];
    if (n.op === 'state' || n.op === 'input') return null;
    return `b${bufferOf.get(n.id)}`;
  };
  const base = (n: TNode): TNode => {
    while (n.op === 'reshape') n = n.args[0];
    return n;
  };
  /** The text reading element `k` (a JS index expression) of node n. */
  const read = (n: TNode, k: string): string => {
    const b = base(n);
    if (b.op === 'state') return b.offset === 0 ? `y[${k}]` : `y[${b.offset} + ${k}]`;
    if (b.op === 'input') return b.offset === 0 ? `in${b.slot}[${k}]` : `in${b.slot}[${b.offset} + ${k}]`;
    return `${storage(b)}[${k}]`;
  };
  for (const n of order) {
    if (n.op === 'state' || n.op === 'reshape' || n.op === 'input') continue;
    bufferOf.set(n.id, buffers.length);
    if (n.op === 'data') buffers.push(n.values ?? new Float64Array(1));
    else buffers.push(new Float64Array(n.size));
  }
  const constLines: string[] = [];
  const valueLines: string[] = [];
  const gradLines: string[] = [];
  for (const n of order) {
    if (n.op === 'state' || n.op === 'reshape' || n.op === 'data' || n.op === 'input') continue;
    const lines = emitNode(n, storage(n)!, read);
    if (!n.varying) constLines.push(...lines);
    else if (valueOnly.has(n.id)) valueLines.push(...lines);
    else gradLines.push(...lines);
  }
  const writes: string[] = [];
  for (const o of outputs) {
    if (!o.node) { writes.push(`    out.fill(0, ${o.offset}, ${o.offset + o.size});`); continue; }
    writes.push(`    for (let k = 0; k < ${o.size}; k++) out[${o.offset} + k] = ${literal(scale)} * ${read(o.node, 'k')};`);
  }
  const loads = buffers.map((_, i) => `const b${i} = B[${i}];`).join(' ');
  const runtime = Object.keys(RUNTIME).map((k) => `const rt_${k} = rt.${k};`).join(' ');
  const source = [
    '"use strict";',
    runtime,
    loads,
    ...constLines,
    'return function (y, out, in0, in1) {',
    ...valueLines,
    '  if (out !== null) {',
    ...gradLines,
    ...writes,
    '  }',
    `  return ${value ? read(value, '0') : 'NaN'};`,
    '};',
  ].join('\n');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- printed from our own graph only (header)
  const run = new Function('rt', 'B', source)(RUNTIME, buffers) as ArrayProgram['run'];
  return { source, run };
}

type Reader = (n: TNode, k: string) => string;

function emitNode(n: TNode, dst: string, read: Reader): string[] {
  switch (n.op) {
    case 'map': return emitMap(n, dst, read);
    case 'einsum': return emitEinsum(n, dst, read);
    case 'softmax': case 'logsumexp': case 'amax': return emitAxis(n.op, n.args[0], n.axis, dst, read);
    case 'amaxGrad': return emitAmaxGrad(n.args[0], n.args[1], n.axis, dst, read);
    case 'slice': case 'unslice': return emitSlice(n, dst, read);
    case 'exprs': return emitExprs(n, dst, read);
    default: throw new Error(`emit: no loop for '${n.op}'`);
  }
}

/** Row-major strides of a shape. */
function strides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}

/** Σ var_i·stride_i as JS text (terms with stride 0 left out). */
function offsetText(vars: readonly string[], st: readonly number[]): string {
  const terms = vars.flatMap((v, i) => (st[i] === 0 ? [] : [st[i] === 1 ? v : `${v} * ${st[i]}`]));
  return terms.length === 0 ? '0' : terms.join(' + ');
}

function emitMap(n: MapNode, dst: string, read: Reader): string[] {
  const r = n.shape.length;
  const flat = n.args.every((a) => a.size === 1 || (a.shape.length === r && a.shape.every((m, i) => m === n.shape[i])));
  const expr = emitExpression(n.body, (name) => `x${name.slice(1)}`);
  const lines: string[] = ['  {'];
  const hoisted = n.args.map((a) => a.size === 1 && n.size > 1);
  n.args.forEach((a, i) => { if (hoisted[i]) lines.push(`    const x${i} = ${read(a, '0')};`); });
  const vars = n.shape.map((_, i) => `i${i}`);
  let index = 'k';
  if (flat) {
    lines.push(`    for (let k = 0; k < ${n.size}; k++) {`);
  } else {
    vars.forEach((v, i) => lines.push(`    for (let ${v} = 0; ${v} < ${n.shape[i]}; ${v}++) {`));
    index = offsetText(vars, strides(n.shape));
  }
  n.args.forEach((a, i) => {
    if (hoisted[i]) return;
    if (flat || a.size === 1) { lines.push(`    const x${i} = ${read(a, a.size === 1 ? '0' : 'k')};`); return; }
    // a broadcast argument: stride 0 along the axes where it has size 1 or no axis at all
    const lead = r - a.shape.length;
    const own = strides(a.shape);
    const st = n.shape.map((_, d) => (d < lead || a.shape[d - lead] === 1 ? 0 : own[d - lead]));
    lines.push(`    const x${i} = ${read(a, offsetText(vars, st))};`);
  });
  lines.push(...expr.lines.map((l) => `  ${l}`));
  lines.push(`    ${dst}[${index}] = ${expr.value};`);
  lines.push(flat ? '    }' : `    ${'}'.repeat(r)}`);
  lines.push('  }');
  return lines;
}

function emitExprs(n: ExprsNode, dst: string, read: Reader): string[] {
  const out = emitExpressions(n.exprs, (name) => `x${name.slice(1)}`);
  return [
    '  {',
    ...n.args.map((a, i) => `    const x${i} = ${read(a, '0')};`),
    ...out.lines.map((l) => `  ${l}`),
    ...out.values.map((v, k) => `    ${dst}[${k}] = ${v};`),
    '  }',
  ];
}

function emitEinsum(n: EinsumNode, dst: string, read: Reader): string[] {
  const outLetters = [...n.out];
  const inner = [...new Set(n.subs.join(''))].filter((c) => !n.out.includes(c));
  const v = (c: string): string => `i_${c}`;
  const lines: string[] = ['  {'];
  for (const c of outLetters) lines.push(`    for (let ${v(c)} = 0; ${v(c)} < ${n.sizes[c]}; ${v(c)}++) {`);
  const factor = (j: number): string => {
    const a = n.args[j];
    const letters = [...n.subs[j]];
    return read(a, offsetText(letters.map(v), strides(a.shape)));
  };
  const product = n.args.length === 0 ? '1' : n.args.map((_, j) => factor(j)).join(' * ');
  const outIndex = offsetText(outLetters.map(v), strides(n.shape));
  if (inner.length === 0) {
    lines.push(`    ${dst}[${outIndex}] = ${product};`);
  } else {
    lines.push('    let acc = 0;');
    for (const c of inner) lines.push(`    for (let ${v(c)} = 0; ${v(c)} < ${n.sizes[c]}; ${v(c)}++)`);
    lines.push(`      acc += ${product};`);
    lines.push(`    ${dst}[${outIndex}] = acc;`);
  }
  lines.push(`  ${'}'.repeat(outLetters.length)}`);
  lines.push('  }');
  return lines;
}

/** pre × len × post around the axis. */
function around(shape: Shape, axis: number): [number, number, number] {
  let pre = 1;
  let post = 1;
  shape.forEach((m, i) => { if (i < axis) pre *= m; else if (i > axis) post *= m; });
  return [pre, shape[axis], post];
}

function emitAxis(op: 'softmax' | 'logsumexp' | 'amax', x: TNode, axis: number, dst: string, read: Reader): string[] {
  const [pre, len, post] = around(x.shape, axis);
  const at = (j: string): string => read(x, `base + ${j} * ${post}`);
  const lines = [
    '  {',
    `    for (let a = 0; a < ${pre}; a++) for (let c = 0; c < ${post}; c++) {`,
    `      const base = a * ${len * post} + c;`,
    '      let max = -Infinity;',
    `      for (let j = 0; j < ${len}; j++) { const v = ${at('j')}; if (v > max) max = v; }`,
  ];
  if (op === 'amax') {
    lines.push(`      ${dst}[a * ${post} + c] = max;`);
  } else {
    // the maximum is subtracted before exponentiating: no overflow, and an all −∞ row stays NaN-free only if finite
    lines.push('      let total = 0;');
    if (op === 'softmax') {
      lines.push(`      for (let j = 0; j < ${len}; j++) { const e = Math.exp(${at('j')} - max); ${dst}[base + j * ${post}] = e; total += e; }`);
      lines.push(`      for (let j = 0; j < ${len}; j++) ${dst}[base + j * ${post}] /= total;`);
    } else {
      lines.push(`      for (let j = 0; j < ${len}; j++) total += Math.exp(${at('j')} - max);`);
      lines.push(`      ${dst}[a * ${post} + c] = max + Math.log(total);`);
    }
  }
  lines.push('    }', '  }');
  return lines;
}

function emitAmaxGrad(x: TNode, g: TNode, axis: number, dst: string, read: Reader): string[] {
  const [pre, len, post] = around(x.shape, axis);
  return [
    '  {',
    `    ${dst}.fill(0);`,
    `    for (let a = 0; a < ${pre}; a++) for (let c = 0; c < ${post}; c++) {`,
    `      const base = a * ${len * post} + c;`,
    `      let best = 0; let max = ${read(x, 'base')};`,
    `      for (let j = 1; j < ${len}; j++) { const v = ${read(x, `base + j * ${post}`)}; if (v > max) { max = v; best = j; } }`,
    `      ${dst}[base + best * ${post}] = ${read(g, `a * ${post} + c`)};`,
    '    }',
    '  }',
  ];
}

function emitSlice(n: SliceNode, dst: string, read: Reader): string[] {
  const full = strides(n.full);
  const kept = n.full.map((_, d) => d).filter((d) => !n.drops[d]);
  const vars = kept.map((d) => `i${d}`);
  const small = strides(kept.map((d) => n.counts[d]));
  let constant = 0;
  const terms: string[] = [];
  n.full.forEach((_, d) => {
    constant += n.starts[d] * full[d];
    if (!n.drops[d]) terms.push(full[d] === 1 ? `i${d}` : `i${d} * ${full[d]}`);
  });
  if (constant !== 0 || terms.length === 0) terms.unshift(String(constant));
  const fullIndex = terms.join(' + ');
  const smallIndex = offsetText(vars, small);
  const lines = ['  {'];
  if (n.op === 'unslice') lines.push(`    ${dst}.fill(0);`);
  kept.forEach((d) => lines.push(`    for (let i${d} = 0; i${d} < ${n.counts[d]}; i${d}++)`));
  const x = n.args[0];
  lines.push(n.op === 'slice' ? `      ${dst}[${smallIndex}] = ${read(x, fullIndex)};` : `      ${dst}[${fullIndex}] = ${read(x, smallIndex)};`);
  lines.push('  }');
  return lines;
}

function literal(v: number): string {
  const s = String(v);
  return v < 0 ? `(${s})` : s;
}
