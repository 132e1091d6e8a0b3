/**
 * Runs the tasks of a comparison (discrete runs, reference flows) on a pool of workers, one task
 * each, like sweep cells (src/sweep/pool.ts): worker threads for the compiled CLI, child
 * processes through tsx from TypeScript sources. Results come back by structured clone (typed
 * arrays included); with one worker the tasks run in this thread.
 */
import { fileURLToPath } from 'node:url';
import Tinypool from 'tinypool';
import { GradflowError, type ErrorKind } from '../util/errors.js';
import task, { type CompareTask, type CompareTaskResult } from './worker.js';

/** `local` runs a task in this thread (default: the worker's own entry, which looks the model up by name). */
export async function runCompareTasks<T>(tasks: readonly CompareTask[], workers: number, onDone: (index: number, result: T | GradflowError) => void, local: (t: CompareTask) => CompareTaskResult = task): Promise<(T | GradflowError)[]> {
  const out: (T | GradflowError)[] = new Array(tasks.length);
  const settle = (i: number, r: CompareTaskResult): void => {
    if (r.ok) out[i] = r.value as T;
    else if (r.kind === 'internal') throw new Error(r.message);
    else out[i] = new GradflowError(r.kind as ErrorKind, r.message);
    onDone(i, out[i]);
  };
  if (workers <= 1 || tasks.length <= 1) {
    for (const [i, t] of tasks.entries()) {
      settle(i, local(t));
      await new Promise((r) => setImmediate(r)); // let progress output through
    }
    return out;
  }
  const fromSource = import.meta.url.endsWith('.ts');
  const pool = new Tinypool({
    filename: fileURLToPath(new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url)),
    minThreads: Math.min(workers, tasks.length),
    maxThreads: Math.min(workers, tasks.length),
    runtime: fromSource ? 'child_process' : 'worker_threads',
    execArgv: fromSource ? ['--import', 'tsx'] : [],
    serialization: 'advanced', // child processes: typed arrays survive the trip
  });
  try {
    await Promise.all(tasks.map(async (t, i) => settle(i, (await pool.run(t)) as CompareTaskResult)));
  } finally {
    await pool.destroy();
  }
  return out;
}
