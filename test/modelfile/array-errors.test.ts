/**
 * Bad array model files: every mistake is an input error (exit 2) that names the place — both
 * shapes of a mismatch, the axis or index, the data file and the position of a bad value — and
 * nothing too large is allocated.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readModelSpec } from '../../src/modelfile/spec.js';
import { modelFromSpec } from '../../src/models/from-model-file.js';
import { inputErrorOf } from '../helpers/errors.js';
import { runCli, tempDir, tempModel } from '../helpers/cli.js';
import { npyBytes } from '../../src/io/arrays.js';

const base = {
  name: 'bad',
  arrays: { Y: { value: [[1, 2], [3, 4]], shape: ['n', 'n'] } },
  params: { eps: 0.1 },
  state: { W: { shape: [3, 3], init: { normal: { sd: 'eps' } } }, U: { shape: ['n', 'n'], init: 'zeros' } },
  loss: 'sum(U .^ 2)',
  t_end: 1,
};
const build = (change: Record<string, unknown>, dir?: string) => () => modelFromSpec(readModelSpec({ ...base, ...change }, dir ? join(dir, 'm.json') : 'm.json'));

describe('array model files: bad input', () => {
  it('a shape mismatch names both shapes and the subexpression', () => {
    const m = inputErrorOf(build({ loss: 'sum(W .* Y)' }));
    expect(m).toMatch(/bad: loss, at "W \.\* Y": shapes \[3, 3\] and \[2, 2\] do not broadcast/);
    expect(inputErrorOf(build({ loss: 'sum(W * Y)' }))).toMatch(/at "W \* Y": matrix product of shapes \[3, 3\] and \[2, 2\]: the inner sizes 3 and 2 differ/);
    expect(inputErrorOf(build({ let: { P: 'W * W' }, loss: 'sum(P - Y)' }))).toMatch(/at "P - Y": shapes \[3, 3\] and \[2, 2\]/);
  });

  it('an unknown axis, an index out of range, a wrong einsum', () => {
    expect(inputErrorOf(build({ loss: 'sum(sum(W, 3))' }))).toMatch(/axis 3 does not exist for shape \[3, 3\] \(axes are numbered 1 … 2/);
    expect(inputErrorOf(build({ loss: 'W[4, 1]' }))).toMatch(/at "W\[4, 1\]": index 4 on axis 1 is outside 1 … 3/);
    expect(inputErrorOf(build({ loss: 'W[1]' }))).toMatch(/1 index for an array of shape \[3, 3\] \(2 axes\)/);
    expect(inputErrorOf(build({ loss: 'einsum("ij,jk->", W, Y)' }))).toMatch(/einsum index 'j' has size 3 in one argument and 2 in argument 2/);
    expect(inputErrorOf(build({ loss: 'einsum("ij->k", W)' }))).toMatch(/the einsum result index 'k' appears in no argument/);
    expect(inputErrorOf(build({ loss: 'sum(Q)' }))).toMatch(/unknown name 'Q'.*Known names: U, W, Y, eps, n/);
    expect(inputErrorOf(build({ loss: 'W' }))).toMatch(/the loss must be a scalar, but it has shape \[3, 3\]/);
  });

  it('a data file of the wrong shape, an unsupported dtype and NaN in data name the file and the place', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'Y.npy'), npyBytes([2, 3], Float64Array.of(1, 2, 3, 4, 5, 6)));
    const wrong = inputErrorOf(build({ arrays: { Y: { file: 'Y.npy', shape: ['n', 'n'] } } }, dir));
    expect(wrong).toMatch(/Y\.npy \(array Y\): shape \[2, 3\] does not match the expected \[2, 2\]/);
    // complex128: a dtype the reader does not take
    const header = Buffer.from("{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }".padEnd(117, ' ') + '\n');
    writeFileSync(join(dir, 'C.npy'), Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0, header.length, 0]), header, Buffer.alloc(32)]));
    expect(inputErrorOf(build({ arrays: { Y: { file: 'C.npy' } } }, dir))).toMatch(/C\.npy.*<c16/);
    writeFileSync(join(dir, 'N.csv'), '1,2\n3,nan\n');
    expect(inputErrorOf(build({ arrays: { Y: { file: 'N.csv', shape: ['n', 'n'] } } }, dir))).toMatch(/N\.csv: the value at \[1, 1\] is NaN/);
    expect(inputErrorOf(build({ arrays: { Y: { file: 'missing.npy' } } }, dir))).toMatch(/cannot read array Y from '.*missing\.npy': ENOENT/);
  });

  it('sizes: a shape name that is not an integer, and a model too large, are refused before allocating', () => {
    expect(inputErrorOf(build({ state: { W: { shape: ['eps', 3], init: 'zeros' } } }))).toMatch(/the size 'eps' = 0\.1 must be a positive integer/);
    expect(inputErrorOf(build({ state: { W: { shape: ['k', 3], init: 'zeros' } } }))).toMatch(/the size 'k' is neither a parameter nor bound by an earlier array's shape/);
    expect(inputErrorOf(build({ state: { W: { shape: [100000, 100000], init: 'zeros' } } }))).toMatch(/more than 10000000 numbers \(at block W, shape \[100000, 100000\]\)/);
    // the state is small, but W Wᵀ would hold 4·10⁸ numbers
    expect(inputErrorOf(build({ state: { W: { shape: [20000, 10], init: 'zeros' } }, loss: "sum(W * W')" }))).toMatch(/an intermediate array of shape \[20000, 20000\] \(400000000 numbers\) exceeds the limit of 50000000/);
  });

  it('a constant that is not a finite number, a start that names no block, probabilities that do not sum to 1', () => {
    expect(inputErrorOf(build({ loss: 'sum(W) + sqrt(-2.5)' }))).toMatch(/at "sqrt\(-2\.5\)": this constant subexpression evaluates to NaN; every constant must be a finite number/);
    expect(inputErrorOf(build({ starts: { a: { Q: 'zeros' } } }))).toMatch(/starts\.a: 'Q' is not a state block \(blocks: W, U\)/);
    expect(inputErrorOf(build({ starts: { a: { W: { value: 'Y' } } } }))).toBeDefined();
    expect(inputErrorOf(build({ params: { eps: 0.1, start: 1 }, starts: { a: { W: 'zeros' } } }))).toMatch(/the parameter 'start' is taken by the file's "starts"/);
    expect(inputErrorOf(build({ discrete: { s: { values: [1, 2], probs: [0.3, 0.6] } } }))).toMatch(/discrete\.s\.probs sum to 0\.9, not 1/);
    expect(inputErrorOf(build({ gaussian: { x: 'k' } }))).toMatch(/the size 'k' is neither a parameter nor bound/);
  });

  it("the scalar language's injection strings are rejected inside array expressions", () => {
    for (const loss of [
      "constructor.constructor('return process')()",
      'W.constructor',
      '__proto__',
      'toString',
      'sum(W); process.exit(1)',
      'f(x) = x',
      'sum(W) ? 1 : 2',
      '[1, 2]',
      'import("fs")',
      'einsum(W)',
      'sum(W)(1)',
    ]) {
      const m = inputErrorOf(build({ loss }));
      expect(m, loss).toMatch(/^bad: loss(, at "[^"]*")?: (unknown name|unknown function|.*Array expressions allow|einsum's first argument)/);
    }
  });

  it('through the CLI: exit code 2 and one line naming the file, never a stack trace', async () => {
    const path = tempModel({ ...base, loss: 'sum(W .* Y)' });
    const r = await runCli('solve', path);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/shapes \[3, 3\] and \[2, 2\] do not broadcast/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});
