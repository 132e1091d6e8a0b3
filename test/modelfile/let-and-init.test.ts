/**
 * Named definitions (`let`) and initial values that are expressions of the parameters: a model
 * file reads top-down, and a small initialization is written as a multiple of its scale.
 */
import { describe, expect, it } from 'vitest';
import { readModelSpec } from '../../src/modelfile/spec.js';
import { buildSystem } from '../../src/modelfile/system.js';
import { solveModel } from '../../src/modelfile/run.js';
import { runCli, tempDir, tempModel } from '../helpers/cli.js';

const factorization = {
  name: 'factorization-let',
  state: { u: '0.5*eps', v: '0.2*eps' },
  params: { y: 2, eps: 1e-3 },
  let: { r: 'u*v - y', half: '1/2' },
  loss: 'half*r^2',
  t_end: 40,
  events: [{ name: 'fit', when: 'r + 1', direction: 'rising' }],
};

describe('let and initial values from parameters', () => {
  it('the field equals the one written out, at any state', () => {
    const a = buildSystem(readModelSpec(factorization, 'let'));
    const b = buildSystem(readModelSpec({ name: 'plain', state: { u: 5e-4, v: 2e-4 }, params: { y: 2 }, loss: '(u*v - y)^2/2', t_end: 40 }, 'plain'));
    expect(Array.from(a.y0)).toEqual([5e-4, 2e-4]);
    for (const [u, v] of [[0.3, -1.2], [2, 0.7], [-0.4, 3]]) {
      const y = Float64Array.of(u, v);
      const da = new Float64Array(2);
      const db = new Float64Array(2);
      a.rhs(0, y, da);
      b.rhs(0, y, db);
      expect(Array.from(da)).toEqual(Array.from(db));
      expect(a.lossAt!(0, y)).toBe(b.lossAt!(0, y));
    }
  });

  it('an initial value follows its parameter; the event uses the definition', () => {
    const run = solveModel(readModelSpec(factorization, 'let'), new Map([['eps', 0.1]]));
    expect(Array.from(run.y0)).toEqual([0.05, 0.020000000000000004]);
    // balanced-start logistic growth of uv from 1e-3 to y = 2: r = uv − 2 rises through −1 when uv = 1
    const hit = run.solution.events.find((e) => e.name === 'fit')!;
    expect(hit.y[0] * hit.y[1]).toBeCloseTo(1, 8);
  });

  it('bad definitions name the place; an expression initial value is not settable', async () => {
    const bad = (patch: object): () => unknown => () => buildSystem(readModelSpec({ ...factorization, ...patch }, 'f'));
    expect(bad({ let: { r: 'u*w' } })).toThrow(/let\.r: .*unknown variable 'w'/);
    expect(bad({ let: { y: 'u' } })).toThrow(/let: 'y' is already a state variable or a parameter/);
    expect(bad({ let: { a: 'b', b: 'u' } })).toThrow(/let\.a: .*unknown variable 'b'/); // definitions are read in order
    expect(bad({ state: { u: 'log(-eps)', v: 1 } })).toThrow(/the initial value of u, "log\(-eps\)", is NaN/);
    expect(bad({ state: { u: 'v', v: 1 } })).toThrow(/state\.u: .*unknown variable 'v'/);
    const file = tempModel(factorization);
    const r = await runCli('solve', file, '--set', 'u=1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/the initial value of 'u' is the expression "0\.5\*eps"; set the parameters it uses/);
    const ok = await runCli('run', file, '--set', 'eps=0.01', '--no-figures', '--out', tempDir());
    expect(ok.code).toBe(0);
  });
});
