/**
 * Array model files: compile time, and the compiled gradient per call against hand-written code
 * of the same model (Chen–Luo: src/models/chen-luo/transformer.ts; the 10×10 factorization: a
 * plain loop below; deep linear: the built-in model's BLAS-style kernels).
 */
import { join } from 'node:path';
import { loadModelFile } from '../src/modelfile/system.js';
import { modelFromSpec } from '../src/models/from-model-file.js';
import { findModel } from '../src/models/registry.js';
import { resolveParams } from '../src/models/params.js';
import { makeRng } from '../src/util/rng.js';
import type { ArraySystem } from '../src/modelfile/array-system.js';
import { nsPerCall } from './bench-timing.js';

const examples = join(import.meta.dirname, '..', 'examples');


/** −∇ of ½‖U Vᵀ − Y‖² written by hand: R = U Vᵀ − Y, U̇ = −R V, V̇ = −Rᵀ U. */
function handFactorization(Y: Float64Array, n: number): (y: Float64Array, out: Float64Array) => void {
  const R = new Float64Array(n * n);
  const nn = n * n;
  return (y, out) => {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += y[i * n + k] * y[nn + j * n + k];
      R[i * n + j] = acc - Y[i * n + j];
    }
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) {
      let a = 0;
      let b = 0;
      for (let j = 0; j < n; j++) { a += R[i * n + j] * y[nn + j * n + k]; b += R[j * n + i] * y[j * n + k]; }
      out[i * n + k] = -a;
      out[nn + i * n + k] = -b;
    }
  };
}

/** The factorization's target Y, as the file gives it inline. */
function targetOf(sys: ArraySystem): Float64Array {
  const source = sys.spec.array!.arrays.find((a) => a.name === 'Y')!.source;
  if (!('value' in source)) throw new Error('the example gives Y inline');
  return source.value.data;
}

export async function benchArrayFiles(): Promise<string> {
  const rows = ['| model file | state | compile (ms) | compiled field (µs/call) | hand-written (µs/call) | ratio |', '|---|---:|---:|---:|---:|---:|'];
  let sink = 0;
  const cases: Array<{ file: string; hand: (sys: ArraySystem) => (y: Float64Array, out: Float64Array) => void }> = [
    { file: 'transformer-chen-luo', hand: () => { const m = findModel('chen-luo'); const f = m.flow(resolveParams(m, {})); return (y, out) => f(0, y, out); } },
    { file: 'factorization-10x10', hand: (sys) => handFactorization(targetOf(sys), 10) },
    { file: 'deep-linear-3x3', hand: () => { const m = findModel('deep-linear'); const f = m.flow(resolveParams(m, {})); return (y, out) => f(0, y, out); } },
  ];
  for (const c of cases) {
    const t0 = performance.now();
    const model = modelFromSpec(loadModelFile(join(examples, `${c.file}.json`)));
    const p = resolveParams(model, {});
    const field = model.flow(p);
    const compileMs = performance.now() - t0;
    const sys = model.system(p) as ArraySystem;
    const rng = makeRng(1);
    const y = Float64Array.from({ length: sys.stateNames.length }, () => 0.3 * rng.normal());
    const out = new Float64Array(y.length);
    const hand = c.hand(sys);
    const compiled = nsPerCall(() => { y[0] += 1e-12; field(0, y, out); sink += out[1]; }, 400, 2000, 200);
    const byHand = nsPerCall(() => { y[0] += 1e-12; hand(y, out); sink += out[1]; }, 400, 2000, 200);
    rows.push(`| ${c.file} | ${y.length} | ${compileMs.toFixed(0)} | ${(compiled / 1000).toFixed(2)} | ${(byHand / 1000).toFixed(2)} | ${(compiled / byHand).toFixed(2)} |`);
  }
  if (sink === 42) console.log('');
  return `${rows.join('\n')}\n\nCompile time includes reading the file and its data, parsing (the first file also loads mathjs), reverse mode and emitting the loops, twice (the model checks the file once when it is made).`;
}
