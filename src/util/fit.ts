/** Least-squares fits shared by the library (models, comparisons): pure functions, no I/O. */

/** Least-squares slope of log y against log x (points with non-positive values are skipped). */
export function logLogSlope(x: readonly number[], y: readonly number[]): number {
  const pts = x.map((xi, i) => [Math.log(xi), Math.log(y[i])]).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
  const n = pts.length;
  if (n < 2) return NaN;
  const mx = pts.reduce((s, [a]) => s + a, 0) / n;
  const my = pts.reduce((s, [, b]) => s + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [a, b] of pts) { sxy += (a - mx) * (b - my); sxx += (a - mx) ** 2; }
  return sxy / sxx;
}
