/**
 * Chen–Luo figures and report sections for `gradflow check`: the loss with both stages marked,
 * E^{−1/3} against t̄ (full model and reduced system), ranks over time, condensation matrices at
 * three times, and the ε sweep (escape time, plateau length); a data/scales table and the sweep
 * table for report.md.
 */
import { EigenvalueDecomposition } from 'ml-matrix';
import { heatmap, linePlot, writeFigure, type Band, type FigurePaths } from '../../report/index.js';
import { solve } from '../../solve/index.js';
import { condensationSummary, cosineSimilarityMatrix } from '../../spectral/index.js';
import { fmt } from '../../util/errors.js';
import type { CheckContext, Params } from '../types.js';
import { analyze, CONDENSATION_LEAD, EPS_SWEEP, sweep, type RunAnalysis } from './analysis.js';
import { EVENT, eventState } from './measure.js';
import type { ChenLuoSetup } from './setup.js';
import { stage1Energy, stage1FromFull, stage1Rhs } from './stage1.js';
import { hypotOf } from '../../util/array.js';

interface Written { readonly title: string; readonly paths: FigurePaths }

/** Permutation that sorts indices by the principal eigenvector of a symmetric matrix (App. B.1's reordering). */
export function spectralOrder(C: number[][]): number[] {
  const n = C.length;
  const evd = new EigenvalueDecomposition(C, { assumeSymmetric: true });
  const lam = evd.realEigenvalues;
  let top = 0;
  for (let k = 1; k < n; k++) if (lam[k] > lam[top]) top = k;
  const vec = Array.from({ length: n }, (_, i) => evd.eigenvectorMatrix.get(i, top));
  return Array.from({ length: n }, (_, i) => i).sort((a, b) => vec[a] - vec[b]);
}

/** The plotted window: from 12τ before escape (where the save grid turns dense) to the end of the run. */
function windowOf(a: RunAnalysis): { from: number; idx: number[] } {
  const from = Math.max(0, a.tEsc - 12 * a.setup.tau);
  const idx = Array.from(a.tr.t.keys()).filter((i) => a.tr.t[i] >= from);
  return { from, idx };
}

function stageBands(a: RunAnalysis, from: number): Band[] {
  const bands: Band[] = [];
  if (Number.isFinite(a.tEsc)) bands.push({ from, to: a.tEsc, label: 'stage 1: condensation' });
  const start = Number.isFinite(a.tAttentionDominates) ? a.tAttentionDominates : a.plateau?.t;
  if (start !== undefined) bands.push({ from: start, to: Number.isFinite(a.tExit) ? a.tExit : a.tr.t[a.tr.t.length - 1], label: 'stage 2: attention dominates' });
  return bands;
}

export function makeChenLuoFigures(setupOf: (p: Params) => ChenLuoSetup) {
  return async (ctx: CheckContext, dir: string): Promise<Written[]> => {
    const tr = ctx.main();
    const st = setupOf(tr.params);
    const a = analyze(st, tr);
    const out: Written[] = [];
    const sub = `${st.data.name}; ε = ${fmt(st.eps)}, σ = ${st.activation}, ${st.loss.name} loss, seed ${fmt(Number(tr.params.seed))}`;
    const { from, idx } = windowOf(a);
    const pick = (name: string) => idx.map((i) => tr.series[name][i]);
    const tw = idx.map((i) => tr.t[i]);

    // 1. loss with both stages marked
    const untilExit = idx.filter((i) => !(tr.t[i] > a.tExit)); // L̃1 means nothing once attention has learned
    const lossSeries = [
      { name: 'loss L', x: tw, y: pick('loss') },
      { name: 'bag-of-tokens L̃1(W_V W1 W2), until the plateau exit', x: untilExit.map((i) => tr.t[i]), y: untilExit.map((i) => tr.series.bag_loss[i]) },
    ];
    if (st.bag.attained) lossSeries.push({ name: 'min L̃1', x: tw, y: tw.map(() => st.bag.value) });
    out.push({
      title: 'Loss against t with the two stages marked (stage 1 runs from t = 0 to escape; the window starts 12τ before escape; stage 2 from the time attention gradients overtake the outer ones, as in the paper\'s Fig. 1b, to the plateau exit)',
      paths: await writeFigure(dir, 'chen-luo-loss-stages', await linePlot({
        title: 'Chen–Luo: loss, stage 1 (condensation) and stage 2 (plateau, rank collapse)', subtitle: sub,
        xLabel: 't', yLabel: 'loss', yLog: true, series: lossSeries, bands: stageBands(a, from),
      })),
    });

    // 2. E^{-1/3} against t̄: reduced system and full model
    const b = st.blowUp;
    const y0r = stage1FromFull(st.y0, st.d, st.stats.v, st.eps, st.offsets);
    const grid = Float64Array.from({ length: 301 }, (_, i) => (i === 300 ? b.tHit : (b.tHit * i) / 300)); // exact end: saveAt must lie in the span
    const red = solve(stage1Rhs(st.d), [0, b.tHit], y0r, { method: 'dop853', rtol: 1e-12, atol: 1e-14, saveAt: grid, maxSteps: 1e6 });
    const cube = (e: number): number => (e > 0 ? 1 / Math.cbrt(e) : NaN);
    const fullIdx = Array.from(tr.t.keys()).filter((i) => tr.t[i] <= a.tEsc);
    out.push({
      title: 'E^{−1/3} against normalized time t̄ = εκt: the reduced system reaches 0 at T̄* with slope −1',
      paths: await writeFigure(dir, 'chen-luo-energy', await linePlot({
        title: 'Stage 1: E^(−1/3) against t̄ (finite-time blow-up, Theorem 1)', subtitle: sub,
        xLabel: 't̄ = εκt', yLabel: 'E^(−1/3) (normalized)',
        series: [
          { name: 'reduced system (w, M, b)', x: Array.from(red.t), y: red.y.map((y) => cube(stage1Energy(y, st.d))) },
          { name: 'full model (E/ε³)', x: fullIdx.map((i) => st.eps * st.kappa * tr.t[i]), y: fullIdx.map((i) => tr.series.energy_inv_cbrt[i]) },
          { name: 'T̄* − t̄', x: [0, b.Tstar], y: [b.Tstar, 0] },
        ],
      })),
    });

    // 3. ranks over time
    out.push({
      title: 'Stable ranks and condensation effective ranks over time',
      paths: await writeFigure(dir, 'chen-luo-ranks', await linePlot({
        title: 'Ranks: stable rank of W_V, W1, A; effective rank of the normalized rows (condensation)', subtitle: sub,
        xLabel: 't', yLabel: 'rank',
        series: [
          { name: 'sr(W_V)', x: tw, y: pick('WV.stable_rank') },
          { name: 'sr(W1)', x: tw, y: pick('W1.stable_rank') },
          { name: 'sr(A)', x: tw, y: pick('A.stable_rank') },
          { name: 'erank rows W_V', x: tw, y: pick('WV_condensation_erank') },
          { name: 'erank rows W_Q', x: tw, y: pick('WQ_condensation_erank') },
          { name: 'erank rows W_K', x: tw, y: pick('WK_condensation_erank') },
        ],
        bands: stageBands(a, from),
      })),
    });

    // 4. condensation matrices at three times
    const times: { label: string; t: number; y: Float64Array | null }[] = [
      { label: 'initialization', t: 0, y: st.y0 },
      { label: `end of stage 1 (t_esc − ${CONDENSATION_LEAD}τ)`, t: a.tEsc - CONDENSATION_LEAD * st.tau, y: a.beforeEscape },
      { label: 'end of stage 2 (plateau exit)', t: a.tExit, y: Number.isFinite(a.tExit) ? eventState(tr, EVENT.plateauExit) : null },
    ];
    const blocks = [
      { name: 'W_V', key: 'WV', off: st.offsets.WV },
      { name: 'W_Q', key: 'WQ', off: st.offsets.WQ },
    ];
    for (const blk of blocks) {
      for (const [k, when] of times.entries()) {
        if (!when.y) continue;
        const W = { data: when.y, offset: blk.off, rows: st.d, cols: st.d };
        const C = cosineSimilarityMatrix(W).to2DArray();
        const order = spectralOrder(C);
        const z = order.map((i) => order.map((j) => C[i][j]));
        const axis = order.map((_, i) => i + 1);
        const er = condensationSummary(W).effectiveRank;
        out.push({
          title: `Condensation matrix of ${blk.name} (cosines of its rows, spectrally reordered) at ${when.label}`,
          paths: await writeFigure(dir, `chen-luo-condensation-${blk.key}-${k + 1}`, await heatmap({
            title: `cos(row i, row j) of ${blk.name} at ${when.label}, t = ${fmt(when.t)}`,
            subtitle: `effective rank of the normalized rows ${fmt(er)}; rows reordered by the principal eigenvector (order ${order.map((i) => i + 1).join(' ')})`,
            xLabel: 'row (reordered)', yLabel: 'row (reordered)', x: axis, y: axis, z, colorLabel: 'cos',
          })),
        });
      }
    }

    // 5. the ε sweep: escape time and plateau length
    const runs = sweep(ctx, setupOf);
    const pred = b.Tstar * st.tau;
    out.push({
      title: 'Escape time · ε against ε, with the prediction T̄*·ns/(|ℓ′(0)|‖S‖)',
      paths: await writeFigure(dir, 'chen-luo-escape-time', await linePlot({
        title: 'Escape time: t_esc·ε → T̄*·ns/‖S‖ (no ln(1/ε) factor)', subtitle: sub,
        xLabel: 'ε', yLabel: 't_esc · ε', xLog: true,
        series: [
          { name: 'measured (first L < escape level)', x: [...EPS_SWEEP], y: runs.map((r) => r.tEsc * r.setup.eps) },
          { name: 'predicted', x: [EPS_SWEEP[EPS_SWEEP.length - 1], EPS_SWEEP[0]], y: [pred, pred] },
        ],
      })),
    });
    if (st.bag.attained && runs.every((r) => Number.isFinite(r.tExit))) {
      const x = EPS_SWEEP.map((e) => Math.log(1 / e));
      const len = runs.map((r) => r.tExit - r.tEsc);
      const s1 = st.FstarSigma[0];
      const mid = len.reduce((p, q) => p + q, 0) / len.length - x.reduce((p, q) => p + q, 0) / x.length / s1;
      out.push({
        title: 'Plateau length against ln(1/ε), with slope 1/σ₁(F*)',
        paths: await writeFigure(dir, 'chen-luo-plateau-length', await linePlot({
          title: 'Plateau length (escape → L < 0.9 min L̃1) against ln(1/ε)', subtitle: sub,
          xLabel: 'ln(1/ε)', yLabel: 'plateau length',
          series: [
            { name: 'measured', x, y: len },
            { name: `slope 1/σ₁(F*) = ${fmt(1 / s1)}`, x, y: x.map((v) => mid + v / s1) },
          ],
        })),
      });
    }
    return out;
  };
}

export function makeChenLuoReport(setupOf: (p: Params) => ChenLuoSetup) {
  return (ctx: CheckContext): string => {
    const tr = ctx.main();
    const st = setupOf(tr.params);
    const v = Array.from(st.stats.v, (x) => x.toFixed(4)).join(', ');
    const lines = [
      '## Data set and derived scales',
      '',
      '| quantity | value |',
      '|---|---|',
      `| data set | ${st.data.name} |`,
      `| n, s, d | ${st.data.n}, ${st.data.s}, ${st.data.d} (state 4d² + d = ${st.offsets.size}) |`,
      `| ‖S‖ (S = Σ_i y_i Σ_j X_ij) | ${fmt(st.stats.normS)} |`,
      `| v = S/‖S‖ | (${v}) |`,
      `| κ = \\|ℓ′(0)\\|‖S‖/(ns), τ = 1/κ | ${fmt(st.kappa)}, ${fmt(st.tau)} |`,
      `| min L̃1 (bag-of-tokens optimum) | ${st.bag.attained ? `${fmt(st.bag.value)} (Newton, ${st.bag.iterations} steps, ‖∇‖ = ${fmt(st.bag.gradNorm)}, ‖u*‖ = ${fmt(hypotOf(st.bag.u))})` : `not attained (inf ≈ ${fmt(st.bag.value)}): no plateau`} |`,
      `| σ₁, σ₂, σ₃ of F* (Eq. 15 at u*) | ${Array.from(st.FstarSigma.slice(0, 3), fmt).join(', ')} |`,
      `| T̄* (reduced system, E(0) = ${fmt(st.blowUp.E0)}) | ${fmt(st.blowUp.Tstar)} |`,
      `| predicted t_esc = T̄*/(εκ), plateau ln(1/ε)/σ₁(F*) | ${fmt(st.tEscPredicted)}, ${fmt(st.plateauPredicted)} |`,
      `| horizon, save points | ${fmt(st.tEnd)}, ${st.saveAt.length} (dense from 12τ before the predicted escape) |`,
      '',
    ];
    const runs = sweep(ctx, setupOf);
    lines.push(
      '## The ε sweep',
      '',
      `| ε | t_esc·ε | rel. error vs T̄*τ | 1 − min\\|cos(col W_V, v)\\| at t_esc − ${CONDENSATION_LEAD}τ | same at t_esc | plateau loss − min L̃1 | plateau length | σ₁(F) at plateau | sr(A) at plateau | cos(A, u₁v₁ᵀ) at plateau | RHS calls |`,
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    const pred = st.blowUp.Tstar * st.tau;
    for (const r of runs) {
      const i = r.plateau?.index;
      const at = (name: string): string => (i === undefined ? '—' : fmt(r.tr.series[name][i]));
      lines.push(`| ${fmt(r.setup.eps)} | ${fmt(r.tEsc * r.setup.eps)} | ${fmt((r.tEsc * r.setup.eps) / pred - 1)} | ${fmt(r.condensationGap)} | ${fmt(r.condensationGapAtEscape)} | ${r.plateau ? fmt(r.plateau.loss - st.bag.value) : '—'} | ${fmt(r.tExit - r.tEsc)} | ${r.FpSigma ? fmt(r.FpSigma[0]) : '—'} | ${at('A.stable_rank')} | ${at('A_align')} | ${r.tr.solution.stats.nfev} |`);
    }
    lines.push(
      '',
      '## Conventions',
      '',
      `- Escape t_esc: first time L < ${fmt(st.escapeLevel)} (= 0.9 L(0) unless min L̃1 > 0.8 L(0), then halfway from L(0) to min L̃1; a solver event on the dense output). Plateau point: the first local minimum of ‖∇L‖² = −dL/dt after escape (grid minimum refined by a parabola; the state there integrated exactly). Plateau exit: first L < 0.9 min L̃1 (event); plateau length = exit − t_esc.`,
      `- Condensation of W_V is measured ${CONDENSATION_LEAD}τ before escape (state integrated to that time exactly), because at escape W_V has begun turning toward the bag-of-tokens readout u*.`,
      '- F = −∇_A L of the full model at the stated state (the paper\'s Eq. 15 is its σ = id, A = 0 form); u₁, v₁ its top singular pair. Stable rank ‖·‖_F²/‖·‖₂²; effective rank Roy–Vetterli on the normalized rows.',
      '- Integration: dop853, rtol 1e-10, atol 1e-13·ε (full model); dop853, rtol 1e-13 (stage-1 reduced system, terminal event at E = 1e9).',
    );
    return lines.join('\n');
  };
}
