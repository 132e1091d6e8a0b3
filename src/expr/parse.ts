/**
 * Text → expression tree. mathjs does the tokenising and precedence; this module walks its
 * node tree and accepts only the node types of our language (numbers, symbols we know,
 * + − * / ^, unary ±, parentheses, whitelisted function calls). Every other node type —
 * property access, assignment, function definition, strings, matrices, conditionals,
 * implicit multiplication — is an error naming the offending token. Nothing is evaluated.
 *
 * Length and depth (limits.ts): up to MAX_LENGTH characters, and at most MAX_NESTING nested
 * parentheses or function calls (mathjs recurses per level and runs out of stack at about 250);
 * deeper text is an input error that says so. Chains of any length are fine: the conversion is
 * iterative and builds long + − and · / chains as balanced trees (see `convert`).
 */
import { createRequire } from 'node:module';
import type { MathNode } from 'mathjs';
import { add, call, div, mul, neg, num, pow, productOf, sub, sumOf, sym, type Expr } from './ast.js';
import { CONSTANTS, FUNCTIONS, describeLanguage } from './language.js';
import { rewriteStable } from './stable.js';
import { guardDepth, isStackOverflow, MAX_LENGTH, MAX_NESTING, nestingOf, tooDeep } from './limits.js';
import { inputError } from '../util/errors.js';

let mathParse: ((text: string) => MathNode) | null = null;
/**
 * mathjs takes ~0.7 s to load, more than everything else in gradflow together: it is loaded on
 * the first parse, so commands and workers that parse no expression (built-in models) skip it.
 */
function mathParser(): (text: string) => MathNode {
  mathParse ??= (createRequire(import.meta.url)('mathjs') as typeof import('mathjs')).parse;
  return mathParse;
}

export interface ParseContext {
  /** Where the text came from, for messages ("loss", "rhs.x", "event 'half'"). */
  readonly label: string;
  /** Names that may appear as symbols: state variables, parameters, and possibly `t`, `loss`. */
  readonly names: ReadonlySet<string>;
}

export function parseExpression(text: unknown, ctx: ParseContext): Expr {
  const root = parseMath(text, ctx.label);
  return guardDepth(ctx.label, () => rewriteStable(convert(root, ctx, text as string)));
}

/**
 * The checks every expression text passes (a string, not empty, within the length and nesting
 * limits), then mathjs's parse: its node tree, which the scalar and the array languages convert.
 */
export function parseMath(text: unknown, label: string, language: () => string = describeLanguage): MathNode {
  if (typeof text !== 'string') throw inputError(`${label}: expected an expression string, got ${describe(text)}.`);
  if (text.trim() === '') throw inputError(`${label}: the expression is empty.`);
  if (text.length > MAX_LENGTH) throw inputError(`${label}: the expression is longer than ${MAX_LENGTH} characters.`);
  const nesting = nestingOf(text);
  if (nesting > MAX_NESTING) {
    throw inputError(
      `${label}: nesting deeper than ${MAX_NESTING} levels (${nesting} nested parentheses or function calls) in "${clip(text)}"; ` +
      'write it with less nesting, e.g. expand nested sums or products.',
    );
  }
  try {
    return mathParser()(text);
  } catch (e) {
    // mathjs parses by recursive descent: long chains of ^ or unary minus can still exhaust the stack
    if (isStackOverflow(e)) throw tooDeep(label);
    throw inputError(`${label}: cannot parse "${clip(text)}": ${(e as Error).message}. ${language()}`);
  }
}

type Node = MathNode & Record<string, unknown>;

/** How a mathjs node is converted: the nodes to convert first, and how to combine them. */
interface Plan {
  readonly kids: readonly MathNode[];
  readonly finish: (args: Expr[]) => Expr;
}

/**
 * mathjs tree → our tree, by an explicit-stack depth-first walk (no recursion: mathjs builds
 * `a + b + c + …` as a left-deep chain as long as the text). Chains of + − and of · / (not
 * crossing parentheses) are collected whole and built by `sumOf` / `productOf`: from the left as
 * written up to CHAIN_FOLD terms, balanced beyond. Arguments are converted left to right, each
 * before the next, so errors come in reading order.
 */
function convert(root: MathNode, ctx: ParseContext, text: string): Expr {
  const reject = (what: string): never => {
    throw inputError(`${ctx.label}: ${what} is not allowed in "${clip(text)}". ${describeLanguage()}`);
  };
  /** A leaf converts at once (an Expr); anything else gives a plan. */
  const plan = (node: MathNode): Expr | Plan => {
    const n = node as Node;
    switch (node.type) {
      case 'ConstantNode': {
        const v = n.value;
        if (typeof v !== 'number') return reject(`the constant ${JSON.stringify(v)} (only numbers are constants)`);
        if (!Number.isFinite(v)) return reject(`the number '${node.toString()}' (out of float64 range)`);
        return num(v);
      }
      case 'SymbolNode': {
        const name = n.name as string;
        if (ctx.names.has(name)) return sym(name);
        const c = CONSTANTS.get(name);
        if (c !== undefined) return num(c);
        if (FUNCTIONS.has(name)) return reject(`the function name '${name}' used without arguments`);
        const known = [...ctx.names].sort().join(', ') || '(none)';
        throw inputError(`${ctx.label}: unknown variable '${name}' in "${clip(text)}". Known names: ${known}; constants: ${[...CONSTANTS.keys()].join(', ')}.`);
      }
      case 'ParenthesisNode':
        return { kids: [n.content as MathNode], finish: ([x]) => x };
      case 'OperatorNode': {
        const chain = chainOf(n);
        if (chain) return chain;
        return {
          kids: n.args as MathNode[],
          finish: (args) => {
            if (n.implicit) return reject(`implicit multiplication '${node.toString()}' (write the '*')`);
            switch (n.fn as string) {
              case 'add': return add(args[0], args[1]);
              case 'subtract': return sub(args[0], args[1]);
              case 'multiply': return mul(args[0], args[1]);
              case 'divide': return div(args[0], args[1]);
              case 'pow': return pow(args[0], args[1]);
              case 'unaryMinus': return neg(args[0]);
              case 'unaryPlus': return args[0];
              default: return reject(`the operator '${n.op as string}'`);
            }
          },
        };
      }
      case 'FunctionNode': {
        const fnNode = n.fn as MathNode & { name?: string };
        if (fnNode.type !== 'SymbolNode' || typeof fnNode.name !== 'string') return reject(`calling '${fnNode.toString()}'`);
        const name = fnNode.name;
        const spec = FUNCTIONS.get(name);
        if (!spec) {
          throw inputError(`${ctx.label}: unknown function '${name}' in "${clip(text)}". Allowed functions: ${[...FUNCTIONS.keys()].join(', ')}.`);
        }
        const rawArgs = n.args as MathNode[];
        if (rawArgs.length < spec.minArgs || rawArgs.length > spec.maxArgs) {
          const want = spec.maxArgs === Infinity ? `at least ${spec.minArgs}` : spec.minArgs === spec.maxArgs ? `${spec.minArgs}` : `${spec.minArgs}–${spec.maxArgs}`;
          throw inputError(`${ctx.label}: ${name}() takes ${want} argument${want === '1' ? '' : 's'}, got ${rawArgs.length} in "${clip(text)}".`);
        }
        return { kids: rawArgs, finish: (args) => call(spec.op, args) };
      }
      case 'AccessorNode': return reject('property or index access');
      case 'AssignmentNode': return reject('assignment');
      case 'FunctionAssignmentNode': return reject('a function definition');
      case 'ArrayNode': return reject('a matrix or list');
      case 'ObjectNode': return reject('an object');
      case 'ConditionalNode': return reject('a conditional (?:)');
      case 'RangeNode': return reject('a range');
      case 'RelationalNode': return reject('a comparison');
      case 'BlockNode': return reject('several statements');
      case 'IndexNode': return reject('indexing');
      default: return reject(`a ${node.type}`);
    }
  };

  const first = plan(root);
  if (!('kids' in first)) return first;
  const stack: Array<{ plan: Plan; done: Expr[] }> = [{ plan: first, done: [] }];
  for (;;) {
    const top = stack[stack.length - 1];
    if (top.done.length < top.plan.kids.length) {
      const p = plan(top.plan.kids[top.done.length]);
      if ('kids' in p) stack.push({ plan: p, done: [] });
      else top.done.push(p);
      continue;
    }
    stack.pop();
    const out = top.plan.finish(top.done);
    if (stack.length === 0) return out;
    stack[stack.length - 1].done.push(out);
  }
}

const SUM_OPS: Readonly<Record<string, boolean>> = { add: false, subtract: true };
const PRODUCT_OPS: Readonly<Record<string, boolean>> = { multiply: false, divide: true };

/**
 * If n is a binary + − (or · /) operator, the whole left-deep chain it heads, e.g. a − b + c as
 * terms [a, b, c] with b subtracted. Implicit multiplications are left out of product chains (they
 * are converted on their own, and rejected).
 */
function chainOf(n: Node): Plan | null {
  const ops = n.fn === 'add' || n.fn === 'subtract' ? SUM_OPS : n.fn === 'multiply' || n.fn === 'divide' ? PRODUCT_OPS : null;
  if (!ops) return null;
  const inChain = (x: MathNode): x is Node => {
    const m = x as Node;
    return x.type === 'OperatorNode' && typeof m.fn === 'string' && m.fn in ops && (m.args as MathNode[]).length === 2 && !m.implicit;
  };
  if (!inChain(n)) return null;
  const terms: MathNode[] = [];
  const inverted: boolean[] = [];
  let cur: MathNode = n;
  while (inChain(cur)) {
    const args = cur.args as MathNode[];
    terms.push(args[1]);
    inverted.push(ops[cur.fn as string]);
    cur = args[0];
  }
  terms.push(cur);
  inverted.push(false);
  terms.reverse();
  inverted.reverse();
  const build = ops === SUM_OPS ? sumOf : productOf;
  return { kids: terms, finish: (args) => build(args, inverted) };
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'string' ? JSON.stringify(v) : typeof v;
}
