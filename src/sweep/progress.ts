/**
 * Progress of a sweep: a bar with cells done, failures and ETA on a terminal (cli-progress on
 * stderr), plain periodic lines otherwise (logs and CI stay readable).
 */
import cliProgress from 'cli-progress';
import type { CliIO } from '../util/io.js';

export interface Progress {
  tick(failed: boolean): void;
  stop(): void;
}

export function makeProgress(io: CliIO, total: number, already: number, label: string): Progress {
  let done = already;
  let failures = 0;
  const start = Date.now();
  if (io.interactive) {
    const bar = new cliProgress.SingleBar({
      format: `${label} |{bar}| {value}/{total} cells, {failures} failed, ETA {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
    }, cliProgress.Presets.shades_classic);
    bar.start(total, done, { failures });
    return {
      tick(failed) { done++; if (failed) failures++; bar.update(done, { failures }); },
      stop() { bar.stop(); },
    };
  }
  let lastLine = 0;
  const line = (): void => {
    const elapsed = (Date.now() - start) / 1000;
    const fresh = done - already;
    const eta = fresh > 0 ? ((total - done) * elapsed) / fresh : NaN;
    io.err(`${label}: ${done}/${total} cells, ${failures} failed, ${elapsed.toFixed(1)} s elapsed${Number.isFinite(eta) ? `, ETA ${eta.toFixed(0)} s` : ''}\n`);
  };
  return {
    tick(failed) {
      done++;
      if (failed) failures++;
      if (Date.now() - lastLine > 2000 || done === total) { lastLine = Date.now(); line(); }
    },
    stop() {},
  };
}
