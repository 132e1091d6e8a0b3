/**
 * Extra sections of the Yang check report: the runs behind the predictions, the Stage-2 starting
 * velocities and end state against the note, the critical subsystem, the sliding modes, and the
 * reference-run-C regression table.
 */
import { fmt } from '../../util/errors.js';
import type { KinkRecord } from '../../solve/types.js';
import type { CheckContext } from '../types.js';
import { TokenSpanNetwork } from './network.js';
import { summarize } from './observables.js';
import { stageTwoVelocities } from './predictions.js';
import { FLOW_SOLVER, K3_SOLVER, kinkRecord, RUN_C_LOSS, RUN_C_STEPS, SLIDING_HORIZON, yangRuns } from './runs.js';

/** "24 crossings; 4 pins at τ = 1232.97; 4 releases at …" */
function kinkSummary(kr: KinkRecord | undefined): string {
  if (!kr) return 'not recorded';
  const part = (kind: 'cross' | 'pin' | 'release', name: string): string | null => {
    const ev = kr.events.filter((e) => e.kind === kind);
    if (ev.length === 0) return null;
    const times = [...new Set(ev.map((e) => fmt(Number(e.t.toPrecision(7)))))];
    return `${ev.length} ${name}${ev.length === 1 ? '' : 's'} at τ = ${times.slice(0, 4).join(', ')}${times.length > 4 ? ', …' : ''}`;
  };
  return [part('cross', 'crossing'), part('pin', 'pin'), part('release', 'release')].filter((x) => x !== null).join('; ') || 'none';
}

const row = (cells: readonly (string | number)[]): string => `| ${cells.map((c) => (typeof c === 'number' ? fmt(c) : c)).join(' | ')} |`;

export function yangReportSections(ctx: CheckContext): string {
  const runs = yangRuns(ctx);
  const out: string[] = ['## Yang et al.: runs and reference numbers', ''];
  out.push(
    'The paper\'s full text was not available: the model is the technical note\'s reconstruction (token-span form, exact for orthonormal noise-free tokens), and its unverified choices are switches (`gradflow models` lists them).',
    `Flows: ${FLOW_SOLVER.method} at rtol ${FLOW_SOLVER.rtol}, atol ${FLOW_SOLVER.atol}, hMax ${FLOW_SOLVER.hMax} (the K = 3 flow at rtol ${K3_SOLVER.rtol}), with exact kink crossings and Filippov sliding modes on the ReLU pre-activations. Random-init runs: gradient descent (τ = η·steps).`,
    '',
  );
  const three = runs.threeStage();
  if ('error' in three) {
    out.push(`Three-stage run: not available (${three.error}).`, '');
  } else {
    out.push('### Three-stage run (Algorithm 1) from the averaged initialisation', '', row(['stage', 'trained', 'τ start', 'τ end', 'ended by', 'kink events']), '|---|---|---:|---:|---|---|');
    three.stages.forEach((s, i) => out.push(row([i + 1, s.mode, s.start, s.end, s.endedBy, kinkSummary(s.kinks)])));
    out.push('', `Status: ${three.status} (${three.message}); ${three.stats.nfev} RHS evaluations, ${three.stats.accepted} steps, ${Math.round(three.wallMs)} ms.`, '');
    if (three.stages.length > 1 && three.config.keyQuery === 'combined' && three.config.K === 2) {
      const { all } = stageTwoVelocities(three);
      const names: [string, number, number][] = [['b', 2, 0.0367], ['b′', 3, -0.0368], ['g', 8, -0.0183], ['g′', 12, 0.0184], ['a', 0, -5e-5], ['e', 10, 5e-5], ['f', 11, 5e-5]];
      out.push('### Stage 2 starting velocities dθ/dτ (note §4.6)', '', row(['logit', 'entry A[key, query]', 'measured', 'note']), '|---|---|---:|---:|');
      const entry = ['c_k, c_k', 'c_k, μ_k', 'c_k, μ_k′', 'μ_k, c_k', 'μ_k′, c_k', 'μ_j, μ_j', 'μ_i, μ_j'];
      const order = ['a', 'b', 'b′', 'g', 'g′', 'e', 'f'];
      names.forEach(([n, i, note]) => out.push(row([n, entry[order.indexOf(n)], all[i], note])));
      out.push('');
      const net = new TokenSpanNetwork(three.config);
      const end2 = three.t.findIndex((t) => t >= three.stages[1].end - 1e-9);
      if (end2 >= 0) {
        const L = summarize(net, three.y[end2]).logits[0];
        const note: Record<string, number> = { a: 1.37, b: 3.48, bp: -3.19, g: -2.59, gp: 2.43, e: -0.83, f: 0.87 };
        out.push('### End of Stage 2: logits of head + (note §4.6 end state of run C)', '', row(['logit', 'measured', 'note']), '|---|---:|---:|');
        for (const k of ['a', 'b', 'bp', 'g', 'gp', 'e', 'f'] as const) out.push(row([k.replace('p', '′'), L[k], note[k]]));
        out.push('');
      }
      // critical subsystem: ‖(b, b′, g, g′)‖ against ‖(a, e, f)‖ along Stage 2
      out.push('### Critical subsystem along Stage 2', '', row(['τ', '‖(b, b′, g, g′)‖', '‖(a, e, f)‖', 'ratio', 'hard loss']), '|---:|---:|---:|---:|---:|');
      const idx = three.t.reduce<number[]>((acc, t, i) => (three.stage[i] === 2 ? [...acc, i] : acc), []);
      for (const q of [0, 0.05, 0.1, 0.25, 0.5, 1]) {
        const i = idx[Math.min(idx.length - 1, Math.round(q * (idx.length - 1)))];
        if (i === undefined) continue;
        const s = summarize(net, three.y[i]);
        const L = s.logits[0];
        const crit = Math.hypot(L.b, L.bp, L.g, L.gp);
        const rest = Math.hypot(L.a, L.e, L.f);
        out.push(row([three.t[i], crit, rest, crit > 0 ? rest / crit : NaN, s.lossHard]));
      }
      out.push('');
    }
  }
  const sl = runs.sliding();
  if (!('error' in sl)) {
    const kr = kinkRecord(sl.flow);
    out.push(`### Simultaneous training from the averaged initialisation: kink events up to τ = ${SLIDING_HORIZON}`, '');
    out.push(`Flow: ${sl.flow.status} (${sl.flow.message})${kr ? `; ${kr.stats.switchPoints} switch points, at most ${kr.stats.maxPinned} units pinned, ${kr.stats.slidingSolves} sliding solves` : ''}.`, '');
    if (kr && kr.events.length > 0) {
      out.push(`Kink events: ${kinkSummary(kr)}. Pins and releases:`, '', row(['event', 'τ', 'switching function']), '|---|---:|---|');
      const slide = kr.events.filter((e) => e.kind !== 'cross');
      for (const e of slide.slice(0, 24)) out.push(row([e.kind, e.t, e.label]));
      if (slide.length > 24) out.push(`| … | | ${slide.length - 24} more |`);
      out.push('');
    }
  }
  const rc = runs.runC();
  if (!('error' in rc)) {
    const net = new TokenSpanNetwork(rc.config);
    out.push('### Reference run C (note §6.3): three stages of 6000/20000/6000 explicit-Euler steps, η = 0.2', '', row(['step', 'τ', 'loss (gradflow)', 'loss (note)', 'relative difference']), '|---:|---:|---:|---:|---:|');
    RUN_C_STEPS.forEach((k, j) => {
      const i = rc.t.findIndex((t) => Math.abs(t - 0.2 * k) <= 1e-9 * Math.max(1, t));
      const L = i >= 0 ? net.forward(rc.y[i]) : NaN;
      out.push(row([k, 0.2 * k, L, RUN_C_LOSS[j], Math.abs(L - RUN_C_LOSS[j]) / RUN_C_LOSS[j]]));
    });
    out.push('', 'The note tabulates 4 decimals, so its last entry (0.0009) carries a rounding uncertainty of ±5.6%.', '');
  }
  return out.join('\n');
}
