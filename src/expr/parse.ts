/**
 * Text → expression tree. mathjs does the tokenising and precedence; this module walks its
 * node tree and accepts only the node types of our language (numbers, symbols we know,
 * + − * / ^, unary ±, parentheses, whitelisted function calls). Every other node type —
 * property access, assignment, function definition, strings, matrices, conditionals,
 * implicit multiplication — is an error naming the offending token. Nothing is evaluated.
 */
import { createRequire } from 'node:module';
import type { MathNode } from 'mathjs';
import { add, call, div, mul, neg, num, pow, sub, sym, type Expr } from './ast.js';
import { CONSTANTS, FUNCTIONS, describeLanguage } from './language.js';
import { rewriteStable } from './stable.js';
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

const MAX_LENGTH = 100_000;

export function parseExpression(text: unknown, ctx: ParseContext): Expr {
  if (typeof text !== 'string') throw inputError(`${ctx.label}: expected an expression string, got ${describe(text)}.`);
  if (text.trim() === '') throw inputError(`${ctx.label}: the expression is empty.`);
  if (text.length > MAX_LENGTH) throw inputError(`${ctx.label}: the expression is longer than ${MAX_LENGTH} characters.`);
  let root: MathNode;
  try {
    root = mathParser()(text);
  } catch (e) {
    throw inputError(`${ctx.label}: cannot parse "${clip(text)}": ${(e as Error).message}. ${describeLanguage()}`);
  }
  return rewriteStable(convert(root, ctx, text));
}

function convert(node: MathNode, ctx: ParseContext, text: string): Expr {
  const reject = (what: string): never => {
    throw inputError(`${ctx.label}: ${what} is not allowed in "${clip(text)}". ${describeLanguage()}`);
  };
  const n = node as MathNode & Record<string, unknown>;
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
      return convert(n.content as MathNode, ctx, text);
    case 'OperatorNode': {
      const args = (n.args as MathNode[]).map((a) => convert(a, ctx, text));
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
      return call(spec.op, rawArgs.map((a) => convert(a, ctx, text)));
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
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'string' ? JSON.stringify(v) : typeof v;
}
