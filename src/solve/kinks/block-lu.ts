/**
 * LU of the sliding system split into its independent blocks. The pinned functions of different
 * units (or coordinates) rarely act on each other's rates: J is then block diagonal up to a
 * permutation, and factoring each connected block costs Σ k³ instead of |P|³ (for L = λ‖x‖₁ + …
 * with hundreds of coordinates held at zero, J is diagonal). The blocks are the connected
 * components of J's nonzero pattern; a matrix with one component is factored as it is.
 */
import { DenseLu } from './lu.js';

export class BlockLu {
  private readonly whole = new DenseLu();
  private readonly pool: DenseLu[] = [];
  private blocks: Int32Array[] = [];
  private sub = new Float64Array(0);
  private rhs = new Float64Array(0);
  private parent = new Int32Array(0);
  private single = true;

  /** Factorises the n×n row-major `m` blockwise; false if a block is singular (DenseLu's criterion, per block). */
  factor(m: Float64Array, n: number): boolean {
    if (this.parent.length < n) this.parent = new Int32Array(n);
    const parent = this.parent;
    for (let i = 0; i < n; i++) parent[i] = i;
    const find = (i: number): number => {
      while (parent[i] !== i) { parent[i] = parent[parent[i]]; i = parent[i]; }
      return i;
    };
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i !== j && m[i * n + j] !== 0) {
          const a = find(i);
          const b = find(j);
          if (a !== b) parent[a] = b;
        }
      }
    }
    // one component (the common case, and every solve of a coupled system): no allocation
    let roots = 0;
    for (let i = 0; i < n; i++) if (find(i) === i) roots++;
    this.single = roots === 1;
    if (this.single) return this.whole.factor(m, n);
    const members = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const r = find(i);
      const list = members.get(r);
      if (list) list.push(i); else members.set(r, [i]);
    }
    this.blocks = [...members.values()].map((b) => Int32Array.from(b));
    let biggest = 0;
    for (const b of this.blocks) biggest = Math.max(biggest, b.length);
    if (this.sub.length < biggest * biggest) this.sub = new Float64Array(biggest * biggest);
    if (this.rhs.length < biggest) this.rhs = new Float64Array(biggest);
    while (this.pool.length < this.blocks.length) this.pool.push(new DenseLu());
    for (let c = 0; c < this.blocks.length; c++) {
      const idx = this.blocks[c];
      const k = idx.length;
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) this.sub[a * k + b] = m[idx[a] * n + idx[b]];
      if (!this.pool[c].factor(this.sub, k)) return false;
    }
    return true;
  }

  /** b ← J⁻¹ b with the last factorisation. */
  solve(b: Float64Array): void {
    if (this.single) { this.whole.solve(b); return; }
    const rhs = this.rhs;
    for (let c = 0; c < this.blocks.length; c++) {
      const idx = this.blocks[c];
      const k = idx.length;
      for (let a = 0; a < k; a++) rhs[a] = b[idx[a]];
      this.pool[c].solve(rhs); // reads and writes its first k entries only
      for (let a = 0; a < k; a++) b[idx[a]] = rhs[a];
    }
  }
}
