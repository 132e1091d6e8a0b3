/**
 * Turning raw trajectories into plottable points.
 *
 * Points are **dropped**, never clamped, when they cannot be drawn: a NaN or ±Infinity
 * coordinate (a diverged run, an undefined observable such as the mean |cos| of one row), or a
 * value ≤ 0 on a log axis (t = 0 at the start of a trajectory, an exactly zero singular value).
 * Vega would otherwise fail on them or silently distort the scale domain. Every drop is counted
 * and reported in `Figure.notes`, so a figure never hides that data were left out.
 */

export interface DropCounts {
  /** Points with a NaN or infinite x or y. */
  nonFinite: number;
  /** Finite points with x ≤ 0 on a log x axis. */
  nonPositiveX: number;
  /** Finite points with y ≤ 0 on a log y axis. */
  nonPositiveY: number;
}

export interface AxisKinds {
  xLog?: boolean;
  yLog?: boolean;
}

/** The drawable (x, y) pairs of one series, and what was dropped. x and y must have equal length. */
export function plottablePoints(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  axes: AxisKinds,
): { xs: number[]; ys: number[]; dropped: DropCounts } {
  if (x.length !== y.length) throw new RangeError(`x and y must have the same length (got ${x.length} and ${y.length})`);
  const xs: number[] = [];
  const ys: number[] = [];
  const dropped: DropCounts = { nonFinite: 0, nonPositiveX: 0, nonPositiveY: 0 };
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const yi = y[i];
    if (!Number.isFinite(xi) || !Number.isFinite(yi)) dropped.nonFinite++;
    else if (axes.xLog && xi <= 0) dropped.nonPositiveX++;
    else if (axes.yLog && yi <= 0) dropped.nonPositiveY++;
    else {
      xs.push(xi);
      ys.push(yi);
    }
  }
  return { xs, ys, dropped };
}

/** A one-line note such as `series "loss": dropped 1 non-finite point, 2 with x ≤ 0 (log x axis)`, or null. */
export function dropNote(what: string, d: DropCounts): string | null {
  const parts: string[] = [];
  const pts = (n: number) => `${n} point${n === 1 ? '' : 's'}`;
  if (d.nonFinite > 0) parts.push(`${pts(d.nonFinite)} with a NaN or infinite value`);
  if (d.nonPositiveX > 0) parts.push(`${pts(d.nonPositiveX)} with x ≤ 0 (log x axis)`);
  if (d.nonPositiveY > 0) parts.push(`${pts(d.nonPositiveY)} with y ≤ 0 (log y axis)`);
  return parts.length > 0 ? `${what}: dropped ${parts.join(', ')}` : null;
}
