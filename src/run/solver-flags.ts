/**
 * The solver settings a user gives on the command line (`--method --rtol --atol --max-steps
 * --kinks`, and for `solve` also `--h --log-time`), as plain data. They are merged over a model's
 * own defaults by {@link flowProblem} (src/run/problem.ts) and recorded in every output.
 */
import type { KinkMode, MethodName, SolveOptions } from '../solve/types.js';
import { RTOL_MIN } from '../solve/options.js';

export interface SolverFlags {
  readonly method?: MethodName;
  readonly rtol?: number;
  readonly atol?: number;
  readonly maxSteps?: number;
  readonly kinks?: KinkMode;
  /** Fixed step (euler: the learning rate). */
  readonly h?: number;
  /** Integrate in s = log(1 + t − t0). */
  readonly logTime?: boolean;
}

/** The flags that are set, in a fixed key order (for records and resume keys). */
export function definedFlags(flags: SolverFlags): SolverFlags {
  const out: Record<string, unknown> = {};
  for (const k of ['method', 'rtol', 'atol', 'maxSteps', 'kinks', 'h', 'logTime'] as const) if (flags[k] !== undefined) out[k] = flags[k];
  return out as SolverFlags;
}

/** `base` with every flag that is set written over it (values are validated later, by `solve`). */
export function applyFlags(base: SolveOptions, flags: SolverFlags): SolveOptions {
  const out: SolveOptions = { ...base };
  const f = definedFlags(flags);
  if (f.method !== undefined) {
    out.method = f.method;
    // a fixed step belongs to the method it was given for: euler's h is no step size for dop853
    if (f.method !== 'euler' && f.h === undefined) delete out.h;
  }
  if (f.rtol !== undefined) out.rtol = f.rtol;
  if (f.atol !== undefined) out.atol = f.atol;
  if (f.maxSteps !== undefined) out.maxSteps = f.maxSteps;
  if (f.kinks !== undefined) out.kinks = f.kinks;
  if (f.h !== undefined) out.h = f.h;
  if (f.logTime !== undefined) out.logTime = f.logTime;
  return out;
}

/**
 * The same options `factor` times tighter in rtol and atol (`check --verify` uses 1/100). rtol is
 * floored at RTOL_MIN, where float64 stops delivering; the step budget grows with the expected
 * number of steps (∝ rtol^(−1/5) for a fifth-order method, and a factor 10 to spare).
 */
export function tightened(options: SolveOptions, factor: number): SolveOptions {
  const rtol = Math.max(RTOL_MIN, (options.rtol ?? 1e-8) * factor);
  const atol = (options.atol ?? 1e-10) * factor;
  const maxSteps = Math.ceil((options.maxSteps ?? 100_000) * 10 * Math.max(1, factor ** (-1 / 5)));
  return { ...options, rtol, atol, maxSteps };
}
