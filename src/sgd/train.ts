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
 */
import type { Model, Params } from '../models/types.js';
import type { Vec } from '../solve/types.js';
import { makeRng, type Rng } from '../util/rng.js';
import { inputError, fmt } from '../util/errors.js';
import { etaAt, type Schedule } from './schedule.js';

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
  validate(o);
  const rng = makeRng(o.seed);
  const y0 = model.init(p, rng); // the flow's initial state, from the same seed as the flow's run
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
    const fs = model.finiteSample?.(p);
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
    if (!allFinite(theta)) { status = 'non_finite'; message = `The parameters became non-finite at step ${k} (τ=${fmt(t)}): the learning rate ${fmt(eta)} is too large for this loss.`; break; }
    catchUp();
  }
  return { tau: tau.subarray(0, r), step: stepAt.subarray(0, r), states, loss: loss.subarray(0, r), residual: residual.subarray(0, r), steps: k, status, message };
}

function shuffle(a: Int32Array, rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const x = a[i]; a[i] = a[j]; a[j] = x;
  }
}

function allFinite(a: Vec): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

function validate(o: TrainOptions): void {
  if (!Number.isFinite(o.tauEnd) || o.tauEnd <= 0) throw inputError(`the training horizon τ must be a finite number > 0 (got ${fmt(o.tauEnd)}).`);
  if (o.data.kind !== 'population' && (!Number.isInteger(o.batch) || o.batch < 1)) throw inputError(`the batch size must be a positive integer (got ${o.batch}).`);
  if (o.data.kind === 'sample' && (!Number.isInteger(o.data.n) || o.data.n < 1)) throw inputError(`the number of training examples n must be a positive integer (got ${o.data.n}).`);
  if (o.momentum !== undefined && !(o.momentum >= 0 && o.momentum < 1)) throw inputError(`momentum must be in [0, 1) (got ${fmt(o.momentum)}).`);
  if (o.langevin !== undefined && !(o.langevin >= 0 && Number.isFinite(o.langevin))) throw inputError(`the Langevin temperature must be a finite number ≥ 0 (got ${fmt(o.langevin)}).`);
  for (let i = 1; i < o.record.length; i++) if (!(o.record[i] >= o.record[i - 1])) throw inputError('record times must be ascending.');
}
