/**
 * nerdamer as an independent second derivation, for derivations only. It silently returns wrong
 * derivatives for max(0, a)·b and for composite unknown functions, and its generated code turns
 * e into a rational (so exp overflows early): never a source of gradients in gradflow. Used here
 * only on polynomial losses, and evaluated numerically (no generated code), where it is right.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface NerdamerExpr { evaluate(scope: Record<string, number>): NerdamerExpr; text(mode: string): string; toString(): string }
interface Nerdamer { diff(expr: string, v: string): NerdamerExpr }

let cas: Nerdamer | null = null;
function load(): Nerdamer {
  if (!cas) {
    cas = require('nerdamer') as Nerdamer;
    require('nerdamer/Calculus'); // without it, diff silently returns its input
  }
  return cas;
}

/** d(expr)/d(v) by nerdamer, as a numeric function of a scope. */
export function nerdamerDerivative(expr: string, v: string): (scope: Record<string, number>) => number {
  const d = load().diff(expr, v);
  return (scope) => Number(d.evaluate(scope).text('decimals'));
}
