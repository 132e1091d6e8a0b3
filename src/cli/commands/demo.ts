/**
 * `gradflow demo`: the main job on built-in defaults. Checks every registered model's
 * predictions (report and figures per model), compares the flow with discrete training on
 * every model, draws every built-in phase diagram on its small grid, solves every bundled example
 * with two methods, and writes one index report, with progress on stderr.
 */
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PRESETS } from '../../sweep/presets.js';
import { runPreset } from '../../sweep/run-preset.js';
import { selfContainedHtml } from '../../report/html.js';
import { defaultWorkers } from '../../sweep/pool.js';
import { loadModelFile } from '../../modelfile/system.js';
import { solveModel } from '../../modelfile/run.js';
import { writeTrajectory } from '../../io/trajectory.js';
import { ensureDir } from '../../io/series.js';
import { MODELS } from '../../models/registry.js';
import { packageInfo } from '../../util/package-info.js';
import { EXIT, type CliIO } from '../io.js';
import { bundledExamples, examplesDir } from '../../modelfile/locate.js';
import { summaryLine, toRecord } from './solve.js';
import { checkModel } from './check.js';
import { compareModel } from './compare.js';
import { fmt4 } from '../../util/errors.js';

/** The comparisons of the demo: each at its model's compare defaults (Chen–Luo at ε = 0.01, whose horizon is 60× shorter). */
const DEMO_COMPARISONS: readonly { model: string; set: string[] }[] = [
  { model: 'deep-linear', set: [] },
  { model: 'yang', set: [] },
  { model: 'chen-luo', set: ['eps=0.01'] },
  { model: 'gong', set: [] },
];

export function registerDemo(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description('run the built-in demonstration: every model\'s prediction check with figures, and every bundled example')
    .option('--out <dir>', 'output folder', 'gradflow-demo')
    .action(async (flags: { out: string }) => {
      const start = performance.now();
      ensureDir(flags.out);
      const index: string[] = [`# gradflow ${packageInfo().version}: demo`, '', '## Prediction checks', '', '| model | predictions holding | report |', '|---|---:|---|'];
      const models = [...MODELS.keys()];
      index.splice(4, 0, 'Built-in models, then the bundled model files that declare predictions (examples/).', '');
      let failedChecks = 0;
      let failedRuns = 0; // runs that could not be completed (a failed claim is a finding, not a failed run)
      for (const [i, id] of models.entries()) {
        io.err(`[model ${i + 1}/${models.length}] gradflow check ${id}\n`);
        const r = await checkModel(id, [], join(flags.out, id), io, {}, false, true); // the demo regenerates its own folder
        if (r.passed !== r.total) failedChecks++;
        index.push(`| ${id} | ${r.passed} of ${r.total} | [${id}/report.md](${id}/report.md) |`);
      }
      // the bundled model files that declare their own predictions are checked the same way
      let checked = models.length;
      const claiming = bundledExamples().filter((name) => loadModelFile(join(examplesDir(), `${name}.json`)).claims.predictions.length > 0);
      for (const [i, name] of claiming.entries()) {
        io.err(`[model file ${i + 1}/${claiming.length}] gradflow check ${name}\n`);
        const r = await checkModel(name, [], join(flags.out, 'files', name), io, {}, false, true);
        if (r.passed !== r.total) failedChecks++;
        checked++;
        index.push(`| ${name} (model file) | ${r.passed} of ${r.total}${r.notMeasurable ? `, ${r.notMeasurable} not measurable` : ''} | [files/${name}/report.md](files/${name}/report.md) |`);
      }
      index.push('', '## Discrete training against the flow', '', 'Full-batch GD at several η and online SGD at several B, each against the flow at equal τ (`gradflow compare`). Slopes are of the sup-deviation of the loss; the stage order counts the runs whose transitions and stage times come in the flow\'s order.', '', '| model | settings | deviation ∝ η^slope | deviation ∝ B^slope | runs in the flow\'s stage order | report |', '|---|---|---:|---:|---:|---|');
      for (const [i, c] of DEMO_COMPARISONS.entries()) {
        io.err(`[comparison ${i + 1}/${DEMO_COMPARISONS.length}] gradflow compare ${c.model}${c.set.map((x) => ` --set ${x}`).join('')}\n`);
        const dir = join(flags.out, 'compare', c.model);
        const r = await compareModel(c.model, { set: c.set, observable: [], out: dir }, io);
        failedRuns += r.flowFailures; // a diverging SGD run is a finding; a flow that cannot be solved is not
        index.push(`| ${c.model} | ${c.set.join(', ') || 'defaults'} | ${fmt4(r.slopes.eta)} | ${fmt4(r.slopes.batch)} | ${r.sameOrder} of ${r.measured}${r.measured < r.runs ? ` (${r.runs - r.measured} not measured: diverged or no flow)` : ''} | [compare/${c.model}/report.md](compare/${c.model}/report.md) |`);
      }
      index.push('', '## Phase diagrams (small grids)', '', '| diagram | model | cells drawn | figure |', '|---|---|---:|---|');
      for (const [i, preset] of PRESETS.entries()) {
        io.err(`[diagram ${i + 1}/${PRESETS.length}] gradflow sweep --preset ${preset.name} --small\n`);
        const dir = join(flags.out, 'phase', preset.name);
        const r = await runPreset(preset, dir, { small: true, workers: defaultWorkers(), shard: null, io });
        index.push(`| ${preset.title} | ${preset.model} | ${r.filled} of ${r.total} | ![${preset.name}](${relative(flags.out, r.png)}) |`);
      }
      index.push('', '## Bundled examples', '', '| example | method | summary |', '|---|---|---|');
      const names = bundledExamples();
      const methods = ['dopri5', 'dop853'] as const;
      let done = 0;
      for (const name of names) {
        const path = join(examplesDir(), `${name}.json`);
        const spec = loadModelFile(path);
        for (const method of methods) {
          const run = solveModel(spec, new Map(), { method, rtol: 1e-10, atol: 1e-12 });
          writeTrajectory(join(flags.out, 'examples', `${name}.${method}.csv`), toRecord(run, { model: path, method, rtol: 1e-10, atol: 1e-12 }));
          done++;
          if (run.solution.status !== 'success' && run.solution.status !== 'event') failedRuns++;
          const line = summaryLine(run);
          io.err(`[example ${done}/${names.length * methods.length}] ${line}\n`);
          index.push(`| ${name} | ${method} | ${line.replace(/\|/g, '\\|')} |`);
        }
      }
      index.push('');
      writeFileSync(join(flags.out, 'report.md'), index.join('\n'));
      writeFileSync(join(flags.out, 'report.html'), selfContainedHtml(`gradflow ${packageInfo().version}: demo`, join(flags.out, 'report.md')));
      io.err(`demo done in ${((performance.now() - start) / 1000).toFixed(1)} s: ${checked - failedChecks} of ${checked} model checks fully hold (failed claims are findings, see the reports), ${failedRuns === 0 ? 'every run completed' : `${failedRuns} runs could not be completed`} → ${join(flags.out, 'report.md')} (and report.html, self-contained)\n`);
      // a prediction that does not hold is a finding, reported above and in the report; the demo
      // itself failed only if a run could not be completed (`gradflow check` exits 1 on a failed claim)
      setExit(failedRuns > 0 ? EXIT.solverFailed : EXIT.ok);
    });
}
