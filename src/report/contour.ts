/**
 * Isolines of a gridded field by marching squares, for contour overlays on heatmaps.
 *
 * The field is sampled at cell centres (x[i], y[j]) with value z[j][i]. Each square of four
 * neighbouring samples is handled on its own: where the level lies between two corner values
 * the crossing is placed by linear interpolation along that edge — in log coordinates on a log
 * axis, so lines are straight where the plot shows them straight. Squares with a missing or
 * non-finite corner are skipped (no line through unknown data). Saddles (two opposite corners
 * above the level, two below) are resolved with the mean of the four corners.
 */

/** One straight piece of an isoline z = level. */
export interface ContourSegment {
  level: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

type Pt = [number, number];

/** Segments of the isolines z = level for each level. */
export function isolines(
  x: readonly number[],
  y: readonly number[],
  z: readonly (readonly (number | null)[])[],
  levels: readonly number[],
  axes: { xLog?: boolean; yLog?: boolean } = {},
): ContourSegment[] {
  const fx = axes.xLog ? Math.log : (v: number) => v;
  const fy = axes.yLog ? Math.log : (v: number) => v;
  const gx = axes.xLog ? Math.exp : (v: number) => v;
  const gy = axes.yLog ? Math.exp : (v: number) => v;
  const X = x.map(fx);
  const Y = y.map(fy);
  const out: ContourSegment[] = [];
  const val = (j: number, i: number): number => {
    const v = z[j]?.[i];
    return v == null ? NaN : v;
  };
  for (let j = 0; j + 1 < y.length; j++) {
    for (let i = 0; i + 1 < x.length; i++) {
      // Corners counter-clockwise from bottom-left: a=(i,j), b=(i+1,j), c=(i+1,j+1), d=(i,j+1).
      const za = val(j, i);
      const zb = val(j, i + 1);
      const zc = val(j + 1, i + 1);
      const zd = val(j + 1, i);
      if (![za, zb, zc, zd].every(Number.isFinite)) continue;
      const pa: Pt = [X[i], Y[j]];
      const pb: Pt = [X[i + 1], Y[j]];
      const pc: Pt = [X[i + 1], Y[j + 1]];
      const pd: Pt = [X[i], Y[j + 1]];
      for (const level of levels) {
        const above = [za >= level, zb >= level, zc >= level, zd >= level];
        // Edges in order bottom (a→b), right (b→c), top (c→d), left (d→a).
        const edges: [Pt, Pt, number, number, boolean, boolean][] = [
          [pa, pb, za, zb, above[0], above[1]],
          [pb, pc, zb, zc, above[1], above[2]],
          [pc, pd, zc, zd, above[2], above[3]],
          [pd, pa, zd, za, above[3], above[0]],
        ];
        const cross: (Pt | null)[] = edges.map(([p, q, zp, zq, ap, aq]) => {
          if (ap === aq) return null;
          const t = (level - zp) / (zq - zp); // linear interpolation: z(p + t(q − p)) = level
          return [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])];
        });
        const hits = cross.filter((c): c is Pt => c !== null);
        const pairs: [Pt, Pt][] = [];
        if (hits.length === 2) pairs.push([hits[0], hits[1]]);
        else if (hits.length === 4) {
          const centreAbove = (za + zb + zc + zd) / 4 >= level;
          const [bottom, right, top, left] = cross as Pt[];
          if (centreAbove === above[0]) pairs.push([bottom, right], [top, left]); // cut off corners b and d
          else pairs.push([left, bottom], [right, top]); // cut off corners a and c
        }
        for (const [p, q] of pairs) out.push({ level, x1: gx(p[0]), y1: gy(p[1]), x2: gx(q[0]), y2: gy(q[1]) });
      }
    }
  }
  return out;
}
