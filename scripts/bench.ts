/**
 * `npm run bench`: every benchmark, printed as Markdown. Timings live here, never in tests.
 * Pass section names to run only some: `npm run bench -- expressions solvers`.
 */
import { benchExpressions } from './bench-expressions.js';
import { benchExamples } from './bench-examples.js';
import { benchSolvers } from './bench-solvers.js';
import { benchObservers } from './bench-observers.js';
import { benchSweep } from './bench-sweep.js';
import { benchKinks } from './bench-kinks.js';
import { benchStiff } from './bench-stiff.js';
import { benchYang } from './bench-yang.js';
import { benchChenLuo } from './bench-chen-luo.js';
import { benchGong } from './bench-gong.js';
import { benchDiscrete } from './bench-discrete.js';
import { benchArrayFiles } from './bench-array-files.js';

const SECTIONS: Record<string, { title: string; run: () => Promise<string> }> = {
  expressions: { title: 'Compiled gradient vs hand-written JS vs mathjs evaluate (ns per call)', run: benchExpressions },
  solvers: { title: 'Integrators on reference problems', run: benchSolvers },
  examples: { title: 'Bundled examples: RHS calls and wall time per method', run: benchExamples },
  observers: { title: 'Spectral observers per save point', run: benchObservers },
  kinks: { title: 'Kinks: exact crossings and sliding modes against smooth-through', run: benchKinks },
  stiff: { title: 'Stiff phases: dop853, rodas5p and auto', run: benchStiff },
  yang: { title: 'Yang et al.: three-stage run, 9-scalar and token-span forms', run: benchYang },
  'chen-luo': { title: 'Chen–Luo: full-model RHS and two-stage run', run: benchChenLuo },
  gong: { title: 'Gong et al.: full-matrix and reduced flows', run: benchGong },
  'array-files': { title: 'Array model files: compile time and compiled gradient vs hand-written code', run: benchArrayFiles },
  discrete: { title: 'Discrete training: steps per second and allocation', run: benchDiscrete },
  sweep: { title: 'Sweeps: 1 and 2 workers', run: benchSweep },
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in SECTIONS));
if (unknown.length > 0) {
  console.error(`unknown benchmark section(s): ${unknown.join(', ')}; sections: ${Object.keys(SECTIONS).join(', ')}`);
  process.exit(2);
}
console.log(`# gradflow benchmarks (node ${process.version}, ${new Date().toISOString()})\n`);
for (const [name, s] of Object.entries(SECTIONS)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`## ${s.title}\n\n${await s.run()}\n`);
}
