/**
 * The Yang model over the full three-stage run (Algorithm 1, τ = 1200 + 4000 + 1200, note run C's
 * budget): RHS evaluations and wall time of the 9-scalar system and of the token-span model with
 * m = 1 (averaged init), 64 and 1024 particles (mean-field init, σ0 = 1e-3), integrated by dopri5 at
 * rtol 1e-8 (atol 1e-10) with each kink treatment, and by gradient descent (explicit Euler,
 * η = 0.2, 32000 steps) for reference. Runs that cannot finish within their step budget report
 * where they stopped. Run alone: `npx tsx scripts/bench-yang.ts`.
 */
import { pathToFileURL } from 'node:url';
import type { KinkMode, SolveOptions } from '../src/solve/types.js';
import { yangConfig } from '../src/models/yang/config.js';
import { yangInit } from '../src/models/yang/init.js';
import { nineInit, nineScalarTrainable } from '../src/models/yang/nine-scalar.js';
import { yangParams } from '../src/models/yang/params.js';
import { trainStaged, type StagedRun } from '../src/models/yang/training.js';
import { makeRng } from '../src/util/rng.js';
import { fmt } from '../src/util/errors.js';

interface Row { system: string; integrator: string; run: StagedRun; }

function describe(r: Row): string {
  const { run } = r;
  const tEnd = run.stages[run.stages.length - 1]?.end ?? 0;
  const perRhs = run.stats.nfev > 0 ? (1000 * run.wallMs) / run.stats.nfev : NaN;
  const ended = run.status === 'success' ? `τ = ${fmt(tEnd)}` : `${run.status} at τ = ${fmt(tEnd)}`;
  return `| ${r.system} | ${r.integrator} | ${ended} | ${run.stats.nfev} | ${run.stats.accepted} | ${fmt(Number(run.wallMs.toFixed(1)))} | ${fmt(Number(perRhs.toFixed(2)))} |`;
}

export async function benchYang(): Promise<string> {
  const rows: Row[] = [];
  const flow = (kinks: KinkMode, maxSteps: number): SolveOptions => ({ method: 'dopri5', rtol: 1e-8, atol: 1e-10, kinks, maxSteps });
  const gd: SolveOptions = { method: 'euler', h: 0.2, maxSteps: 40_000 };
  const base = { training: 'three-stage' } as const;
  // the 9-scalar system
  const c9 = yangConfig(yangParams(base));
  for (const kinks of ['filippov', 'smooth-through'] as const) {
    rows.push({ system: '9 scalars', integrator: `dopri5, ${kinks}`, run: trainStaged(c9, nineInit(c9.sigma0), { solver: flow(kinks, 100_000) }, nineScalarTrainable(c9)) });
  }
  rows.push({ system: '9 scalars', integrator: 'GD η = 0.2', run: trainStaged(c9, nineInit(c9.sigma0), { solver: gd }, nineScalarTrainable(c9)) });
  // token span
  for (const m of [1, 64, 1024]) {
    const c = yangConfig(yangParams(m === 1 ? base : { ...base, init: 'mean-field', m }));
    const y0 = yangInit(c, makeRng(1));
    const name = m === 1 ? 'token span, m = 1 (averaged)' : `token span, m = ${m} (mean-field)`;
    // step budgets keep the runs that cannot finish to a few minutes in all
    const budgets = { filippov: m === 1 ? 100_000 : m === 64 ? 20 : 2, 'smooth-through': m === 1 ? 100_000 : m === 64 ? 3000 : 300 };
    for (const kinks of ['filippov', 'smooth-through'] as const) {
      const budget = budgets[kinks];
      rows.push({ system: name, integrator: `dopri5, ${kinks}${budget < 100_000 ? ` (≤ ${budget} steps)` : ''}`, run: trainStaged(c, y0, { solver: flow(kinks, budget) }) });
    }
    rows.push({ system: name, integrator: 'GD η = 0.2', run: trainStaged(c, y0, { solver: gd }) });
  }
  return [
    '| system | integrator | reached | RHS evaluations | accepted steps | wall ms | µs per RHS |',
    '|---|---|---|---:|---:|---:|---:|',
    ...rows.map(describe),
    '',
    '"RHS evaluations" is the integrator\'s count (`nfev`); the kink treatment\'s sliding solves call the field |pinned| + 2 more times each, so for the filippov rows "µs per RHS" (wall time / nfev) includes that work.',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await benchYang());
}
