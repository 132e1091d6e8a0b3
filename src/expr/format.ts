/**
 * Printing expression trees as plain text (the input language, re-parsable) and as LaTeX.
 * Parentheses are added only where precedence needs them.
 *
 * Printing is iterative (an explicit stack of pieces, no recursion), so any depth prints. A tree
 * is printed in full even where it shares subtrees (a derivative is a DAG), so its text can be far
 * longer than its size in memory: beyond MAX_TEXT characters printing stops with an input error
 * (or, for `toTextClipped`, an ellipsis).
 */
import type { Expr } from './ast.js';
import { inputError } from '../util/errors.js';

const PREC: Record<string, number> = { add: 1, sub: 1, mul: 2, div: 2, neg: 3, pow: 4 };
const ATOM = 5;

/** Longest text `toText` and `toLatex` produce. */
export const MAX_TEXT = 10_000_000;

function prec(e: Expr): number {
  if (e.kind === 'num') return e.value < 0 ? PREC.neg : ATOM;
  return e.kind === 'call' ? (PREC[e.op] ?? ATOM) : ATOM;
}

/** A printed node: literal text and subtrees, in order. */
type Piece = string | Expr;

function textPieces(e: Expr): Piece[] {
  if (e.kind === 'num') return [String(e.value)];
  if (e.kind === 'sym') return [e.name];
  const a = e.args;
  const wrap = (x: Expr, min: number): Piece[] => (prec(x) < min ? ['(', x, ')'] : [x]);
  switch (e.op) {
    case 'add': return [...wrap(a[0], 1), ' + ', ...wrap(a[1], 1)];
    case 'sub': return [...wrap(a[0], 1), ' - ', ...wrap(a[1], 2)];
    case 'mul': return [...wrap(a[0], 2), ' * ', ...wrap(a[1], 3)];
    case 'div': return [...wrap(a[0], 2), ' / ', ...wrap(a[1], 3)];
    case 'neg': return ['-', ...wrap(a[0], 3)];
    case 'pow': return [...wrap(a[0], 5), '^', ...wrap(a[1], 5)];
    default: return [`${e.op}(`, ...list(a, ', '), ')'];
  }
}

function list(args: readonly Expr[], sep: string): Piece[] {
  const out: Piece[] = [];
  args.forEach((x, i) => { if (i > 0) out.push(sep); out.push(x); });
  return out;
}

/**
 * Prints e by expanding pieces from an explicit stack (in the order a recursive printer would
 * write them). Stops once more than `limit` characters are out (`complete` is false then).
 */
function render(e: Expr, pieces: (x: Expr) => Piece[], limit: number): { text: string; complete: boolean } {
  const out: string[] = [];
  let length = 0;
  const stack: Piece[] = [e];
  while (stack.length > 0) {
    const p = stack.pop() as Piece;
    if (typeof p === 'string') {
      out.push(p);
      length += p.length;
      if (length > limit) return { text: out.join(''), complete: false };
      continue;
    }
    const ps = pieces(p);
    for (let i = ps.length - 1; i >= 0; i--) stack.push(ps[i]);
  }
  return { text: out.join(''), complete: true };
}

function printed(e: Expr, pieces: (x: Expr) => Piece[], what: string): string {
  const r = render(e, pieces, MAX_TEXT);
  if (!r.complete) {
    throw inputError(`${what}: the expression is too large to print (more than ${MAX_TEXT.toLocaleString('en-US')} characters written out; shared subexpressions are repeated in the text).`);
  }
  return r.text;
}

export function toText(e: Expr): string {
  return printed(e, textPieces, 'text');
}

/** toText cut to at most about maxLength characters (ending in '…' when cut). */
export function toTextClipped(e: Expr, maxLength: number): string {
  const r = render(e, textPieces, maxLength);
  return r.complete ? r.text : `${r.text.slice(0, maxLength)}…`;
}

const LATEX_FN: Record<string, string> = {
  exp: '\\exp', log: '\\log', tanh: '\\tanh', sin: '\\sin', cos: '\\cos',
  log1p: '\\operatorname{log1p}', expm1: '\\operatorname{expm1}', sign: '\\operatorname{sign}',
  relu: '\\operatorname{relu}', heaviside: 'H', sigmoid: '\\sigma', softplus: '\\operatorname{softplus}',
  erf: '\\operatorname{erf}', Phi: '\\Phi', phi: '\\varphi', min: '\\min', max: '\\max',
  acos: '\\arccos', asin: '\\arcsin', atan: '\\arctan', atan2: '\\operatorname{atan2}',
};

function latexPieces(e: Expr): Piece[] {
  if (e.kind === 'num') return [String(e.value)];
  if (e.kind === 'sym') return [latexName(e.name)];
  const a = e.args;
  const wrap = (x: Expr, min: number): Piece[] => (prec(x) < min ? ['\\left(', x, '\\right)'] : [x]);
  switch (e.op) {
    case 'add': return [...wrap(a[0], 1), ' + ', ...wrap(a[1], 1)];
    case 'sub': return [...wrap(a[0], 1), ' - ', ...wrap(a[1], 2)];
    case 'mul': return [...wrap(a[0], 2), ' \\, ', ...wrap(a[1], 3)];
    case 'div': return ['\\frac{', a[0], '}{', a[1], '}'];
    case 'neg': return ['-', ...wrap(a[0], 3)];
    case 'pow': return ['{', ...wrap(a[0], 5), '}^{', a[1], '}'];
    case 'abs': return ['\\left|', a[0], '\\right|'];
    case 'sqrt': return ['\\sqrt{', a[0], '}'];
    default: return [`${LATEX_FN[e.op] ?? e.op}\\left(`, ...list(a, ', '), '\\right)'];
  }
}

export function toLatex(e: Expr): string {
  return printed(e, latexPieces, 'LaTeX');
}

/** theta1 → \theta_{1}; w_2 → w_{2}. Greek names get a backslash. */
function latexName(name: string): string {
  const m = /^([A-Za-z]+?)_?(\d+)$/.exec(name);
  const base = m ? m[1] : name;
  const greek = /^(alpha|beta|gamma|delta|epsilon|zeta|eta|theta|iota|kappa|lambda|mu|nu|xi|pi|rho|sigma|tau|upsilon|phi|chi|psi|omega|Gamma|Delta|Theta|Lambda|Xi|Pi|Sigma|Phi|Psi|Omega)$/.test(base);
  const b = greek ? `\\${base}` : base.length > 1 ? `\\mathrm{${base.replace(/_/g, '\\_')}}` : base;
  return m ? `${b}_{${m[2]}}` : b;
}
