/**
 * Benchmark of the integrators on Arenstorf's orbit and the logistic equation: RHS calls,
 * accepted/rejected steps, error against the known answer, and wall time (median of repetitions
 * after warm-up). Returns a Markdown table; not run by the tests.
 */
import { solve } from '../src/solve/index.js';
import type { MethodName } from '../src/solve/index.js';
import { arenstorf, logistic, maxAbsDiff, type Problem } from '../test/fixtures/problems.js';

const METHODS: readonly MethodName[] = ['dopri5', 'dop853', 'odex'];
const TOLS = [1e-8, 1e-10] as const;
const WARMUP = 10;
const REPS = 15;

interface Case {
  readonly problem: Problem;
  /** Error of the final state: ‖y(T) − y_exact(T)‖∞ (for Arenstorf, y_exact(T) = y0). */
  readonly error: (yEnd: Float64Array) => number;
}

const logi = logistic(1e-3, 30);
const CASES: readonly Case[] = [
  { problem: arenstorf, error: (y) => maxAbsDiff(y, arenstorf.y0) },
  { problem: logi, error: (y) => maxAbsDiff(y, logi.exact!(logi.span[1])) },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs every method on every case at rtol = atol ∈ {1e-8, 1e-10}; returns a Markdown table. */
export async function benchSolvers(): Promise<string> {
  const rows: string[] = [
    '| problem | method | rtol = atol | status | RHS calls | accepted | rejected | error at t_end | wall time (median) |',
    '|---|---|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const { problem, error } of CASES) {
    for (const method of METHODS) {
      for (const tol of TOLS) {
        const run = () => solve(problem.f, problem.span, problem.y0, { method, rtol: tol, atol: tol });
        for (let i = 0; i < WARMUP; i++) run();
        const times: number[] = [];
        let sol = run();
        for (let i = 0; i < REPS; i++) {
          const t = performance.now();
          sol = run();
          times.push(performance.now() - t);
        }
        const { nfev, accepted, rejected } = sol.stats;
        rows.push(
          `| ${problem.name} | ${method} | ${tol.toExponential(0)} | ${sol.status} | ${nfev} | ${accepted} | ${rejected} `
          + `| ${error(sol.yEnd).toExponential(2)} | ${median(times).toFixed(3)} ms |`,
        );
        await new Promise((r) => setImmediate(r)); // let the event loop breathe between cases
      }
    }
  }
  return rows.join('\n');
}
