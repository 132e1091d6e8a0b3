import { it } from 'vitest';
import { linePlot, writeFigure } from '../../src/report/index.js';
it('demo', async () => {
  const t = Array.from({ length: 200 }, (_, i) => 10 ** (-1 + (5 * i) / 199));
  const f1 = await linePlot({ title: 'Gong et al. two-stage model: loss and alignment', subtitle: 'd = 16, n = 4, σ₀ = 1e-3, seed 1', xLabel: 'time t', yLabel: 'loss L(θ)', xLog: true, yLog: true,
    series: [{ name: 'loss', x: [0, ...t], y: [1, ...t.map((s) => 1 / (1 + s / 100))] }, { name: 'alignment |⟨u₁, v⟩|', x: t, y: t.map((s) => (s < 1 ? NaN : 1 - Math.exp(-s / 500))) }],
    bands: [{ from: 0, to: 100, label: 'stage 1' }, { from: 100, to: 2000, label: 'stage 2' }] });
  await writeFigure('/tmp/figs', 'line', f1);
});
