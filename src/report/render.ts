/**
 * Vega-Lite spec → SVG (vega, headless) → PNG (resvg). No browser, no canvas, no native build
 * beyond resvg's prebuilt binary.
 *
 * Fonts. Vega lays text out with its own width estimate (no canvas in Node); resvg then draws it
 * with a real font. We ask for DejaVu Sans, which most Linux images ship (fonts-dejavu-core) and
 * which covers Greek and the maths symbols used in labels (σ, λ, ‖, ≤); when its file is found in
 * one of the usual places it is loaded explicitly and made the default family, otherwise resvg
 * falls back to whatever system font it finds first. For byte-reproducible PNGs across machines,
 * pass `fontFiles` and `loadSystemFonts: false` (see {@link RenderOptions}).
 */
import { existsSync } from 'node:fs';
import type { ResvgRenderOptions } from '@resvg/resvg-js';
import type { LoggerInterface } from 'vega';
import type { TopLevelSpec } from 'vega-lite';

/** The font family written into every spec (CSS list: the first available one is used). */
export const FONT_FAMILY = 'DejaVu Sans, Helvetica, Arial, sans-serif';

const DEJAVU_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu', // Debian, Ubuntu
  '/usr/share/fonts/dejavu-sans-fonts', // Fedora
  '/usr/share/fonts/TTF', // Arch
  '/usr/share/fonts/dejavu', // Alpine
  '/Library/Fonts', // macOS, if installed by the user
];

/** Paths of DejaVuSans.ttf and DejaVuSans-Bold.ttf if present in a usual place, else []. */
export function findDejaVuSans(): string[] {
  for (const dir of DEJAVU_CANDIDATES) {
    const regular = `${dir}/DejaVuSans.ttf`;
    if (existsSync(regular)) {
      const bold = `${dir}/DejaVuSans-Bold.ttf`;
      return existsSync(bold) ? [regular, bold] : [regular];
    }
  }
  return [];
}

export interface RenderOptions {
  /** PNG pixels per SVG pixel. Default 2. */
  scale?: number;
  /** Extra font files for resvg (e.g. a TTF shipped with a paper's figures). */
  fontFiles?: string[];
  /** Default true. Set false with `fontFiles` for machine-independent output. */
  loadSystemFonts?: boolean;
}

/** Shared Vega-Lite config: fonts, and sizes readable in a two-column paper at 50 % scale. */
export const BASE_CONFIG = {
  font: FONT_FAMILY,
  title: { fontSize: 15, subtitleFontSize: 12, anchor: 'start', subtitleColor: '#444' },
  axis: { labelFontSize: 12, titleFontSize: 13, grid: true, gridColor: '#e4e4e4' },
  // labelLimit: vega estimates text widths (no canvas in Node) generously; 160 px cut real labels short.
  legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 400 },
  view: { stroke: '#888' },
} as const;

/** A vega logger that records warnings and errors instead of printing them. */
function collectingLogger(sink: string[]): LoggerInterface {
  let current = 2; // vega-util Warn
  const logger: LoggerInterface = {
    level(l?: number): number | LoggerInterface {
      if (l === undefined) return current;
      current = l;
      return logger;
    },
    error(...args: unknown[]) {
      sink.push(`vega error: ${args.map(String).join(' ')}`);
      return this;
    },
    warn(...args: unknown[]) {
      if (current >= 2) sink.push(`vega warning: ${args.map(String).join(' ')}`);
      return this;
    },
    info() {
      return this;
    },
    debug() {
      return this;
    },
  };
  return logger;
}

/**
 * Renders a Vega-Lite spec to an SVG string and a PNG buffer. Compiler and runtime warnings
 * (e.g. an option that has no effect on a log scale) are returned in `warnings` rather than
 * printed.
 */
export async function renderSpec(
  spec: TopLevelSpec,
  options: RenderOptions = {},
): Promise<{ svg: string; png: Buffer; warnings: string[] }> {
  // loaded on the first figure: runs and workers that draw nothing skip ~0.35 s of start-up
  const [{ View, parse }, { compile }, { Resvg }] = await Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]);
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  const vgSpec = compile(spec, { logger }).spec;
  const view = new View(parse(vgSpec), { renderer: 'none', logger });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  const dejavu = findDejaVuSans();
  const fontFiles = [...dejavu, ...(options.fontFiles ?? [])];
  const font: NonNullable<ResvgRenderOptions['font']> = {
    loadSystemFonts: options.loadSystemFonts ?? true,
    fontFiles,
  };
  if (dejavu.length > 0) {
    font.defaultFontFamily = 'DejaVu Sans';
    font.sansSerifFamily = 'DejaVu Sans';
  }
  const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    background: 'white',
    font,
    logLevel: 'off',
  })
    .render()
    .asPng();
  return { svg, png, warnings };
}
