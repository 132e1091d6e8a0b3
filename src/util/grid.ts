/** Time grids for save-at points. */

/** n equally spaced points from a to b inclusive. */
export function linspace(a: number, b: number, n: number): Float64Array {
  const out = new Float64Array(n);
  if (n === 1) { out[0] = b; return out; }
  for (let i = 0; i < n; i++) out[i] = a + ((b - a) * i) / (n - 1);
  out[n - 1] = b; // exact endpoint
  return out;
}

/** n geometrically spaced points from a > 0 to b inclusive. */
export function geomspace(a: number, b: number, n: number): Float64Array {
  const out = new Float64Array(n);
  if (n === 1) { out[0] = b; return out; }
  const la = Math.log(a);
  const lb = Math.log(b);
  for (let i = 0; i < n; i++) out[i] = Math.exp(la + ((lb - la) * i) / (n - 1));
  out[0] = a;
  out[n - 1] = b;
  return out;
}
