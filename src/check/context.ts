/**
 * The runs a model's predictions ask for, made once each and shared (CheckContext). Every run
 * goes through `simulate`, hence through the one flow-problem seam, under the user's solver
 * flags; `tighten` (check --verify) makes every run tighter by the same factor.
 */
import { simulate, type Trajectory } from '../run/trajectory.js';
import { applyFlags, type SolverFlags } from '../run/solver-flags.js';
import { verificationOf } from '../run/problem.js';
import type { MethodName, SolveOptions } from '../solve/types.js';
import { resolveParams } from '../models/params.js';
import type { CheckContext, Model, ParamValue, Params } from '../models/types.js';

export interface ContextOptions {
  readonly flags?: SolverFlags;
  readonly tighten?: number;
  /** Every run with this method (check --verify-with). */
  readonly method?: MethodName;
  /** Called before each new run with a label ("default run", "eps=0.01"). */
  readonly onRun?: (label: string) => void;
  /**
   * The main run, already made (a sweep cell's own run): `main()` returns it instead of
   * integrating again, so a cell's status and its metrics come from one integration.
   */
  readonly main?: Trajectory;
  /** Wall-clock deadline (performance.now() ms) for every run of the context. */
  readonly deadline?: number;
}

export type RunContext = CheckContext & {
  readonly runs: ReadonlyMap<string, Trajectory>;
  /** Integrations this context made (a given `main` is not counted). */
  readonly integrations: () => number;
};

export function makeCheckContext(model: Model, params: Params, o: ContextOptions = {}): RunContext {
  const runs = new Map<string, Trajectory>();
  const mainKey = JSON.stringify([{}, {}]);
  if (o.main) runs.set(mainKey, o.main);
  let integrations = 0;
  const run = (overrides: Readonly<Record<string, ParamValue>>, options?: SolveOptions): Trajectory => {
    const key = JSON.stringify([overrides, options ?? {}]);
    const hit = runs.get(key);
    if (hit) return hit;
    o.onRun?.(Object.keys(overrides).length ? Object.entries(overrides).map(([k, v]) => `${k}=${v}`).join(' ') : 'default run');
    integrations++;
    const tr = simulate(model, resolveParams(model, { ...params, ...overrides }), { flags: o.flags, fixed: options, tighten: o.tighten, method: o.method, deadline: o.deadline });
    runs.set(key, tr);
    return tr;
  };
  const solver = (fixed: SolveOptions): SolveOptions => verificationOf({ ...applyFlags({}, o.flags ?? {}), ...fixed }, o);
  return { params, main: () => run({}), run, solver, runs, integrations: () => integrations };
}
