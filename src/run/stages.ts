/** The stages of a run, or why there are none (a general ODE has no loss; a short or non-finite loss has no rate). */
import { detectStages } from '../stages/index.js';
import type { Model, Trajectory } from '../models/types.js';
import type { Stage } from '../stages/index.js';

/** The stages of a run, or none and why (a short series, a loss that is not finite, a general ODE without a loss). */
export interface StageOutcome { readonly stages: readonly Stage[]; readonly reason?: string | null }

export function runStages(model: Model, tr: Trajectory): StageOutcome {
  if (model.field === 'general') return { stages: [], reason: `${model.id} is a general ODE (rhs), not a gradient flow: it has no loss to find stages in` };
  const r = detectStages(tr.t, tr.series.loss, { observables: tr.series });
  return { stages: r.stages, reason: r.noStagesReason };
}
