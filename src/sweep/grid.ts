/** The cells of a sweep in a fixed order (y-major), and deterministic shards of them. */
import { inputError } from '../util/errors.js';
import { axisValues, type SweepDefinition } from './definition.js';

export interface Cell {
  readonly index: number;
  readonly ix: number;
  readonly iy: number;
  readonly x: number;
  readonly y: number;
}

export function cellsOf(def: SweepDefinition): Cell[] {
  const xs = axisValues(def.x);
  const ys = axisValues(def.y);
  const cells: Cell[] = [];
  for (let iy = 0; iy < ys.length; iy++) {
    for (let ix = 0; ix < xs.length; ix++) cells.push({ index: iy * xs.length + ix, ix, iy, x: xs[ix], y: ys[iy] });
  }
  return cells;
}

export interface Shard { readonly k: number; readonly n: number }

/** `K/N` with 1 ≤ K ≤ N. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || k < 1 || k > n) throw inputError(`--shard '${text}': expected K/N with 1 ≤ K ≤ N, e.g. --shard 2/8.`);
  return { k, n };
}

/** Shard K of N takes the cells whose index ≡ K − 1 (mod N): balanced across the grid. */
export function inShard(cell: Cell, shard: Shard | null): boolean {
  return shard === null || cell.index % shard.n === shard.k - 1;
}
