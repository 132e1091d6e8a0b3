/** Combining shard folders into one: same definition required, each cell once. */
import { inputError } from '../util/errors.js';
import { definitionKey, describeDifference, type SweepDefinition } from './definition.js';
import { loadResults, openSweepDir, readDefinition, ResultWriter, writeSweepRecord } from './store.js';
import type { CellResult } from './cell.js';
import { cellsOf } from './grid.js';
import { ensureDir } from '../io/series.js';
import { lockFolder } from '../io/lock.js';

export interface MergeSummary { readonly cells: number; readonly missing: number; readonly warnings: readonly string[] }

export function mergeSweeps(inputs: readonly string[], out: string): MergeSummary {
  if (inputs.length === 0) throw inputError('give at least one sweep folder to merge.');
  const defs = inputs.map((d) => readDefinition(d));
  const def: SweepDefinition = defs[0];
  defs.forEach((d, i) => {
    if (definitionKey(d) !== definitionKey(def)) throw inputError(`'${inputs[i]}' holds a different sweep from '${inputs[0]}' (${describeDifference(def, d)}); refusing to merge.`);
  });
  const byIndex = new Map<number, CellResult>();
  const warnings: string[] = [];
  for (const dir of inputs) {
    const loaded = loadResults(dir);
    if (loaded.warning) warnings.push(loaded.warning);
    for (const r of loaded.results) if (!byIndex.has(r.index)) byIndex.set(r.index, r);
  }
  ensureDir(out);
  const unlock = lockFolder(out, 'merge');
  try {
    return mergeInto(out, def, byIndex, warnings);
  } finally {
    unlock();
  }
}

function mergeInto(out: string, def: SweepDefinition, byIndex: Map<number, CellResult>, warnings: string[]): MergeSummary {
  openSweepDir(out, def);
  const existing = loadResults(out);
  for (const r of existing.results) byIndex.delete(r.index); // already in the output folder
  const writer = new ResultWriter(out, existing.validBytes);
  try {
    for (const r of [...byIndex.values()].sort((a, b) => a.index - b.index)) writer.append(r);
  } finally {
    writer.close();
  }
  const total = cellsOf(def).length;
  const have = existing.results.length + byIndex.size;
  writeSweepRecord(out, def, { status: have < total ? 'partial' : 'complete', message: `merged: ${have} of ${total} cells`, cells: { total, done: have } });
  return { cells: have, missing: total - have, warnings };
}
