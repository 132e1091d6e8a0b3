/** `gradflow check MODEL`: run the model's predictions and write report.md with figures. */
import type { Command } from 'commander';
import { join } from 'node:path';
import { findModel } from '../../models/registry.js';
import { parseSetFlags, resolveParams } from '../../models/params.js';
import { makeCheckContext } from '../../check/context.js';
import { runChecks } from '../../check/run-checks.js';
import { reportMarkdown, writeReport } from '../../check/report.js';
import { writeStandardFigures } from '../../check/figures.js';
import { detectStages } from '../../stages/index.js';
import { ensureDir, writeRun } from '../../io/series.js';
import { fmt } from '../../util/errors.js';
import type { Model } from '../../models/types.js';
import { EXIT, type CliIO } from '../io.js';
import { collect } from '../parse-flags.js';

export async function checkModel(name: string | Model, sets: readonly string[], out: string, io: CliIO): Promise<{ passed: number; total: number; report: string }> {
  const model = typeof name === 'string' ? findModel(name) : name;
  const params = resolveParams(model, parseSetFlags(sets));
  ensureDir(out);
  const ctx = makeCheckContext(model, params, (label) => io.err(`  ${model.id}: solving (${label})\n`));
  const rows = runChecks(model, ctx, (row, i, total) => {
    io.err(`  [${i + 1}/${total}] ${row.prediction.id}: ${row.verdict.pass ? 'pass' : 'FAIL'} (measured ${fmt(row.verdict.measured)}; predicted ${row.verdict.predicted})\n`);
  });
  const main = ctx.main();
  const { stages } = detectStages(main.t, main.series.loss, { observables: main.series });
  writeRun(out, main, stages);
  const figures = [
    ...(await writeStandardFigures(model, main, stages, join(out, 'figures'))),
    ...((await model.figures?.(ctx, join(out, 'figures'))) ?? []),
  ];
  const extra = model.reportSections?.(ctx) ?? '';
  const report = writeReport(out, reportMarkdown(model, params, rows, stages, figures, out, extra));
  return { passed: rows.filter((r) => r.verdict.pass).length, total: rows.length, report };
}

export function registerCheck(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('check')
    .description('check a model\'s predictions: report.md with predicted, measured and verdict per claim, and figures; exit 1 if any fails')
    .argument('<model>', 'a registered model (see `gradflow models`)')
    .option('--set <name=value>', 'set a parameter (repeatable)', collect, [])
    .option('--out <dir>', 'output folder', 'gradflow-check')
    .action(async (name: string, flags: { set: string[]; out: string }) => {
      const r = await checkModel(name, flags.set, flags.out, io);
      io.err(`${name}: ${r.passed} of ${r.total} predictions hold → ${r.report}\n`);
      setExit(r.passed === r.total ? EXIT.ok : EXIT.predictionFailed);
    });
}
