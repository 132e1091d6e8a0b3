/** A short Markdown table of detected stages, for reports and terminals. */
import type { Stage } from './detect.js';

/** 4 significant digits; exponent form below 1e-3 and from 1e4. */
function short(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e4) return x.toExponential(3).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(Number(x.toPrecision(4)));
}

function signed(x: number): string {
  return (x > 0 ? '+' : '') + short(x);
}

export interface SummaryOptions {
  /** Movers listed per stage (with their relative change). Default 2. */
  movers?: number;
}

/**
 * One row per stage: number, kind, t start and end, loss at start and end, loss level (median),
 * peak of the rate r = −d ln L/d ln t, and the top movers with their change relative to the
 * observable's range over the run (e.g. `u1 +0.98`). Numbers have 4 significant digits: this is
 * for reading, not for further computation (use the Stage fields for that).
 */
export function summarizeStages(stages: readonly Stage[], options: SummaryOptions = {}): string {
  const m = options.movers ?? 2;
  const lines = [
    '| # | kind | t start | t end | loss start | loss end | loss level | peak rate | top movers (relative change) |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  stages.forEach((s, k) => {
    const movers = s.movers
      .slice(0, m)
      .map((x) => `${x.name} ${signed(x.relativeChange)}`)
      .join(', ');
    lines.push(
      `| ${k + 1} | ${s.kind} | ${short(s.tStart)} | ${short(s.tEnd)} | ${short(s.lossStart)} | ${short(s.lossEnd)} | ${short(s.lossLevel)} | ${short(s.peakRate)} | ${movers || '—'} |`,
    );
  });
  return lines.join('\n') + '\n';
}
