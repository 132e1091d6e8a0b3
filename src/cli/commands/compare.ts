/** `gradflow compare MODEL`: parses flags into a CompareRequest (src/sgd/compare-model.ts) and prints. */
import type { Command } from 'commander';
import { findModel } from '../../models/registry.js';
import { parseSetFlags, resolveParams } from '../../models/params.js';
import { parseSchedule } from '../../sgd/schedule.js';
import { compareModel as compare, type CompareSummary } from '../../sgd/compare-model.js';
import type { CompareSetting } from '../../sgd/compare-run.js';
import type { DataMode } from '../../sgd/train.js';
import { defaultWorkers } from '../../sweep/pool.js';
import { inputError } from '../../util/errors.js';
import type { CliIO } from '../io.js';
import { collect, numberFlag, workersFlag } from '../parse-flags.js';
import { addSolverOptions, solverFlags, type RawSolverFlags } from '../solver-options.js';

export interface CompareFlags extends RawSolverFlags { set: string[]; workers?: string; eta?: string; batch?: string; data?: string; seeds?: string; tau?: string; observable: string[]; momentum?: string; langevin?: string; out: string; restart?: boolean }

const list = (text: string, name: string): number[] => text.split(',').map((x) => {
  const v = Number(x);
  if (x.trim() === '' || !Number.isFinite(v)) throw inputError(`--${name} '${text}': expected a comma-separated list of numbers.`);
  return v;
});


function parseData(text: string): DataMode {
  if (text === 'population') return { kind: 'population' };
  if (text === 'online') return { kind: 'online' };
  const m = /^n=(\d+)$/.exec(text);
  if (m) return { kind: 'sample', n: Number(m[1]) };
  throw inputError(`--data '${text}': expected population, online or n=COUNT.`);
}

/** The explicit settings of --eta, --batch and --data (null when none is given: the model's defaults apply). */
function explicitSettings(flags: CompareFlags): CompareSetting[] | null {
  if (!flags.eta && !flags.batch && !flags.data) return null;
  const schedules = (flags.eta ?? '0.05').split(',').map(parseSchedule);
  const batches = flags.batch ? list(flags.batch, 'batch') : [1];
  const datas = (flags.data ?? 'population').split(',').map(parseData);
  return schedules.flatMap((schedule) => datas.flatMap((data): CompareSetting[] => (data.kind === 'population' ? [{ schedule, data, batch: 1 }] : batches.map((batch) => ({ schedule, data, batch })))));
}

export async function compareModel(name: string, flags: CompareFlags, io: CliIO): Promise<CompareSummary> {
  const model = findModel(name);
  const params = resolveParams(model, parseSetFlags(flags.set));
  const { set, out, observable, workers, restart, ...rest } = flags;
  return compare({
    model, params, modelName: name,
    settings: explicitSettings(flags) ?? undefined,
    seeds: numberFlag('seeds', flags.seeds),
    tau: numberFlag('tau', flags.tau),
    observables: observable,
    momentum: numberFlag('momentum', flags.momentum),
    langevin: numberFlag('langevin', flags.langevin),
    workers: workersFlag(workers, defaultWorkers()),
    out,
    flags: solverFlags(flags),
    restart: Boolean(restart),
    options: { set, out, observable, ...rest },
    log: (line) => io.err(`${line}\n`),
  });
}

export function registerCompare(program: Command, io: CliIO): void {
  addSolverOptions(program
    .command('compare')
    .description('compare the gradient flow with discrete training (GD, SGD) of the same model: deviations, stage times, figures')
    .argument('<model>', 'a registered model or a model file with a loss')
    .option('--set <name=value>', 'model parameter (repeatable)', collect, [])
    .option('--eta <list>', 'learning rates, comma-separated; each may be a schedule η1->η2@τ')
    .option('--batch <list>', 'batch sizes, comma-separated (for online and n=…)')
    .option('--data <list>', 'population (exact loss), online (fresh samples) or n=COUNT, comma-separated')
    .option('--seeds <k>', 'number of seeds per setting')
    .option('--tau <T>', 'horizon in τ = η·steps (default: the model\'s)')
    .option('--observable <name>', 'observable to compare (repeatable; default: the model\'s first three)', collect, [])
    .option('--momentum <mu>', 'heavy-ball momentum in [0, 1) (default 0)')
    .option('--langevin <T>', 'Langevin temperature (noise variance 2ηT per step; default 0)')
    .option('--workers <n>', 'parallel workers (default: every core)')
    .option('--out <dir>', 'output folder; finished runs are kept in its runs.jsonl and reused when the same comparison runs again', 'gradflow-compare')
    .option('--restart', 'discard the runs kept in --out and start over'))
    .action(async (name: string, flags: CompareFlags) => {
      const { path } = await compareModel(name, flags, io);
      io.err(`comparison written → ${path}\n`);
    });
}
