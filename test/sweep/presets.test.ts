import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/sweep/presets.js';
import { runPreset } from '../../src/sweep/run-preset.js';
import { loadResults } from '../../src/sweep/store.js';
import { tempDir } from '../helpers/cli.js';

const quiet = { out: () => {}, err: () => {}, interactive: false };

describe('built-in phase diagrams on their small grids', () => {
  it.each(PRESETS.map((p) => [p.name, p] as const))('%s runs, records every cell and draws its figure', async (_name, preset) => {
    const dir = tempDir();
    const r = await runPreset(preset, dir, { small: true, workers: 2, shard: null, io: quiet });
    expect(existsSync(r.png)).toBe(true);
    const cells = loadResults(dir).results;
    expect(cells).toHaveLength(preset.small.x.n * preset.small.y.n);
    for (const c of cells) expect(['success', 'event']).toContain(c.status);
    expect(r.filled).toBeGreaterThan(0);
  }, 300_000);

  it('lxmz: the measured slope is negative at γ = 1/2 and positive at γ = 7/4 (γ′ = 0.5 row)', async () => {
    const lxmz = PRESETS.find((p) => p.name === 'lxmz')!;
    const dir = tempDir();
    await runPreset(lxmz, dir, { small: true, workers: 2, shard: null, io: quiet });
    const cells = loadResults(dir).results;
    const at = (g: number, gp: number): number => cells.find((c) => c.params.gamma === g && c.params.gammaPrime === gp)!.metrics['model:rd_slope'] as number;
    expect(at(0.5, 0.5)).toBeLessThan(0);
    expect(at(1.75, 0.5)).toBeGreaterThan(0);
  }, 300_000);
});
