import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

/** compare.json without what legitimately differs between two equal comparisons: the date, the wall time, the output folder. */
function resultsOf(path: string): Record<string, unknown> {
  const j = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> & { options: Record<string, unknown> };
  const { date: _date, wall_ms: _wall, options: { out: _out, ...options }, ...rest } = j;
  return { ...rest, options };
}

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

  it('gives the same results, bit for bit, on 2 workers as in one thread', async () => {
    const outs = [tempDir(), tempDir()];
    for (const [i, w] of ['1', '2'].entries()) {
      const r = await runCli('compare', 'deep-linear', '--set', 'eps=0.3', '--eta', '0.05', '--data', 'population,online', '--batch', '8,32', '--seeds', '2', '--tau', '3', '--workers', w, '--out', outs[i]);
      expect(r.code).toBe(0);
    }
    const [a, b] = outs.map((o) => resultsOf(join(o, 'compare.json')));
    expect(a.settings).toHaveLength(3);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('rejects bad options clearly', async () => {
    expect((await runCli('compare', 'deep-linear', '--data', 'minibatch', '--out', tempDir())).err).toMatch(/--data 'minibatch': expected population, online or n=COUNT/);
    expect((await runCli('compare', 'deep-linear', '--eta', '0', '--out', tempDir())).code).toBe(2);
    expect((await runCli('compare', 'deep-linear', '--workers', '0', '--out', tempDir())).err).toMatch(/--workers must be a positive integer/);
    expect((await runCli('compare', 'deep-linear', '--observable', 'nope', '--out', tempDir())).err).toMatch(/has no such observable/);
    // a model whose own run is fixed-step GD has no continuous flow to compare with
    const relu = await runCli('compare', 'two-layer-relu', '--out', tempDir());
    expect(relu.code).toBe(2);
    expect(relu.err).toMatch(/two-layer-relu runs as fixed-step gradient descent \(euler, h = [\d.e-]+\) at these parameters: there is no continuous flow/);
    expect((await runCli('compare', 'gong', '--set', 'dynamics=gd', '--out', tempDir())).err).toMatch(/\(set dynamics=flow\)/);
  });
});

describe('gradflow compare on the paper models', () => {
  const slopeOf = (md: string): number => Number(/Deviation against η \(full batch\): fitted log–log slope ([-\d.e]+)/.exec(md)?.[1]);

  it('yang: GD deviation O(η), both stage events in the flow\'s order, SGD through the ambient form; report, JSON and figures', async () => {
    const out = tempDir();
    const r = await runCli('compare', 'yang', '--eta', '0.2,0.1,0.05', '--data', 'population,online', '--batch', '64', '--tau', '16', '--out', out);
    expect(r.code).toBe(0);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(Math.abs(slopeOf(md) - 1)).toBeLessThan(0.15);
    for (const f of ['overlay', 'deviation-eta']) expect(existsSync(join(out, 'figures', `${f}.png`))).toBe(true);
    const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    expect(json.settings).toHaveLength(6);
    for (const s of json.settings) {
      expect(s.same_event_order_fraction).toBe(1);
      const [neurons, attention] = s.runs[0].events;
      expect(neurons.name).toBe('neuron_norm_0.1');
      expect(neurons.flow).toBeLessThan(attention.flow); // neurons first
      // GD follows the flow's stage times; SGD at B = 64 moves the attention stage by about 12% at η = 0.2
      if (s.setting.data.kind === 'population') expect(Math.abs(attention.run - attention.flow) / attention.flow).toBeLessThan(0.1);
    }
  });

  it('chen-luo: GD deviation O(η) and minibatch SGD from its data set; the escape event in both', async () => {
    const out = tempDir();
    const r = await runCli('compare', 'chen-luo', '--set', 'eps=0.01', '--eta', '0.4,0.2,0.1', '--data', 'population', '--out', out);
    expect(r.code).toBe(0);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(Math.abs(slopeOf(md) - 1)).toBeLessThan(0.15);
    const online = await runCli('compare', 'chen-luo', '--set', 'eps=0.01', '--eta', '0.2', '--data', 'online', '--batch', '16,64', '--seeds', '2', '--out', join(out, 'sgd'));
    expect(online.code).toBe(0);
    expect(existsSync(join(out, 'sgd', 'figures', 'deviation-batch.png'))).toBe(true);
    const json = JSON.parse(readFileSync(join(out, 'sgd', 'compare.json'), 'utf8'));
    expect(json.seeds).toEqual([1, 2]);
    for (const s of json.settings) for (const run of s.runs) {
      const escape = run.events.find((e: { name: string }) => e.name === 'escape');
      expect(escape.flow).toBeGreaterThan(0);
      expect(Math.abs(escape.run - escape.flow) / escape.flow).toBeLessThan(0.1);
    }
  });
});

describe('gradflow compare: resuming', () => {
  it('reuses the finished runs of its output folder, drops a half-written last one, and gives the same results', async () => {
    const out = tempDir();
    const args = ['compare', 'deep-linear', '--set', 'eps=0.3', '--eta', '0.05,0.1', '--data', 'population,online', '--batch', '8', '--seeds', '2', '--tau', '3', '--workers', '1', '--out', out];
    expect((await runCli(...args)).code).toBe(0);
    const first = JSON.stringify(resultsOf(join(out, 'compare.json')));
    const runs = readFileSync(join(out, 'runs.jsonl'), 'utf8');
    expect(runs.trim().split('\n')).toHaveLength(8); // 2 η × (GD, SGD) × 2 seeds
    const again = await runCli(...args);
    expect(again.err).toMatch(/8 finished runs found/);
    expect(again.err).not.toMatch(/\] η=/); // nothing was trained again
    expect(JSON.stringify(resultsOf(join(out, 'compare.json')))).toBe(first);
    // a run killed while writing: the last line cut in half
    writeFileSync(join(out, 'runs.jsonl'), runs.slice(0, runs.length - Math.floor(runs.trim().split('\n').at(-1)!.length / 2) - 1));
    const resumed = await runCli(...args);
    expect(resumed.err).toMatch(/dropped a half-written last line/);
    expect(resumed.err).toMatch(/7 finished runs found/);
    expect(JSON.stringify(resultsOf(join(out, 'compare.json')))).toBe(first);
    expect(readFileSync(join(out, 'runs.jsonl'), 'utf8').trim().split('\n')).toHaveLength(8);
  });
});
