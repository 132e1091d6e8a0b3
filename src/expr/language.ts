/**
 * The expression language: which functions exist, their arity and meaning.
 * Anything not listed here is rejected by the parser with a message that lists this table.
 */
import type { Op } from './ast.js';

export interface FunctionSpec {
  readonly op: Op;
  readonly minArgs: number;
  /** Infinity for variadic (min, max). */
  readonly maxArgs: number;
  readonly doc: string;
}

const unary = (op: Op, doc: string): FunctionSpec => ({ op, minArgs: 1, maxArgs: 1, doc });

export const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  ['exp', unary('exp', 'e^x')],
  ['log', unary('log', 'natural logarithm')],
  ['log1p', unary('log1p', 'log(1 + x), accurate for small x')],
  ['expm1', unary('expm1', 'e^x − 1, accurate for small x')],
  ['sqrt', unary('sqrt', 'square root')],
  ['abs', unary('abs', '|x|; derivative sign(x), 0 at x = 0')],
  ['sign', unary('sign', 'sign(x) ∈ {−1, 0, 1}; derivative 0')],
  ['min', { op: 'min', minArgs: 2, maxArgs: Infinity, doc: 'smallest argument (2 or more); ties: the first argument carries the derivative' }],
  ['max', { op: 'max', minArgs: 2, maxArgs: Infinity, doc: 'largest argument (2 or more); ties: the first argument carries the derivative' }],
  ['relu', unary('relu', 'max(0, x); derivative heaviside(x), 0 at x = 0')],
  ['heaviside', unary('heaviside', '1 for x > 0, 0 for x ≤ 0; derivative 0')],
  ['sigmoid', unary('sigmoid', '1/(1 + e^−x), overflow-free')],
  ['softplus', unary('softplus', 'log(1 + e^x), overflow-free')],
  ['tanh', unary('tanh', 'hyperbolic tangent')],
  ['sin', unary('sin', 'sine')],
  ['cos', unary('cos', 'cosine')],
  ['erf', unary('erf', 'error function')],
  ['Phi', unary('Phi', 'standard normal CDF, accurate in the lower tail')],
  ['phi', unary('phi', 'standard normal density')],
  ['acos', unary('acos', 'arc cosine, on [−1, 1]; derivative −1/√(1 − x²), infinite at ±1')],
  ['asin', unary('asin', 'arc sine, on [−1, 1]; derivative 1/√(1 − x²), infinite at ±1')],
  ['atan', unary('atan', 'arc tangent')],
  ['atan2', { op: 'atan2', minArgs: 2, maxArgs: 2, doc: 'atan2(y, x): the angle of (x, y) in (−π, π]; derivative (x dy − y dx)/(x² + y²)' }],
]);

export const CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['pi', Math.PI],
  ['e', Math.E],
]);

/** The time variable, usable in right-hand sides and events. */
export const TIME = 't';

export const OPERATORS = ['+', '-', '*', '/', '^', 'unary -', '( )'] as const;

/** Names a model may not use for its own variables. */
export function isReservedName(name: string): boolean {
  return FUNCTIONS.has(name) || CONSTANTS.has(name) || name === TIME || name === 'loss';
}

/** A one-paragraph summary of the language, for error messages. */
export function describeLanguage(): string {
  return (
    `Allowed: numbers, state variables, parameters, ${[...CONSTANTS.keys()].join(', ')}, ` +
    `operators ${OPERATORS.join(' ')}, and the functions ${[...FUNCTIONS.keys()].join(', ')}.`
  );
}
