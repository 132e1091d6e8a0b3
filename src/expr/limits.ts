/**
 * Size and depth limits of the expression language, and the last-resort conversion of a
 * JavaScript stack overflow into an input error.
 *
 * Long expressions are fine: every stage of src/expr walks trees iteratively or builds long
 * chains (Σ, Π, max/min of many arguments) as balanced trees, so a sum of 20,000 terms compiles.
 * Deep *nesting* is bounded by mathjs's recursive-descent parser, which needs a few kB of stack per
 * parenthesis level and gives up at about 250 levels; gradflow therefore accepts at most
 * MAX_NESTING nested parentheses (function calls included) and says so, instead of failing
 * somewhere inside the parser.
 */
import { inputError } from '../util/errors.js';

/** Longest expression text accepted, in characters. */
export const MAX_LENGTH = 100_000;

/** Deepest nesting of parentheses (grouping and function calls) accepted by the parser. */
export const MAX_NESTING = 100;

/** The deepest bracket nesting in text: ( [ { each open one level. */
export function nestingOf(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) { // ( [ {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 41 || c === 93 || c === 125) depth--; // ) ] }
  }
  return max;
}

export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

/** The input error for an expression too deeply nested to handle (`where`: what was being done). */
export function tooDeep(where: string): Error {
  return inputError(
    `${where}: the expression is nested too deeply (gradflow accepts at most ${MAX_NESTING} levels of ` +
    'nested parentheses and function calls, and long chains of ^ or unary minus count too); ' +
    'write it with less nesting, e.g. expand nested sums or products.',
  );
}

/**
 * Runs f, turning a JavaScript stack overflow into an input error. A last resort: the walks in
 * src/expr are iterative, so this only fires for inputs beyond the documented limits.
 */
export function guardDepth<T>(where: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isStackOverflow(e)) throw tooDeep(where);
    throw e;
  }
}
