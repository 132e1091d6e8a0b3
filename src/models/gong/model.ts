/**
 * Gong, Li, Liu, Teng (arXiv 2502.20681): normalised ReLU attention on disentangled P/Q features,
 * as a gradflow Model. The model is a reconstruction (technical note gong-two-stage.md): the
 * paper's body was not available, so every open choice is a parameter (config.ts).
 */
import { matrixView } from '../../spectral/index.js';
import type { Vec } from '../../solve/types.js';
import type { Rng } from '../../util/rng.js';
import { geomspace } from '../../util/grid.js';
import type { Horizon, Model, Params, StateBlock } from '../types.js';
import { GONG_PARAMS } from './config.js';
import { rhs, schedule } from './dynamics.js';
import { engineFor } from './engine.js';
import { blockDiag, gongObservables } from './observables.js';
import { gongPredictions } from './predictions.js';
import { gongFigures } from './figures.js';
import { analyse, LOSS_LEVEL } from './analysis.js';
import { gongReportSections } from './findings.js';
import { gongFiniteSample } from './finite-sample.js';

function layout(p: Params): StateBlock[] {
  const e = engineFor(p);
  const c = e.config;
  if (e.kind === 'reduced') {
    const blocks: StateBlock[] = [
      { name: 'a', offset: 0, shape: [], doc: 'a = ŵᵀW_Pŵ' },
      { name: 'beta', offset: 1, shape: [], doc: 'β = √(d−1)·b, b the Π⊥ coefficient of W_P' },
      { name: 'pi', offset: 2, shape: [], doc: c.qlaw === 'clusters' ? 'π = √(d−1)·p, p the Π_ζ⊥ coefficient of W_Q' : 'π = p, the ẑẑᵀ coefficient of W_Q' },
      { name: 'q', offset: 3, shape: [], doc: 'q, the ζ̂ζ̂ᵀ coefficient of W_Q' },
    ];
    if (c.trainU) blocks.push({ name: 'u', offset: 4, shape: [], doc: 'readout u' });
    return blocks;
  }
  const d = c.d;
  const blocks: StateBlock[] = [
    { name: 'W_P', offset: 0, shape: [d, d], doc: 'P block of the key–query matrix' },
    { name: 'W_Q', offset: d * d, shape: [d, d], doc: 'Q block of the key–query matrix' },
  ];
  if (c.trainU) blocks.push({ name: 'u', offset: 2 * d * d, shape: [], doc: 'readout u' });
  return blocks;
}

function init(p: Params, rng: Rng): Vec {
  const e = engineFor(p);
  const c = e.config;
  if (e.reduced) return e.reduced.symmetricState(c.omega); // the reduced flow always starts symmetric
  const d = c.d;
  const y = new Float64Array(e.dim);
  if (c.init === 'symmetric') {
    const { zeta, z } = e.full().dir;
    for (let i = 0; i < d; i++) {
      y[i * d + i] = c.omega; // W_P = ωI
      for (let j = 0; j < d; j++) {
        y[d * d + i * d + j] = c.qlaw === 'clusters' ? (i === j ? c.omega : 0) : c.omega * (z[i] * z[j] + zeta[i] * zeta[j]);
      }
    }
  } else {
    const s = c.omega / Math.sqrt(d);
    for (let i = 0; i < 2 * d * d; i++) y[i] = s * rng.normal(); // entries ω·N(0, 1)/√d
  }
  if (c.trainU) y[2 * d * d] = c.u0;
  return y;
}

function horizon(p: Params): Horizon {
  const c = engineFor(p).config;
  if (c.dynamics === 'flow') {
    const grid = geomspace(c.tEnd * 1e-5, c.tEnd, c.saves);
    const saveAt = new Float64Array(grid.length + 1);
    saveAt.set(grid, 1);
    // a flow that slides along an O(1) kink (rays laws) cannot be integrated by dopri5: cap the steps so it stops soon
    return { tEnd: c.tEnd, saveAt, solver: { method: 'dopri5', rtol: 1e-7, atol: 1e-10, maxSteps: 20_000 } };
  }
  const s = schedule(c);
  // save at integer steps, geometrically spaced, plus the switch step k1
  const raw = [0, s.k1, ...Array.from(geomspace(1, s.steps, c.saves), (k) => Math.round(k))].filter((k) => k >= 0 && k <= s.steps);
  const saveAt = Float64Array.from([...new Set(raw)].sort((x, y) => x - y));
  return { tEnd: s.steps, saveAt, solver: { method: 'euler', h: 1, maxSteps: s.steps + 10 } };
}

export const gong: Model = {
  id: 'gong',
  title: 'Gong–Li–Liu–Teng two-stage ReLU attention (reconstruction)',
  cite: 'Z. Gong, J. Li, Y. Liu, J. Teng, Disentangling Feature Structure: A Mathematically Provable Two-Stage Training Dynamics in Transformers, arXiv 2502.20681 (v2, 2025); reconstructed from the abstract, the ICLR 2025 reviews (openreview hNkXTqDrfb) and the authors\' code; data model after Li, Wei, Ma, NeurIPS 2019',
  params: GONG_PARAMS,
  layout,
  init,
  loss: (y, p) => engineFor(p).lossGrad(y, null),
  flow: (p) => rhs(engineFor(p)),
  observables: gongObservables,
  matrices: (p) => {
    const e = engineFor(p);
    const d = e.config.d;
    const blocks = (y: Vec) => e.blocks(y);
    return [
      { name: 'W', doc: 'W = blockdiag(W_P, W_Q)', matrix: (y: Vec) => { const b = blocks(y); return matrixView(blockDiag(b.WP, b.WQ, d), 2 * d, 2 * d); } },
      { name: 'W_P', doc: 'P block', matrix: (y: Vec) => matrixView(blocks(y).WP, d, d) },
      { name: 'W_Q', doc: 'Q block', matrix: (y: Vec) => matrixView(blocks(y).WQ, d, d) },
    ];
  },
  horizon,
  predictions: gongPredictions,
  metrics: {
    stage_ratio: {
      doc: 't_Q/t_P in physical time (Σ η for gd and noisy), t_X the first time the X-only loss falls to 0.1·log 2 (Infinity if Q is never learned, NaN if P is not)',
      value: (ctx) => analyse(ctx.main()).ratio,
    },
  },
  figures: gongFigures,
  reportSections: gongReportSections,
  finiteSample: gongFiniteSample,
  // the stage times of analysis.ts (loss_P, loss_Q reaching 0.1·log 2) as marks; GD is stable at
  // the gd mode's own η1 = 40 on the defaults, and online SGD pays ~3 ms per 64 prompts drawn
  compareDefaults: () => ({
    // one seed: from seed 2 the default full flow chatters on a kink at t ≈ 0.9 and dopri5 stalls
    etas: [40, 20, 10], batches: [8, 32, 128], batchEta: 20, seeds: 1,
    observables: ['loss_P', 'loss_Q', 'separation'],
    marks: [
      { name: 'P learned', observable: 'loss_P', level: LOSS_LEVEL, direction: 'falling' },
      { name: 'Q learned', observable: 'loss_Q', level: LOSS_LEVEL, direction: 'falling' },
    ],
  }),
};
