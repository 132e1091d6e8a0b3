/** `gradflow run MODEL`: one run with observables, stages and figures. */
import type { Command } from 'commander';
import { join } from 'node:path';
import { findModel } from '../../models/registry.js';
import { parseSetFlags, resolveParams } from '../../models/params.js';
import { simulate } from '../../run/trajectory.js';
import { observableEvent } from '../../run/observable-events.js';
import { runStages } from '../../run/stages.js';
import { ensureDir, writeRun } from '../../io/series.js';
import { withFolderLock } from '../../io/lock.js';
import { refuseOverwrite } from '../../io/overwrite.js';
import { writeStandardFigures } from '../../check/figures.js';
import { fmt } from '../../util/errors.js';
import { EXIT, type CliIO } from '../io.js';
import { collect } from '../parse-flags.js';
import { addSolverOptions, solverFlags, type RawSolverFlags } from '../solver-options.js';

interface RunFlags extends RawSolverFlags { set: string[]; out: string; figures: boolean; event: string[]; force?: boolean }

async function runModel(name: string, flags: RunFlags, io: CliIO): Promise<number> {
  const model = findModel(name);
  const params = resolveParams(model, parseSetFlags(flags.set));
  const solver = solverFlags(flags);
  const events = flags.event.map((e) => observableEvent(model, params, e));
  ensureDir(flags.out);
  return withFolderLock(flags.out, `run ${model.id}`, async () => {
    refuseOverwrite(['trajectory.csv', 'run.json'], Boolean(flags.force), flags.out);
    const tr = simulate(model, params, { flags: solver, events });
    const stages = runStages(model, tr);
    const files = writeRun(flags.out, model, tr, stages, { command: 'run', flags: solver, options: { set: flags.set, event: flags.event, out: flags.out, figures: flags.figures } });
    if (flags.figures) await writeStandardFigures(model, tr, stages.stages, join(flags.out, 'figures'));
    const s = tr.solution;
    for (const e of tr.events) io.err(`event ${e.name} at t=${fmt(e.t)}\n`);
    const transitions = stages.reason ? `no stages (${stages.reason})` : `${stages.stages.filter((x) => x.kind === 'transition').length} transitions`;
    const loss = model.field === 'general' ? '' : `; final loss ${fmt(tr.series.loss[tr.series.loss.length - 1])}`;
    io.err(`${model.id}: ${s.status} at t=${fmt(s.tEnd)} with ${s.options.method}, ${s.stats.nfev} RHS calls, ${tr.wallMs.toFixed(0)} ms; ${transitions}${loss} → ${files.csv}\n`);
    if (s.status === 'success' || s.status === 'event') return EXIT.ok;
    io.err(`${s.message}\n`);
    return EXIT.solverFailed;
  });
}

export function registerRun(program: Command, io: CliIO, setExit: (code: number) => void): void {
  addSolverOptions(program
    .command('run')
    .description('run a model: trajectory (CSV + JSON with options, seed and version), observables, stages and figures')
    .argument('<model>', 'a registered model (see `gradflow models`) or a model file')
    .option('--set <name=value>', 'set a parameter (repeatable)', collect, [])
    .option('--out <dir>', 'output folder', 'gradflow-run')
    .option('--event <spec>', 'locate the first time an observable crosses a level, e.g. loss<0.1 or W2W1.stable_rank<1.05 (repeatable)', collect, [])
    .option('--no-figures', 'skip the PNG/SVG figures')
    .option('--force', 'overwrite an earlier run in --out'))
    .action(async (name: string, flags: RunFlags) => setExit(await runModel(name, flags, io)));
}
