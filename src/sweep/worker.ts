/** Worker-thread entry for sweeps: runs one cell per task. */
import { runCell, type CellResult } from './cell.js';
import type { Cell } from './grid.js';
import type { SweepDefinition } from './definition.js';

export default function task({ def, cell }: { def: SweepDefinition; cell: Cell }): CellResult {
  return runCell(def, cell);
}
