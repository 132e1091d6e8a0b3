/**
 * Model files with kinks: the bundled sliding examples solve with exact crossings and sliding by
 * default, the file's solver block and `gradflow solve --kinks` choose the treatment.
 */
import type { ExpressionSystem } from '../../src/modelfile/system.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readModelSpec } from '../../src/modelfile/spec.js';
import { loadModelFile } from '../../src/modelfile/system.js';
import { solveModel } from '../../src/modelfile/run.js';
import { examplesDir } from '../../src/modelfile/locate.js';
import { runCli, tempDir } from '../helpers/cli.js';

const example = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(examplesDir(), `${name}.json`), 'utf8')) as Record<string, unknown>;

describe('bundled sliding examples with the default solver settings', () => {
  it('abs-sliding: x exactly 0 from t = 1 on, y = 1 − e^(−t) to 1e-7 at the default rtol 1e-8', () => {
    const run = solveModel(loadModelFile(join(examplesDir(), 'abs-sliding.json')), new Map());
    const s = run.solution;
    expect(s.status).toBe('success');
    expect(s.options.kinks).toBe('filippov');
    s.t.forEach((t, i) => {
      if (t > 1) expect(Math.abs(s.y[i][0])).toBe(0);
      expect(Math.abs(s.y[i][1] - (1 - Math.exp(-t)))).toBeLessThan(1e-7);
    });
    expect((run.system as ExpressionSystem).compiledSwitched!.labels).toEqual(['x']);
  });

  it('relu-sliding: c pinned once near t = 1.815 and exactly 0 afterwards; a·b → 1', () => {
    const run = solveModel(loadModelFile(join(examplesDir(), 'relu-sliding.json')), new Map());
    const s = run.solution;
    expect(s.status).toBe('success');
    const ev = s.kinks!.events;
    expect(ev.map((e) => `${e.kind} ${e.label}`)).toEqual(['pin c']);
    expect(ev[0].t).toBeCloseTo(1.815084, 5);
    s.t.forEach((t, i) => { if (t > ev[0].t) expect(Math.abs(s.y[i][2])).toBe(0); });
    expect(s.yEnd[0] * s.yEnd[1]).toBeCloseTo(1, 6);
  });
});

describe("the model file's solver.kinks", () => {
  it('smooth-through from the file (flags override it), and a bad value is an input error from the solver', () => {
    const file = { ...example('abs-sliding'), solver: { kinks: 'smooth-through', max_steps: 3000 } };
    const spec = readModelSpec(file, 'abs');
    expect(solveModel(spec, new Map()).solution.status).toBe('max_steps');
    expect(solveModel(spec, new Map(), { kinks: 'filippov' }).solution.status).toBe('success');
    expect(() => solveModel(readModelSpec({ ...file, solver: { kinks: 'sometimes' } }, 'abs'), new Map())).toThrow(/Invalid option 'kinks': unknown kink treatment/);
    expect(() => readModelSpec({ ...file, solver: { kinks: 1 } }, 'abs')).toThrow(/solver\.kinks must be "smooth-through", "exact" or "filippov"/);
  });

  it('a smooth field has no switched form and runs as before', () => {
    const run = solveModel(loadModelFile(join(examplesDir(), 'factorization.json')), new Map());
    expect((run.system as ExpressionSystem).switched).toBeNull();
    expect(run.solution.options.kinks).toBe('smooth-through');
    expect(run.solution.kinks).toBeUndefined();
  });
});

describe('gradflow solve --kinks', () => {
  it('default: the summary reports the pin; --kinks exact exits 3 naming the sliding mode; a bad value exits 2', async () => {
    const r = await runCli('solve', 'abs-sliding', '--out', join(tempDir(), 'a.json'));
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/kinks filippov: 0 crossings, 1 pinned, 0 released, 1 held at the end \(x\)/);
    const ex = await runCli('solve', 'abs-sliding', '--kinks', 'exact');
    expect(ex.code).toBe(3);
    expect(ex.err).toMatch(/kink_failure: At t=1, the switching function x is pushed onto its kink from both sides/);
    const bad = await runCli('solve', 'abs-sliding', '--kinks', 'bogus');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--kinks: valid values are smooth-through, exact, filippov \(got 'bogus'\)/);
  });
});
