/**
 * Text → tensor graph. mathjs tokenises and parses (the same parser as the scalar language, with
 * its limits on length and nesting); this module walks mathjs's tree and accepts only:
 *   numbers; names of state blocks, data arrays, parameters (compile-time numbers), definitions;
 *   + − .* ./ .^ (element-wise, broadcast), * (scalar scaling or matrix product), / and ^ with a
 *   scalar on the right (and a scalar base for ^), unary −, the transpose A';
 *   indexing A[i, j:k, :] (1-based and inclusive, as in mathjs; `end` is the last index; an
 *   integer drops the axis, a range keeps it);
 *   the scalar functions (element-wise) and the array functions below.
 * Anything else — assignment, property access, strings outside einsum's spec, matrices, implicit
 * multiplication — is an error naming the offending part. Nothing is evaluated: parameter values
 * and index arithmetic are folded as numbers, everything else becomes graph nodes.
 */
import type { MathNode } from 'mathjs';
import { call, div, mul, neg, num, pow, productOf, sumOf, sym } from '../expr/ast.js';
import { FUNCTIONS, CONSTANTS } from '../expr/language.js';
import { parseMath } from '../expr/parse.js';
import { guardDepth } from '../expr/limits.js';
import { inputError } from '../util/errors.js';
import { shapeText, type InputNode, type TNode } from './graph.js';
import { rebuild } from './rebuild.js';
import { expectation, type ExpectationOptions } from './expect.js';
import { ArrayOps, shapeOfValue, type Value } from './ops.js';

/** Functions of whole arrays, with how many arguments they take. */
export const ARRAY_FUNCTIONS: ReadonlyMap<string, { readonly args: string; readonly doc: string }> = new Map([
  ['sum', { args: 'A[, axis]', doc: 'sum of all elements, or along one axis (1-based; −1 = last)' }],
  ['mean', { args: 'A[, axis]', doc: 'mean of all elements, or along one axis' }],
  ['amax', { args: 'A[, axis]', doc: 'largest element, or along one axis; the first maximum carries the derivative' }],
  ['softmax', { args: 'A[, axis]', doc: 'softmax along an axis (default the last), with the maximum subtracted' }],
  ['logsumexp', { args: 'A[, axis]', doc: 'log Σ exp along an axis (default: the last), stable' }],
  ['norm', { args: 'A', doc: 'Frobenius (Euclidean) norm' }],
  ['dot', { args: 'a, b', doc: 'Σ a .* b over all elements (same shapes)' }],
  ['transpose', { args: 'A', doc: "the transpose, as A'" }],
  ['einsum', { args: '"ij,jk->ik", A, B, …', doc: 'index notation: Σ over every index letter not in the result' }],
  ['expect', { args: 'body, x[, order]', doc: 'E over a declared Gaussian x ~ N(0, I) of a scalar body, in closed form where one exists, else Gauss–Hermite of the given order (default 24)' }],
]);

/** A one-paragraph summary of the array language, for error messages. */
export function describeArrayLanguage(): string {
  return `Array expressions allow numbers, names, + - .* ./ .^ * / ^ ', indexing A[i, j:k, :], the scalar functions (${[...FUNCTIONS.keys()].join(', ')}) element-wise, and ${[...ARRAY_FUNCTIONS.keys()].join(', ')}.`;
}

export interface ArrayScope {
  /** Names visible in expressions: arrays (nodes) and compile-time numbers (parameters, sizes). */
  readonly values: ReadonlyMap<string, Value>;
  /** Gaussian random vectors x ~ N(0, I) (visible only inside expect(…, x)), as marker nodes. */
  readonly gaussians?: ReadonlyMap<string, InputNode>;
  /** Random variables of finite laws: a marker node, its values (one node per value) and their probabilities. */
  readonly discrete?: ReadonlyMap<string, { readonly marker: InputNode; readonly values: readonly TNode[]; readonly probs: readonly number[] }>;
  /** Receives one line per expectation: which closed forms and quadratures it used. */
  readonly notes?: string[];
  readonly expectation?: ExpectationOptions;
}

type Node = MathNode & Record<string, unknown>;

/** Operators whose chains are flattened, with whether the right operand is subtracted. */
const SUMS: Readonly<Record<string, boolean>> = { add: false, subtract: true };
const DOT_PRODUCTS: Readonly<Record<string, boolean>> = { dotMultiply: false };

export function parseArrayExpression(text: unknown, label: string, scope: ArrayScope, ops: ArrayOps): Value {
  const root = parseMath(text, label, describeArrayLanguage);
  const src = text as string;
  const clip = (s: string): string => (s.length > 60 ? `${s.slice(0, 57)}...` : s);
  const at = (n: MathNode): string => {
    // mathjs prints recursively: a node too deep to print is named by its type (chains are named in `chain`)
    try {
      return `${label}, at "${clip(n.toString())}"`;
    } catch {
      return `${label}, at a ${n.type}`;
    }
  };
  const reject = (n: MathNode, what: string): never => {
    throw inputError(`${label}: ${what} is not allowed in "${clip(src)}". ${describeArrayLanguage()}`);
  };

  let visible = scope.values;
  /** `end` inside an index is the size of the axis being indexed. */
  const convert = (node: MathNode, end: number | null): Value => {
    const n = node as Node;
    switch (node.type) {
      case 'ConstantNode': {
        if (typeof n.value !== 'number') return reject(node, `the constant ${JSON.stringify(n.value)}`);
        if (!Number.isFinite(n.value)) return reject(node, `the number '${node.toString()}' (out of float64 range)`);
        return n.value;
      }
      case 'SymbolNode': {
        const name = n.name as string;
        if (name === 'end' && end !== null) return end;
        const known = visible.get(name); // a Map: no inherited names
        if (known !== undefined) return known;
        if (scope.gaussians?.has(name)) throw inputError(`${label}: the random variable '${name}' may appear only inside expect(…, ${name}).`);
        const c = CONSTANTS.get(name);
        if (c !== undefined) return c;
        if (FUNCTIONS.has(name) || ARRAY_FUNCTIONS.has(name)) return reject(node, `the function name '${name}' used without arguments`);
        throw inputError(`${label}: unknown name '${name}' in "${clip(src)}". Known names: ${[...visible.keys()].sort().join(', ') || '(none)'}.`);
      }
      case 'ParenthesisNode':
        return convert(n.content as MathNode, end);
      case 'OperatorNode':
        return operator(n, end);
      case 'FunctionNode':
        return functionCall(n, end);
      case 'AccessorNode':
        return index(n, end);
      case 'AssignmentNode': return reject(node, 'assignment');
      case 'FunctionAssignmentNode': return reject(node, 'a function definition');
      case 'ArrayNode': return reject(node, 'a matrix literal (give arrays in the file\'s "arrays" block)');
      case 'ObjectNode': return reject(node, 'an object');
      case 'ConditionalNode': return reject(node, 'a conditional (?:)');
      case 'RangeNode': return reject(node, 'a range outside an index');
      case 'RelationalNode': return reject(node, 'a comparison');
      case 'BlockNode': return reject(node, 'several statements');
      default: return reject(node, `a ${node.type}`);
    }
  };

  const operator = (n: Node, end: number | null): Value => {
    if (n.implicit) return reject(n, `implicit multiplication '${n.toString()}' (write the '*')`);
    const fnName = n.fn as string;
    const kids = n.args as MathNode[];
    // chains of + − (and of .*) are flattened into one element-wise node: a long sum neither recurses
    // once per term nor rebuilds its body per term, and its body is a balanced tree (sumOf, productOf)
    const chain = (ops2: Readonly<Record<string, boolean>>): Value | null => {
      if (!(fnName in ops2)) return null;
      const terms: Array<[MathNode, boolean]> = [];
      let cur: MathNode = n;
      while (cur.type === 'OperatorNode' && ((cur as Node).fn as string) in ops2 && ((cur as Node).args as MathNode[]).length === 2 && !(cur as Node).implicit) {
        const c = cur as Node;
        const [l, r] = c.args as MathNode[];
        terms.push([r, ops2[c.fn as string]]);
        cur = l;
      }
      terms.push([cur, false]);
      terms.reverse();
      const values = terms.map(([t]) => convert(t, end));
      const flags = terms.map(([, inverse]) => inverse);
      // a long chain is named by its first terms: printing all of it would recurse once per term
      const where = values.length === 2 ? at(n) : `${label}, at "${clip(`${terms[0][0].toString()} ${(n as Node).op as string} ${terms[1][0].toString()} …`)}" (${terms.length} terms)`;
      return ops.elementwise(values, (xs) => (ops2 === SUMS ? sumOf(xs, flags) : productOf(xs)), where);
    };
    const flat = chain(SUMS) ?? chain(DOT_PRODUCTS);
    if (flat !== null) return flat;
    if (fnName === 'unaryMinus' || fnName === 'unaryPlus') {
      // a run of unary signs is one sign: folded without recursing once per sign
      let negative = false;
      let cur: MathNode = n;
      while (cur.type === 'OperatorNode' && ((cur as Node).fn === 'unaryMinus' || (cur as Node).fn === 'unaryPlus')) {
        if ((cur as Node).fn === 'unaryMinus') negative = !negative;
        cur = ((cur as Node).args as MathNode[])[0];
      }
      const v = convert(cur, end);
      return negative ? ops.elementwise([v], ([x]) => neg(x), at(n)) : v;
    }
    const args = kids.map((k) => convert(k, end));
    const [a, b] = args;
    const scalar = (v: Value): boolean => shapeOfValue(v).length === 0;
    switch (fnName) {
      case 'unaryMinus': return ops.elementwise([a], ([x]) => neg(x), at(n));
      case 'unaryPlus': return a;
      case 'dotDivide': return ops.elementwise([a, b], ([x, y]) => div(x, y), at(n));
      case 'dotPow': return ops.elementwise([a, b], ([x, y]) => pow(x, y), at(n));
      case 'multiply': return ops.times(a, b, at(n));
      case 'divide':
        if (!scalar(b)) throw inputError(`${at(n)}: '/' needs a scalar divisor (got shape ${shapeText(shapeOfValue(b))}); use ./ for element-wise division.`);
        return ops.elementwise([a, b], ([x, y]) => div(x, y), at(n));
      case 'pow':
        if (!scalar(a) || !scalar(b)) throw inputError(`${at(n)}: '^' takes scalars (got shapes ${shapeText(shapeOfValue(a))} and ${shapeText(shapeOfValue(b))}); use .^ for an element-wise power.`);
        return ops.elementwise([a, b], ([x, y]) => pow(x, y), at(n));
      case 'ctranspose':
      case 'transpose':
        return ops.transpose(a);
      default: return reject(n, `the operator '${n.op as string}'`);
    }
  };

  const functionCall = (n: Node, end: number | null): Value => {
    const f = n.fn as MathNode & { name?: string };
    if (f.type !== 'SymbolNode' || typeof f.name !== 'string') return reject(n, `calling '${f.toString()}'`);
    const name = f.name;
    const raw = n.args as MathNode[];
    const where = at(n);
    if (name === 'einsum') {
      const spec = raw[0] as Node | undefined;
      if (!spec || spec.type !== 'ConstantNode' || typeof spec.value !== 'string') throw inputError(`${where}: einsum's first argument is its spec in quotes, e.g. einsum("ij,jk->ik", A, B).`);
      return ops.einsum(spec.value, raw.slice(1).map((k) => convert(k, end)), where);
    }
    if (name === 'expect') {
      const variable = raw[1] as Node | undefined;
      const vname = variable?.type === 'SymbolNode' ? (variable.name as string) : '';
      const law = scope.discrete?.get(vname);
      const marker = scope.gaussians?.get(vname) ?? law?.marker;
      if (raw.length < 2 || raw.length > 3 || !marker) {
        const declared = [...(scope.gaussians?.keys() ?? []), ...(scope.discrete?.keys() ?? [])];
        throw inputError(`${where}: expect(body, x[, order]) takes the expression and a random variable declared in "gaussian" or "discrete" (${declared.length ? `declared: ${declared.join(', ')}` : 'none declared'}).`);
      }
      let order: number | undefined;
      if (raw.length === 3) {
        const q = convert(raw[2], end);
        if (typeof q !== 'number' || !Number.isInteger(q) || q < 2 || q > 200) throw inputError(`${where}: the quadrature order must be an integer from 2 to 200.`);
        order = q;
      }
      const outer = visible;
      const inner = new Map(visible);
      inner.set(variable!.name as string, marker);
      visible = inner;
      let body: Value;
      try {
        body = convert(raw[0], end);
      } finally {
        visible = outer;
      }
      if (typeof body === 'number') return body;
      if (law) {
        // a finite law: Σ_i p_i · body(value_i), the body rebuilt once per value
        if (body.size !== 1) throw inputError(`${where}: the expectation's argument has shape [${body.shape.join(', ')}]; it must be a scalar (reduce it with sum(…)).`);
        const copies = law.values.map((v) => ops.graph.reshape(rebuild(ops.graph, body as TNode, (n) => (n === law.marker ? v : undefined)), []));
        scope.notes?.push(`${label}: expect(…, ${vname}): exact sum over ${law.values.length} values`);
        return ops.graph.map(sumOf(law.probs.map((p, i) => mul(num(p), sym(`a${i}`)))), copies, []);
      }
      const e = expectation(ops.graph, body, marker, where, { ...scope.expectation, ...(order !== undefined ? { order } : {}) });
      scope.notes?.push(`${label}: expect(…, ${variable!.name as string}): ${e.report}`);
      return e.node;
    }
    const arity = (lo: number, hi: number): void => {
      if (raw.length < lo || raw.length > hi) throw inputError(`${where}: ${name}() takes ${lo === hi ? lo : `${lo}–${hi}`} argument${hi === 1 ? '' : 's'}, got ${raw.length}.`);
    };
    const scalarFn = FUNCTIONS.get(name);
    if (scalarFn) {
      arity(scalarFn.minArgs, scalarFn.maxArgs);
      return ops.elementwise(raw.map((k) => convert(k, end)), (xs) => call(scalarFn.op, xs), where);
    }
    if (!ARRAY_FUNCTIONS.has(name)) {
      throw inputError(`${label}: unknown function '${name}' in "${clip(src)}". Functions: ${[...FUNCTIONS.keys(), ...ARRAY_FUNCTIONS.keys()].join(', ')}.`);
    }
    const axisArg = (x: Value, i: number, fallback: number | null): number | null => {
      if (raw.length <= i) return fallback;
      const k = convert(raw[i], end);
      if (typeof k !== 'number') throw inputError(`${where}: the axis must be a number known when the file is read, not an array of shape ${shapeText(shapeOfValue(k))}.`);
      return ops.axis(k, shapeOfValue(x), where);
    };
    switch (name) {
      case 'sum': case 'mean': case 'amax': {
        arity(1, 2);
        const x = convert(raw[0], end);
        const axis = axisArg(x, 1, null);
        if (name === 'sum') return ops.sum(x, axis, where);
        if (name === 'mean') return ops.mean(x, axis, where);
        if (axis === null) return ops.axisOp('amax', flatten(ops, x), 0);
        return ops.axisOp('amax', x, axis);
      }
      case 'softmax': case 'logsumexp': {
        arity(1, 2);
        const x = convert(raw[0], end);
        const rank = shapeOfValue(x).length;
        return ops.axisOp(name, x, axisArg(x, 1, rank === 0 ? 0 : rank - 1)!);
      }
      case 'norm': {
        arity(1, 1);
        const x = convert(raw[0], end);
        return ops.elementwise([ops.sum(ops.elementwise([x], ([v]) => mul(v, v), where), null, where)], ([s]) => call('sqrt', [s]), where);
      }
      case 'dot': {
        arity(2, 2);
        const x = convert(raw[0], end);
        const y = convert(raw[1], end);
        const sx = shapeOfValue(x);
        const sy = shapeOfValue(y);
        if (sx.length !== sy.length || sx.some((m, i) => m !== sy[i])) throw inputError(`${where}: dot needs two arrays of the same shape, got ${shapeText(sx)} and ${shapeText(sy)}.`);
        return ops.sum(ops.elementwise([x, y], ([u, v]) => mul(u, v), where), null, where);
      }
      case 'transpose':
        arity(1, 1);
        return ops.transpose(convert(raw[0], end));
      default:
        return reject(n, `the function '${name}'`);
    }
  };

  const index = (n: Node, end: number | null): Value => {
    const x = convert(n.object as MathNode, end);
    const where = at(n);
    const idx = n.index as Node;
    const dims = (idx.dimensions ?? []) as MathNode[];
    if (idx.dotNotation) return reject(n, 'property access');
    const shape = shapeOfValue(x);
    if (dims.length !== shape.length) throw inputError(`${where}: ${dims.length} ind${dims.length === 1 ? 'ex' : 'ices'} for an array of shape ${shapeText(shape)} (${shape.length} axes).`);
    const starts: number[] = [];
    const counts: number[] = [];
    const drops: boolean[] = [];
    dims.forEach((d, k) => {
      const size = shape[k];
      const int = (v: MathNode, what: string): number => {
        const value = convert(v, size);
        if (typeof value !== 'number' || !Number.isInteger(value)) throw inputError(`${where}: ${what} on axis ${k + 1} must be an integer known when the file is read${typeof value === 'number' ? ` (got ${value})` : ''}.`);
        if (value < 1 || value > size) throw inputError(`${where}: index ${value} on axis ${k + 1} is outside 1 … ${size} (shape ${shapeText(shape)}; indices start at 1).`);
        return value;
      };
      if (d.type === 'RangeNode') {
        const r = d as Node;
        if (r.step) {
          const step = convert(r.step as MathNode, size);
          if (step !== 1) throw inputError(`${where}: ranges with a step other than 1 are not supported.`);
        }
        const lo = int(r.start as MathNode, 'the start');
        const hi = int(r.end as MathNode, 'the end');
        if (hi < lo) throw inputError(`${where}: the range ${lo}:${hi} on axis ${k + 1} is empty.`);
        starts.push(lo - 1); counts.push(hi - lo + 1); drops.push(false);
      } else {
        starts.push(int(d, 'the index') - 1); counts.push(1); drops.push(true);
      }
    });
    if (typeof x === 'number') return x;
    if (counts.every((c, k) => c === shape[k] && !drops[k])) return x;
    return ops.graph.slice(x, starts, counts, drops);
  };

  // operator chains (a*b*c*…) recurse once per operator: a stack overflow becomes an input error
  return guardDepth(label, () => convert(root, null));
}

/** A view of x as a vector (for reductions over all elements along one axis). */
function flatten(ops: ArrayOps, x: Value): Value {
  if (typeof x === 'number') return x;
  return ops.graph.reshape(x, [x.size]);
}

