/**
 * Writing figures to disk: `<basename>.svg`, `<basename>.png` and `<basename>.vl.json` (the
 * Vega-Lite spec with its data inline, so the figure can be restyled, e.g. in the Vega editor or
 * with `vl2svg`, without rerunning the integration).
 */
import { inputError } from '../util/errors.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Figure } from './plot.js';

/** Paths of the three files written by {@link writeFigure}. */
export interface FigurePaths {
  readonly svg: string;
  readonly png: string;
  readonly spec: string;
}

/**
 * Writes `fig` as `dir/basename.{svg,png,vl.json}`, creating `dir` if needed, and returns the
 * paths. `basename` must be a plain file name (no directory separators, no extension).
 */
export async function writeFigure(dir: string, basename: string, fig: Figure): Promise<FigurePaths> {
  if (basename === '' || /[\\/]/.test(basename) || basename === '.' || basename === '..') {
    throw new RangeError(`Invalid figure basename ${JSON.stringify(basename)}: use a plain file name without directories`);
  }
  const paths: FigurePaths = {
    svg: join(dir, `${basename}.svg`),
    png: join(dir, `${basename}.png`),
    spec: join(dir, `${basename}.vl.json`),
  };
  try {
    await mkdir(dir, { recursive: true });
    await Promise.all([
      writeFile(paths.svg, fig.svg, 'utf8'),
      writeFile(paths.png, fig.png),
      writeFile(paths.spec, `${JSON.stringify(fig.spec, null, 2)}\n`, 'utf8'),
    ]);
  } catch (e) {
    // a read-only or full folder is the user's to fix, not an internal error
    throw inputError(`cannot write the figure '${basename}' into '${dir}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  return paths;
}
