/** Column names of a flat state, from the model's layout: `u`, `w[3]`, `W1[0][2]` (row-major; no commas, so CSV headers need no quoting). */
import type { StateBlock } from '../models/types.js';

export function stateColumns(layout: readonly StateBlock[], length: number): string[] {
  const names = Array.from({ length }, (_, i) => `y[${i}]`);
  for (const b of layout) {
    const size = b.shape.reduce((a, n) => a * n, 1);
    for (let k = 0; k < size && b.offset + k < length; k++) {
      let name = b.name;
      if (b.shape.length === 1) name = `${b.name}[${k}]`;
      else if (b.shape.length >= 2) {
        const idx: number[] = [];
        let rest = k;
        for (let d = b.shape.length - 1; d >= 0; d--) { idx.unshift(rest % b.shape[d]); rest = Math.floor(rest / b.shape[d]); }
        name = `${b.name}${idx.map((i) => `[${i}]`).join('')}`;
      }
      names[b.offset + k] = name;
    }
  }
  return names;
}
