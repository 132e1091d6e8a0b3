/**
 * Predictions declared in model files: each measure against a closed form or an independent
 * computation, verdicts (pass, fail with the numbers, not measurable with the reason), exit codes,
 * and the example files' verdicts against the built-in models' on the same problem.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkModel } from '../../src/check/check-model.js';
import { readModelSpec } from '../../src/modelfile/spec.js';
import { loadModelFile } from '../../src/modelfile/system.js';
import { modelFromSpec } from '../../src/models/from-model-file.js';
import { findModel } from '../../src/models/registry.js';
import { resolveParams } from '../../src/models/params.js';
import { inputErrorOf } from '../helpers/errors.js';
import { runCli, tempDir, tempModel } from '../helpers/cli.js';

const examples = join(__dirname, '..', '..', 'examples');
const SOURCE = { paper: 'Saxe, McClelland, Ganguli 2014', where: 'Eq. 9–10, one mode', status: 'verified' };

/** uv from a balanced start √ε: the logistic p(t) = y/(1 + (y/ε − 1)e^{−2yt}), half-way at t½ = ln(y/ε − 1)/(2y). */
const logistic = (predictions: unknown[]) => ({
  name: 'logistic-mode',
  state: { u: 'sqrt(eps)', v: 'sqrt(eps)' },
  params: { y: 2, eps: 1e-3 },
  loss: '(u*v - y)^2/2',
  t_end: 20,
  save_at: { geom: [0.01, 20, 200] },
  solver: { method: 'dop853', rtol: 1e-11, atol: 1e-13 },
  events: [{ name: 'half', when: 'u*v - y/2', direction: 'rising' }, { name: 'nine', when: 'u*v - 0.9*y', direction: 'rising' }, { name: 'never', when: 'u*v - 10', direction: 'rising' }],
  observables: { p: 'u*v', gap: 'y - u*v' },
  matrices: { M: [['u', '0'], ['0', 'v']] },
  predictions,
});
const claim = (id: string, measure: unknown, predicted: string, tolerance: unknown, extra: Record<string, unknown> = {}) => ({ id, claim: `${id}.`, source: SOURCE, measure, predicted, tolerance, ...extra });

async function check(spec: Record<string, unknown>) {
  const model = modelFromSpec(readModelSpec(spec, 'logistic.json'));
  return checkModel(model, resolveParams(model, {}), join(tempDir(), 'c'));
}

describe('file predictions: measures against closed forms', () => {
  it('value over the run, event time and ratio, event order, value at a time and at an event, slope, scaling, transitions', async () => {
    const r = await check(logistic([
      claim('logistic', { value: 'p', at: 'all' }, 'y/(1 + (y/eps - 1)*exp(-2*y*t))', { rel: 1e-8 }),
      claim('half-time', { event_time: 'half' }, 'log(y/eps - 1)/(2*y)', { rel: 1e-8 }),
      // t(0.9y)/t(y/2) = ln(9(y/ε − 1))/ln(y/ε − 1)
      claim('ratio', { event_ratio: ['nine', 'half'] }, 'log(9*(y/eps - 1))/log(y/eps - 1)', { rel: 1e-8 }),
      claim('order', { event_order: ['half', 'nine'] }, '1', { abs: 0 }),
      claim('at-time', { value: 'p', at: 20 }, 'y/(1 + (y/eps - 1)*exp(-2*y*20))', { rel: 1e-9 }),
      claim('at-event', { value: 'gap', at_event: 'half' }, 'y/2', { rel: 1e-8 }),
      // early, p = uv ≈ ε e^{2yt} ≪ y, so the gap y − p is flat: d ln(gap)/d ln t = −2y t p/(y − p) ≈ −5e-4 on [0.01, 0.05]
      claim('slope', { slope: 'gap', window: [1e-2, 5e-2] }, '0', { abs: 0.02 }),
      // t½ = ln(y/ε − 1)/(2y): d ln t½ / d ln ε = −1/ln(y/ε − 1) at each ε; fitted over ε = 1e-2 … 1e-4
      claim('scaling', { scaling: { param: 'eps', values: [1e-2, 1e-3, 1e-4], of: { event_time: 'half' } } }, '(log(log(2/1e-4 - 1)) - log(log(2/1e-2 - 1)))/(log(1e-4) - log(1e-2))', { rel: 1e-6 }),
      claim('one-transition', { transitions: true }, '1', { abs: 0 }),
      claim('balanced', { value: 'M.stable_rank', at: 'end' }, '2', { rel: 1e-9 }),
    ]));
    const byId = Object.fromEntries(r.rows.map((row) => [row.prediction.id, row.verdict]));
    for (const [id, v] of Object.entries(byId)) expect(v.pass, `${id}: ${v.detail}`).toBe(true);
    expect(byId['half-time'].measured).toBeCloseTo(Math.log(2 / 1e-3 - 1) / 4, 8);
    expect(byId.ratio.measured).toBeCloseTo(Math.log(9 * 1999) / Math.log(1999), 8);
    expect(byId.scaling.measured).toBeCloseTo((Math.log(Math.log(19999)) - Math.log(Math.log(199))) / Math.log(1e-2), 6);
    expect(byId.slope.measured).toBeLessThan(0);
    expect(byId.slope.measured).toBeGreaterThan(-1e-3);
    expect(r.passed).toBe(r.total);
    expect(r.notMeasurable).toBe(0);
  });

  it('a failing prediction fails with its numbers; one that cannot be measured says why; neither is a pass', async () => {
    const r = await check(logistic([
      claim('wrong-time', { event_time: 'half' }, '1', { rel: 0.01 }),
      claim('never', { event_time: 'never' }, '1', { rel: 0.01 }),
      claim('not-saved', { value: 'p', at: 3.3333 }, '1', { rel: 0.01 }),
      claim('no-series', { value: 'q', at: 'end' }, '1', { rel: 0.01 }),
      claim('reversed', { event_order: ['nine', 'half'] }, '1', { abs: 0 }),
      claim('at-most', { event_time: 'half' }, '2', { abs: 0 }, { compare: 'at_most' }),
    ]));
    const v = Object.fromEntries(r.rows.map((row) => [row.prediction.id, row.verdict]));
    expect(v['wrong-time']).toMatchObject({ pass: false, predicted: '1 (1)' });
    expect(v['wrong-time'].notMeasurable).toBeUndefined();
    expect(v['wrong-time'].measured).toBeCloseTo(Math.log(1999) / 4, 8);
    expect(v.never.notMeasurable).toMatch(/event 'never' did not fire by t = 20 \(fired: half, nine\)/);
    expect(v['not-saved'].notMeasurable).toMatch(/t = 3\.3333 is not a save time of the run; add it to save_at/);
    expect(v['no-series'].notMeasurable).toMatch(/there is no series 'q' \(series: loss, u, v, p, gap, M\.sigma1/);
    expect(v.reversed).toMatchObject({ pass: false, measured: 0 });
    expect(v['at-most'].pass).toBe(true); // t½ = 1.9 ≤ 2
    expect(r.passed).toBe(1);
    expect(r.notMeasurable).toBe(3);
    const report = readFileSync(r.report, 'utf8');
    expect(report).toMatch(/\*\*1 of 6 predictions hold; 3 not measurable\.\*\*/);
    expect(report).toMatch(/\| never \|.*\| — \|.*\| \*not measurable\* \|/);
    expect(report).toMatch(/\| wrong-time \|.*\| 1\.900\d* \|.*\| \*\*FAIL\*\* \|/);
  });

  it('through the CLI: exit 1 when a prediction fails or is not measurable, 0 when all hold, with the counts', async () => {
    const failing = tempModel(logistic([claim('wrong', { event_time: 'half' }, '1', { rel: 0.01 })]));
    const r1 = await runCli('check', failing, '--out', join(tempDir(), 'c'));
    expect(r1.code).toBe(1);
    expect(r1.err).toMatch(/wrong: FAIL \(measured 1\.9001\d*; predicted 1 \(1\)\)/);
    const unmeasured = tempModel(logistic([claim('never', { event_time: 'never' }, '1', { rel: 0.01 })]));
    const r2 = await runCli('check', unmeasured, '--out', join(tempDir(), 'c'));
    expect(r2.code).toBe(1);
    expect(r2.err).toMatch(/0 of 1 predictions hold; 1 not measurable/);
    const good = tempModel(logistic([claim('half', { event_time: 'half' }, 'log(y/eps - 1)/(2*y)', { rel: 1e-8 })]));
    expect((await runCli('check', good, '--out', join(tempDir(), 'c'))).code).toBe(0);
  });

  it('bad prediction declarations are input errors naming the place', () => {
    const bad = (p: unknown) => inputErrorOf(() => readModelSpec(logistic([p]), 'm.json'));
    expect(bad({ id: 'x', claim: 'c', source: { paper: 'p', status: 'maybe' }, measure: { event_time: 'half' }, predicted: '1', tolerance: { rel: 0.1 } })).toMatch(/predictions\[0\]\.source\.status must be "verified" .* or "reconstructed"/);
    expect(bad(claim('x', { event_time: 'half' }, '1', { within: 2 }))).toMatch(/predictions\[0\]\.tolerance must be one of \{"rel": r\}/);
    expect(bad(claim('x', { eventtime: 'half' }, '1', { rel: 1 }))).toMatch(/predictions\[0\]\.measure must be one of/);
    expect(bad(claim('x', { scaling: { param: 'eps', values: [1e-3], of: { event_time: 'half' } } }, '1', { rel: 1 }))).toMatch(/scaling\.values must list 2 to 50 positive numbers/);
    expect(bad(claim('x', { event_time: 'half' }, '1', { rel: 1 }, { solver: { method: 'rk4' } }))).toMatch(/solver\.method 'rk4' is not a method\. Methods: dopri5/);
    expect(inputErrorOf(() => readModelSpec(logistic([claim('a', { event_time: 'half' }, '1', { rel: 1 }), claim('a', { event_time: 'half' }, '1', { rel: 1 })]), 'm.json'))).toMatch(/the id 'a' is used twice/);
  });
});

describe('example files declare the papers\' predictions', () => {
  it('deep-linear-3x3: the same verdicts as the built-in `check deep-linear` (closed-form modes, half-learning times, stages)', async () => {
    const file = modelFromSpec(loadModelFile(join(examples, 'deep-linear-3x3.json')));
    const f = await checkModel(file, resolveParams(file, {}), join(tempDir(), 'f'));
    const builtIn = findModel('deep-linear');
    const b = await checkModel(builtIn, resolveParams(builtIn, {}), join(tempDir(), 'b'));
    const pass = (rows: typeof f.rows, prefix: string) => rows.filter((r) => r.prediction.id.startsWith(prefix)).every((r) => r.verdict.pass);
    const built = Object.fromEntries(b.rows.map((r) => [r.prediction.id, r.verdict.pass]));
    expect(pass(f.rows, 'closed-form-mode')).toBe(built['closed-form-modes']);
    expect(pass(f.rows, 'half-learning-time') && pass(f.rows, 'modes-in-order')).toBe(built['half-learning-times']);
    expect(pass(f.rows, 'stage-like')).toBe(built['stage-like-transitions']);
    expect(f.passed).toBe(f.total);
    // the same closed form, measured independently: the file's worst relative error and the built-in's are both below 1e-8
    const worstFile = Math.max(...f.rows.filter((r) => r.prediction.id.startsWith('closed-form')).map((r) => r.verdict.measured));
    expect(worstFile).toBeLessThan(1e-8);
  });

  it('transformer-chen-luo: escape time ∝ 1/ε (slope −1) and rank collapse of W_Q W_Kᵀ hold, as in the built-in check', async () => {
    const file = modelFromSpec(loadModelFile(join(examples, 'transformer-chen-luo.json')));
    const f = await checkModel(file, resolveParams(file, {}), join(tempDir(), 'f'));
    const v = Object.fromEntries(f.rows.map((r) => [r.prediction.id, r.verdict]));
    expect(v['escape-time-scaling'].pass).toBe(true);
    expect(v['escape-time-scaling'].measured).toBeCloseTo(-1, 1);
    expect(v['rank-collapse'].pass).toBe(true);
    expect(v['rank-collapse'].measured - 1).toBeLessThan(1e-4);
  });
});

describe('observables and tracked matrices declared in files', () => {
  it('deep-linear-3x3: P = W2 W1 is tracked (singular values, ranks, alignment with U₁) and the observables u_k are recorded', async () => {
    const { simulate } = await import('../../src/run/trajectory.js');
    const model = modelFromSpec(loadModelFile(join(examples, 'deep-linear-3x3.json')));
    const tr = simulate(model, resolveParams(model, {}));
    const last = tr.t.length - 1;
    // learned: P = Σ, so its singular values are the targets 3, 1.5, 0.5 and its top left singular vector is ±U₁
    expect(tr.series['P.sigma1'][last]).toBeCloseTo(3, 8);
    expect(tr.series['P.sigma2'][last]).toBeCloseTo(1.5, 8);
    expect(tr.series['P.sigma3'][last]).toBeCloseTo(0.5, 8);
    expect(tr.series['P.align'][last]).toBeCloseTo(1, 10);
    expect(tr.series['P.stable_rank'][last]).toBeCloseTo((9 + 2.25 + 0.25) / 9, 8);
    // u_k = U_kᵀ P V_k, the mode strengths, reach the singular values too; at the start they are O(ε²)
    expect(tr.series.u1[last]).toBeCloseTo(3, 8);
    expect(Math.abs(tr.series.u1[0])).toBeLessThan(1e-4);
    expect(tr.series['P.align'][0]).toBeLessThan(0.999);
  });

  it('a matrix of the wrong shape or an align direction of the wrong length is an input error', () => {
    const raw = JSON.parse(readFileSync(join(examples, 'deep-linear-3x3.json'), 'utf8')) as Record<string, unknown>;
    const build = (matrices: unknown) => () => modelFromSpec(readModelSpec({ ...raw, matrices }, join(examples, 'deep-linear-3x3.json')));
    expect(inputErrorOf(build({ Q: 'W1 * s' }))).toMatch(/matrices\.Q has shape \[3\]; a tracked matrix has two axes/);
    expect(inputErrorOf(build({ Q: { value: 'W1', align: 'ones' } }))).toMatch(/unknown name 'ones'/);
    expect(inputErrorOf(build({ Q: { value: 'W1', align: "U[1:2, 1]" } }))).toMatch(/matrices\.Q\.align has shape \[2\]; the direction must be a vector of length 3/);
  });
});

describe('README', () => {
  it('"Check your own theorem" shows examples/one-mode-theorem.json as it is, and its verdicts hold', async () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Check your own theorem'));
    const block = /```json\n([\s\S]*?)```/.exec(section)![1];
    const file = JSON.parse(readFileSync(join(examples, 'one-mode-theorem.json'), 'utf8')) as unknown;
    expect(JSON.parse(block)).toEqual(file);
    const model = modelFromSpec(loadModelFile(join(examples, 'one-mode-theorem.json')));
    const r = await checkModel(model, resolveParams(model, {}), join(tempDir(), 'c'));
    expect(r.passed).toBe(3);
    const v = Object.fromEntries(r.rows.map((row) => [row.prediction.id, row.verdict.measured]));
    // the numbers the README's report table shows
    expect(v['half-time']).toBeCloseTo(1.900100584, 8);
    expect(v['learning-time-scaling']).toBeCloseTo(-0.1094750791, 6);
    expect(v.logistic).toBeLessThan(1e-8);
  });
});
