/** Figures (SVG + PNG + Vega-Lite spec) from plain data; see `plot.ts`. */
export {
  type Band,
  type Figure,
  type HeatmapOptions,
  type LinePlotOptions,
  type Series,
  type SpectrumPlotOptions,
  heatmap,
  linePlot,
  spectrumPlot,
} from './plot.js';
export { type FigurePaths, writeFigure } from './write.js';
export { type RenderOptions, FONT_FAMILY, findDejaVuSans, renderSpec } from './render.js';
export { type ContourSegment, isolines } from './contour.js';
export { type DropCounts, dropNote, plottablePoints } from './data.js';
