/**
 * Benchmark of the kink treatment: steps, RHS calls, switched-field calls and wall time with and
 * without it, on the two sliding examples (examples/abs-sliding.json, examples/relu-sliding.json)
 * and on a coded two-layer ReLU network with 1,000 switching functions (50 units × 20 points,
 * test/fixtures/relu-net.ts). Returns a Markdown table; not run by the tests.
 *
 * Also the figure of docs/kinks.md: `npx tsx scripts/bench-kinks.ts --figure docs/kinks-sliding.png`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadModelFile } from '../src/modelfile/system.js';
import { buildSystem } from '../src/modelfile/system.js';
import { examplesDir } from '../src/modelfile/locate.js';
import { resolveParams } from '../src/models/params.js';
import { linePlot } from '../src/report/index.js';
import { solve } from '../src/solve/index.js';
import type { KinkMode, RhsFn, Solution, SolveOptions, SwitchedSystem } from '../src/solve/index.js';
import { linspace } from '../src/util/grid.js';
import { makeRng } from '../src/util/rng.js';
import { reluNet, reluNetSwitching } from '../test/fixtures/relu-net.js';

interface Case {
  readonly name: string;
  readonly f: RhsFn;
  readonly sw: SwitchedSystem;
  readonly y0: ArrayLike<number>;
  readonly tEnd: number;
  readonly tols: readonly number[];
  /** Step budget for smooth-through (it stalls on sliding modes). */
  readonly maxSteps: number;
  readonly reps: number;
  readonly treatments: readonly KinkMode[];
}

function example(name: string, reps: number): Case {
  const sys = buildSystem(loadModelFile(join(examplesDir(), `${name}.json`)));
  return { name, f: sys.rhs, sw: sys.switched!, y0: sys.y0, tEnd: sys.spec.tEnd, tols: [1e-8, 1e-10, 1e-12], maxSteps: 100_000, reps, treatments: ALL };
}

const ALL: readonly KinkMode[] = ['filippov', 'exact', 'smooth-through'];

/** 50 units × 20 points; `accelerators`: the system's optional column/ratesAt. */
function reluNet1000(accelerators: boolean): Case {
  const p = resolveParams(reluNet, { m: 50, N: 20, d: 5, initScale: 0.3, seed: 1 });
  return {
    name: `relu-net, 1,000 switching functions${accelerators ? '' : ', without column/ratesAt'}`,
    f: reluNet.flow(p),
    sw: reluNetSwitching(p, accelerators),
    y0: reluNet.init(p, makeRng(1)),
    tEnd: 50,
    tols: [1e-8, 1e-10],
    maxSteps: 20_000,
    reps: 1,
    treatments: accelerators ? ALL : ['filippov'],
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function timed(c: Case, o: SolveOptions): { sol: Solution; ms: number } {
  const run = () => solve(c.f, [0, c.tEnd], c.y0, o);
  let sol = run(); // warm-up (three for the cheap cases)
  for (let i = 1; i < Math.min(3, c.reps); i++) sol = run();
  const times: number[] = [];
  for (let i = 0; i < c.reps; i++) {
    const t = performance.now();
    sol = run();
    times.push(performance.now() - t);
  }
  return { sol, ms: median(times) };
}

/** Runs every case with each kink treatment; returns a Markdown table. */
export async function benchKinks(): Promise<string> {
  const rows = [
    '| problem | kinks | rtol = atol | status | reached t | accepted | rejected | RHS calls | field calls | switches (cross/pin/release) | max pinned | wall time |',
    '|---|---|---:|---|---:|---:|---:|---:|---:|---|---:|---:|',
  ];
  const cases = [example('abs-sliding', 9), example('relu-sliding', 9), reluNet1000(true), reluNet1000(false)];
  for (const c of cases) {
    for (const tol of c.tols) {
      for (const kinks of c.treatments) {
        const o: SolveOptions = { rtol: tol, atol: tol, kinks, switching: c.sw, maxSteps: kinks === 'smooth-through' ? c.maxSteps : 100_000 };
        const { sol, ms } = timed(c, o);
        const k = sol.kinks;
        const n = (kind: string) => k?.events.filter((e) => e.kind === kind).length ?? 0;
        rows.push(`| ${c.name} | ${kinks} | ${tol.toExponential(0)} | ${sol.status} | ${sol.tEnd.toPrecision(6)} | ${sol.stats.accepted} | ${sol.stats.rejected} `
          + `| ${sol.stats.nfev} | ${k ? k.stats.fieldCalls : sol.stats.nfev} | ${k ? `${n('cross')}/${n('pin')}/${n('release')}` : '–'} `
          + `| ${k ? k.stats.maxPinned : '–'} | ${ms < 10 ? ms.toFixed(2) : ms.toFixed(0)} ms |`);
        await new Promise((r) => setImmediate(r));
      }
    }
  }
  rows.push('', 'smooth-through runs get a step budget of 100,000 (examples) or 20,000 (relu-net); "reached t" shows where a stalled run stopped. '
    + "Field calls count evaluations of the switched field (a sliding solve with |P| pinned functions makes |P| + 2).");
  return rows.join('\n');
}

/**
 * The figure of docs/kinks.md: L = |x| + (y − 1)²/2 from (1, 0), the Filippov solution against
 * gradient descent with η = 0.05 (which chatters across x = 0 with amplitude η).
 */
export async function writeKinksFigure(path: string): Promise<void> {
  const sys = buildSystem(loadModelFile(join(examplesDir(), 'abs-sliding.json')));
  const T = 3;
  const ts = linspace(0, T, 301);
  const sol = solve(sys.rhs, [0, T], sys.y0, { rtol: 1e-10, atol: 1e-12, saveAt: ts, switching: sys.switched! });
  const eta = 0.05;
  const gdT: number[] = [];
  const gdX: number[] = [];
  const y = Float64Array.from(sys.y0);
  const d = new Float64Array(2);
  for (let k = 0; k <= Math.round(T / eta); k++) {
    gdT.push(k * eta);
    gdX.push(y[0]);
    sys.rhs(0, y, d);
    y[0] += eta * d[0];
    y[1] += eta * d[1];
  }
  const fig = await linePlot({
    title: 'A sliding mode: L = |x| + (y − 1)²/2 from (1, 0)',
    subtitle: 'x reaches its kink at t = 1 and is held there (λ = 1/2); gradient descent (η = 0.05) chatters around it',
    xLabel: 'time t (GD: η × steps)',
    yLabel: 'value',
    series: [
      { name: 'x, Filippov (gradflow)', x: sol.t, y: sol.y.map((v) => v[0]) },
      { name: 'y, Filippov (gradflow)', x: sol.t, y: sol.y.map((v) => v[1]) },
      { name: 'x, gradient descent η = 0.05', x: gdT, y: gdX },
    ],
    bands: [{ from: 1, to: T, label: 'x held at 0' }],
    width: 520,
    height: 260,
  });
  writeFileSync(path, fig.png);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--figure');
  if (i >= 0) await writeKinksFigure(process.argv[i + 1] ?? 'docs/kinks-sliding.png');
  else console.log(await benchKinks());
}
