import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

describe('gradflow compare', () => {
  it('writes a report with deviations, fitted slopes and figures, and records options and seeds', async () => {
    const out = tempDir();
    const r = await runCli('compare', 'deep-linear', '--set', 'eps=0.3', '--eta', '0.1,0.05,0.025', '--tau', '5', '--out', out);
    expect(r.code).toBe(0);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    const slope = Number(/Deviation against η \(full batch\): fitted log–log slope ([-\d.e]+)/.exec(md)?.[1]);
    expect(Math.abs(slope - 1)).toBeLessThan(0.15);
    for (const f of ['overlay', 'deviation-eta']) expect(existsSync(join(out, 'figures', `${f}.png`))).toBe(true);
    const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    expect(json.seeds).toEqual([1]);
    expect(json.settings).toHaveLength(3);
    expect(json.settings[0].setting.schedule).toEqual({ kind: 'constant', eta: 0.1 });
  });

  it('rejects bad options clearly', async () => {
    expect((await runCli('compare', 'deep-linear', '--data', 'minibatch', '--out', tempDir())).err).toMatch(/--data 'minibatch': expected population, online or n=COUNT/);
    expect((await runCli('compare', 'deep-linear', '--eta', '0', '--out', tempDir())).code).toBe(2);
  });
});
