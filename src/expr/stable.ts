/**
 * Rewrites numerically fragile patterns into stable primitives, right after parsing:
 *   log(1 + exp(u))  → softplus(u)     (no overflow for large u)
 *   log(1 + u)       → log1p(u)        (no cancellation for small u)
 *   exp(u) − 1       → expm1(u)
 *   1/(1 + exp(−u))  → sigmoid(u)
 *   log(sigmoid(u))  → −softplus(−u)
 * Either operand order of the sum is recognised. The rewrites are exact identities, so they
 * never change the value, only the rounding.
 */
import { call, isConst, mapDag, neg, type Expr } from './ast.js';

export function rewriteStable(e: Expr): Expr {
  return mapDag<Expr>(e, (x) => x, (x, args) => rewriteNode(call(x.op, args)));
}

/** If x is `1 + u` or `u + 1`, returns u. */
function onePlus(x: Expr): Expr | null {
  if (x.kind !== 'call' || x.op !== 'add') return null;
  if (isConst(x.args[0], 1)) return x.args[1];
  if (isConst(x.args[1], 1)) return x.args[0];
  return null;
}

function rewriteNode(x: Expr): Expr {
  if (x.kind !== 'call') return x;
  const [a, b] = x.args;
  if (x.op === 'log') {
    const u = onePlus(a);
    if (u) return u.kind === 'call' && u.op === 'exp' ? call('softplus', [u.args[0]]) : call('log1p', [u]);
    if (a.kind === 'call' && a.op === 'sigmoid') return neg(call('softplus', [neg(a.args[0])]));
  }
  if (x.op === 'sub' && isConst(b, 1) && a.kind === 'call' && a.op === 'exp') return call('expm1', [a.args[0]]);
  if (x.op === 'div' && isConst(a, 1)) {
    const u = onePlus(b);
    if (u && u.kind === 'call' && u.op === 'exp') return call('sigmoid', [neg(u.args[0])]);
  }
  return x;
}
