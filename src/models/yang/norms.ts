/** Mean neuron norm and max |A| of a state (one forward pass; cheap enough for events inside an integrator). */
import type { TokenSpanNetwork } from './network.js';

export function summarizeNormsOf(net: TokenSpanNetwork, y: Float64Array): { norm: number; attn: number } {
  net.forward(y);
  return normsAfterForward(net);
}

/**
 * The same for event functions: g(t, y) of several events is called at the same (t, y) in a row,
 * so the result for the last time t is reused (one forward pass per time, not per event).
 */
export function normsByTime(net: TokenSpanNetwork): (t: number, y: Float64Array) => { norm: number; attn: number } {
  // both events ask at the same (t, y): compute once, but only for the very same state
  let lastT = NaN;
  let lastY = new Float64Array(0);
  let last = { norm: NaN, attn: NaN };
  return (t, y) => {
    if (t !== lastT || lastY.length !== y.length || !lastY.every((v, i) => v === y[i])) {
      last = summarizeNormsOf(net, y);
      lastT = t;
      lastY = Float64Array.from(y);
    }
    return last;
  };
}

function normsAfterForward(net: TokenSpanNetwork): { norm: number; attn: number } {
  const { p, m } = net.c;
  let norm = 0;
  for (const W of net.W) for (let r = 0; r < m; r++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += W[r * p + j] ** 2;
    norm += Math.sqrt(s) / (2 * m);
  }
  let attn = 0;
  for (const A of net.A) for (const v of A) attn = Math.max(attn, Math.abs(v));
  return { norm, attn };
}
