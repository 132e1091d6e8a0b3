/**
 * One evaluator per parameter set (full-matrix or reduced), cached: building a full evaluator
 * draws its fixed sample, and the same parameters must always give the same vector field.
 */
import { memoryLimit } from '../../util/limits.js';
import type { Params } from '../types.js';
import { gongConfig, type GongConfig } from './config.js';
import { FullModel, fullModelBytes } from './full.js';
import type { Mask, Metrics } from './metrics.js';
import { ReducedModel } from './reduced.js';

export interface Engine {
  readonly config: GongConfig;
  readonly kind: 'full' | 'reduced';
  readonly dim: number;
  /** Loss with weight decay; ∇L (not negated) into grad when given. */
  lossGrad(y: Float64Array, grad: Float64Array | null): number;
  metrics(y: Float64Array, mask: Mask, out: Metrics): void;
  /** All three evaluations at once (one pass where the sub-models add). */
  metricsAll(y: Float64Array, out: Record<Mask, Metrics>): void;
  /** The blocks W_P, W_Q (d × d, row-major) and the readout u of a state. */
  blocks(y: Float64Array): { WP: Float64Array; WQ: Float64Array; u: number };
  /** A full-matrix evaluator on the same data law (for probes of arbitrary W). */
  full(): FullModel;
  readonly reduced: ReducedModel | null;
}

const CACHE = new Map<string, Engine>();
const CACHE_SIZE = 6;

function make(c: GongConfig): Engine {
  const d = c.d;
  if (c.flow === 'reduced') {
    const r = new ReducedModel(c);
    let fullModel: FullModel | null = null;
    return {
      config: c, kind: 'reduced', dim: r.dim, reduced: r,
      lossGrad: (y, g) => r.lossGrad(y, g),
      metrics: (y, m, out) => r.metrics(y, m, out),
      metricsAll: (y, out) => { for (const m of ['all', 'P', 'Q'] as const) r.metrics(y, m, out[m]); },
      blocks: (y) => r.blocks(y),
      full: () => (fullModel ??= new FullModel(c)),
    };
  }
  const f = new FullModel(c);
  return {
    config: c, kind: 'full', dim: f.dim, reduced: null,
    lossGrad: (y, g) => f.lossGrad(y, g),
    metrics: (y, m, out) => f.metrics(y, m, out),
    metricsAll: (y, out) => f.metricsAll(y, out),
    blocks: (y) => ({ WP: y.slice(0, d * d), WQ: y.slice(d * d, 2 * d * d), u: f.u(y) }),
    full: () => f,
  };
}

/** The engine of a parameter set (built once, then cached; the cache keeps the last few). */
export function engineFor(p: Params): Engine {
  const key = JSON.stringify(Object.entries(p).sort(([a], [b]) => (a < b ? -1 : 1)));
  let e = CACHE.get(key);
  if (e) {
    CACHE.delete(key);
    CACHE.set(key, e); // most recently used last
    return e;
  }
  e = make(gongConfig(p));
  CACHE.set(key, e);
  // at most CACHE_SIZE engines, and at most half the memory limit in full-flow samples among them
  // (the least recently used go first, never the one just built)
  const bytes = (x: Engine): number => (x.kind === 'full' ? fullModelBytes(x.config) : 0);
  let total = 0;
  for (const x of CACHE.values()) total += bytes(x);
  for (const [k, x] of CACHE) {
    if (k === key || (CACHE.size <= CACHE_SIZE && total <= 0.5 * memoryLimit())) break;
    CACHE.delete(k);
    total -= bytes(x);
  }
  return e;
}
