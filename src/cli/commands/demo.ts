/**
 * `gradflow demo`: the main job on built-in defaults. For now it solves every bundled example
 * with two methods and writes the trajectories to the output folder, with progress shown.
 */
import type { Command } from 'commander';
import { join } from 'node:path';
import { loadModelFile } from '../../modelfile/system.js';
import { solveModel } from '../../modelfile/run.js';
import { writeTrajectory } from '../../io/trajectory.js';
import { EXIT, type CliIO } from '../io.js';
import { bundledExamples, examplesDir } from '../../modelfile/locate.js';
import { summaryLine, toRecord } from './solve.js';

export function registerDemo(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description('run the built-in demonstration: every bundled example, written to --out')
    .option('--out <dir>', 'output folder', 'gradflow-demo')
    .action((flags: { out: string }) => {
      const names = bundledExamples();
      const methods = ['dopri5', 'dop853'] as const;
      const total = names.length * methods.length;
      let done = 0;
      let failures = 0;
      io.err(`gradflow demo: ${names.length} examples × ${methods.length} methods → ${flags.out}/\n`);
      for (const name of names) {
        const path = join(examplesDir(), `${name}.json`);
        const spec = loadModelFile(path);
        for (const method of methods) {
          const run = solveModel(spec, new Map(), { method, rtol: 1e-10, atol: 1e-12 });
          writeTrajectory(join(flags.out, `${name}.${method}.csv`), toRecord(run, path));
          done++;
          if (run.solution.status !== 'success' && run.solution.status !== 'event') failures++;
          io.err(`[${done}/${total}] ${summaryLine(run)}\n`);
        }
      }
      io.err(`done: ${total - failures} of ${total} runs succeeded; trajectories in ${flags.out}/\n`);
      setExit(failures > 0 ? EXIT.solverFailed : EXIT.ok);
    });
}
