/**
 * The runs behind the Yang predictions, figures and report sections, made once per check context
 * and shared. Each run fixes the setting its claim is about (e.g. averaged init, three-stage) and
 * inherits every other switch from the check's parameters.
 *
 * Flows are integrated with dop853 at rtol 1e-12 (atol 1e-14; K = 3: 1e-10) with the kink treatment of
 * src/solve (exact crossings and Filippov sliding modes on the pre-activations). Runs from random
 * initialisations use discrete gradient descent (explicit Euler with step η = learning rate,
 * τ = η·steps), as in the paper's experiments [V: k117 page, "train all the weights simultaneously"
 * with gradient descent]: with m ≥ 16 neurons hundreds of pre-activations sit on their kinks at
 * any time ("Read first" 3), which the continuous flow resolves only at a cost far beyond a check.
 */
import { seedOf } from '../../run/problem.js';
import { solve } from '../../solve/index.js';
import type { KinkRecord, Solution, SolveOptions } from '../../solve/types.js';
import type { CheckContext, ParamValue, Params } from '../types.js';
import { yangConfig, type YangConfig } from './config.js';
import { gradientField } from './flow.js';
import { yangInit } from './init.js';
import { nineInit, nineScalarTrainable } from './nine-scalar.js';
import { normsByTime } from './norms.js';
import { TokenSpanNetwork } from './network.js';
import { trainStaged, type StagedRun } from './training.js';
import { makeRng } from '../../util/rng.js';

/**
 * Integrator of the flow runs: tight enough for the 1e-8 comparisons (closed form, 9 scalars);
 * hMax keeps the dense output at the save points as accurate as the steps (in Stage 1 the solution
 * is so smooth that dop853 takes steps of ~50, and its 7th-order interpolant then errs by ~1e-7).
 */
export const FLOW_SOLVER: SolveOptions = { method: 'dop853', rtol: 1e-12, atol: 1e-14, hMax: 10, maxSteps: 200_000 };
/**
 * Integrator of the K = 3 flow: a qualitative claim, so the note's accuracy is enough (at rtol 1e-12
 * the kink treatment reports a singular sliding system of 9 pinned units at the start of Stage 3).
 */
export const K3_SOLVER: SolveOptions = { method: 'dop853', rtol: 1e-10, atol: 1e-12, maxSteps: 200_000 };
/** Time up to which simultaneous training from the averaged init is compared with GD (past both pinning times, 601.76 and 1273.22). */
export const SLIDING_HORIZON = 1500;
/** GD learning rates extrapolated to η → 0 (Richardson: 2·GD(η/2) − GD(η)). */
export const SLIDING_ETAS = [0.1, 0.05] as const;
/** Neurons-first run: random init, m neurons per head, GD with this learning rate, threshold κ. */
export const NEURONS_FIRST = { m: 64, eta: 0.05, kappa: 0.1, horizon: 300 } as const;
/** K = 3 simultaneous run: random init, m neurons per head, GD learning rate and horizon (the note's run D: 20000 steps). */
export const K3_SIMULTANEOUS = { m: 16, eta: 0.2, horizon: 4000 } as const;

/** A configuration for a claim's setting, or the reason it does not apply. */
export function settingOf(params: Params, overrides: Readonly<Record<string, ParamValue>>): { c: YangConfig; p: Params } | { error: string } {
  const p = Object.freeze({ ...params, ...overrides });
  try {
    return { c: yangConfig(p), p };
  } catch (e) {
    return { error: (e as Error).message };
  }
}


export interface GdRun {
  readonly eta: number;
  readonly solution: Solution;
}

export interface NeuronsFirstRun {
  readonly c: YangConfig;
  readonly solution: Solution;
  /** First τ with mean neuron norm > κ, and with max |A| > κ (NaN if not reached). */
  readonly tNeurons: number;
  readonly tAttention: number;
}

export interface SlidingComparison {
  readonly flow: Solution;
  readonly gd: readonly GdRun[];
}

export interface YangRuns {
  /** The three-stage run from the averaged init (token-span flow). */
  threeStage(): StagedRun | { error: string };
  /** The same schedule in the 9-scalar system (its stage ends fixed to the token-span run's). */
  nineScalar(): StagedRun | { error: string };
  /** Simultaneous training from the averaged init: flow with sliding modes and GD at SLIDING_ETAS, to SLIDING_HORIZON. */
  sliding(): SlidingComparison | { error: string };
  neuronsFirst(): NeuronsFirstRun | { error: string };
  /** K = 3: Algorithm 1 from the averaged init (flow) and simultaneous GD from a random init, same total time. */
  k3(): { three: StagedRun; simultaneous: Solution; c3: YangConfig; cSim: YangConfig } | { error: string };
  /** Reference run C: the three-stage algorithm by explicit Euler, η = 0.2 (note §6.3). */
  runC(): StagedRun | { error: string };
  /** Stage 3 of the three-stage run continued to STAGE3_EXTENSION × its length (information for the rate claim). */
  stage3Extended(): { solution: Solution; length: number } | { error: string };
}

/** Stage 3 continued to this multiple of its length, to show the asymptotic rate. */
export const STAGE3_EXTENSION = 10;

const cache = new WeakMap<CheckContext, YangRuns>();

/** The shared runs of a check context. */
export function yangRuns(ctx: CheckContext): YangRuns {
  let r = cache.get(ctx);
  if (!r) {
    r = makeRuns(ctx.params, ctx.solver?.bind(ctx));
    cache.set(ctx, r);
  }
  return r;
}

function once<T>(f: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) { value = f(); done = true; }
    return value;
  };
}

const AVERAGED = { init: 'averaged', m: 1, attnScale: 0, keyQuery: 'combined', training: 'three-stage' } as const;

/** `solver` applies the user's flags and `check --verify` to the flow runs' own settings (CheckContext.solver). */
export function makeRuns(params: Params, solver: (fixed: SolveOptions) => SolveOptions = (o) => o): YangRuns {
  const flowSolver = solver(FLOW_SOLVER);
  const threeStage = once(() => {
    const s = settingOf(params, AVERAGED);
    if ('error' in s) return s;
    return trainStaged(s.c, yangInit(s.c, makeRng(seedOf(s.p))), { solver: flowSolver });
  });
  const nineScalar = once(() => {
    const ts = threeStage();
    if ('error' in ts) return ts;
    const c = ts.config;
    if (c.K !== 2 || c.pad !== 0 || c.aggregate !== 'sum') {
      return { error: `the 9-scalar system is derived for K = 2, no padding and the sum over queries (got K = ${c.K}, pad = ${c.pad}, aggregate = ${c.aggregate})` };
    }
    const [s1, s2, s3] = ts.stages;
    if (!s3) return { error: `the token-span run stopped early: ${ts.message}` };
    const fixed = settingOf(params, { ...AVERAGED, stageEnds: 'durations', tau1: s1.end - s1.start, tau2: s2.end - s2.start, tau3: s3.end - s3.start });
    if ('error' in fixed) return fixed;
    return trainStaged(fixed.c, nineInit(c.sigma0), { solver: flowSolver, saveAt: ts.t }, nineScalarTrainable(fixed.c));
  });
  const sliding = once(() => {
    const s = settingOf(params, { ...AVERAGED, training: 'simultaneous' });
    if ('error' in s) return s;
    const y0 = yangInit(s.c, makeRng(seedOf(s.p)));
    const f = gradientField(s.c, 'simultaneous');
    const flow = solve(f, [0, SLIDING_HORIZON], y0, { ...flowSolver, switching: f.switched });
    const gd = SLIDING_ETAS.map((eta) => ({ eta, solution: solve(f, [0, SLIDING_HORIZON], y0, { method: 'euler', h: eta, maxSteps: 1e7 }) }));
    return { flow, gd };
  });
  const neuronsFirst = once(() => {
    const { m, eta, kappa, horizon } = NEURONS_FIRST;
    const s = settingOf(params, { init: params.symmetry === 'imposed' ? 'symmetric-random' : 'random', m, attnScale: 0, training: 'simultaneous' });
    if ('error' in s) return s;
    const norms = normsByTime(new TokenSpanNetwork(s.c));
    const f = gradientField(s.c, 'simultaneous');
    const solution = solve(f, [0, horizon], yangInit(s.c, makeRng(seedOf(s.p))), {
      method: 'euler', h: eta, maxSteps: 1e7, saveAt: Float64Array.from({ length: horizon + 1 }, (_, i) => i),
      events: [
        { name: 'neurons', direction: 1, g: (t, y) => norms(t, y).norm - kappa },
        { name: 'attention', direction: 1, g: (t, y) => norms(t, y).attn - kappa },
      ],
    });
    const first = (name: string): number => solution.events.find((e) => e.name === name)?.t ?? NaN;
    return { c: s.c, solution, tNeurons: first('neurons'), tAttention: first('attention') };
  });
  const k3 = once(() => {
    const s3 = settingOf(params, { ...AVERAGED, K: 3 });
    if ('error' in s3) return s3;
    const three = trainStaged(s3.c, yangInit(s3.c, makeRng(seedOf(s3.p))), { solver: solver(K3_SOLVER) });
    const sim = settingOf(params, { K: 3, init: params.symmetry === 'imposed' ? 'symmetric-random' : 'random', m: K3_SIMULTANEOUS.m, attnScale: 0, training: 'simultaneous' });
    if ('error' in sim) return sim;
    const tEnd = K3_SIMULTANEOUS.horizon;
    const f = gradientField(sim.c, 'simultaneous');
    const simultaneous = solve(f, [0, tEnd], yangInit(sim.c, makeRng(seedOf(sim.p))), { method: 'euler', h: K3_SIMULTANEOUS.eta, maxSteps: 1e7, saveAt: Float64Array.from({ length: 65 }, (_, i) => (tEnd * i) / 64) });
    return { three, simultaneous, c3: s3.c, cSim: sim.c };
  });
  const runC = once(() => {
    const s = settingOf(params, { ...AVERAGED, K: 2, pad: 0, aggregate: 'sum', sigma0: 1e-3, tau1: 1200, tau2: 4000, tau3: 1200, stageEnds: 'durations', etaW: 1, etaA: 1 });
    if ('error' in s) return s;
    return trainStaged(s.c, yangInit(s.c, makeRng(seedOf(s.p))), { solver: { method: 'euler', h: 0.2, maxSteps: 1e7 }, saveAt: RUN_C_STEPS.map((k) => 0.2 * k) });
  });
  const stage3Extended = once(() => {
    const ts = threeStage();
    if ('error' in ts) return ts;
    const s3 = ts.stages[2];
    if (!s3 || ts.status !== 'success') return { error: 'the three-stage run did not finish' };
    const length = STAGE3_EXTENSION * (s3.end - s3.start);
    const f = gradientField(ts.config, 'neurons');
    const grid = Float64Array.from({ length: 201 }, (_, i) => s3.end + ((s3.start + length - s3.end) * i) / 200);
    const solution = solve(f, [s3.end, s3.start + length], ts.y[ts.y.length - 1], { ...flowSolver, switching: f.switched, saveAt: grid });
    return { solution, length };
  });
  return { threeStage, nineScalar, sliding, neuronsFirst, k3, runC, stage3Extended };
}

/** Reference run C of the note (§6.3): steps and tabulated losses (η = 0.2, 6000/20000/6000 steps). */
export const RUN_C_STEPS = [2000, 6000, 12666, 26000, 32000] as const;
export const RUN_C_LOSS = [0.3486, 0.3472, 0.0168, 0.0141, 0.0009] as const;

/** The kink record of a solution, if the kink treatment ran. */
export function kinkRecord(s: Solution): KinkRecord | undefined {
  return s.kinks;
}
