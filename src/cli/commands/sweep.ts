/** `gradflow sweep`, `gradflow merge`, `gradflow phase`: parameter sweeps and phase diagrams. */
import type { Command } from 'commander';
import { findModel } from '../../models/registry.js';
import { parseSetFlags, resolveParams } from '../../models/params.js';
import { defineSweep, parseAxis } from '../../sweep/definition.js';
import { parseShard } from '../../sweep/grid.js';
import { defaultWorkers } from '../../sweep/pool.js';
import { runSweep } from '../../sweep/run-sweep.js';
import { mergeSweeps } from '../../sweep/merge.js';
import { phaseDiagram } from '../../sweep/phase.js';
import { planMetrics } from '../../sweep/metrics.js';
import { inputError } from '../../util/errors.js';
import { PRESETS, findPreset } from '../../sweep/presets.js';
import { runPreset } from '../../sweep/run-preset.js';
import { EXIT, type CliIO } from '../io.js';
import { collect, numberFlag, workersFlag } from '../parse-flags.js';
import { addSolverOptions, solverFlags, type RawSolverFlags } from '../solver-options.js';

interface SweepFlags extends RawSolverFlags { list?: boolean; preset?: string; small?: boolean; x?: string; y?: string; set: string[]; metric: string[]; out?: string; workers?: string; shard?: string; resume?: boolean; restart?: boolean; cellTimeout?: string }

function positiveSeconds(text: string): number {
  const s = numberFlag('cell-timeout', text)!;
  if (!(s > 0)) throw inputError(`--cell-timeout must be a positive number of seconds (got ${text}).`);
  return s;
}

export function registerSweep(program: Command, io: CliIO, setExit: (code: number) => void): void {
  addSolverOptions(program
    .command('sweep')
    .description('run a model over a grid of two parameters; each cell is one run, appended to DIR/results.jsonl as it finishes (re-running into DIR resumes)')
    .argument('[model]', 'a registered model or a model file (not with --preset or --list)')
    .option('--list', 'list the built-in phase diagrams')
    .option('--preset <name>', 'run a built-in phase diagram (see --list) and draw it')
    .option('--small', 'with --preset: the small grid')
    .option('--x <axis>', 'first axis: name=lo:hi:n[:log]')
    .option('--y <axis>', 'second axis: name=lo:hi:n[:log]')
    .option('--set <name=value>', 'fixed parameter (repeatable)', collect, [])
    .option('--metric <spec>', 'what to record per cell (repeatable): final:NAME, at:T:NAME, event:NAME<LEVEL, transitions, stage-ratio:I/J, verdict:ID, status, model:NAME', collect, [])
    .option('--out <dir>', 'output folder (sweep.json + results.jsonl)')
    .option('--workers <n>', 'worker threads (default: the number of cores)')
    .option('--shard <K/N>', 'run only shard K of N (deterministic); combine shards with `gradflow merge`')
    .option('--resume', 'resume an interrupted sweep in --out (re-running into the same folder does the same; a folder made by a different definition is refused)')
    .option('--restart', 'discard the results in --out and start over')
    .option('--cell-timeout <s>', 'wall-clock limit of one cell in seconds (default 600); a cell past it is recorded as an error'))
    .action(async (name: string | undefined, flags: SweepFlags) => {
      if (flags.list) {
        io.out(`${PRESETS.map((p) => `${p.name}: ${p.title}\n  model ${p.model}; axes ${p.full.x.name} × ${p.full.y.name} (${p.full.x.n}×${p.full.y.n}, --small ${p.small.x.n}×${p.small.y.n}); metrics ${p.metrics.join(', ')}\n  ${p.source}\n  ${p.note}`).join('\n')}\n`);
        return;
      }
      if (flags.preset) {
        const preset = findPreset(flags.preset);
        if (!preset) throw inputError(`no built-in diagram '${flags.preset}'. Built in: ${PRESETS.map((p) => p.name).join(', ')}.`);
        const out = flags.out ?? `gradflow-sweep-${preset.name}`;
        const workers = workersFlag(flags.workers, defaultWorkers());
        const r = await runPreset(preset, out, { small: Boolean(flags.small), workers, shard: flags.shard ? parseShard(flags.shard) : null, io, flags: solverFlags(flags), restart: Boolean(flags.restart) });
        io.err(`${preset.name}: ${r.filled} of ${r.total} cells drawn (${r.failed} failed) → ${r.png}\n`);
        return;
      }
      if (!name || !flags.x || !flags.y || !flags.out) throw inputError('gradflow sweep needs MODEL, --x, --y and --out, or --preset NAME (see gradflow sweep --help and --list).');
      const model = findModel(name);
      const sets = parseSetFlags(flags.set);
      const def = defineSweep({
        model: name,
        x: parseAxis(flags.x, model, '--x'),
        y: parseAxis(flags.y, model, '--y'),
        sets,
        metrics: flags.metric,
        solver: solverFlags(flags),
        ...(flags.cellTimeout !== undefined ? { cellTimeout: positiveSeconds(flags.cellTimeout) } : {}),
      });
      planMetrics(def.metrics, model, resolveParams(model, sets)); // reject bad metrics before any cell runs
      const workers = workersFlag(flags.workers, defaultWorkers());
      const start = performance.now();
      const s = await runSweep(def, flags.out, { workers, shard: flags.shard ? parseShard(flags.shard) : null, io, restart: Boolean(flags.restart) });
      io.err(`sweep done: ${s.computed} cells computed, ${s.skipped} already done, ${s.failed} failed, ${((performance.now() - start) / 1000).toFixed(1)} s → ${flags.out}/results.jsonl\n`);
      // failed cells are findings; a sweep in which every computed cell failed measured nothing
      setExit(s.computed > 0 && s.failed === s.computed ? EXIT.solverFailed : EXIT.ok);
    });

  program
    .command('merge')
    .description('combine sweep shards (same definition) into one folder')
    .argument('<dirs...>', 'shard folders')
    .requiredOption('--out <dir>', 'merged folder')
    .action((dirs: string[], flags: { out: string }) => {
      const r = mergeSweeps(dirs, flags.out);
      for (const w of r.warnings) io.err(`warning: ${w}\n`);
      io.err(`merged ${dirs.length} folders: ${r.cells} cells${r.missing ? `, ${r.missing} still missing` : ', complete'} → ${flags.out}\n`);
    });

  program
    .command('phase')
    .description('draw a sweep metric as a phase diagram (heatmap, SVG and PNG) with failed cells marked')
    .argument('<dir>', 'a sweep folder')
    .option('--metric <spec>', 'which recorded metric (default: the first)')
    .option('--contour <level>', 'draw the isoline at this level (repeatable)', collect, [])
    .option('--color-log', 'logarithmic colour scale')
    .action(async (dir: string, flags: { metric?: string; contour: string[]; colorLog?: boolean }) => {
      const levels = flags.contour.map((c) => numberFlag('contour', c) as number);
      const r = await phaseDiagram(dir, { metric: flags.metric, contours: levels.length ? levels : undefined, colorLog: flags.colorLog });
      io.err(`phase diagram of ${r.metric}: ${r.filled} of ${r.total} cells filled, ${r.failed} failed → ${r.paths.png}\n`);
    });
}
