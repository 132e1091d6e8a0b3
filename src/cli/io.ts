import type { CliIO } from '../util/io.js';

export type { CliIO } from '../util/io.js';

export const processIO: CliIO = {
  out: (t) => { process.stdout.write(t); },
  err: (t) => { process.stderr.write(t); },
  interactive: Boolean(process.stderr.isTTY),
};

/** Exit codes: 0 success, 1 a prediction failed, 2 bad input, 3 solver failure, 70 internal error. */
export const EXIT = { ok: 0, predictionFailed: 1, badInput: 2, solverFailed: 3, internal: 70 } as const;
