/**
 * expect(body, x): the expectation over x ~ N(0, I_d) of a scalar body, derived in closed form
 * where one exists — before differentiation, so the gradient is the closed form's.
 *
 * 1. The body is written out element by element as scalar trees: x_j are the coordinates of x,
 *    every x-free value (weights, data) enters as its elements.
 * 2. It is expanded into monomials: an x-free coefficient times factors, each factor a linear form
 *    L = c·x + b (c, b x-free) or one function h(L) of a linear form.
 * 3. Each monomial's expectation is a function of the forms' covariances C_ab = c_a·c_b only:
 *      products of linear forms          Isserlis (Wick): sum over pairings of Π C
 *      h(L)                              relu: √(C/2π); Φ, heaviside: 1/2; erf, sign: 0; φ: 1/√(2π(1 + C))
 *      h(L₁)·L₂                          Stein: C₁₂·E[h′(L₁)]
 *      relu·relu                         arc-cosine kernel (Cho & Saul 2009)
 *      erf·erf                           (2/π) asin(2C₁₂/√((1 + 2C₁₁)(1 + 2C₂₂))) (Saad & Solla 1995)
 *      Φ·Φ                               1/4 + asin(C₁₂/√((1 + C₁₁)(1 + C₂₂)))/(2π) (Sheppard)
 *      heaviside·heaviside               (π − acos ρ)/(2π)
 *    and otherwise (other functions, biases b ≠ 0, three or more nonlinear factors) Gauss–Hermite
 *    quadrature of the stated order over the monomial's distinct forms (at most 3), through the
 *    Cholesky factor of their covariance, written symbolically so that it too is differentiated.
 * The result is one scalar node; `report` says which closed forms and quadratures were used.
 * Conventions: at ρ = ±1 (parallel units) the arc-cosine and arcsine forms have a square-root
 * singularity in ρ, so their derivative there is not finite (a kink of the flow); x-dependent
 * softmax, amax and slices of nonlinear values are not expandable (an input error says so).
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { add, call, div, isNum, mul, neg, num, productOf, sub, substitute, sumOf, sym, symbolsOf, type Expr, type Op } from '../expr/ast.js';
import { toText } from '../expr/format.js';
import { inputError } from '../util/errors.js';
import { argsOf, reachable, unravel, type Graph, type InputNode, type TNode } from './graph.js';

/** Limits: elements written out, monomials, quadrature points per monomial. */
const MAX_ELEMENTS = 100_000;
const MAX_MONOMIALS = 20_000;
const MAX_POINTS = 20_000;
export const DEFAULT_ORDER = 24;

interface Form { readonly coef: readonly Expr[]; readonly offset: Expr; readonly key: string }
interface Factor { readonly h: Op | 'id'; readonly form: Form }
interface Monomial { coef: Expr; readonly factors: readonly Expr[] }

export interface ExpectationOptions {
  /** Gauss–Hermite points per dimension where no closed form applies. */
  readonly order?: number;
  /** Use the quadrature for every monomial with a nonlinear factor (tests compare it with the closed forms). */
  readonly forceQuadrature?: boolean;
}

export interface Expectation {
  readonly node: TNode;
  /** Which closed forms and quadratures were used, with counts. */
  readonly report: string;
}

export function expectation(graph: Graph, body: TNode, x: InputNode, where: string, o: ExpectationOptions = {}): Expectation {
  if (body.size !== 1) throw inputError(`${where}: the expectation's argument has shape [${body.shape.join(', ')}]; it must be a scalar (reduce it with sum(…)).`);
  const order = o.order ?? DEFAULT_ORDER;
  const d = x.size;
  const free = new Map<string, { node: TNode; index: number }>();
  const elements = scalarize(body, x, free, where)[0];
  const monomials = expand(elements, where);
  const used = new Map<string, number>();
  const note = (k: string) => used.set(k, (used.get(k) ?? 0) + 1);
  const forms = new Map<string, Form>();
  const covariances = new Map<string, Expr>();
  const cov = (a: Form, b: Form): Expr => {
    const key = a.key < b.key ? `${a.key}|${b.key}` : `${b.key}|${a.key}`;
    let c = covariances.get(key);
    if (!c) {
      c = sumOf(a.coef.map((ca, j) => mul(ca, b.coef[j])).filter((t) => !(isNum(t) && t.value === 0)));
      covariances.set(key, c);
    }
    return c;
  };
  const scalars = new ScalarNodes(graph, free);
  const closedTerms: Expr[] = [];
  const quadratureTerms: Array<{ coef: Expr; node: TNode }> = [];
  for (const m of monomials) {
    const factors = m.factors.map((f) => factorOf(f, d, forms, where));
    const e = expectationOf(factors, cov, o.forceQuadrature === true, note);
    if (e) closedTerms.push(mul(m.coef, e));
    else quadratureTerms.push({ coef: m.coef, node: quadrature(graph, scalars, factors, cov, order, note, where) });
  }
  // Σ closed forms + Σ coefficient · quadrature, as one scalar node
  const parts: TNode[] = [scalars.of(sumOf(closedTerms))];
  let sum: Expr = sym('a0');
  for (const q of quadratureTerms) {
    parts.push(scalars.of(q.coef), q.node);
    sum = add(sum, mul(sym(`a${parts.length - 2}`), sym(`a${parts.length - 1}`)));
  }
  const node = parts.length === 1 ? parts[0] : graph.map(sum, parts, []);
  const report = `${monomials.length} term${monomials.length === 1 ? '' : 's'}: ${[...used].map(([k, n]) => `${k} ×${n}`).join(', ') || 'constant'}`;
  return { node, report };
}

/** Scalar trees over x-free elements (k<id>_<i>) as graph nodes: one element-wise node over scalar slices. */
class ScalarNodes {
  constructor(private readonly graph: Graph, private readonly free: ReadonlyMap<string, { node: TNode; index: number }>) {}

  of(e: Expr): TNode {
    const names = [...symbolsOf(e)];
    const args = names.map((n) => {
      const f = this.free.get(n)!;
      const idx = unravel(f.index, f.node.shape);
      return f.node.size === 1 ? this.graph.reshape(f.node, []) : this.graph.slice(f.node, idx, idx.map(() => 1), idx.map(() => true));
    });
    return this.graph.map(substitute(e, new Map(names.map((n, i) => [n, sym(`a${i}`)]))), args, []);
  }
}



/** Step 1: the body's elements as scalar trees in x_j and the x-free elements k<id>_<i>. */
function scalarize(root: TNode, x: InputNode, free: Map<string, { node: TNode; index: number }>, where: string): Expr[] {
  const order = reachable([root]);
  const onX = new Set<number>();
  for (const n of order) if (n === x || argsOf(n).some((a) => onX.has(a.id))) onX.add(n.id);
  const memo = new Map<number, Expr[]>();
  let written = 0;
  const of = (n: TNode): Expr[] => {
    const known = memo.get(n.id);
    if (known) return known;
    let out: Expr[];
    if (n === x) out = Array.from({ length: n.size }, (_, j) => sym(`x_${j}`));
    else if (!onX.has(n.id)) {
      out = Array.from({ length: n.size }, (_, i) => {
        const name = `k${n.id}_${i}`;
        free.set(name, { node: n, index: i });
        return sym(name);
      });
    } else {
      written += n.size;
      if (written > MAX_ELEMENTS) throw inputError(`${where}: writing the expectation's argument out element by element needs more than ${MAX_ELEMENTS} terms; use fewer or smaller arrays inside expect(…).`);
      out = elementsOf(n, of, where);
    }
    memo.set(n.id, out);
    return out;
  };
  return of(root);
}

function elementsOf(n: TNode, of: (n: TNode) => Expr[], where: string): Expr[] {
  switch (n.op) {
    case 'map': {
      const args = n.args.map(of);
      const r = n.shape.length;
      return Array.from({ length: n.size }, (_, k) => {
        const idx = unravel(k, n.shape);
        const values = n.args.map((a, i) => {
          const lead = r - a.shape.length;
          let flat = 0;
          a.shape.forEach((m, dIdx) => { flat = flat * m + (m === 1 ? 0 : idx[dIdx + lead]); });
          return args[i][flat];
        });
        return substitute(n.body, new Map(values.map((v, i) => [`a${i}`, v])));
      });
    }
    case 'einsum': {
      const args = n.args.map(of);
      const inner = [...new Set(n.subs.join(''))].filter((c) => !n.out.includes(c));
      const innerSizes = inner.map((c) => n.sizes[c]);
      const innerCount = innerSizes.reduce((a, m) => a * m, 1);
      return Array.from({ length: n.size }, (_, k) => {
        const at: Record<string, number> = {};
        unravel(k, n.shape).forEach((v, i) => { at[n.out[i]] = v; });
        const terms: Expr[] = [];
        for (let c = 0; c < innerCount; c++) {
          unravel(c, innerSizes).forEach((v, i) => { at[inner[i]] = v; });
          const factors = n.args.map((a, j) => {
            let flat = 0;
            [...n.subs[j]].forEach((letter, dIdx) => { flat = flat * a.shape[dIdx] + at[letter]; });
            return args[j][flat];
          });
          terms.push(productOf(factors));
        }
        return sumOf(terms);
      });
    }
    case 'reshape': return of(n.args[0]);
    case 'slice': {
      const src = of(n.args[0]);
      const kept = n.full.map((_, dIdx) => dIdx).filter((dIdx) => !n.drops[dIdx]);
      return Array.from({ length: n.size }, (_, k) => {
        const idx = unravel(k, kept.map((dIdx) => n.counts[dIdx]));
        let flat = 0;
        n.full.forEach((m, dIdx) => {
          const at = n.drops[dIdx] ? n.starts[dIdx] : n.starts[dIdx] + idx[kept.indexOf(dIdx)];
          flat = flat * m + at;
        });
        return src[flat];
      });
    }
    default:
      throw inputError(`${where}: expect(…) cannot expand ${n.op} of a value that depends on the random variable; write the argument with element-wise functions, sums and products.`);
  }
}

/** Step 2: monomials (x-free coefficient × factors), like terms merged. */
function expand(e: Expr, where: string): Monomial[] {
  const hasX = (t: Expr): boolean => [...symbolsOf(t)].some((s) => s.startsWith('x_'));
  const memo = new Map<Expr, Monomial[]>();
  const go = (t: Expr): Monomial[] => {
    const known = memo.get(t);
    if (known) return known;
    let out: Monomial[];
    if (!hasX(t)) out = [{ coef: t, factors: [] }];
    else if (t.kind === 'sym') out = [{ coef: num(1), factors: [t] }];
    else if (t.kind !== 'call') out = [{ coef: t, factors: [] }];
    else {
      const [a, b] = t.args;
      switch (t.op) {
        case 'add': out = [...go(a), ...go(b)]; break;
        case 'sub': out = [...go(a), ...go(b).map((m) => ({ coef: neg(m.coef), factors: m.factors }))]; break;
        case 'neg': out = go(a).map((m) => ({ coef: neg(m.coef), factors: m.factors })); break;
        case 'mul': {
          const left = go(a);
          const right = go(b);
          if (left.length * right.length > MAX_MONOMIALS) throw inputError(`${where}: expanding the expectation's argument gives more than ${MAX_MONOMIALS} terms.`);
          out = left.flatMap((l) => right.map((r) => ({ coef: mul(l.coef, r.coef), factors: [...l.factors, ...r.factors] })));
          break;
        }
        case 'div':
          out = hasX(b) ? [{ coef: num(1), factors: [t] }] : go(a).map((m) => ({ coef: div(m.coef, b), factors: m.factors }));
          break;
        case 'pow':
          if (b.kind === 'num' && Number.isInteger(b.value) && b.value >= 0 && b.value <= 8) {
            out = [{ coef: num(1), factors: [] }];
            for (let i = 0; i < b.value; i++) out = out.flatMap((l) => go(a).map((r) => ({ coef: mul(l.coef, r.coef), factors: [...l.factors, ...r.factors] })));
          } else out = [{ coef: num(1), factors: [t] }];
          break;
        default:
          out = [{ coef: num(1), factors: [t] }];
      }
    }
    if (out.length > MAX_MONOMIALS) throw inputError(`${where}: expanding the expectation's argument gives more than ${MAX_MONOMIALS} terms.`);
    memo.set(t, out);
    return out;
  };
  const merged = new Map<string, Monomial>();
  for (const m of go(e)) {
    const key = m.factors.map(toText).sort().join(' * ');
    const known = merged.get(key);
    if (known) known.coef = add(known.coef, m.coef);
    else merged.set(key, { coef: m.coef, factors: m.factors });
  }
  return [...merged.values()].filter((m) => !(isNum(m.coef) && m.coef.value === 0));
}

/** The affine form c·x + b of t (c, b x-free), or null. */
function affine(t: Expr, d: number): { coef: Expr[]; offset: Expr } | null {
  if (t.kind === 'num') return { coef: new Array(d).fill(num(0)), offset: t };
  if (t.kind === 'sym') {
    if (!t.name.startsWith('x_')) return { coef: new Array(d).fill(num(0)), offset: t };
    const coef = new Array<Expr>(d).fill(num(0));
    coef[Number(t.name.slice(2))] = num(1);
    return { coef, offset: num(0) };
  }
  const hasX = [...symbolsOf(t)].some((s) => s.startsWith('x_'));
  if (!hasX) return { coef: new Array(d).fill(num(0)), offset: t };
  const [a, b] = t.args;
  const both = (f: (p: Expr, q: Expr) => Expr) => {
    const p = affine(a, d);
    const q = affine(b, d);
    return p && q ? { coef: p.coef.map((c, j) => f(c, q.coef[j])), offset: f(p.offset, q.offset) } : null;
  };
  switch (t.op) {
    case 'add': return both(add);
    case 'sub': return both(sub);
    case 'neg': { const p = affine(a, d); return p && { coef: p.coef.map(neg), offset: neg(p.offset) }; }
    case 'mul': {
      const aX = [...symbolsOf(a)].some((s) => s.startsWith('x_'));
      const bX = [...symbolsOf(b)].some((s) => s.startsWith('x_'));
      if (aX && bX) return null;
      const [lin, k] = aX ? [a, b] : [b, a];
      const p = affine(lin, d);
      return p && { coef: p.coef.map((c) => mul(c, k)), offset: mul(p.offset, k) };
    }
    case 'div': {
      if ([...symbolsOf(b)].some((s) => s.startsWith('x_'))) return null;
      const p = affine(a, d);
      return p && { coef: p.coef.map((c) => div(c, b)), offset: div(p.offset, b) };
    }
    default: return null;
  }
}

function factorOf(f: Expr, d: number, forms: Map<string, Form>, where: string): Factor {
  const intern = (p: { coef: Expr[]; offset: Expr }): Form => {
    const key = `${p.coef.map(toText).join(',')};${toText(p.offset)}`;
    let form = forms.get(key);
    if (!form) { form = { ...p, key }; forms.set(key, form); }
    return form;
  };
  const lin = affine(f, d);
  if (lin) return { h: 'id', form: intern(lin) };
  if (f.kind === 'call' && f.args.length === 1) {
    const inner = affine(f.args[0], d);
    if (inner) return { h: f.op, form: intern(inner) };
  }
  throw inputError(`${where}: expect(…) needs every term to be a product of linear forms of the random variable and of functions of one linear form each (as relu(w·x)); "${toText(f).slice(0, 80)}" is neither.`);
}

const TWO_PI = 2 * Math.PI;
const isZero = (e: Expr) => isNum(e) && e.value === 0;
const sqrt = (e: Expr) => call('sqrt', [e]);

/** Step 3: E[Π factors] from the forms' covariances. */
function expectationOf(factors: readonly Factor[], cov: (a: Form, b: Form) => Expr, force: boolean, note: (k: string) => void): Expr | null {
  if (factors.length === 0) return num(1);
  const ids = factors.filter((f) => f.h === 'id');
  const nonlinear = factors.filter((f) => f.h !== 'id');
  const centred = factors.every((f) => isZero(f.form.offset));
  if (nonlinear.length === 0 && centred) {
    note('Isserlis (Wick)');
    return wick(ids.map((f) => f.form), cov);
  }
  if (centred && !force) {
    const closed = closedForm(nonlinear, ids, cov);
    if (closed) { note(closed.name); return closed.value; }
  }
  return null;
}

/** Isserlis: E[L₁…L_n] = Σ over pairings Π C(L_a, L_b); 0 for odd n. */
function wick(forms: readonly Form[], cov: (a: Form, b: Form) => Expr): Expr {
  if (forms.length === 0) return num(1);
  if (forms.length % 2 === 1) return num(0);
  const [first, ...rest] = forms;
  return sumOf(rest.map((f, i) => mul(cov(first, f), wick(rest.filter((_, j) => j !== i), cov))));
}

function closedForm(nonlinear: readonly Factor[], ids: readonly Factor[], cov: (a: Form, b: Form) => Expr): { name: string; value: Expr } | null {
  if (nonlinear.length === 1 && ids.length <= 1) {
    const [{ h, form: L }] = nonlinear;
    const C = cov(L, L);
    if (ids.length === 0) {
      switch (h) {
        case 'relu': return { name: 'half-normal mean', value: sqrt(div(C, num(TWO_PI))) };
        case 'Phi': case 'heaviside': return { name: 'symmetry', value: num(0.5) };
        case 'erf': case 'sign': return { name: 'symmetry', value: num(0) };
        case 'phi': return { name: 'Gaussian convolution', value: div(num(1), sqrt(mul(num(TWO_PI), add(num(1), C)))) };
        default: return null;
      }
    }
    // Stein's lemma: E[h(L₁) L₂] = C₁₂ E[h′(L₁)]
    const C12 = cov(L, ids[0].form);
    switch (h) {
      case 'relu': return { name: "Stein's lemma", value: div(C12, num(2)) };
      case 'erf': return { name: "Stein's lemma", value: div(mul(num(2 / Math.sqrt(Math.PI)), C12), sqrt(add(num(1), mul(num(2), C)))) };
      case 'Phi': return { name: "Stein's lemma", value: div(C12, sqrt(mul(num(TWO_PI), add(num(1), C)))) };
      default: return null;
    }
  }
  if (nonlinear.length === 2 && ids.length === 0 && nonlinear[0].h === nonlinear[1].h) {
    const [a, b] = nonlinear;
    const Caa = cov(a.form, a.form);
    const Cbb = cov(b.form, b.form);
    const same = a.form === b.form;
    const Cab = same ? Caa : cov(a.form, b.form);
    switch (a.h) {
      case 'relu':
        if (same) return { name: 'arc-cosine kernel', value: div(Caa, num(2)) };
        // √(C_aa C_bb)(sin θ + (π − θ) cos θ)/(2π), θ = acos ρ
        return {
          name: 'arc-cosine kernel',
          value: div(add(sqrt(sub(mul(Caa, Cbb), mul(Cab, Cab))), mul(sub(num(Math.PI), call('acos', [div(Cab, sqrt(mul(Caa, Cbb)))])), Cab)), num(TWO_PI)),
        };
      case 'heaviside':
        if (same) return { name: 'arc-cosine kernel (degree 0)', value: num(0.5) };
        return { name: 'arc-cosine kernel (degree 0)', value: div(sub(num(Math.PI), call('acos', [div(Cab, sqrt(mul(Caa, Cbb)))])), num(TWO_PI)) };
      case 'erf':
        return { name: 'Saad–Solla erf kernel', value: mul(num(2 / Math.PI), call('asin', [div(mul(num(2), Cab), sqrt(mul(add(num(1), mul(num(2), Caa)), add(num(1), mul(num(2), Cbb)))))])) };
      case 'Phi':
        return { name: 'Sheppard orthant probability', value: add(num(0.25), div(call('asin', [div(Cab, sqrt(mul(add(num(1), Caa), add(num(1), Cbb))))]), num(TWO_PI))) };
      default: return null;
    }
  }
  return null;
}

/** Probabilists' Gauss–Hermite rule of `order` points (weights sum to 1), by Golub–Welsch. */
const rules = new Map<number, { nodes: number[]; weights: number[] }>();
export function gaussHermite(order: number): { nodes: number[]; weights: number[] } {
  let r = rules.get(order);
  if (r) return r;
  const J = Matrix.zeros(order, order);
  for (let k = 1; k < order; k++) { J.set(k, k - 1, Math.sqrt(k)); J.set(k - 1, k, Math.sqrt(k)); }
  const eig = new EigenvalueDecomposition(J, { assumeSymmetric: true });
  const V = eig.eigenvectorMatrix;
  const nodes = eig.realEigenvalues;
  const weights = nodes.map((_, i) => V.get(0, i) ** 2);
  const total = weights.reduce((a, w) => a + w, 0);
  r = { nodes, weights: weights.map((w) => w / total) };
  rules.set(order, r);
  return r;
}

/**
 * E[Π factors] by tensor-product Gauss–Hermite over the distinct forms: u = L z + b with L the
 * Cholesky factor of their covariance (scalar nodes), z the rule's points (data arrays), and the
 * weighted sum an einsum — so the derivative flows through array operations, not per point.
 */
function quadrature(graph: Graph, scalars: ScalarNodes, factors: readonly Factor[], cov: (a: Form, b: Form) => Expr, order: number, note: (k: string) => void, where: string): TNode {
  const forms = [...new Set(factors.map((f) => f.form))];
  const r = forms.length;
  if (r > 3 || order ** r > MAX_POINTS) throw inputError(`${where}: a term of the expectation involves ${r} linear forms with no closed form; Gauss–Hermite quadrature of order ${order} over them needs ${order ** r} points (at most ${MAX_POINTS}, and at most 3 forms).`);
  note(`Gauss–Hermite quadrature (order ${order}, ${r} form${r === 1 ? '' : 's'})`);
  const L: Expr[][] = forms.map(() => forms.map(() => num(0)));
  for (let i = 0; i < r; i++) {
    for (let j = 0; j <= i; j++) {
      let s: Expr = cov(forms[i], forms[j]);
      for (let k = 0; k < j; k++) s = sub(s, mul(L[i][k], L[j][k]));
      L[i][j] = i === j ? sqrt(call('max', [s, num(0)])) : div(s, L[j][j]);
    }
  }
  const { nodes, weights } = gaussHermite(order);
  const count = order ** r;
  const grid = forms.map((_, j) => graph.data(`gauss-hermite ${order}^${r} z${j}`, [count], Float64Array.from({ length: count }, (_, p) => nodes[unravel(p, forms.map(() => order))[j]])));
  const w = graph.data(`gauss-hermite ${order}^${r} w`, [count], Float64Array.from({ length: count }, (_, p) => unravel(p, forms.map(() => order)).reduce((acc, i) => acc * weights[i], 1)));
  const u = forms.map((f, i) => {
    // u_i = Σ_{j≤i} L_ij z_j + b_i over the points
    const args: TNode[] = [scalars.of(f.offset)];
    let body: Expr = sym('a0');
    for (let j = 0; j <= i; j++) {
      args.push(scalars.of(L[i][j]), grid[j]);
      body = add(body, mul(sym(`a${args.length - 2}`), sym(`a${args.length - 1}`)));
    }
    return graph.map(body, args, [count]);
  });
  const integrand = graph.map(productOf(factors.map((f) => {
    const v = sym(`a${forms.indexOf(f.form)}`);
    return f.h === 'id' ? v : call(f.h, [v]);
  })), u, [count]);
  return graph.einsum(['p', 'p'], '', [w, integrand], { p: count });
}
