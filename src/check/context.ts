/** The runs a model's predictions ask for, made once each and shared (CheckContext). */
import { simulate, type Trajectory } from '../run/trajectory.js';
import type { SolveOptions } from '../solve/types.js';
import { resolveParams } from '../models/params.js';
import type { CheckContext, Model, ParamValue, Params } from '../models/types.js';

export function makeCheckContext(model: Model, params: Params, onRun?: (label: string) => void): CheckContext & { readonly runs: ReadonlyMap<string, Trajectory> } {
  const runs = new Map<string, Trajectory>();
  const run = (overrides: Readonly<Record<string, ParamValue>>, options?: SolveOptions): Trajectory => {
    const key = JSON.stringify([overrides, options ?? {}]);
    const hit = runs.get(key);
    if (hit) return hit;
    onRun?.(Object.keys(overrides).length ? Object.entries(overrides).map(([k, v]) => `${k}=${v}`).join(' ') : 'default run');
    const tr = simulate(model, resolveParams(model, { ...params, ...overrides }), { solver: options });
    runs.set(key, tr);
    return tr;
  };
  return { params, main: () => run({}), run, runs };
}
