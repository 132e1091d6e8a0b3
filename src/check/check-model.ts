/**
 * `check`: run a model's predictions under the user's solver flags, write report.md (verdict
 * table, figures), run.json (the main run) and check.json (provenance and every verdict).
 *
 * With `verify`, every prediction is measured a second time with every run 100× tighter in rtol
 * and atol (check's `--verify`), and the report shows how far each measured number moved; a
 * verdict that flips is flagged. Fixed-step (GD) runs have no tolerance and are not re-run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCheckContext } from './context.js';
import { runChecks, type CheckRow } from './run-checks.js';
import { reportMarkdown, writeReport } from './report.js';
import { writeStandardFigures } from './figures.js';
import { runStages } from '../run/stages.js';
import { ensureDir, writeRun } from '../io/series.js';
import { provenance } from '../io/provenance.js';
import { withFolderLock } from '../io/lock.js';
import { refuseOverwrite } from '../io/overwrite.js';
import type { SolverFlags } from '../run/solver-flags.js';
import type { Model, Params, Verdict } from '../models/types.js';
import type { MethodName } from '../solve/types.js';

/** How much tighter `--verify` runs every integration. */
export const VERIFY_FACTOR = 0.01;

export interface VerifyRow {
  /** The measured number at 100× tighter tolerances. */
  readonly measured: number;
  readonly pass: boolean;
  /** |measured − measured_tight|, and relative to |measured_tight| (NaN where undefined). */
  readonly moved: number;
  readonly relative: number;
  readonly flipped: boolean;
}

export interface CheckOptions {
  readonly flags?: SolverFlags;
  readonly verify?: boolean;
  /** With `verify`: measure again with this method (at the same tolerances) instead of 100× tighter. */
  readonly verifyWith?: MethodName;
  /** Every command option, for the record. */
  readonly options?: Readonly<Record<string, unknown>>;
  readonly log?: (line: string) => void;
  /** Overwrite an earlier check in `out`. */
  readonly force?: boolean;
}

export interface CheckOutcome {
  readonly passed: number;
  readonly total: number;
  /** Predictions whose quantity could not be measured (counted in total, not in passed). */
  readonly notMeasurable: number;
  readonly report: string;
  readonly rows: readonly CheckRow[];
  /** Per row (same order), with `verify`; else null. */
  readonly verify: readonly VerifyRow[] | null;
}

/** How the verification runs differ, in words. */
export function verificationText(method?: MethodName): string {
  return method ? `with ${method} at the same tolerances (fixed-step GD runs stay as they are)` : `with every integration ${1 / VERIFY_FACTOR}× tighter in rtol and atol`;
}

export function compareVerdicts(rows: readonly CheckRow[], tight: readonly CheckRow[]): VerifyRow[] {
  return rows.map((r, i) => {
    const t = tight[i].verdict;
    const moved = Math.abs(r.verdict.measured - t.measured);
    return { measured: t.measured, pass: t.pass, moved, relative: moved / Math.abs(t.measured), flipped: t.pass !== r.verdict.pass };
  });
}

export async function checkModel(model: Model, params: Params, out: string, o: CheckOptions = {}): Promise<CheckOutcome> {
  ensureDir(out);
  return withFolderLock(out, `check ${model.id}`, () => {
    refuseOverwrite(['report.md', 'check.json', 'run.json'], Boolean(o.force), out);
    return checkLocked(model, params, out, o);
  });
}

async function checkLocked(model: Model, params: Params, out: string, o: CheckOptions): Promise<CheckOutcome> {
  const log = o.log ?? (() => {});
  const ctx = makeCheckContext(model, params, { flags: o.flags, onRun: (label) => log(`  ${model.id}: solving (${label})`) });
  const rows = runChecks(model, ctx, (row, i, total) => {
    const v = row.verdict;
    log(`  [${i + 1}/${total}] ${row.prediction.id}: ${v.notMeasurable !== undefined ? `not measurable (${v.notMeasurable})` : `${v.pass ? 'pass' : 'FAIL'} (measured ${v.measured}; predicted ${v.predicted})`}`);
  });
  let verify: VerifyRow[] | null = null;
  if (o.verify) {
    log(`  ${model.id}: verifying every prediction ${verificationText(o.verifyWith)}`);
    const how = o.verifyWith ? { method: o.verifyWith } : { tighten: VERIFY_FACTOR };
    const tightCtx = makeCheckContext(model, params, { flags: o.flags, ...how, onRun: (label) => log(`  ${model.id}: solving again (${label})`) });
    verify = compareVerdicts(rows, runChecks(model, tightCtx));
  }
  const main = ctx.main();
  const stages = runStages(model, main);
  writeRun(out, model, main, stages, { command: 'check', flags: o.flags, options: o.options });
  const figures = [
    ...(await writeStandardFigures(model, main, stages.stages, join(out, 'figures'))),
    ...((await model.figures?.(ctx, join(out, 'figures'))) ?? []),
  ];
  const extra = model.reportSections?.(ctx) ?? '';
  const passed = rows.filter((r) => r.verdict.pass).length;
  const report = writeReport(out, reportMarkdown(model, params, rows, stages, figures, out, extra, verify ? { rows: verify, how: verificationText(o.verifyWith) } : null, o.flags));
  const s = main.solution;
  writeFileSync(join(out, 'check.json'), JSON.stringify({
    ...provenance({ command: 'check', model, params, seed: main.seed, flags: o.flags, solver: s.options, options: { ...o.options, verify: Boolean(o.verify), verify_with: o.verifyWith ?? null }, status: s.status, message: s.message, stats: s.stats, wallMs: main.wallMs }),
    passed,
    total: rows.length,
    not_measurable: rows.filter((r) => r.verdict.notMeasurable !== undefined).length,
    predictions: rows.map((r, i) => ({
      id: r.prediction.id, claim: r.prediction.claim, source: r.prediction.source,
      verdict: verdictWord(r.verdict), not_measurable: r.verdict.notMeasurable ?? null,
      pass: r.verdict.pass, measured: r.verdict.measured, predicted: r.verdict.predicted, tolerance: r.verdict.tolerance, detail: r.verdict.detail,
      verify: verify ? verify[i] : null,
    })),
  }, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 1));
  return { passed, total: rows.length, notMeasurable: rows.filter((r) => r.verdict.notMeasurable !== undefined).length, report, rows, verify };
}

/** PASS, FAIL or not measurable: what a verdict says, in reports and records. */
export function verdictWord(v: Verdict): 'pass' | 'fail' | 'not measurable' {
  return v.notMeasurable !== undefined ? 'not measurable' : v.pass ? 'pass' : 'fail';
}
