/**
 * Runs cells on a pool of worker threads (tinypool), one cell per task, results streamed back
 * in completion order. With one worker the cells run in this thread (no pool start-up cost).
 * From TypeScript sources (tests, tsx) the workers load the same sources through tsx.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import Tinypool from 'tinypool';
import { runCell, type CellResult } from './cell.js';
import type { Cell } from './grid.js';
import type { SweepDefinition } from './definition.js';

export function defaultWorkers(): number {
  return availableParallelism();
}

export async function runCells(def: SweepDefinition, cells: readonly Cell[], workers: number, onResult: (r: CellResult) => void): Promise<void> {
  if (workers <= 1 || cells.length <= 1) {
    for (const cell of cells) {
      onResult(runCell(def, cell));
      await new Promise((r) => setImmediate(r)); // let signals and progress output through
    }
    return;
  }
  const fromSource = import.meta.url.endsWith('.ts');
  const workerFile = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url);
  const pool = new Tinypool({
    filename: fileURLToPath(workerFile),
    minThreads: Math.min(workers, cells.length),
    maxThreads: Math.min(workers, cells.length),
    // worker threads cannot take a loader flag, so TypeScript sources run in child processes
    runtime: fromSource ? 'child_process' : 'worker_threads',
    execArgv: fromSource ? ['--import', 'tsx'] : [],
  });
  try {
    await Promise.all(cells.map(async (cell) => {
      const result = (await pool.run({ def, cell })) as CellResult;
      onResult(result);
    }));
  } finally {
    await pool.destroy();
  }
}
