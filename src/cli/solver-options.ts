/**
 * The solver flags every command takes (`--method --rtol --atol --max-steps --kinks`), declared
 * once and parsed once into SolverFlags (src/run/solver-flags.ts). Absent flags leave the model's
 * own settings in force.
 */
import type { Command } from 'commander';
import { KINK_MODES, METHOD_NAMES } from '../solve/options.js';
import type { KinkMode, MethodName } from '../solve/types.js';
import type { SolverFlags } from '../run/solver-flags.js';
import { inputError } from '../util/errors.js';
import { numberFlag } from './parse-flags.js';

export interface RawSolverFlags { method?: string; rtol?: string; atol?: string; maxSteps?: string; kinks?: string }

export function addSolverOptions(cmd: Command): Command {
  return cmd
    .option('--method <name>', `integrator: ${METHOD_NAMES.join(' | ')} (default: the model's)`)
    .option('--rtol <x>', 'relative tolerance (default: the model\'s)')
    .option('--atol <x>', 'absolute tolerance (default: the model\'s)')
    .option('--max-steps <n>', 'step budget per integration (default: the model\'s)')
    .option('--kinks <mode>', `ReLU/max/abs kinks: ${KINK_MODES.join(' | ')} (default: filippov where the model has kinks)`);
}

export function solverFlags(raw: RawSolverFlags): SolverFlags {
  const out: { -readonly [K in keyof SolverFlags]: SolverFlags[K] } = {};
  if (raw.method !== undefined) {
    if (!(METHOD_NAMES as readonly string[]).includes(raw.method)) throw inputError(`--method: unknown method; valid methods are ${METHOD_NAMES.join(', ')} (got '${raw.method}').`);
    out.method = raw.method as MethodName;
  }
  if (raw.kinks !== undefined) {
    if (!(KINK_MODES as readonly string[]).includes(raw.kinks)) throw inputError(`--kinks: valid values are ${KINK_MODES.join(', ')} (got '${raw.kinks}').`);
    out.kinks = raw.kinks as KinkMode;
  }
  const rtol = numberFlag('rtol', raw.rtol);
  const atol = numberFlag('atol', raw.atol);
  const maxSteps = numberFlag('max-steps', raw.maxSteps);
  if (rtol !== undefined && !(rtol > 0 && rtol < 1)) throw inputError(`--rtol must be in (0, 1): a relative tolerance of 1 or more controls nothing (got ${raw.rtol}).`);
  if (atol !== undefined && !(atol > 0)) throw inputError(`--atol must be > 0 (got ${raw.atol}).`);
  if (maxSteps !== undefined && !(Number.isSafeInteger(maxSteps) && maxSteps > 0)) throw inputError(`--max-steps must be a positive integer (got ${raw.maxSteps}).`);
  if (rtol !== undefined) out.rtol = rtol;
  if (atol !== undefined) out.atol = atol;
  if (maxSteps !== undefined) out.maxSteps = maxSteps;
  return out;
}
