/** Sweep throughput with 1 and 2 workers (speed-up on this machine's cores). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSweep } from '../src/sweep/run-sweep.js';
import { defineSweep, type SweepDefinition } from '../src/sweep/definition.js';
import { MODELS } from '../src/models/registry.js';

const quiet = { out: () => {}, err: () => {}, interactive: false };

function definitions(): Array<{ label: string; def: SweepDefinition }> {
  const out: Array<{ label: string; def: SweepDefinition }> = [{
    label: 'deep-linear 16×16 (transitions)',
    def: defineSweep({ model: 'deep-linear', x: { name: 'eps', lo: 1e-4, hi: 0.1, n: 16, log: true }, y: { name: 's3', lo: 0.2, hi: 1.2, n: 16, log: false }, sets: {}, metrics: ['transitions'], solver: { maxSteps: 200_000 } }),
  }];
  const yang = MODELS.get('yang');
  if (yang && 'sigma0' in yang.params && 'etaA' in yang.params) {
    out.push({
      label: 'yang token-span (m = 1) 32×32',
      def: defineSweep({ model: 'yang', x: { name: 'sigma0', lo: 0.01, hi: 0.5, n: 32, log: true }, y: { name: 'etaA', lo: 0.1, hi: 10, n: 32, log: true }, sets: { training: 'simultaneous' }, metrics: ['event-ratio:attn_max>0.1,neuron_norm>0.1'], solver: { maxSteps: 200_000 } }),
    });
  }
  return out;
}

export async function benchSweep(): Promise<string> {
  const rows = ['| sweep | workers | wall (s) | speed-up |', '|---|---:|---:|---:|'];
  for (const { label, def } of definitions()) {
    let serial = NaN;
    for (const workers of [1, 2]) {
      const dir = mkdtempSync(join(tmpdir(), 'gradflow-bench-'));
      const t0 = performance.now();
      await runSweep(def, dir, { workers, shard: null, io: quiet });
      const s = (performance.now() - t0) / 1000;
      rmSync(dir, { recursive: true, force: true });
      if (workers === 1) serial = s;
      rows.push(`| ${label} | ${workers} | ${s.toFixed(2)} | ${(serial / s).toFixed(2)} |`);
    }
  }
  return rows.join('\n');
}
