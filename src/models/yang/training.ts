/**
 * Training schedules as sequences of flows (Algorithm 1 "Three-stage Training" [V: name, k117
 * reproducibility page; details R, technical note §3.2]) and simultaneous training.
 *
 * A three-stage run integrates Stage 1 (neurons only), Stage 2 (attention only) and Stage 3
 * (neurons only) one after the other, each restarted exactly at its boundary, so no integrator
 * steps across a change of mask. Stages end after fixed durations (tau1, tau2, tau3) or by
 * criteria located as terminal events on the dense output: Stage 1 when the consistent-sample
 * loss falls below eps1, Stage 2 when the hard-sample loss falls below eps2 (tau1 and tau2 then
 * cap the stages). Time is τ = η·steps throughout: with method 'euler' and step h the run is
 * discrete gradient descent with learning rate h.
 */
import { solve } from '../../solve/index.js';
import type { SwitchedSystem } from '../../solve/kinks/types.js';
import type { EventSpec, KinkRecord, RhsFn, SolveOptions, Status } from '../../solve/types.js';
import { geomspace, linspace } from '../../util/grid.js';
import type { YangConfig } from './config.js';
import { gradientField, type StageMode } from './flow.js';
import { TokenSpanNetwork } from './network.js';

export interface StagedRun {
  readonly config: YangConfig;
  /** Save times, strictly ascending. */
  readonly t: Float64Array;
  readonly y: readonly Float64Array[];
  /** Stage that produced each saved state: 1, 2, 3 (three-stage) or 0 (one mode throughout). */
  readonly stage: Int8Array;
  /** [start, end] of each stage actually run. */
  readonly stages: readonly { readonly mode: StageMode; readonly start: number; readonly end: number; readonly endedBy: 'duration' | 'criterion' | 'failure'; readonly kinks?: KinkRecord }[];
  readonly status: Status;
  readonly message: string;
  readonly stats: { nfev: number; accepted: number; rejected: number };
  readonly wallMs: number;
}

export interface StagedRunOptions {
  /** Solver options for every stage (saveAt and events are set here). */
  readonly solver?: SolveOptions;
  /** Absolute save times; default: per stage, 101 linear and 100 log-spaced points from its start. */
  readonly saveAt?: ArrayLike<number>;
  /** Override the schedule: 'three-stage' or one mode throughout (default: config.training). */
  readonly training?: YangConfig['training'];
}

/** The default save grid of a stage [a, b]: linear and log-spaced from its start, ascending, unique. */
export function stageGrid(a: number, b: number): Float64Array {
  const d = b - a;
  const pts = [...linspace(a, b, 101), ...Array.from(geomspace(1e-4 * d, d, 100), (x) => a + x)];
  pts.sort((u, v) => u - v);
  return Float64Array.from(pts.filter((x, i) => i === 0 || x > pts[i - 1]));
}

/** The schedule of a configuration: modes and (maximal) durations. */
export function schedule(c: YangConfig, training = c.training): { mode: StageMode; duration: number }[] {
  const total = c.tau1 + c.tau2 + c.tau3;
  if (training === 'three-stage') {
    return [
      { mode: 'neurons', duration: c.tau1 },
      { mode: 'attention', duration: c.tau2 },
      { mode: 'neurons', duration: c.tau3 },
    ];
  }
  return [{ mode: training, duration: total }];
}

/** A system to train: its field per mode (with its switched form) and its loss by class. */
export interface Trainable {
  field(mode: StageMode): { readonly f: RhsFn; readonly switched?: SwitchedSystem };
  /** Mean loss over consistent (cls 'consistent') or hard types at state z. */
  classLoss(z: Float64Array, cls: 'consistent' | 'hard'): number;
}

/** The token-span model as a Trainable. */
export function tokenSpanTrainable(c: YangConfig): Trainable {
  const net = new TokenSpanNetwork(c);
  const probe = new TokenSpanNetwork(c);
  return {
    field: (mode) => {
      const f = gradientField(c, mode, net);
      return { f, switched: f.switched };
    },
    classLoss: (z, cls) => {
      probe.forward(z);
      let s = 0;
      let n = 0;
      probe.data.types.forEach((tp, k) => { if (cls === 'consistent' ? tp.consistent : tp.hard) { s += probe.lossOf[k]; n++; } });
      return s / n;
    },
  };
}

/** Runs a configuration's schedule from y0 (the token-span model unless `system` is given). */
export function trainStaged(c: YangConfig, y0: Float64Array, options: StagedRunOptions = {}, system: Trainable = tokenSpanTrainable(c)): StagedRun {
  const training = options.training ?? c.training;
  const plan = schedule(c, training);
  const ts: number[] = [];
  const ys: Float64Array[] = [];
  const stageOf: number[] = [];
  const stages: { mode: StageMode; start: number; end: number; endedBy: 'duration' | 'criterion' | 'failure'; kinks?: KinkRecord }[] = [];
  const stats = { nfev: 0, accepted: 0, rejected: 0 };
  let y = Float64Array.from(y0);
  let start = 0;
  let status: Status = 'success';
  let message = 'reached the end of the schedule';
  const t0 = performance.now();
  for (const [i, { mode, duration }] of plan.entries()) {
    const end = start + duration;
    const grid = options.saveAt
      ? Float64Array.from([start, ...Array.from(options.saveAt).filter((x) => x > start && x < end), end])
      : stageGrid(start, end);
    const events: EventSpec[] = [];
    if (training === 'three-stage' && c.stageEnds === 'criteria' && i < 2) {
      const level = i === 0 ? c.eps1 : c.eps2;
      events.push({
        name: i === 0 ? 'stage1_end' : 'stage2_end',
        direction: -1,
        terminal: true,
        g: (_t, z) => system.classLoss(z, i === 0 ? 'consistent' : 'hard') - level,
      });
    }
    const { f, switched } = system.field(mode);
    const sol = solve(f, [start, end], y, { switching: switched, ...options.solver, saveAt: grid, events });
    stats.nfev += sol.stats.nfev;
    stats.accepted += sol.stats.accepted;
    stats.rejected += sol.stats.rejected;
    sol.t.forEach((t, k) => {
      if (ts.length > 0 && t <= ts[ts.length - 1]) return; // the boundary state is already stored
      ts.push(t);
      ys.push(sol.y[k]);
      stageOf.push(training === 'three-stage' ? i + 1 : 0);
    });
    const failed = sol.status !== 'success' && sol.status !== 'event';
    stages.push({ mode, start, end: sol.tEnd, endedBy: failed ? 'failure' : sol.status === 'event' ? 'criterion' : 'duration', kinks: sol.kinks });
    if (sol.status === 'event' && (ts.length === 0 || sol.tEnd > ts[ts.length - 1])) {
      ts.push(sol.tEnd);
      ys.push(Float64Array.from(sol.yEnd));
      stageOf.push(i + 1);
    }
    if (failed) {
      status = sol.status;
      message = `stage ${i + 1} (${mode}): ${sol.message}`;
      break;
    }
    y = Float64Array.from(sol.yEnd);
    start = sol.tEnd;
  }
  return {
    config: c, t: Float64Array.from(ts), y: ys, stage: Int8Array.from(stageOf), stages, status, message, stats,
    wallMs: performance.now() - t0,
  };
}
