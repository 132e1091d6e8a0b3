import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli, tempModel } from '../helpers/cli.js';

const good = {
  name: 'f',
  state: { u: 0.5, v: 0.1 },
  params: { y: 2 },
  loss: '(u*v - y)^2/2',
  t_end: 5,
};

/** Every bad input: exit 2 and one line that says what is wrong, no stack trace. */
async function expectBadInput(model: unknown, message: RegExp, ...flags: string[]): Promise<void> {
  const r = await runCli('solve', tempModel(model), ...flags);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(message);
  expect(r.err).not.toMatch(/\n\s+at /); // no stack frames
}

describe('bad input is a clear message with exit code 2', () => {
  it('malformed expression', () => expectBadInput({ ...good, loss: '(u*v - y^2/2' }, /loss: cannot parse "\(u\*v - y\^2\/2"/));
  it('unknown function', () => expectBadInput({ ...good, loss: 'gamma(u*v)' }, /unknown function 'gamma'.*Allowed functions:/));
  it('unknown variable', () => expectBadInput({ ...good, loss: '(u*w - y)^2' }, /unknown variable 'w'.*Known names: u, v, y/));
  it('state value missing', () => expectBadInput({ ...good, state: { u: 0.5, v: null } }, /state\.v must be a finite number \(got null\)/));
  it('state value not finite', () => expectBadInput({ ...good, state: { u: 'NaN', v: 1 } }, /state\.u must be a finite number \(got "NaN"\)/));
  it('rtol ≤ 0', () => expectBadInput(good, /--rtol must be in \(0, 1\).*got -1/, '--rtol', '-1'));
  it('rtol ≥ 1', () => expectBadInput(good, /--rtol must be in \(0, 1\): a relative tolerance of 1 or more controls nothing \(got 1e10\)/, '--rtol', '1e10'));
  it('rtol not a number', () => expectBadInput(good, /--rtol abc: expected a finite number/, '--rtol', 'abc'));
  it('t_end ≤ t0', () => expectBadInput({ ...good, t_end: 0 }, /t_end \(0\) must be greater than t0 \(0\)/));
  it('empty state', () => expectBadInput({ ...good, state: {} }, /state is empty/));
  it('unknown key', () => expectBadInput({ ...good, tend: 3 }, /unknown key 'tend'\. Valid keys: name, description, state, arrays, params, let, loss, rhs, t0, t_end, save_at, events, solver, data/));
  it('unknown method', () => expectBadInput(good, /method.*dopri5.*rk45/, '--method', 'rk45'));
  it('bad --set', () => expectBadInput(good, /'z' is neither a parameter nor a state variable/, '--set', 'z=1'));
  it('invalid JSON', () => expectBadInput('{"state": ', /not valid JSON/));
  it('injection in an expression', () => expectBadInput({ ...good, loss: 'constructor.constructor("return process")()' }, /loss: cannot parse/));
  it('NaN field at the start', () => expectBadInput({ ...good, loss: 'log(u - 1)' }, /not finite at the initial state/));
  it('missing file', async () => {
    const r = await runCli('solve', 'no/such/model.json');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no model file 'no\/such\/model.json'.*bundled example/);
  });
  it('unknown command or flag', async () => {
    expect((await runCli('solv')).code).toBe(2);
    expect((await runCli('solve', 'factorization', '--tolerance', '1')).code).toBe(2);
  });
});

describe('solver failures are exit code 3 with the time reached', () => {
  it('blow-up of y′ = y², y(0) = 1 is reported near t = 1, quickly', async () => {
    const model = { name: 'blowup', state: { y: 1 }, rhs: { y: 'y^2' }, t_end: 2 };
    const start = performance.now();
    const r = await runCli('solve', tempModel(model), '--out', `${tempModel('', 'x')}.csv`);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/non_finite: .*blew up near t=(0\.99\d*|1(\.0*)?)\b/);
  });

  it('max steps exceeded names the time reached and the knob', async () => {
    const r = await runCli('solve', tempModel(good), '--max-steps', '5', '--rtol', '1e-12');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/max_steps: .*max steps \(5\).*t=\d/i);
  });
});

describe('the installed binary', () => {
  it('prints a clear message, not a stack trace, for a bad file (real process)', () => {
    const p = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/entry.ts', 'solve', tempModel({ ...good, loss: 'u +* v' })], { encoding: 'utf8' });
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/^gradflow: .*cannot parse/);
    expect(p.stderr).not.toMatch(/\n\s+at /);
  });
});
