/**
 * Gong model benchmarks (cost of one population-gradient evaluation and of a complete run
 * of the full-matrix flow at d = 16, 32, 64; cost of a complete run of the reduced flow).
 * Wall and CPU time are both given: the machine may be shared. Run alone with
 * `npx tsx scripts/bench-gong.ts`.
 */
import { pathToFileURL } from 'node:url';
import { gong } from '../src/models/gong/model.js';
import { engineFor } from '../src/models/gong/engine.js';
import { resolveParams } from '../src/models/params.js';
import { simulate } from '../src/run/trajectory.js';
import { makeRng } from '../src/util/rng.js';
import type { ParamValue } from '../src/models/types.js';

const cpu = (): number => process.cpuUsage().user / 1e3; // ms
const f3 = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function gradientCost(over: Record<string, ParamValue>): { wall: number; cpu: number } {
  const p = resolveParams(gong, over);
  const e = engineFor(p);
  const y = gong.init(p, makeRng(1));
  const g = new Float64Array(e.dim);
  for (let i = 0; i < 3; i++) e.lossGrad(y, g); // warm-up
  const reps = 20;
  const w0 = performance.now();
  const c0 = cpu();
  for (let i = 0; i < reps; i++) e.lossGrad(y, g);
  return { wall: (performance.now() - w0) / reps, cpu: (cpu() - c0) / reps };
}

function runCost(over: Record<string, ParamValue>): { wall: number; cpu: number; nfev: number; status: string } {
  const p = resolveParams(gong, over);
  const w0 = performance.now();
  const c0 = cpu();
  const tr = simulate(gong, p, { spectra: false });
  return { wall: performance.now() - w0, cpu: cpu() - c0, nfev: tr.solution.stats.nfev, status: tr.solution.status };
}

export async function benchGong(): Promise<string> {
  const lines: string[] = [];
  lines.push('Full-matrix flow, N = 4096 queries (L = ∞), default dynamics (gradient flow, dopri5 rtol 1e-7, t ∈ [0, 20000], 200 save times with all observables; the run columns include them).', '');
  lines.push('| setting | d | parameters | gradient: wall ms | gradient: CPU ms | run: wall s | run: CPU s | RHS evaluations | status |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---|');
  // variant A's complete run at d ≥ 32 takes many minutes (12 inner nodes × N queries per evaluation): gradient cost only
  const settings: [string, Record<string, ParamValue>, number[]][] = [
    // from a random start the rays flow can slide along an O(1) kink and stall (seen at d = 32: 20000 steps, max_steps),
    // so the complete runs start symmetric; the gradient cost does not depend on the start
    ['B, rays, blocks (default law, symmetric start)', { init: 'symmetric' }, [16, 32, 64]],
    ['B, clusters, off', { qlaw: 'clusters', normalize: 'off', init: 'symmetric' }, [16, 32, 64]],
    ['A, clusters, off', { variant: 'A', qlaw: 'clusters', normalize: 'off', init: 'symmetric' }, [16]],
  ];
  for (const [label, over, runDims] of settings) {
    for (const d of [16, 32, 64]) {
      const o = { ...over, d, N: 4096 };
      const g = gradientCost(o);
      const r = runDims.includes(d) ? runCost(o) : null;
      const run = r ? `${f3(r.wall / 1e3)} | ${f3(r.cpu / 1e3)} | ${r.nfev} | ${r.status}` : '— | — | — | not run';
      lines.push(`| ${label} | ${d} | ${2 * d * d} | ${f3(g.wall)} | ${f3(g.cpu)} | ${run} |`);
      process.stderr.write(`${lines[lines.length - 1]}\n`);
    }
  }
  lines.push('', 'Reduced flow (L = ∞, quadrature order 48), same horizon and save times.', '');
  lines.push('| Q law, normalisation | d | run: wall s | run: CPU s | RHS evaluations | status |');
  lines.push('|---|---:|---:|---:|---:|---|');
  for (const [label, over] of [['rays, blocks', {}], ['rays, off', { normalize: 'off' }], ['clusters, off', { qlaw: 'clusters', normalize: 'off' }]] as [string, Record<string, ParamValue>][]) {
    for (const d of [16, 64]) {
      const r = runCost({ ...over, d, flow: 'reduced' });
      lines.push(`| ${label} | ${d} | ${f3(r.wall / 1e3)} | ${f3(r.cpu / 1e3)} | ${r.nfev} | ${r.status} |`);
      process.stderr.write(`${lines[lines.length - 1]}\n`);
    }
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await benchGong());
}
