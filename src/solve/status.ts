/**
 * How a run ended, and the one sentence that tells the user: the time reached and the knob to turn.
 */
import { fmt } from '../util/errors.js';
import { BLOWUP_NORM } from './blowup.js';
import type { MethodName, Status, Vec } from './types.js';
import { infNorm } from './vec.js';

/** Why a run ended `non_finite`. */
export type BlowUpCause =
  /** NaN or ±Infinity in the state or the RHS that smaller steps could not avoid. */
  | 'non_finite_value'
  /** ‖y‖∞ exceeded BLOWUP_NORM. */
  | 'norm'
  /** The step collapsed while ‖y‖ escaped to infinity (a finite-time singularity). */
  | 'escape';

/** What an integrator reports back to `solve`. */
export interface RunOutcome {
  status: Status;
  /** Time reached: t_end, the terminal event, or the last accepted point before a failure. */
  tEnd: number;
  /** State at tEnd (a copy owned by the outcome). */
  yEnd: Vec;
  nfev: number;
  accepted: number;
  rejected: number;
  /** non_finite only. */
  cause?: BlowUpCause;
  /** step_too_small: the step that was too small. */
  h?: number;
  /** Name of the terminal event (status 'event'). */
  eventName?: string;
  /** kink_failure: what the kink treatment could not do, one or two sentences naming t. */
  kinkMessage?: string;
}

/** The facts a status message needs. */
export interface MessageContext {
  readonly method: MethodName;
  readonly t1: number;
  readonly maxSteps: number;
  /** Fixed step, or null for an adaptive run. */
  readonly fixedH: number | null;
}

/** One sentence per status; failures name the time reached, t_end, and what to change. */
export function statusMessage(o: RunOutcome, ctx: MessageContext): string {
  const at = `t=${fmt(o.tEnd)}`;
  const end = `t_end=${fmt(ctx.t1)}`;
  const fixed = ctx.fixedH !== null;
  switch (o.status) {
    case 'success':
      return `Reached ${end} in ${o.accepted} steps (${o.rejected} rejected, ${o.nfev} RHS evaluations).`;
    case 'event':
      return `Stopped at ${at} by terminal event '${o.eventName ?? '?'}'.`;
    case 'max_steps':
      return fixed
        ? `Reached max steps (${ctx.maxSteps}) at ${at} before ${end}: raise --max-steps or use a larger --h.`
        : `Reached max steps (${ctx.maxSteps}) at ${at} before ${end}: raise --max-steps or loosen --rtol.`;
    case 'step_too_small':
      return `Step size fell to ${fmt(o.h ?? 0)}, below 10·eps·|t|, at ${at} before ${end}: the vector field is `
        + 'probably singular or discontinuous there; check the model near that time, or loosen --rtol/--atol.';
    case 'non_finite': {
      const what = o.cause === 'norm'
        ? `‖y‖∞ exceeded ${fmt(BLOWUP_NORM)}`
        : o.cause === 'escape'
          ? `‖y‖∞ grew to ${fmt(infNorm(o.yEnd))} while the step size collapsed (a finite-time singularity)`
          : 'the state or its derivative became NaN or infinite';
      const hint = fixed
        ? (ctx.method === 'euler'
          ? 'a smaller --h (learning rate) may keep gradient descent stable, or the flow itself diverges'
          : 'a smaller --h, or an adaptive run, may help, or the flow itself diverges')
        : 'the flow diverges there, or the model leaves its domain (log, sqrt, division by zero)';
      return `The solution blew up near ${at}: ${what} before ${end}; ${hint}.`;
    }
    case 'kink_failure':
      return `${o.kinkMessage ?? `The kink treatment failed at ${at}.`} Stopped before ${end}.`;
  }
}
