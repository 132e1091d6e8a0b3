/** `gradflow solve MODEL`: integrate a model file's flow and write the trajectory. */
import type { Command } from 'commander';
import { loadModelFile, parseOverrides } from '../../modelfile/system.js';
import { solveModel } from '../../modelfile/run.js';
import { extname } from 'node:path';
import { sidecarPath, trajectoryCsv, writeTrajectory, type TrajectoryRecord } from '../../io/trajectory.js';
import { refuseOverwrite } from '../../io/overwrite.js';
import { fmt } from '../../util/errors.js';
import { EXIT, type CliIO } from '../io.js';
import { collect, numberFlag } from '../parse-flags.js';
import { addSolverOptions, solverFlags, type RawSolverFlags } from '../solver-options.js';
import { resolveModelPath } from '../../modelfile/locate.js';
import type { ModelRun } from '../../modelfile/run.js';
import { provenance } from '../../io/provenance.js';

interface SolveFlags extends RawSolverFlags { h?: string; set?: string[]; out?: string; logTime?: boolean; force?: boolean }

export function registerSolve(program: Command, io: CliIO, setExit: (code: number) => void): void {
  addSolverOptions(program
    .command('solve')
    .description('integrate the flow of a model file (dθ/dt = −∇L, or its rhs) and write t, the state and the loss at the save-at times (method default: the file\'s, else auto: DOP853 that switches to the implicit Rodas5P with the exact Hessian where the flow is stiff; rtol 1e-8, atol 1e-10, 100000 steps)')
    .argument('<model>', 'a model file (.json) or the name of a bundled example'))
    .option('--h <x>', 'fixed step (required for euler, where it is the learning rate)')
    .option('--log-time', 'integrate in s = log(1 + t − t0), for long horizons (1e6 and beyond); h and hMax are then steps in s')
    .option('--set <name=value>', 'override a parameter or an initial value (repeatable)', collect, [])
    .option('--out <file>', 'write .csv (with its record in .json beside it) or .json (default: CSV on stdout)')
    .option('--force', 'overwrite an existing --out file')
    .action((modelArg: string, flags: SolveFlags) => {
      if (flags.out) refuseOverwrite(extname(flags.out).toLowerCase() === '.csv' ? [flags.out, sidecarPath(flags.out)] : [flags.out], Boolean(flags.force));
      const path = resolveModelPath(modelArg);
      const spec = loadModelFile(path);
      const h = numberFlag('h', flags.h);
      const run = solveModel(spec, parseOverrides(flags.set ?? [], spec), {
        ...solverFlags(flags),
        ...(h !== undefined ? { h } : {}),
        ...(flags.logTime === true ? { logTime: true } : {}),
      });
      const record = toRecord(run, { ...flags, model: modelArg });
      if (flags.out) writeTrajectory(flags.out, record);
      else io.out(trajectoryCsv(record));
      io.err(`${summaryLine(run)}${flags.out ? ` → ${flags.out}` : ''}\n`);
      const ok = run.solution.status === 'success' || run.solution.status === 'event';
      setExit(ok ? EXIT.ok : EXIT.solverFailed);
    });
}

/** The trajectory with its provenance record; `options` are the command's options as given. */
export function toRecord(run: ModelRun, options: Readonly<Record<string, unknown>>): TrajectoryRecord {
  const { system, solution } = run;
  const s = solution;
  return {
    provenance: provenance({ command: 'solve', model: run.model, params: run.params, flags: run.flags, solver: s.options, options, status: s.status, message: s.message, stats: s.stats, wallMs: run.wallMs }),
    stateNames: system.stateNames,
    params: Object.fromEntries(system.paramNames.map((k, i) => [k, system.params[i]])),
    y0: Object.fromEntries(system.stateNames.map((k, i) => [k, run.y0[i]])),
    solution,
    loss: run.loss,
    wallMs: run.wallMs,
  };
}

/** One line: status, where it got, the cost. */
export function summaryLine(run: ModelRun): string {
  const s = run.solution;
  const o = s.options;
  const tol = o.method === 'euler' ? `h ${fmt(o.h ?? NaN)}` : `rtol ${fmt(o.rtol)}, atol ${fmt(o.atol)}`;
  const loss = run.loss && run.loss.length > 0 ? `, final loss ${fmt(run.loss[run.loss.length - 1])}` : '';
  const events = s.events.length > 0 ? `, events: ${s.events.map((e) => `${e.name} at t=${fmt(e.t)}`).join('; ')}` : '';
  const head = s.status === 'success' ? `success: reached t=${fmt(s.tEnd)}` : `${s.status}: ${s.message}`;
  return `${run.system.spec.name}: ${head} with ${o.method} (${tol}): ${s.stats.nfev} RHS calls, ${s.stats.accepted} accepted / ${s.stats.rejected} rejected steps, ${run.wallMs.toFixed(1)} ms${loss}${events}${kinkSummary(s)}${implicitSummary(s)}`;
}

/** ", 12 Jacobians, switched to rodas5p at t=798.4" (runs of rodas5p and auto). */
function implicitSummary(s: ModelRun['solution']): string {
  const jac = s.stats.njev > 0 ? `, ${s.stats.njev} Jacobians, ${s.stats.ndec} LU` : '';
  const sw = s.switches.map((w) => `switched to ${w.to} at t=${fmt(w.t)} (${w.reason})`).join(', ');
  return `${jac}${sw ? `, ${sw}` : ''}${s.options.logTime ? ', in log time' : ''}`;
}

/** ", kinks filippov: 3 crossings, 1 pinned, 0 released, 1 held at the end" (runs that treated kinks). */
function kinkSummary(s: ModelRun['solution']): string {
  const k = s.kinks;
  if (!k) return '';
  const count = (kind: string): number => k.events.filter((e) => e.kind === kind).length;
  const held = k.pinnedAtEnd.length > 0 ? `, ${k.pinnedAtEnd.length} held at the end (${k.pinnedAtEnd.slice(0, 3).map((p) => p.label).join(', ')}${k.pinnedAtEnd.length > 3 ? ', …' : ''})` : '';
  return `, kinks ${k.mode}: ${count('cross')} crossings, ${count('pin')} pinned, ${count('release')} released${held}`;
}
