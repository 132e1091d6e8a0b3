/**
 * The hard-margin SVM margin (with bias) of a labelled point set: half the Euclidean distance
 * between the convex hulls of the two classes, 0 when they intersect (not linearly separable).
 * With the bias free, γ = max_{‖w‖ ≤ 1, b} min_i y_i (w·x_i + b) = ½ dist(conv X₊, conv X₋) ≥ 0.
 *
 * The distance is the norm of the minimum-norm point of conv{x_i − x_j : y_i > 0 > y_j}, found
 * by Wolfe's algorithm (P. Wolfe, "Finding the nearest point in a polytope", Math. Programming
 * 11, 1976), which is finite and exact up to rounding for these small sets.
 */

/** Margin γ ≥ 0 of points `x` (n × dim, row-major) with labels ±1. */
export function svmMargin(x: ArrayLike<number>, labels: ArrayLike<number>, dim: number): number {
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] > 0 ? pos : neg).push(i);
  if (pos.length === 0 || neg.length === 0) return Infinity; // one class: any hyperplane separates
  const q: Float64Array[] = [];
  for (const i of pos) for (const j of neg) {
    const d = new Float64Array(dim);
    for (let k = 0; k < dim; k++) d[k] = x[i * dim + k] - x[j * dim + k];
    q.push(d);
  }
  return 0.5 * minNormPoint(q);
}

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
};

/** ‖min-norm point of conv(q)‖ by Wolfe's algorithm. */
export function minNormPoint(q: readonly Float64Array[]): number {
  const dim = q[0].length;
  let scale = 0;
  for (const v of q) scale = Math.max(scale, dot(v, v));
  if (scale === 0) return 0;
  const tolZ = 1e-12 * scale; // rounding level of the dot products
  // start at the point of smallest norm
  let first = 0;
  for (let i = 1; i < q.length; i++) if (dot(q[i], q[i]) < dot(q[first], q[first])) first = i;
  let S: number[] = [first];
  let lambda: number[] = [1];
  const x = Float64Array.from(q[first]);
  const combine = (): void => {
    x.fill(0);
    S.forEach((s, i) => { for (let k = 0; k < dim; k++) x[k] += lambda[i] * q[s][k]; });
  };
  for (let major = 0; major < 1000; major++) {
    const xx = dot(x, x);
    if (xx <= tolZ * 1e-12) return 0; // the origin is in the polytope (to rounding)
    let j = -1;
    let best = Infinity;
    for (let i = 0; i < q.length; i++) {
      const v = dot(x, q[i]);
      if (v < best) { best = v; j = i; }
    }
    // optimality: x·q ≥ ‖x‖² for every q, to the rounding level of the dot products
    if (best >= xx - tolZ || S.includes(j)) return Math.sqrt(xx);
    const prevS = S;
    const prevLambda = lambda;
    S = [...S, j];
    lambda = [...lambda, 0];
    for (let minor = 0; minor < 1000; minor++) {
      const w = affineMinimizer(S.map((s) => q[s]));
      if (w === null) break;
      if (w.every((v) => v > 1e-15)) { lambda = w; break; }
      // step from λ towards w until the first coordinate hits 0, then drop it
      let theta = 1;
      w.forEach((v, i) => { if (v <= 1e-15 && lambda[i] - v > 0) theta = Math.min(theta, lambda[i] / (lambda[i] - v)); });
      if (minor === 0 && w[w.length - 1] <= 1e-15) {
        // the new point does not enter the corral: x is optimal to rounding (Wolfe: cannot happen in exact arithmetic)
        S = prevS;
        lambda = prevLambda;
        combine();
        return Math.sqrt(dot(x, x));
      }
      lambda = lambda.map((l, i) => l + theta * (w[i] - l));
      const keep = lambda.map((l) => l > 1e-15);
      S = S.filter((_, i) => keep[i]);
      lambda = lambda.filter((_, i) => keep[i]);
      const tot = lambda.reduce((a, b) => a + b, 0);
      lambda = lambda.map((l) => l / tot);
    }
    combine();
  }
  return Math.sqrt(dot(x, x));
}

/** Weights w (Σ w = 1) of the min-norm point of the affine hull of `pts`; null if singular. */
function affineMinimizer(pts: readonly Float64Array[]): number[] | null {
  const n = pts.length;
  // [G 1; 1ᵀ 0] [w; μ] = [0; 1] with G the Gram matrix
  const N = n + 1;
  const M = new Float64Array(N * N);
  const b = new Float64Array(N);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) M[i * N + j] = dot(pts[i], pts[j]);
    M[i * N + n] = 1;
    M[n * N + i] = 1;
  }
  b[n] = 1;
  let gmax = 1;
  for (let i = 0; i < n; i++) gmax = Math.max(gmax, M[i * N + i]);
  // Gaussian elimination with partial pivoting
  for (let col = 0; col < N; col++) {
    let piv = col;
    for (let r = col + 1; r < N; r++) if (Math.abs(M[r * N + col]) > Math.abs(M[piv * N + col])) piv = r;
    if (Math.abs(M[piv * N + col]) < 1e-14 * gmax) return null; // affinely dependent (to rounding)
    if (piv !== col) {
      for (let k = 0; k < N; k++) { const t = M[col * N + k]; M[col * N + k] = M[piv * N + k]; M[piv * N + k] = t; }
      const t = b[col]; b[col] = b[piv]; b[piv] = t;
    }
    for (let r = col + 1; r < N; r++) {
      const f = M[r * N + col] / M[col * N + col];
      if (f === 0) continue;
      for (let k = col; k < N; k++) M[r * N + k] -= f * M[col * N + k];
      b[r] -= f * b[col];
    }
  }
  const sol = new Float64Array(N);
  for (let r = N - 1; r >= 0; r--) {
    let s = b[r];
    for (let k = r + 1; k < N; k++) s -= M[r * N + k] * sol[k];
    sol[r] = s / M[r * N + r];
  }
  const w = Array.from(sol.subarray(0, n));
  return w.every(Number.isFinite) ? w : null;
}
