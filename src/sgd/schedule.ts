/**
 * Learning-rate schedules. Time is τ = Σ_k η_k (η · steps for a constant rate), the same time as
 * the gradient flow's, so discrete runs and the flow are compared at equal τ.
 */
import { inputError, fmt } from '../util/errors.js';

export type Schedule =
  | { readonly kind: 'constant'; readonly eta: number }
  /** η1 until τ reaches `tauSwitch`, then η2 (Gong et al.'s two-rate schedule). */
  | { readonly kind: 'two-rate'; readonly eta1: number; readonly eta2: number; readonly tauSwitch: number };

/** `0.1` or `0.1->0.01@50` (η1 → η2 at τ = 50). */
export function parseSchedule(text: string): Schedule {
  const two = /^\s*([^-@>\s]+)\s*->\s*([^@\s]+)\s*@\s*(\S+)\s*$/.exec(text);
  if (two) {
    const [eta1, eta2, tauSwitch] = two.slice(1).map(Number);
    const s: Schedule = { kind: 'two-rate', eta1, eta2, tauSwitch };
    checkSchedule(s);
    return s;
  }
  const s: Schedule = { kind: 'constant', eta: Number(text) };
  checkSchedule(s);
  return s;
}

export function checkSchedule(s: Schedule): void {
  const pos = (name: string, v: number): void => {
    if (!Number.isFinite(v) || v <= 0) throw inputError(`learning rate ${name} must be a finite number > 0 (got ${fmt(v)}); write η or η1->η2@τ, e.g. 0.1->0.01@50.`);
  };
  if (s.kind === 'constant') pos('η', s.eta);
  else {
    pos('η1', s.eta1);
    pos('η2', s.eta2);
    if (!Number.isFinite(s.tauSwitch) || s.tauSwitch < 0) throw inputError(`the switch time τ of ${fmt(s.eta1)}->${fmt(s.eta2)} must be ≥ 0 (got ${fmt(s.tauSwitch)}).`);
  }
}

export function etaAt(s: Schedule, tau: number): number {
  return s.kind === 'constant' ? s.eta : tau < s.tauSwitch ? s.eta1 : s.eta2;
}

export function describeSchedule(s: Schedule): string {
  return s.kind === 'constant' ? `η=${fmt(s.eta)}` : `η=${fmt(s.eta1)}→${fmt(s.eta2)} at τ=${fmt(s.tauSwitch)}`;
}
