/** Running a built-in phase diagram: the sweep, then its figure with the published boundary. */
import type { CliIO } from '../util/io.js';
import type { Shard } from './grid.js';
import { definedFlags, type SolverFlags } from '../run/solver-flags.js';
import { presetDefinition, type Preset } from './presets.js';
import { runSweep } from './run-sweep.js';
import { phaseDiagram } from './phase.js';

export async function runPreset(preset: Preset, out: string, o: { small: boolean; workers: number; shard: Shard | null; io: CliIO; flags?: SolverFlags; restart?: boolean }): Promise<{ png: string; filled: number; failed: number; total: number }> {
  const def = presetDefinition(preset, o.small);
  await runSweep({ ...def, solver: { ...def.solver, ...definedFlags(o.flags ?? {}) } }, out, { workers: o.workers, shard: o.shard, io: o.io, restart: o.restart });
  const r = await phaseDiagram(out, { metric: preset.draw, contours: preset.contours, curves: preset.curves, title: preset.title });
  return { png: r.paths.png, filled: r.filled, failed: r.failed, total: r.total };
}
