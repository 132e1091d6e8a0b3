/**
 * Discrete training of a model: full-batch GD on the exact population loss, GD or minibatch SGD
 * on n sampled examples, online SGD (fresh examples every step), optional momentum and Langevin
 * noise. Every run is seeded; the same seed gives the same run, bit for bit.
 *
 * Data modes:
 *   population  θ ← θ + η·f(θ) with the model's own vector field f = −∇L: exactly the engine's
 *               `euler` method with h = η (the flow's coordinates, nothing sampled);
 *   n examples  a fixed training set, minibatches of B drawn without replacement each epoch
 *               (B ≥ n means full batch);
 *   online      B fresh examples every step.
 * Updates: v ← μ v − η g;  θ ← θ + v  (μ = 0 is plain SGD), then, with Langevin temperature T,
 * θ ← θ + √(2ηT)·ξ, ξ ~ N(0, I).
 *
 * Sizes are checked before anything is allocated (src/util/limits.ts): the batch size (≤ 10⁷),
 * the training-set size n (≤ 10⁸), the record (≤ 10⁶ times), the number of steps the schedule
 * needs to reach the last record time (≤ maxSteps), and the memory of the run — its data set or
 * batch (the model's `exampleBytes` per example), parameters and recorded states.
 *
 * Divergence: a run whose parameters become non-finite or exceed 1e150 in size (the integrators'
 * blow-up norm, src/solve/blowup.ts), or whose loss is non-finite at a recorded step, stops there
 * with status `non_finite` and a message saying where it diverged and at which learning rate.
 */
import type { FiniteSample, Model, Params } from '../models/types.js';
import type { Vec } from '../solve/types.js';
import { BLOWUP_NORM } from '../solve/blowup.js';
import { makeRng, type Rng } from '../util/rng.js';
import { inputError, fmt } from '../util/errors.js';
import { checkAllocation, checkCount, FLOAT64, formatBytes, formatCount, MAX_BATCH, MAX_EXAMPLES, MAX_GRID_POINTS, statesBytes } from '../util/limits.js';
import { checkSchedule, describeSchedule, etaAt, type Schedule } from './schedule.js';

export type DataMode = { readonly kind: 'population' } | { readonly kind: 'sample'; readonly n: number } | { readonly kind: 'online' };

export interface TrainOptions {
  readonly schedule: Schedule;
  readonly data: DataMode;
  /** Minibatch size (ignored for population). */
  readonly batch: number;
  /** Train until τ ≥ tauEnd. */
  readonly tauEnd: number;
  readonly momentum?: number;
  /** Langevin temperature T (noise variance 2ηT per coordinate per step). */
  readonly langevin?: number;
  readonly seed: number;
  /** Record the state at the first step with τ ≥ each of these times (ascending). */
  readonly record: ArrayLike<number>;
  /** Safety limit on the number of steps. */
  readonly maxSteps?: number;
}

export interface DiscreteRun {
  /** τ at each recorded step: the first step at or past each requested time (a step is recorded once). */
  readonly tau: Float64Array;
  readonly step: Int32Array;
  /** The run projected onto the flow's coordinates, at each recorded step. */
  readonly states: readonly Vec[];
  /** Population loss of the projected state (the flow's loss). */
  readonly loss: Float64Array;
  /** Part of θ outside the flow's coordinates (0 in population mode). */
  readonly residual: Float64Array;
  readonly steps: number;
  readonly status: 'success' | 'non_finite' | 'max_steps';
  readonly message: string;
}

const DEFAULT_MAX_STEPS = 50_000_000;

export function train(model: Model, p: Params, o: TrainOptions): DiscreteRun {
  checkTrainOptions(o);
  const fs = o.data.kind === 'population' ? undefined : model.finiteSample?.(p);
  if (o.data.kind !== 'population' && !fs) throw inputError(`${model.id} has no finite-sample form; use data mode 'population' (full-batch GD on the exact loss).`);
  const rng = makeRng(o.seed);
  const y0 = model.init(p, rng); // the flow's initial state, from the same seed as the flow's run
  checkRunMemory(model.id, fs, y0.length, { data: o.data, batch: o.batch, records: o.record.length }); // before the data and the record are allocated
  const record = Float64Array.from(o.record);
  const nRec = record.length;
  const tau = new Float64Array(nRec);
  const stepAt = new Int32Array(nRec);
  const states: Vec[] = [];
  const loss = new Float64Array(nRec);
  const residual = new Float64Array(nRec);
  const maxSteps = o.maxSteps ?? DEFAULT_MAX_STEPS;
  const mu = o.momentum ?? 0;
  const temp = o.langevin ?? 0;

  // the stepping function: gradient of the current objective into g, at θ
  let theta: Vec;
  let project: (th: Vec, out: Vec) => void;
  let resid: (th: Vec) => number;
  let gradient: (th: Vec, g: Vec) => void;
  if (o.data.kind === 'population') {
    theta = Float64Array.from(y0);
    const f = model.flow(p);
    gradient = (th, g) => { f(0, th, g); for (let i = 0; i < g.length; i++) g[i] = -g[i]; };
    project = (th, out) => out.set(th);
    resid = () => 0;
  } else {
    if (!fs) throw inputError(`${model.id} has no finite-sample form; use data mode 'population' (full-batch GD on the exact loss).`);
    theta = fs.lift(y0, rng);
    const data = o.data;
    project = (th, out) => fs.project(th, out);
    resid = (th) => fs.residual?.(th) ?? 0;
    if (data.kind === 'online') {
      let fresh: unknown = null; // one batch buffer, refilled in place each step when the model can
      gradient = (th, g) => {
        if (fresh !== null && fs.resample) fs.resample(rng, fresh);
        else fresh = fs.sample(rng, o.batch);
        fs.lossGrad(th, fresh, null, g);
      };
    } else {
      const set = fs.sample(rng, data.n);
      const b = Math.min(o.batch, data.n);
      const order = Int32Array.from({ length: data.n }, (_, i) => i);
      const idx = new Int32Array(b);
      let pos = data.n; // forces a shuffle before the first batch
      gradient = (th, g) => {
        if (b >= data.n) { fs.lossGrad(th, set, null, g); return; }
        for (let k = 0; k < b; k++) {
          if (pos >= data.n) { shuffle(order, rng); pos = 0; }
          idx[k] = order[pos++];
        }
        fs.lossGrad(th, set, idx, g);
      };
    }
  }
  const g = new Float64Array(theta.length);
  const v = new Float64Array(theta.length);
  const flowState = new Float64Array(y0.length);
  let t = 0;
  let k = 0;
  // τ = τ at the last rate change + (steps since) · η: products, not a running sum, so ten steps
  // of 0.1 land exactly on τ = 1 (a running sum gives 0.9999999999999999 and one step too many)
  let tBase = 0;
  let kPhase = 0;
  let etaPhase = NaN;
  let r = 0;
  let lastSaved = -1;
  const save = (): void => {
    if (k === lastSaved) return; // two record times inside one step: record that step once
    lastSaved = k;
    project(theta, flowState);
    tau[r] = t;
    stepAt[r] = k;
    states.push(Float64Array.from(flowState));
    loss[r] = model.loss(flowState, p);
    residual[r] = resid(theta);
    r++;
  };
  let next = 0; // index of the next requested record time
  const catchUp = (): void => {
    while (next < nRec && record[next] <= t * (1 + 1e-12)) { save(); next++; }
  };
  catchUp();
  let status: DiscreteRun['status'] = 'success';
  let message = '';
  const diverged = (why: string, eta: number): void => {
    status = 'non_finite';
    const minibatch = o.data.kind === 'online' || (o.data.kind === 'sample' && o.batch < o.data.n);
    message = `The run diverged at step ${k} (τ=${fmt(t)}): ${why}; the learning rate ${fmt(eta)} is too large for this loss (lower --eta${minibatch ? ', or raise --batch' : ''}).`;
  };
  while (next < nRec) {
    if (k >= maxSteps) { status = 'max_steps'; message = `Reached ${maxSteps} steps at τ=${fmt(t)} before τ=${fmt(o.tauEnd)}: raise maxSteps or the learning rate.`; break; }
    const eta = etaAt(o.schedule, t);
    if (eta !== etaPhase) { tBase = t; kPhase = 0; etaPhase = eta; }
    gradient(theta, g);
    if (mu === 0) {
      for (let i = 0; i < theta.length; i++) theta[i] = theta[i] + eta * -g[i]; // the same arithmetic as euler: y + h·f
    } else {
      for (let i = 0; i < theta.length; i++) { v[i] = mu * v[i] - eta * g[i]; theta[i] += v[i]; }
    }
    if (temp > 0) {
      const s = Math.sqrt(2 * eta * temp);
      for (let i = 0; i < theta.length; i++) theta[i] += s * rng.normal();
    }
    k++;
    kPhase++;
    t = tBase + kPhase * eta;
    const size = maxAbsOrNaN(theta);
    if (!(size <= BLOWUP_NORM)) {
      diverged(Number.isFinite(size) ? `the parameters exceeded ${fmt(BLOWUP_NORM)} in size (max |θ_i| = ${fmt(size)})` : 'the parameters became non-finite', eta);
      break;
    }
    catchUp();
    if (lastSaved === k && !Number.isFinite(loss[r - 1])) { diverged(`the loss became ${loss[r - 1]} while the parameters are finite (max |θ_i| = ${fmt(size)})`, eta); break; }
  }
  return { tau: tau.subarray(0, r), step: stepAt.subarray(0, r), states, loss: loss.subarray(0, r), residual: residual.subarray(0, r), steps: k, status, message };
}

function shuffle(a: Int32Array, rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const x = a[i]; a[i] = a[j]; a[j] = x;
  }
}

/** max |a_i|, NaN if any entry is NaN (±Infinity gives Infinity): one pass per step. */
function maxAbsOrNaN(a: Vec): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Math.abs(a[i]);
    if (x > m) m = x;
    else if (x !== x) return NaN;
  }
  return m;
}

/** Steps the schedule takes to reach τ (fractional; τ = Σ η). */
export function stepsTo(s: Schedule, tau: number): number {
  if (s.kind === 'constant') return tau / s.eta;
  return tau <= s.tauSwitch ? tau / s.eta1 : s.tauSwitch / s.eta1 + (tau - s.tauSwitch) / s.eta2;
}

/**
 * Every option of a run, checked before anything is allocated: the horizon, the schedule, the
 * batch size (1 … 10⁷), n (1 … 10⁸), momentum, temperature, the record (finite, ascending, at
 * most 10⁶ times) and the number of steps to its last time (at most maxSteps).
 */
export function checkTrainOptions(o: TrainOptions): void {
  if (!Number.isFinite(o.tauEnd) || o.tauEnd <= 0) throw inputError(`the training horizon τ must be a finite number > 0 (got ${fmt(o.tauEnd)}).`);
  checkSchedule(o.schedule);
  checkDataOptions(o.data, o.batch);
  if (o.momentum !== undefined && !(o.momentum >= 0 && o.momentum < 1)) throw inputError(`momentum must be in [0, 1) (got ${fmt(o.momentum)}).`);
  if (o.langevin !== undefined && !(o.langevin >= 0 && Number.isFinite(o.langevin))) throw inputError(`the Langevin temperature must be a finite number ≥ 0 (got ${fmt(o.langevin)}).`);
  if (o.record.length > MAX_GRID_POINTS) throw inputError(`${formatCount(o.record.length)} record times are above the limit of ${formatCount(MAX_GRID_POINTS)} (each is one stored state); record fewer times.`);
  for (let i = 0; i < o.record.length; i++) {
    if (!Number.isFinite(o.record[i])) throw inputError(`record time ${i} is ${o.record[i]}: record times must be finite numbers.`);
    if (i > 0 && !(o.record[i] >= o.record[i - 1])) throw inputError('record times must be ascending.');
  }
  const last = o.record.length ? o.record[o.record.length - 1] : 0;
  const maxSteps = o.maxSteps ?? DEFAULT_MAX_STEPS;
  const steps = stepsTo(o.schedule, last);
  if (steps > maxSteps * (1 + 1e-9)) throw inputError(`reaching τ = ${fmt(last)} at ${describeSchedule(o.schedule)} takes ${fmt(Math.ceil(steps))} steps, above the limit of ${formatCount(maxSteps)} steps per run; use a larger learning rate or a shorter horizon (--tau).`);
}

/** The batch size (1 … 10⁷, unless population) and the training-set size n (1 … 10⁸). */
export function checkDataOptions(data: DataMode, batch: number): void {
  if (data.kind !== 'population') checkCount('the batch size', batch, MAX_BATCH, 'its sampling error (∝ B^−1/2) is already below 1e-3 of the spread at 10⁷: use data mode population (full-batch GD on the exact loss)');
  if (data.kind === 'sample') checkCount('the number of training examples n', data.n, MAX_EXAMPLES, 'use data mode online (fresh examples every step) for more data');
}

/** What one run allocates, in bytes: its training data (the fixed set, or one batch), parameters with workspace, and recorded states. */
export interface RunBytes { readonly data: number; readonly params: number; readonly records: number }

/** Estimates {@link RunBytes} without allocating: `fs` is the model's finite-sample form (absent for population runs), `flowDim` the flow's state length. */
export function runBytes(fs: FiniteSample | undefined, flowDim: number, o: { readonly data: DataMode; readonly batch: number; readonly records: number }): RunBytes {
  const dim = fs?.dim ?? flowDim;
  let data = 0;
  if (fs && o.data.kind === 'sample') data = o.data.n * fs.exampleBytes + 4 * o.data.n + 4 * Math.min(o.batch, o.data.n); // the set, its order and one batch of indices
  else if (fs && o.data.kind === 'online') data = o.batch * fs.exampleBytes;
  return {
    data,
    params: 3 * dim * FLOAT64 + flowDim * FLOAT64, // θ, gradient, velocity; the projected state
    records: statesBytes(o.records, flowDim) + 4 * FLOAT64 * o.records, // the states, and τ, step, loss, residual per record
  };
}

/**
 * Refuses a run (or `parallel` runs at once) whose data, or whole allocation, would exceed the
 * memory limit (src/util/limits.ts), with the numbers: "yang: n = 50000 examples × 14 tokens ×
 * 1024 coordinates ≈ 5.73 GB of training data, above the 4 GB memory limit; use a smaller n".
 */
export function checkRunMemory(modelId: string, fs: FiniteSample | undefined, flowDim: number, o: { readonly data: DataMode; readonly batch: number; readonly records: number }, parallel = 1): void {
  const b = runBytes(fs, flowDim, o);
  const runs = parallel > 1 ? `${parallel} parallel runs × ` : '';
  const fewer = parallel > 1 ? ', or fewer --workers' : '';
  if (fs && o.data.kind !== 'population') {
    const count = o.data.kind === 'sample' ? `n = ${formatCount(o.data.n)} examples` : `a batch of ${formatCount(o.batch)} examples`;
    checkAllocation(`${modelId}: ${runs}${count} × ${fs.exampleShape}`, parallel * b.data, { of: 'training data', hint: `${o.data.kind === 'sample' ? 'use a smaller n' : 'use a smaller --batch'}${fewer}` });
  }
  const total = b.data + b.params + b.records;
  checkAllocation(`${modelId}: ${runs}one run (${formatBytes(b.data)} of training data, ${formatBytes(b.params)} for ${formatCount(fs?.dim ?? flowDim)} parameters, ${formatBytes(b.records)} for ${formatCount(o.records)} recorded states of ${formatCount(flowDim)} entries)`, parallel * total, { hint: `use fewer record times, a smaller model or data set${fewer}` });
}
