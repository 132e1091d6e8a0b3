/** Each bundled example, each method, at rtol 1e-8 and 1e-10: RHS calls, steps and wall time (median). */
import { join } from 'node:path';
import { loadModelFile } from '../src/modelfile/system.js';
import { solveModel } from '../src/modelfile/run.js';
import { bundledExamples, examplesDir } from '../src/modelfile/locate.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchExamples(): Promise<string> {
  const rows = ['| example | method | rtol | status | RHS calls | accepted / rejected | wall (ms) |', '|---|---|---:|---|---:|---:|---:|'];
  for (const name of bundledExamples()) {
    const spec = loadModelFile(join(examplesDir(), `${name}.json`));
    for (const method of ['dopri5', 'dop853', 'odex']) {
      for (const rtol of [1e-8, 1e-10]) {
        const times: number[] = [];
        let last = solveModel(spec, new Map(), { method, rtol, atol: rtol * 1e-2, maxSteps: 1e6 });
        for (let i = 0; i < 7; i++) {
          last = solveModel(spec, new Map(), { method, rtol, atol: rtol * 1e-2, maxSteps: 1e6 });
          times.push(last.wallMs);
        }
        const s = last.solution;
        rows.push(`| ${name} | ${method} | ${rtol} | ${s.status} | ${s.stats.nfev} | ${s.stats.accepted} / ${s.stats.rejected} | ${median(times).toFixed(2)} |`);
      }
    }
  }
  return rows.join('\n');
}
