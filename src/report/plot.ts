/**
 * Figures for papers from plain data: line plots, singular-value spectra over time and
 * heatmaps (phase diagrams). Each function builds a Vega-Lite spec with the data inline, renders
 * it headlessly ({@link renderSpec}) and returns the SVG, a PNG and the spec, so a figure can be
 * restyled later from its `.vl.json` without rerunning anything ({@link writeFigure}).
 *
 * Titles should name the model and its parameters; callers pass them in (`title`, `subtitle`).
 * Values that cannot be drawn (NaN, ±Infinity, ≤ 0 on a log axis) are dropped, never clamped,
 * and each drop is listed in `Figure.notes` (also stored in the spec's `usermeta`).
 */
import type { TopLevelSpec } from 'vega-lite';
import { type ContourSegment, isolines } from './contour.js';
import { dropNote, plottablePoints } from './data.js';
import { BASE_CONFIG, type RenderOptions, renderSpec } from './render.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** A rendered figure. */
export interface Figure {
  /** Standalone SVG document. */
  readonly svg: string;
  /** PNG at `RenderOptions.scale` (default 2×) on a white background. */
  readonly png: Buffer;
  /** The Vega-Lite spec, data inline; `usermeta.gradflow.notes` repeats `notes`. */
  readonly spec: TopLevelSpec;
  /** What was left out of the plot and why (empty when everything was drawn). */
  readonly notes: readonly string[];
}

/** One curve of a line plot. */
export interface Series {
  readonly name: string;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  /** Optional spread around y (e.g. min and max over seeds), drawn as a shaded band in the series colour. */
  readonly spread?: { readonly lower: ArrayLike<number>; readonly upper: ArrayLike<number> };
}

/** A shaded vertical interval [from, to] of the x axis, e.g. a training stage. */
export interface Band {
  readonly from: number;
  readonly to: number;
  readonly label: string;
}

interface Common {
  title: string;
  subtitle?: string;
  /** Plot area in SVG pixels. */
  width?: number;
  height?: number;
  render?: RenderOptions;
}

export interface LinePlotOptions extends Common {
  xLabel: string;
  yLabel: string;
  xLog?: boolean;
  yLog?: boolean;
  series: readonly Series[];
  bands?: readonly Band[];
}

export interface SpectrumPlotOptions extends Common {
  /** Save times. Default axis: log, so t ≤ 0 (the initial point) is dropped and noted. */
  t: ArrayLike<number>;
  /** sigma[k] = singular values of the block at time t[k] (descending, as from `singularValues`). */
  sigma: readonly ArrayLike<number>[];
  /** Default 'time t'. */
  xLabel?: string;
  /** Default 'singular value σᵢ'. */
  yLabel?: string;
  /** Default true. */
  xLog?: boolean;
  /** Default true (exactly zero singular values are then dropped and noted). */
  yLog?: boolean;
  bands?: readonly Band[];
}

export interface HeatmapOptions extends Common {
  xLabel: string;
  yLabel: string;
  /** Cell centres along x, strictly increasing. */
  x: readonly number[];
  /** Cell centres along y, strictly increasing. */
  y: readonly number[];
  /** z[j][i] is the value at (x[i], y[j]); null or non-finite cells are left blank. */
  z: readonly (readonly (number | null)[])[];
  xLog?: boolean;
  yLog?: boolean;
  /** Title of the colour bar. */
  colorLabel: string;
  /** Logarithmic colour scale (cells with z ≤ 0 are then left blank and noted). */
  colorLog?: boolean;
  /** failed[j][i] marks a cell whose run failed: drawn grey with a cross, with a legend entry. */
  failed?: readonly (readonly boolean[])[];
  /** Isolines of z at these levels (marching squares), drawn over the cells. */
  contours?: { readonly levels: readonly number[] };
  /** Curves drawn over the heatmap, e.g. a predicted phase boundary. */
  curves?: readonly Series[];
}

function titleOf(o: Common) {
  return o.subtitle ? { text: o.title, subtitle: o.subtitle } : { text: o.title };
}

/** Renders the spec and attaches the notes (plus any vega warnings) to it as `usermeta`. */
async function finish(spec: Record<string, unknown>, notes: string[], render?: RenderOptions): Promise<Figure> {
  // The plain object is checked by vega-lite's compiler here; every kind of figure is rendered in the tests.
  const { svg, png, warnings } = await renderSpec(spec as unknown as TopLevelSpec, render);
  const all = [...notes, ...warnings];
  const withNotes = { ...spec, usermeta: { gradflow: { notes: all } } } as unknown as TopLevelSpec;
  return { svg, png, spec: withNotes, notes: all };
}

/** Unique legend names in input order ("loss", "loss (2)", …). */
function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return k === 1 ? n : `${n} (${k})`;
  });
}

/**
 * Band layers (shaded rectangles and their labels), clamped to the x range of the data so that
 * they never stretch the axis; bands outside it, empty, or non-finite are skipped with a note.
 */
function bandLayers(
  bands: readonly Band[] | undefined,
  xRange: [number, number] | null,
  xLog: boolean,
  xLabel: string,
  notes: string[],
): object[] {
  if (!bands || bands.length === 0) return [];
  const values: { from: number; to: number; label: string; shade: number }[] = [];
  bands.forEach((b, k) => {
    let from = Math.min(b.from, b.to);
    let to = Math.max(b.from, b.to);
    if (xLog && from <= 0) from = xRange ? xRange[0] : Number.NaN;
    if (xRange) {
      from = Math.max(from, xRange[0]);
      to = Math.min(to, xRange[1]);
    }
    if (!(Number.isFinite(from) && Number.isFinite(to) && to > from)) {
      notes.push(`band "${b.label}": skipped (empty or outside the plotted x range)`);
      return;
    }
    values.push({ from, to, label: b.label, shade: k % 2 });
  });
  if (values.length === 0) return [];
  const x = { field: 'from', type: 'quantitative', title: xLabel };
  return [
    {
      data: { values },
      mark: { type: 'rect', color: '#5b6b8c' },
      encoding: {
        x,
        x2: { field: 'to' },
        opacity: { field: 'shade', type: 'quantitative', scale: { domain: [0, 1], range: [0.08, 0.16] }, legend: null },
      },
    },
    {
      data: { values },
      mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, dy: 4, fontSize: 11, color: '#333' },
      encoding: { x, y: { value: 0 }, text: { field: 'label' } },
    },
  ];
}

function xyScale(log: boolean | undefined) {
  return log ? { type: 'log' } : { zero: false };
}

/**
 * Several series against a common x, with a legend, optional log axes and optional shaded
 * stages.
 *
 * Non-finite points, and points ≤ 0 on a log axis, are dropped (never a crash; a log scale
 * cannot show them and vega would otherwise fail or distort the domain) and listed in `notes`.
 */
export async function linePlot(options: LinePlotOptions): Promise<Figure> {
  const { xLabel, yLabel, xLog = false, yLog = false } = options;
  const notes: string[] = [];
  const names = uniqueNames(options.series.map((s) => s.name));
  const values: { series: string; x: number; y: number }[] = [];
  let xMin = Infinity;
  let xMax = -Infinity;
  options.series.forEach((s, k) => {
    const { xs, ys, dropped } = plottablePoints(s.x, s.y, { xLog, yLog });
    const note = dropNote(`series "${names[k]}"`, dropped);
    if (note) notes.push(note);
    if (xs.length === 0) notes.push(`series "${names[k]}": nothing to draw`);
    for (let i = 0; i < xs.length; i++) {
      values.push({ series: names[k], x: xs[i], y: ys[i] });
      if (xs[i] < xMin) xMin = xs[i];
      if (xs[i] > xMax) xMax = xs[i];
    }
  });
  const xRange: [number, number] | null = values.length > 0 ? [xMin, xMax] : null;
  // spreads: the points plottable in both bounds (a band is drawn only where it can be)
  const spreadValues: { series: string; x: number; lo: number; hi: number }[] = [];
  options.series.forEach((s, k) => {
    if (!s.spread) return;
    const lo = plottablePoints(s.x, s.spread.lower, { xLog, yLog });
    const hi = plottablePoints(s.x, s.spread.upper, { xLog, yLog });
    const his = new Map(hi.xs.map((x, i) => [x, hi.ys[i]]));
    lo.xs.forEach((x, i) => { const h = his.get(x); if (h !== undefined) spreadValues.push({ series: names[k], x, lo: lo.ys[i], hi: h }); });
  });
  const spreads = {
    data: { values: spreadValues },
    mark: { type: 'area', opacity: 0.18, clip: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', scale: xyScale(xLog) },
      y: { field: 'lo', type: 'quantitative', scale: xyScale(yLog) },
      y2: { field: 'hi' },
      // fill, not color: a channel of its own (same domain, so the same colours) without a legend
      fill: { field: 'series', type: 'nominal', scale: { domain: names }, legend: null },
    },
  };
  const lines = {
    data: { values },
    mark: { type: 'line', strokeWidth: 1.8, clip: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xLabel, scale: xyScale(xLog) },
      y: { field: 'y', type: 'quantitative', title: yLabel, scale: xyScale(yLog) },
      color: { field: 'series', type: 'nominal', scale: { domain: names }, legend: { title: null } },
    },
  };
  const spec = {
    $schema: SCHEMA,
    title: titleOf(options),
    width: options.width ?? 560,
    height: options.height ?? 320,
    config: BASE_CONFIG,
    layer: [...bandLayers(options.bands, xRange, xLog, xLabel, notes), lines, ...(spreadValues.length ? [spreads] : [])], // lines first: the legend shows their symbol
  };
  return finish(spec, notes, options.render);
}

/**
 * All singular values of one block against time, one line per index i (σ₁ on top). Log axes by
 * default. Up to 10 indices get a categorical legend (σ1, σ2, …); more get a viridis colour by
 * index with a gradient legend.
 */
export async function spectrumPlot(options: SpectrumPlotOptions): Promise<Figure> {
  const { t, sigma, xLog = true, yLog = true } = options;
  if (sigma.length !== t.length) {
    throw new RangeError(`spectrumPlot needs one spectrum per time (got ${sigma.length} spectra for ${t.length} times)`);
  }
  const xLabel = options.xLabel ?? 'time t';
  const yLabel = options.yLabel ?? 'singular value σᵢ';
  const notes: string[] = [];
  const r = sigma.reduce((m, s) => Math.max(m, s.length), 0);
  const values: { index: number; name: string; t: number; sigma: number }[] = [];
  let xMin = Infinity;
  let xMax = -Infinity;
  const dropped = { nonFinite: 0, nonPositiveX: 0, nonPositiveY: 0 };
  for (let i = 0; i < r; i++) {
    const ys = Array.from(sigma, (s) => (i < s.length ? s[i] : Number.NaN)); // a short spectrum counts as NaN
    const p = plottablePoints(t, ys, { xLog, yLog });
    dropped.nonFinite += p.dropped.nonFinite;
    dropped.nonPositiveX += p.dropped.nonPositiveX;
    dropped.nonPositiveY += p.dropped.nonPositiveY;
    for (let k = 0; k < p.xs.length; k++) {
      values.push({ index: i + 1, name: `σ${i + 1}`, t: p.xs[k], sigma: p.ys[k] });
      xMin = Math.min(xMin, p.xs[k]);
      xMax = Math.max(xMax, p.xs[k]);
    }
  }
  const note = dropNote(`singular values (σ1…σ${r})`, dropped);
  if (note) notes.push(note);
  const categorical = r <= 10;
  const color = categorical
    ? {
        field: 'name',
        type: 'nominal',
        scale: { domain: Array.from({ length: r }, (_, i) => `σ${i + 1}`) },
        legend: { title: null },
      }
    : {
        field: 'index',
        type: 'quantitative',
        scale: { scheme: 'viridis', domain: [1, r] },
        legend: { title: 'index i', gradientLength: 160 },
      };
  const lines = {
    data: { values },
    mark: { type: 'line', strokeWidth: 1.4, clip: true },
    encoding: {
      x: { field: 't', type: 'quantitative', title: xLabel, scale: xyScale(xLog) },
      y: { field: 'sigma', type: 'quantitative', title: yLabel, scale: xyScale(yLog) },
      color,
      detail: { field: 'index', type: 'nominal' },
    },
  };
  const xRange: [number, number] | null = values.length > 0 ? [xMin, xMax] : null;
  const spec = {
    $schema: SCHEMA,
    title: titleOf(options),
    width: options.width ?? 560,
    height: options.height ?? 320,
    config: BASE_CONFIG,
    layer: [...bandLayers(options.bands, xRange, xLog, xLabel, notes), lines],
  };
  return finish(spec, notes, options.render);
}

/**
 * Cell edges around strictly increasing centres: midpoints between neighbours (geometric
 * midpoints √(cᵢcᵢ₊₁) on a log axis), the outer edges half a spacing beyond the end centres.
 */
function cellEdges(c: readonly number[], log: boolean): number[] {
  const f = log ? Math.log : (v: number) => v;
  const g = log ? Math.exp : (v: number) => v;
  const u = c.map(f);
  if (u.length === 1) return [g(u[0] - 0.5), g(u[0] + 0.5)]; // one cell: unit width (a factor e on a log axis)
  const edges = [u[0] - (u[1] - u[0]) / 2];
  for (let i = 0; i + 1 < u.length; i++) edges.push((u[i] + u[i + 1]) / 2);
  edges.push(u[u.length - 1] + (u[u.length - 1] - u[u.length - 2]) / 2);
  return edges.map(g);
}

/** Indices of usable grid coordinates (finite, > 0 on a log axis); throws unless strictly increasing. */
function gridIndices(name: string, c: readonly number[], log: boolean, notes: string[]): number[] {
  const keep: number[] = [];
  for (let i = 0; i < c.length; i++) {
    if (Number.isFinite(c[i]) && (!log || c[i] > 0)) keep.push(i);
  }
  if (keep.length < c.length) notes.push(`${name}: dropped ${c.length - keep.length} grid value(s) that are non-finite or ≤ 0 on a log axis`);
  for (let k = 1; k < keep.length; k++) {
    if (!(c[keep[k]] > c[keep[k - 1]])) throw new RangeError(`heatmap ${name} values must be strictly increasing (${c[keep[k - 1]]} then ${c[keep[k]]})`);
  }
  return keep;
}

/**
 * A heatmap of z over an (x, y) grid (e.g. a phase diagram over two parameters) with a viridis
 * colour bar, failed cells in grey with a cross and a "failed run" legend entry, optional
 * isolines of z and overlay curves.
 *
 * Cells are drawn between {@link cellEdges}, so non-uniform and log grids show their true
 * spacing. Missing cells (null, NaN, or ≤ 0 with `colorLog`) stay blank and are counted in `notes`.
 */
export async function heatmap(options: HeatmapOptions): Promise<Figure> {
  const { x, y, z, xLabel, yLabel, xLog = false, yLog = false, colorLog = false, failed } = options;
  if (z.length !== y.length || z.some((row) => row.length !== x.length)) {
    throw new RangeError(`heatmap z must have y.length = ${y.length} rows of x.length = ${x.length} values (z[j][i] at (x[i], y[j]))`);
  }
  if (failed && (failed.length !== y.length || failed.some((row) => row.length !== x.length))) {
    throw new RangeError('heatmap failed must have the same shape as z');
  }
  const notes: string[] = [];
  const ix = gridIndices('x', x, xLog, notes);
  const iy = gridIndices('y', y, yLog, notes);
  const xs = ix.map((i) => x[i]);
  const ys = iy.map((j) => y[j]);
  const xe = xs.length > 0 ? cellEdges(xs, xLog) : [];
  const ye = ys.length > 0 ? cellEdges(ys, yLog) : [];

  type Cell = { x0: number; x1: number; y0: number; y1: number; xc: number; yc: number };
  const cells: (Cell & { z: number })[] = [];
  const failedCells: (Cell & { status: string })[] = [];
  let blank = 0;
  const zGrid: (number | null)[][] = iy.map(() => ix.map(() => null));
  iy.forEach((j, b) => {
    ix.forEach((i, a) => {
      const cell: Cell = { x0: xe[a], x1: xe[a + 1], y0: ye[b], y1: ye[b + 1], xc: x[i], yc: y[j] };
      const v = z[j][i];
      if (failed?.[j][i]) {
        failedCells.push({ ...cell, status: 'failed run' });
      } else if (v == null || !Number.isFinite(v) || (colorLog && v <= 0)) {
        blank++;
      } else {
        cells.push({ ...cell, z: v });
        zGrid[b][a] = v;
      }
    });
  });
  if (blank > 0) notes.push(`${blank} cell(s) left blank: missing, non-finite${colorLog ? ' or ≤ 0 on the log colour scale' : ''}`);
  if (failedCells.length > 0) notes.push(`${failedCells.length} cell(s) marked as failed runs`);

  const axisScale = (log: boolean, edges: number[]) =>
    edges.length > 0
      ? { type: log ? 'log' : 'linear', domain: [edges[0], edges[edges.length - 1]], nice: false, ...(log ? {} : { zero: false }) }
      : { type: log ? 'log' : 'linear' };
  const xEnc = { field: 'x0', type: 'quantitative', title: xLabel, scale: axisScale(xLog, xe) };
  const yEnc = { field: 'y0', type: 'quantitative', title: yLabel, scale: axisScale(yLog, ye) };
  const height = options.height ?? 360;

  const layers: object[] = [
    {
      data: { values: cells },
      mark: { type: 'rect' },
      encoding: {
        x: xEnc,
        x2: { field: 'x1' },
        y: yEnc,
        y2: { field: 'y1' },
        color: {
          field: 'z',
          type: 'quantitative',
          scale: colorLog ? { scheme: 'viridis', type: 'log' } : { scheme: 'viridis', zero: false },
          legend: { title: options.colorLabel, gradientLength: Math.max(120, height - 60), orient: 'right' },
        },
      },
    },
  ];
  if (failedCells.length > 0) {
    layers.push(
      {
        data: { values: failedCells },
        mark: { type: 'rect', stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          x: xEnc,
          x2: { field: 'x1' },
          y: yEnc,
          y2: { field: 'y1' },
          color: { field: 'status', type: 'nominal', scale: { domain: ['failed run'], range: ['#b3b3b3'] }, legend: { title: null, symbolType: 'square' } },
        },
      },
      {
        data: { values: failedCells },
        mark: { type: 'text', text: '×', fontSize: 14, color: '#333', baseline: 'middle', align: 'center' },
        encoding: { x: { ...xEnc, field: 'xc' }, y: { ...yEnc, field: 'yc' } },
      },
    );
  }
  if (options.contours && options.contours.levels.length > 0) {
    const segs: (ContourSegment & { name: string })[] = isolines(xs, ys, zGrid, options.contours.levels, { xLog, yLog }).map(
      (s) => ({ ...s, name: `${options.colorLabel} = ${s.level}` }),
    );
    layers.push({
      data: { values: segs },
      mark: { type: 'rule', strokeWidth: 1.6, clip: true },
      encoding: {
        x: { ...xEnc, field: 'x1' },
        x2: { field: 'x2' },
        y: { ...yEnc, field: 'y1' },
        y2: { field: 'y2' },
        color: {
          field: 'name',
          type: 'nominal',
          scale: { domain: options.contours.levels.map((l) => `${options.colorLabel} = ${l}`), range: ['#e8175d', '#ff8c00', '#111111', '#00c2ff'] },
          legend: { title: 'contours' },
        },
      },
    });
  }
  if (options.curves && options.curves.length > 0) {
    const names = uniqueNames(options.curves.map((c) => c.name));
    const values: { name: string; x: number; y: number; order: number }[] = [];
    options.curves.forEach((c, k) => {
      const p = plottablePoints(c.x, c.y, { xLog, yLog });
      const note = dropNote(`curve "${names[k]}"`, p.dropped);
      if (note) notes.push(note);
      p.xs.forEach((xv, i) => values.push({ name: names[k], x: xv, y: p.ys[i], order: i }));
    });
    layers.push({
      data: { values },
      mark: { type: 'line', strokeWidth: 2, strokeDash: [6, 3], clip: true },
      encoding: {
        x: { ...xEnc, field: 'x' },
        y: { ...yEnc, field: 'y' },
        order: { field: 'order', type: 'quantitative' }, // keep the given point order (curves may turn back in x)
        color: { field: 'name', type: 'nominal', scale: { domain: names, range: ['#000000', '#d62728', '#7f7f7f'] }, legend: { title: null } },
      },
    });
  }
  const spec = {
    $schema: SCHEMA,
    title: titleOf(options),
    width: options.width ?? 420,
    height,
    config: BASE_CONFIG,
    layer: layers,
    // Each layer's colour has its own meaning (value, failure, contour level, curve): separate scales and legends.
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
  };
  return finish(spec, notes, options.render);
}
