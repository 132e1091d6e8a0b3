/** A whole sweep: open (or resume) its folder, run the cells not yet done in this shard, append each. */
import type { CliIO } from '../util/io.js';
import { checkDefinition, type SweepDefinition } from './definition.js';
import { cellsOf, inShard, type Shard } from './grid.js';
import { loadResults, openSweepDir, ResultWriter, writeSweepRecord } from './store.js';
import { runCells } from './pool.js';
import { makeProgress } from './progress.js';
import { ensureDir } from '../io/series.js';
import { withFolderLock } from '../io/lock.js';

export interface SweepRunSummary {
  readonly total: number;
  readonly skipped: number;
  readonly computed: number;
  readonly failed: number;
}

export async function runSweep(def: SweepDefinition, dir: string, opts: { workers: number; shard: Shard | null; io: CliIO; restart?: boolean }): Promise<SweepRunSummary> {
  checkDefinition(def);
  ensureDir(dir);
  // one writer per folder: a second sweep into it is refused while this one runs
  return withFolderLock(dir, `sweep ${def.model}`, () => sweepLocked(def, dir, opts));
}

async function sweepLocked(def: SweepDefinition, dir: string, opts: { workers: number; shard: Shard | null; io: CliIO; restart?: boolean }): Promise<SweepRunSummary> {
  const start = performance.now();
  openSweepDir(dir, def, opts.restart);
  const loaded = loadResults(dir);
  if (loaded.warning) opts.io.err(`warning: ${loaded.warning}\n`);
  const done = new Set(loaded.results.map((r) => r.index));
  const mine = cellsOf(def).filter((c) => inShard(c, opts.shard));
  const pending = mine.filter((c) => !done.has(c.index));
  const writer = new ResultWriter(dir, loaded.validBytes);
  const label = `sweep ${def.model}${opts.shard ? ` shard ${opts.shard.k}/${opts.shard.n}` : ''}`;
  const progress = makeProgress(opts.io, mine.length, mine.length - pending.length, label);
  let failed = 0;
  try {
    await runCells(def, pending, opts.workers, (r) => {
      writer.append(r);
      const bad = r.status !== 'success' && r.status !== 'event';
      if (bad) failed++;
      progress.tick(bad);
    });
  } finally {
    progress.stop();
    writer.close();
  }
  const all = loadResults(dir, def).results;
  const cellsFailed = all.filter((r) => r.status !== 'success' && r.status !== 'event').length;
  const total = def.x.n * def.y.n;
  writeSweepRecord(dir, def, {
    status: all.length < total ? 'partial' : cellsFailed > 0 ? 'complete, with failed cells' : 'complete',
    message: `${all.length} of ${total} cells done${opts.shard ? ` (this folder: shard ${opts.shard.k}/${opts.shard.n})` : ''}, ${cellsFailed} failed`,
    wallMs: performance.now() - start,
    cells: { total, done: all.length, failed: cellsFailed },
  });
  return { total: mine.length, skipped: mine.length - pending.length, computed: pending.length, failed };
}
