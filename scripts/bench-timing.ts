/** Timing of one call, shared by the benchmarks: warm up the JIT, then double the count until the loop takes `minMs`. */
export function nsPerCall(fn: () => void, minMs = 300, warmup = 20_000, start = 1000): number {
  for (let i = 0; i < warmup; i++) fn();
  let n = start;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    const ms = performance.now() - t0;
    if (ms > minMs) return (ms * 1e6) / n;
    n *= 2;
  }
}
