/** Running a model's predictions: each becomes a verdict row; a crash in one is a failed row, not a crash of all. */
import { isGradflowError } from '../util/errors.js';
import type { CheckContext, Model, Prediction, Verdict } from '../models/types.js';

export interface CheckRow {
  readonly prediction: Prediction;
  readonly verdict: Verdict;
  readonly wallMs: number;
}

export function runChecks(model: Model, ctx: CheckContext, onRow?: (row: CheckRow, index: number, total: number) => void): CheckRow[] {
  const rows: CheckRow[] = [];
  model.predictions.forEach((prediction, i) => {
    const start = performance.now();
    let verdict: Verdict;
    try {
      verdict = prediction.check(ctx);
    } catch (e) {
      if (!isGradflowError(e) && !(e instanceof Error)) throw e;
      const reason = `the check could not be computed: ${(e as Error).message}`;
      verdict = { pass: false, measured: NaN, predicted: '—', tolerance: '—', detail: reason, notMeasurable: reason };
    }
    const row = { prediction, verdict, wallMs: performance.now() - start };
    rows.push(row);
    onRow?.(row, i, model.predictions.length);
  });
  return rows;
}
