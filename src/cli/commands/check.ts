/** `gradflow check MODEL`: run the model's predictions and write report.md with figures. */
import type { Command } from 'commander';
import { findModel } from '../../models/registry.js';
import { parseSetFlags, resolveParams } from '../../models/params.js';
import { checkModel as checkOne, type CheckOutcome } from '../../check/check-model.js';
import type { SolverFlags } from '../../run/solver-flags.js';
import type { Model } from '../../models/types.js';
import type { MethodName } from '../../solve/types.js';
import { EXIT, type CliIO } from '../io.js';
import { collect } from '../parse-flags.js';
import { addSolverOptions, solverFlags, type RawSolverFlags } from '../solver-options.js';

interface CheckFlags extends RawSolverFlags { set: string[]; out: string; verify?: boolean; verifyWith?: string; force?: boolean }

/** The check of a model by name (or Model) with `--set` strings: what `gradflow check` and the demo run. */
export async function checkModel(name: string | Model, sets: readonly string[], out: string, io: CliIO, flags: SolverFlags = {}, verify = false, force = false, verifyWith?: MethodName): Promise<CheckOutcome> {
  const model = typeof name === 'string' ? findModel(name) : name;
  const params = resolveParams(model, parseSetFlags(sets));
  return checkOne(model, params, out, { flags, verify: verify || verifyWith !== undefined, verifyWith, force, options: { set: sets, out, verify }, log: (line) => io.err(`${line}\n`) });
}

export function registerCheck(program: Command, io: CliIO, setExit: (code: number) => void): void {
  addSolverOptions(program
    .command('check')
    .description('check a model\'s predictions: report.md with predicted, measured and verdict per claim, and figures; exit 1 if any fails')
    .argument('<model>', 'a registered model (see `gradflow models`) or a model file')
    .option('--set <name=value>', 'set a parameter (repeatable)', collect, [])
    .option('--verify', 'measure every prediction again with every integration 100× tighter in rtol and atol, and report how far each number moved')
    .option('--verify-with <method>', 'verify with a second method at the same tolerances instead (e.g. dop853, rodas5p, odex)')
    .option('--out <dir>', 'output folder', 'gradflow-check')
    .option('--force', 'overwrite an earlier check in --out'))
    .action(async (name: string, flags: CheckFlags) => {
      const verifyWith = flags.verifyWith === undefined ? undefined : solverFlags({ method: flags.verifyWith }).method;
      const r = await checkModel(name, flags.set, flags.out, io, solverFlags(flags), Boolean(flags.verify), Boolean(flags.force), verifyWith);
      const flips = r.verify ? `; verified ${verifyWith ? `with ${verifyWith}` : 'at 100× tighter tolerances'}: ${r.verify.filter((v) => v.flipped).length} verdict(s) flip` : '';
      const unmeasured = r.notMeasurable > 0 ? `; ${r.notMeasurable} not measurable` : '';
      io.err(`${typeof name === 'string' ? name : ''}: ${r.passed} of ${r.total} predictions hold${unmeasured}${flips} → ${r.report}\n`);
      setExit(r.passed === r.total ? EXIT.ok : EXIT.predictionFailed);
    });
}
