/**
 * Cost of the spectral observer set per save point: singular values, stable / effective /
 * numerical rank and the condensation summary (mean |cos| of rows plus the effective rank of the
 * row-normalised matrix), i.e. one `spectralObservables` call, on n×n Gaussian matrices.
 * Milliseconds, median over repetitions after a warm-up; the two dominant parts are timed alone.
 */
import { cpus } from 'node:os';
import { condensationSummary, matrixView, singularValues, spectralObservables } from '../src/spectral/index.js';
import type { MatrixView } from '../src/spectral/index.js';
import { makeRng } from '../src/util/rng.js';

/** n×n matrix of N(0, 1/n) entries from a seeded generator. */
function gaussianMatrix(n: number, seed: number): MatrixView {
  const rng = makeRng(seed);
  const sd = 1 / Math.sqrt(n);
  return matrixView(Float64Array.from({ length: n * n }, () => sd * rng.normal()), n, n);
}

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median, min and max milliseconds of `fn` over `reps` runs after `warm` unrecorded runs. */
function time(fn: () => unknown, reps: number, warm: number): { med: number; min: number; max: number } {
  let sink = 0;
  for (let i = 0; i < warm; i++) sink += Number(fn() !== undefined);
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    sink += Number(fn() !== undefined);
    ms.push(performance.now() - t0);
  }
  if (sink < 0) console.log(''); // keep the results alive
  return { med: median(ms), min: Math.min(...ms), max: Math.max(...ms) };
}

/** Three significant digits without exponent notation. */
function ms(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

const SIZES: { n: number; reps: number; warm: number }[] = [
  { n: 16, reps: 200, warm: 50 },
  { n: 64, reps: 40, warm: 5 },
  { n: 256, reps: 9, warm: 2 },
];

export async function benchObservers(): Promise<string> {
  const rows = [
    `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}; ms per save point, median (min–max).`,
    '',
    '| n×n | reps | full observer set (ms) | singular values only (ms) | condensation summary (ms) |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const { n, reps, warm } of SIZES) {
    const W = gaussianMatrix(n, 1000 + n);
    const full = time(() => spectralObservables(W), reps, warm);
    const sv = time(() => singularValues(W), reps, warm);
    const cond = time(() => condensationSummary(W), reps, warm);
    const f = (x: { med: number; min: number; max: number }) => `${ms(x.med)} (${ms(x.min)}–${ms(x.max)})`;
    rows.push(`| ${n}×${n} | ${reps} | ${f(full)} | ${f(sv)} | ${f(cond)} |`);
  }
  return rows.join('\n');
}
