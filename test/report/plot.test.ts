import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { heatmap, linePlot, spectrumPlot, writeFigure } from '../../src/report/index.js';
import { PNG_SIGNATURE, pngSize, svgSize } from './helpers.js';

const t = Array.from({ length: 60 }, (_, i) => 10 ** (-1 + (4 * i) / 59));

function expectValidPng(png: Buffer, svg: string) {
  expect(Array.from(png.subarray(0, 8))).toEqual(PNG_SIGNATURE);
  const { width, height } = pngSize(png);
  expect(width).toBeGreaterThan(0);
  expect(height).toBeGreaterThan(0);
  // Rendered at zoom 2: the PNG is twice the SVG size (up to rounding).
  const s = svgSize(svg);
  expect(Math.abs(width - 2 * s.width)).toBeLessThanOrEqual(2);
  expect(Math.abs(height - 2 * s.height)).toBeLessThanOrEqual(2);
}

describe('linePlot', () => {
  it('renders an SVG with the title, axis titles and legend, and a valid PNG', async () => {
    const fig = await linePlot({
      title: 'toy-linear: loss',
      subtitle: 'd = 4, seed 1',
      xLabel: 'time t',
      yLabel: 'population loss',
      xLog: true,
      yLog: true,
      series: [
        { name: 'flow', x: t, y: t.map((s) => 1 / (1 + s)) },
        { name: 'SGD', x: t, y: t.map((s) => 1.1 / (1 + s)) },
      ],
      bands: [{ from: 0.1, to: 3, label: 'stage 1' }],
    });
    expect(fig.svg.startsWith('<svg')).toBe(true);
    for (const text of ['toy-linear: loss', 'd = 4, seed 1', 'time t', 'population loss', 'flow', 'SGD', 'stage 1']) {
      expect(fig.svg).toContain(`>${text}</text>`);
    }
    expectValidPng(fig.png, fig.svg);
    expect(fig.notes).toEqual([]);
  });

  it('drops non-positive values on log axes and non-finite values without throwing, and says so', async () => {
    const fig = await linePlot({
      title: 'bad data',
      xLabel: 'time t',
      yLabel: 'value',
      xLog: true,
      yLog: true,
      series: [
        { name: 'mixed', x: [0, 1, 2, 3, 4, 5, 6], y: [1, 0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2, 3] },
        { name: 'nothing left', x: [0, -1], y: [1, 1] },
      ],
      bands: [{ from: -5, to: 4, label: 'early' }],
    });
    expectValidPng(fig.png, fig.svg);
    expect(fig.notes[0]).toBe(
      'series "mixed": dropped 2 points with a NaN or infinite value, 1 point with x ≤ 0 (log x axis), 2 points with y ≤ 0 (log y axis)',
    );
    expect(fig.notes).toContain('series "nothing left": nothing to draw');
    // The spec keeps only finite data, so the .vl.json is valid JSON with numbers only.
    const values = (fig.spec as { layer: { data: { values: { x: number; y: number }[] } }[] }).layer.at(-1)!.data.values;
    expect(values.map((v) => [v.x, v.y])).toEqual([
      [5, 2],
      [6, 3],
    ]);
  });

  it('does not throw when every point is dropped', async () => {
    const fig = await linePlot({
      title: 'empty',
      xLabel: 'x',
      yLabel: 'y',
      yLog: true,
      series: [{ name: 'zeros', x: [1, 2], y: [0, 0] }],
    });
    expect(fig.svg.length).toBeGreaterThan(0);
    expect(Array.from(fig.png.subarray(0, 8))).toEqual(PNG_SIGNATURE);
  });
});

describe('spectrumPlot', () => {
  it('draws one line per singular value on log axes, dropping t = 0 and zero values', async () => {
    const sigma = [[1, 0.5, 0], ...t.map((s) => [1 + s, 0.5, 1e-3 * s])];
    const fig = await spectrumPlot({ title: 'W_KQ spectrum', t: [0, ...t], sigma });
    for (const text of ['time t', 'singular value σᵢ', 'σ1', 'σ2', 'σ3']) expect(fig.svg).toContain(`>${text}</text>`);
    expectValidPng(fig.png, fig.svg);
    expect(fig.notes).toEqual(['singular values (σ1…σ3): dropped 3 points with x ≤ 0 (log x axis)']);
  });

  it('switches to a viridis index colour bar above 10 singular values', async () => {
    const sigma = t.map(() => Array.from({ length: 12 }, (_, i) => 2 ** -i));
    const fig = await spectrumPlot({ title: 'wide', t, sigma });
    expect(fig.svg).toContain('>index i</text>');
    expect(fig.svg).toContain('linearGradient');
  });

  it('rejects a spectra/time count mismatch', async () => {
    await expect(spectrumPlot({ title: 'x', t: [1, 2], sigma: [[1]] })).rejects.toThrow(/one spectrum per time/);
  });
});

describe('heatmap', () => {
  const x = [1e-3, 1e-2, 1e-1, 1];
  const y = [0.5, 1, 1.5];
  const z: (number | null)[][] = y.map((b) => x.map((a) => Math.log10(a) + b));
  z[2][3] = null;

  it('renders axis titles, a colour bar, failed cells with a legend entry and contours', async () => {
    const failed = y.map((_, j) => x.map((_, i) => i === 0 && j === 0));
    const fig = await heatmap({
      title: 'phase diagram',
      subtitle: 'chen-luo, d_m = 4',
      xLabel: 'init scale',
      yLabel: 'width ratio',
      x,
      y,
      z,
      xLog: true,
      colorLabel: 'log10 escape time',
      failed,
      contours: { levels: [-1] },
    });
    for (const text of ['phase diagram', 'init scale', 'width ratio', 'log10 escape time', 'failed run', '×', 'contours']) {
      expect(fig.svg).toContain(`>${text}</text>`);
    }
    expect(fig.svg).toContain('linearGradient'); // the colour bar
    expectValidPng(fig.png, fig.svg);
    expect(fig.notes).toEqual(['1 cell(s) left blank: missing, non-finite', '1 cell(s) marked as failed runs']);
  });

  it('drops grid values ≤ 0 on a log axis and z ≤ 0 on a log colour scale without throwing', async () => {
    const fig = await heatmap({
      title: 'log everything',
      xLabel: 'a',
      yLabel: 'b',
      x: [0, 1, 10],
      y: [1, 2],
      z: [
        [1, 2, 0],
        [3, -4, 5],
      ],
      xLog: true,
      yLog: true,
      colorLog: true,
      colorLabel: 'z',
    });
    expectValidPng(fig.png, fig.svg);
    expect(fig.notes).toEqual([
      'x: dropped 1 grid value(s) that are non-finite or ≤ 0 on a log axis',
      '2 cell(s) left blank: missing, non-finite or ≤ 0 on the log colour scale',
    ]);
  });

  it('checks the shape of z and that the grid increases', async () => {
    await expect(heatmap({ title: 't', xLabel: 'a', yLabel: 'b', x: [1, 2], y: [1], z: [[1]], colorLabel: 'z' })).rejects.toThrow(/rows of x.length/);
    await expect(heatmap({ title: 't', xLabel: 'a', yLabel: 'b', x: [2, 1], y: [1], z: [[1, 2]], colorLabel: 'z' })).rejects.toThrow(/strictly increasing/);
  });
});

describe('writeFigure', () => {
  it('writes .svg, .png and a .vl.json spec with the data inline', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gradflow-fig-'));
    try {
      const fig = await linePlot({ title: 'w', xLabel: 'x', yLabel: 'y', series: [{ name: 's', x: [1, 2], y: [3, 4] }] });
      const paths = await writeFigure(join(dir, 'sub'), 'loss', fig);
      expect(await readFile(paths.svg, 'utf8')).toBe(fig.svg);
      expect((await readFile(paths.png)).equals(fig.png)).toBe(true);
      const spec = JSON.parse(await readFile(paths.spec, 'utf8'));
      expect(spec.$schema).toMatch(/vega-lite\/v6/);
      expect(spec.layer[0].data.values).toEqual([
        { series: 's', x: 1, y: 3 },
        { series: 's', x: 2, y: 4 },
      ]);
      expect(spec.usermeta.gradflow.notes).toEqual([]);
      await expect(writeFigure(dir, '../escape', fig)).rejects.toThrow(/plain file name/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
