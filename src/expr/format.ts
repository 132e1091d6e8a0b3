/**
 * Printing expression trees as plain text (the input language, re-parsable) and as LaTeX.
 * Parentheses are added only where precedence needs them.
 */
import type { Expr } from './ast.js';

const PREC: Record<string, number> = { add: 1, sub: 1, mul: 2, div: 2, neg: 3, pow: 4 };
const ATOM = 5;

function prec(e: Expr): number {
  if (e.kind === 'num') return e.value < 0 ? PREC.neg : ATOM;
  return e.kind === 'call' ? (PREC[e.op] ?? ATOM) : ATOM;
}

export function toText(e: Expr): string {
  if (e.kind === 'num') return String(e.value);
  if (e.kind === 'sym') return e.name;
  const a = e.args;
  const wrap = (x: Expr, min: number): string => (prec(x) < min ? `(${toText(x)})` : toText(x));
  switch (e.op) {
    case 'add': return `${wrap(a[0], 1)} + ${wrap(a[1], 1)}`;
    case 'sub': return `${wrap(a[0], 1)} - ${wrap(a[1], 2)}`;
    case 'mul': return `${wrap(a[0], 2)} * ${wrap(a[1], 3)}`;
    case 'div': return `${wrap(a[0], 2)} / ${wrap(a[1], 3)}`;
    case 'neg': return `-${wrap(a[0], 3)}`;
    case 'pow': return `${wrap(a[0], 5)}^${wrap(a[1], 5)}`;
    default: return `${e.op}(${a.map(toText).join(', ')})`;
  }
}

const LATEX_FN: Record<string, string> = {
  exp: '\\exp', log: '\\log', tanh: '\\tanh', sin: '\\sin', cos: '\\cos',
  log1p: '\\operatorname{log1p}', expm1: '\\operatorname{expm1}', sign: '\\operatorname{sign}',
  relu: '\\operatorname{relu}', heaviside: 'H', sigmoid: '\\sigma', softplus: '\\operatorname{softplus}',
  erf: '\\operatorname{erf}', Phi: '\\Phi', phi: '\\varphi', min: '\\min', max: '\\max',
};

export function toLatex(e: Expr): string {
  if (e.kind === 'num') return String(e.value);
  if (e.kind === 'sym') return latexName(e.name);
  const a = e.args;
  const wrap = (x: Expr, min: number): string => (prec(x) < min ? `\\left(${toLatex(x)}\\right)` : toLatex(x));
  switch (e.op) {
    case 'add': return `${wrap(a[0], 1)} + ${wrap(a[1], 1)}`;
    case 'sub': return `${wrap(a[0], 1)} - ${wrap(a[1], 2)}`;
    case 'mul': return `${wrap(a[0], 2)} \\, ${wrap(a[1], 3)}`;
    case 'div': return `\\frac{${toLatex(a[0])}}{${toLatex(a[1])}}`;
    case 'neg': return `-${wrap(a[0], 3)}`;
    case 'pow': return `{${wrap(a[0], 5)}}^{${toLatex(a[1])}}`;
    case 'abs': return `\\left|${toLatex(a[0])}\\right|`;
    case 'sqrt': return `\\sqrt{${toLatex(a[0])}}`;
    default: return `${LATEX_FN[e.op] ?? e.op}\\left(${a.map(toLatex).join(', ')}\\right)`;
  }
}

/** theta1 → \theta_{1}; w_2 → w_{2}. Greek names get a backslash. */
function latexName(name: string): string {
  const m = /^([A-Za-z]+?)_?(\d+)$/.exec(name);
  const base = m ? m[1] : name;
  const greek = /^(alpha|beta|gamma|delta|epsilon|zeta|eta|theta|iota|kappa|lambda|mu|nu|xi|pi|rho|sigma|tau|upsilon|phi|chi|psi|omega|Gamma|Delta|Theta|Lambda|Xi|Pi|Sigma|Phi|Psi|Omega)$/.test(base);
  const b = greek ? `\\${base}` : base.length > 1 ? `\\mathrm{${base.replace(/_/g, '\\_')}}` : base;
  return m ? `${b}_{${m[2]}}` : b;
}
