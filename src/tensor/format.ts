/**
 * The derived gradient of an array model, printed as a program a reader can check: one line per
 * array the gradient computes, with its shape, in the order computed, then ∂L/∂(block) for each
 * block. Names the file gives (blocks, data, definitions) are used as they are; the rest are
 * g1, g2, … Element-wise bodies print in the scalar language (or LaTeX), einsums as index sums.
 */
import { sym, type Expr } from '../expr/ast.js';
import { toLatex, toText } from '../expr/format.js';
import { substitute } from '../expr/ast.js';
import { argsOf, reachable, shapeText, type TNode } from './graph.js';

export interface GradientListing {
  /** Names the file gives to nodes: blocks, data arrays, definitions. */
  readonly names: ReadonlyMap<TNode, string>;
  readonly loss: TNode;
  readonly gradients: ReadonlyArray<readonly [string, TNode | null]>;
}

export function formatGradient(g: GradientListing, latex = false): string {
  const roots = [g.loss, ...g.gradients.flatMap(([, n]) => (n ? [n] : []))];
  const names = new Map(g.names);
  let next = 1;
  const lines: string[] = [];
  const nameOf = (n: TNode): string => names.get(n) ?? (n.op === 'data' ? n.name : n.op === 'state' ? n.block : `?${n.id}`);
  for (const n of reachable(roots)) {
    if (n.op === 'state' || n.op === 'data') continue;
    const given = g.names.get(n);
    const name = given ?? (n === g.loss ? 'L' : `g${next++}`);
    names.set(n, name);
    const text = latex ? latexOf(n, nameOf) : textOf(n, nameOf);
    lines.push(latex ? `${name} &= ${text} \\quad ${shapeText(n.shape)}` : `${name} = ${text}    # ${shapeText(n.shape)}`);
  }
  for (const [block, node] of g.gradients) {
    const value = node ? nameOf(node) : '0';
    lines.push(latex ? `\\frac{\\partial L}{\\partial ${block}} &= ${value}` : `dL/d${block} = ${value}`);
  }
  const note = latex
    ? '% indices start at 1; kinks: relu\'(0) = heaviside(0) = 0, |x|\'(0) = sign(0) = 0'
    : '# indices start at 1; kinks: relu\'(0) = heaviside(0) = 0, abs\'(0) = sign(0) = 0; max/min ties and amax: the first maximum carries the derivative';
  return `${lines.join('\n')}\n${note}`;
}

function bodyWith(n: TNode & { body: Expr }, args: readonly TNode[], nameOf: (n: TNode) => string): Expr {
  return substitute(n.body, new Map(args.map((a, i) => [`a${i}`, sym(nameOf(a))])));
}

function textOf(n: TNode, nameOf: (n: TNode) => string): string {
  const args = argsOf(n).map(nameOf);
  switch (n.op) {
    case 'map': return toText(bodyWith(n, n.args, nameOf));
    case 'einsum': return `einsum("${n.subs.join(',')}->${n.out}", ${args.join(', ')})`;
    case 'softmax': case 'logsumexp': case 'amax': return `${n.op}(${args[0]}, ${n.axis + 1})`;
    case 'amaxGrad': return `at_first_max(${args[0]}, ${args[1]}, ${n.axis + 1})`;
    case 'slice': return `${args[0]}[${ranges(n.starts, n.counts, n.drops)}]`;
    case 'unslice': return `zeros(${shapeText(n.full)}) with [${ranges(n.starts, n.counts, n.drops)}] = ${args[0]}`;
    case 'reshape': return `reshape(${args[0]}, ${shapeText(n.shape)})`;
    case 'exprs': return `[${n.exprs.map((e) => toText(substitute(e, new Map(n.args.map((a, i) => [`a${i}`, sym(nameOf(a))]))))).join(', ')}]`;
    default: return nameOf(n);
  }
}

function latexOf(n: TNode, nameOf: (n: TNode) => string): string {
  const args = argsOf(n).map(nameOf);
  switch (n.op) {
    case 'map': return toLatex(bodyWith(n, n.args, nameOf));
    case 'einsum': {
      const summed = [...new Set(n.subs.join(''))].filter((c) => !n.out.includes(c));
      const factors = args.map((a, i) => `${a}_{${n.subs[i]}}`).join(' ');
      return summed.length > 0 ? `\\sum_{${summed.join('')}} ${factors}` : factors;
    }
    case 'softmax': case 'logsumexp': case 'amax': return `\\operatorname{${n.op}}_{${n.axis + 1}}(${args[0]})`;
    default: return `\\texttt{${textOf(n, nameOf).replace(/[_#%&{}]/g, (c) => `\\${c}`)}}`;
  }
}

function ranges(starts: readonly number[], counts: readonly number[], drops: readonly boolean[]): string {
  return starts.map((s, i) => (drops[i] ? `${s + 1}` : `${s + 1}:${s + counts[i]}`)).join(', ');
}
