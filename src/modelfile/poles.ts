/**
 * Poles of a compiled field: every non-constant denominator (the divisor of a division, the base
 * of a negative power). An explicit method with error control can step straight over a simple
 * pole (−1 − 1e-6/(u − 0.5) from u = 1: dopri5 reported success at u = −2), because the field is
 * finite at every stage it samples. Each denominator becomes a terminal event; where one changes
 * sign, the flow problem stops with status `non_finite` at the pole (src/run/problem.ts), instead
 * of continuing on the other branch. Scope: a denominator that touches zero without changing sign
 * (1/(u − 0.5)²) is not an event; its field blows up and the solver reports that.
 */
import { compileScalar, toText, type Expr, type Layout } from '../expr/index.js';
import type { EventSpec } from '../solve/types.js';
import { POLE_PREFIX } from '../run/problem.js';

/** At most this many pole guards per model (each is evaluated at every accepted step). */
export const MAX_POLES = 64;

/** The distinct non-constant denominators in `field` (an iterative walk: fields may be deep DAGs). */
export function denominators(field: readonly Expr[]): Expr[] {
  const seen = new Set<Expr>();
  const found = new Map<string, Expr>();
  const stack: Expr[] = [...field];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (seen.has(e) || e.kind !== 'call') continue;
    seen.add(e);
    let d: Expr | null = null;
    if (e.op === 'div') d = e.args[1];
    if (e.op === 'pow' && e.args[1].kind === 'num' && e.args[1].value < 0) d = e.args[0];
    if (d && d.kind !== 'num') {
      const key = toText(d);
      if (!found.has(key)) found.set(key, d);
    }
    for (const a of e.args) stack.push(a);
  }
  return [...found.values()];
}

/** Terminal events at the sign changes of the field's denominators (none when there are more than MAX_POLES). */
export function poleGuards(field: readonly Expr[], layout: Layout, params: Float64Array): EventSpec[] {
  const ds = denominators(field);
  if (ds.length === 0 || ds.length > MAX_POLES) return [];
  return ds.map((d) => ({ name: `${POLE_PREFIX}${short(toText(d))}`, g: compileScalar(d, layout).bind(params), direction: 0, terminal: true }));
}

const short = (s: string): string => (s.length > 80 ? `${s.slice(0, 77)}…` : s);
