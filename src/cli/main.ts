/**
 * The command line. Each command only parses flags into the library's option objects and
 * calls it; errors become one clear line on stderr and an exit code (see EXIT), never a stack
 * trace — except for an internal bug, which is reported as one with a request to file it.
 */
import { Command, CommanderError } from 'commander';
import { isGradflowError } from '../util/errors.js';
import { packageInfo } from '../util/package-info.js';
import { EXIT, processIO, type CliIO } from './io.js';
import { registerSolve } from './commands/solve.js';
import { registerGrad } from './commands/grad.js';
import { registerDemo } from './commands/demo.js';
import { registerModels } from './commands/models.js';
import { registerRun } from './commands/run.js';
import { registerCheck } from './commands/check.js';
import { registerSweep } from './commands/sweep.js';
import { registerCompare } from './commands/compare.js';
import { registerExportData } from './commands/export-data.js';

export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  let exitCode: number = EXIT.ok;
  const setExit = (code: number): void => { exitCode = code; };
  const program = new Command('gradflow')
    .description('Gradient flows of small transformer models: derive, compile, integrate, and check theorems.')
    .version(packageInfo().version)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run with --help for usage)');
  registerSolve(program, io, setExit);
  registerGrad(program, io);
  registerModels(program, io);
  registerRun(program, io, setExit);
  registerCheck(program, io, setExit);
  registerSweep(program, io, setExit);
  registerCompare(program, io);
  registerExportData(program, io, setExit);
  registerDemo(program, io, setExit);
  for (const c of program.commands) c.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version are successes; every other commander error is a usage error
      return e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    if (isGradflowError(e)) {
      io.err(`gradflow: ${e.message}\n`);
      return e.kind === 'input' ? EXIT.badInput : EXIT.solverFailed;
    }
    io.err(`gradflow: internal error (please report it with the command you ran):\n${(e as Error).stack ?? String(e)}\n`);
    return EXIT.internal;
  }
}
