/**
 * Built-in phase diagrams, one per paper (listed by `gradflow sweep --list`, run by
 * `gradflow sweep --preset NAME`). Each has a full grid and a small one (`--small`: tests and the
 * demo), the metric drawn, and optionally the published boundary drawn over the heatmap.
 */
import type { Series } from '../report/index.js';
import { defineSweep, type Axis, type SweepDefinition } from './definition.js';

export interface Preset {
  readonly name: string;
  readonly title: string;
  readonly source: string;
  readonly model: string;
  readonly full: { readonly x: Axis; readonly y: Axis };
  readonly small: { readonly x: Axis; readonly y: Axis };
  readonly sets: Readonly<Record<string, number | string>>;
  readonly metrics: readonly string[];
  /** The metric drawn by default. */
  readonly draw: string;
  readonly contours?: readonly number[];
  readonly curves?: readonly Series[];
  /** What the diagram shows and how coarse it is. */
  readonly note: string;
}

const axis = (name: string, lo: number, hi: number, n: number, log = false): Axis => ({ name, lo, hi, n, log });

export const PRESETS: readonly Preset[] = [
  {
    name: 'lxmz',
    title: 'Two-layer ReLU phase diagram: linear, critical and condensed regimes',
    source: 'Luo, Xu, Ma, Zhang, JMLR 22(71) 2021, Fig. 1 and Theorems 1–2',
    model: 'two-layer-relu',
    full: { x: axis('gamma', 0.25, 2, 8), y: axis('gammaPrime', -1, 1, 9) },
    small: { x: axis('gamma', 0.5, 1.75, 3), y: axis('gammaPrime', -0.5, 0.5, 2) },
    sets: {},
    metrics: ['model:rd_slope'],
    draw: 'model:rd_slope',
    contours: [0],
    curves: [
      { name: 'boundary γ = 1 (γ′ ≤ 0)', x: [1, 1], y: [-1, 0] },
      { name: 'boundary γ′ = γ − 1 (γ ≥ 1)', x: [1, 2], y: [0, 1] },
    ],
    note: 'slope of log RD(θ_w) against log m over m = 100, 400, 1600 (the paper: m up to 4·10⁵), four 1-d training points, full-batch GD to loss 1e-6 with at most 10⁵ steps (cells that do not reach it are left blank): a coarse reproduction. Positive slope: condensed; negative: linear; zero contour: the measured boundary.',
  },
  {
    name: 'yang',
    title: 'Yang et al.: attention onset over neuron alignment, against σ0 and η_A/η_w',
    source: 'Yang, Wang, Lee, Liang, ICLR 2025 (reconstructed model, technical note §3.3)',
    model: 'yang',
    full: { x: axis('sigma0', 1e-3, 0.3, 10, true), y: axis('etaA', 0.1, 10, 9, true) },
    small: { x: axis('sigma0', 1e-3, 0.1, 2, true), y: axis('etaA', 0.3, 3, 2, true) },
    sets: { training: 'simultaneous', etaW: 1 },
    metrics: ['event-ratio:attn_max>0.1,neuron_norm>0.1', 'final:loss_hard', 'final:accuracy'],
    draw: 'event-ratio:attn_max>0.1,neuron_norm>0.1',
    contours: [1],
    note: 'simultaneous training from the averaged initialisation with η_w = 1: the ratio of the first τ at which max|A| exceeds 0.1 to the first τ at which the neuron norm exceeds 0.1 (> 1: neurons first, as the paper describes); final:loss_hard says whether the hard samples are solved by τ = 6400.',
  },
  {
    name: 'chen-luo',
    title: 'Chen–Luo: escape time against the Theorem-1 prediction',
    source: 'Chen, Luo, arXiv 2510.06954, Theorem 1 with the note\'s time scale (§4.4)',
    model: 'chen-luo',
    full: { x: axis('eps', 1e-5, 1e-2, 7, true), y: axis('d', 4, 8, 5) },
    small: { x: axis('eps', 1e-4, 1e-2, 2, true), y: axis('d', 4, 6, 2) },
    sets: {},
    metrics: ['model:escape_ratio', 'model:plateau_length'],
    draw: 'model:escape_ratio',
    contours: [1.01],
    note: 't_esc·ε/(T̄*·ns/‖S‖) on D2 at each width d (1: Theorem 1 holds without a log factor; the offset shrinks like ε), and the plateau length.',
  },
  {
    name: 'gong',
    title: 'Gong et al.: Q learned after P, against the Q separation and the learning rate η1',
    source: 'Gong, Li, Liu, Teng, arXiv 2502.20681 (reconstructed model, docs/gong.md)',
    model: 'gong',
    full: { x: axis('zeta', 0.5, 4, 8, true), y: axis('eta1', 4, 160, 6, true) },
    small: { x: axis('zeta', 1, 3, 2, true), y: axis('eta1', 10, 40, 2, true) },
    sets: { dynamics: 'gd', gamma0: 1 },
    metrics: ['model:stage_ratio', 'final:acc_Q', 'final:acc_P'],
    draw: 'final:acc_Q',
    contours: [0.75],
    note: 't_Q/t_P in physical time Σ η (model:stage_ratio; an event ratio would count GD steps, which the η1 → η2 switch makes a different number), with t_X the first time the X-only loss falls below 0.1·log 2, under GD with the η1 → η2 schedule (the model\'s default full-matrix form), against the Q separation ζ (the P margin γ0 = 1, so ζ is the ratio) and the first learning rate η1; drawn: the final Q-only accuracy (whether Q is learned at all; contour 0.75); the ratio is recorded in results.jsonl (null where a loss never reaches the level).',
  },
  {
    name: 'deep-linear',
    title: 'Deep linear network: number of learning stages',
    source: 'Saxe, McClelland, Ganguli, ICLR 2014, §2',
    model: 'deep-linear',
    full: { x: axis('eps', 1e-5, 0.3, 16, true), y: axis('s3', 0.1, 1.4, 14) },
    small: { x: axis('eps', 1e-4, 0.1, 3, true), y: axis('s3', 0.2, 1.2, 2) },
    sets: {},
    metrics: ['transitions', 'stage-ratio:3/1'],
    draw: 'transitions',
    note: 'stage-like learning needs a small initialization and well separated singular values: the transitions merge as ε grows or s3 approaches s2.',
  },
];

export function findPreset(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}

/** A built-in diagram's sweep: its grid, settings and metrics, each cell with a budget of `maxSteps` steps. */
export function presetDefinition(p: Preset, small: boolean, maxSteps = 200_000): SweepDefinition {
  const grid = small ? p.small : p.full;
  return defineSweep({ model: p.model, x: grid.x, y: grid.y, sets: p.sets, metrics: p.metrics, solver: { maxSteps } });
}
