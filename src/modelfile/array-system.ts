/**
 * An array model file at given parameter values, compiled: sizes resolved, data read and checked,
 * the loss parsed into a tensor graph, differentiated in reverse mode and emitted as loops
 * (src/tensor). The flat state holds the blocks one after another, each row-major, in the
 * order the file declares them; its columns are named like W[0][2] (0-based, as NumPy prints
 * them), while indices inside expressions start at 1 (mathjs).
 */
import { readArrayFile, checkShape, type ArrayData } from '../io/arrays.js';
import { compileScalar, parseExpression } from '../expr/index.js';
import { stateColumns } from '../io/columns.js';
import type { EventSpec, JacobianFn, SwitchedSystem } from '../solve/types.js';
import { fmt, inputError } from '../util/errors.js';
import { checkAllocation, FLOAT64 } from '../util/limits.js';
import type { Rng } from '../util/rng.js';
import { compileArrayConstant, compileArrayModel, evaluateArrayExpression, type CompiledArrayModel } from '../tensor/compile.js';
import type { ClaimsDecl } from './claims-spec.js';
import type { Tracked } from './system.js';
import { matrixView, singularVectorAlignment } from '../spectral/index.js';
import type { MatrixObservable, ScalarObservable } from '../models/types.js';
import type { FiniteSample, StateBlock } from '../models/types.js';
import { arrayFiniteSample, type SampleDraw } from './array-finite-sample.js';
import { dirname, resolve } from 'node:path';
import { drawInit } from './init-laws.js';
import type { Size } from './array-spec.js';
import type { ModelSpec } from './spec.js';

export interface ArraySystem {
  readonly spec: ModelSpec;
  readonly kind: 'gradient';
  /** Column names of the flat state (W[0][2], …). */
  readonly stateNames: readonly string[];
  readonly paramNames: readonly string[];
  readonly params: Float64Array;
  /** The blocks with resolved shapes and offsets, in layout order. */
  readonly layout: readonly StateBlock[];
  /** Parameters and bound sizes, as the expressions see them. */
  readonly numbers: ReadonlyMap<string, number>;
  readonly compiled: CompiledArrayModel;
  readonly rhs: (t: number, y: Float64Array, out: Float64Array) => void;
  readonly lossAt: (t: number, y: Float64Array) => number;
  readonly events: readonly EventSpec[];
  /** The kinks as switching functions for src/solve/kinks (null: none on the state). */
  readonly switched: SwitchedSystem | null;
  /** The exact Jacobian −∇²L, row-major, column by column from Hessian–vector products (built on first use). */
  jacobian(): JacobianFn;
  /** The file's own observables and tracked matrices. */
  readonly tracked: Tracked;
  /** A prediction's predicted value: an expression of the parameters and data (and of `t` when `withTime`), compiled once. */
  prediction(text: string, where: string, withTime: boolean): (t: number) => number;
  /** The finite-sample form (minibatches of the data set), for files with `"data": {"samples": …}`. */
  readonly finiteSample: (() => FiniteSample<SampleDraw>) | null;
  /** The initial state: each block drawn from its law (or the named start's) with `rng`, in declaration order. */
  initial(rng: Rng, start?: string): Float64Array;
}

/** Largest flat state of an array file (its field and Jacobian-free solvers keep a few copies per step). */
export const MAX_STATE = 10_000_000;

export function buildArraySystem(spec: ModelSpec, overrides: ReadonlyMap<string, number> = new Map()): ArraySystem {
  const part = spec.array;
  if (!part) throw new Error('buildArraySystem: not an array file');
  const label = spec.file?.path ?? spec.name;
  const paramNames = spec.params.map(([k]) => k);
  const params = Float64Array.from(spec.params.map(([k, v]) => overrides.get(k) ?? v));
  const numbers = new Map<string, number>(spec.params.map(([k], i) => [k, params[i]]));
  const sizeOf = (s: Size, where: string): number => {
    if (typeof s === 'number') return s;
    const v = numbers.get(s);
    if (v === undefined) throw inputError(`${where}: the size '${s}' is neither a parameter nor bound by an earlier array's shape.`);
    if (!Number.isInteger(v) || v < 1) throw inputError(`${where}: the size '${s}' = ${fmt(v)} must be a positive integer.`);
    return v;
  };

  const data = part.arrays.map((a) => {
    const where = `${label}: arrays.${a.name}`;
    const values: ArrayData = 'file' in a.source ? readArrayFile(a.source.file, { what: `array ${a.name}` }) : a.source.value;
    if (a.shape) {
      // names not yet known are bound by this array's actual sizes
      if (a.shape.length !== values.shape.length) checkShape(values.shape, a.shape.map(() => null), where);
      a.shape.forEach((s, i) => { if (typeof s === 'string' && !numbers.has(s)) numbers.set(s, values.shape[i]); });
      checkShape(values.shape, a.shape.map((s) => sizeOf(s, where)), 'file' in a.source ? `${a.source.file} (array ${a.name})` : where);
    }
    return { name: a.name, shape: values.shape, values: values.data };
  });

  let offset = 0;
  const layout: StateBlock[] = part.blocks.map((b) => {
    const shape = b.shape.map((s) => sizeOf(s, `${label}: state.${b.name}.shape`));
    const block = { name: b.name, offset, shape, doc: shape.length === 0 ? 'state variable' : `state block ${shape.join('×')}` };
    offset += shape.reduce((a, m) => a * m, 1);
    if (offset > MAX_STATE) throw inputError(`${label}: the state has more than ${MAX_STATE} numbers (at block ${b.name}, shape [${shape.join(', ')}]).`);
    return block;
  });
  checkAllocation(`the state of ${label}`, offset * FLOAT64 * 8);

  const events = spec.events;
  const source = (numbersAt: ReadonlyMap<string, number>, arrays: typeof data) => ({
    label, blocks: layout.map((b) => ({ name: b.name, shape: b.shape, offset: b.offset })), data: arrays, numbers: numbersAt,
    lets: spec.lets, loss: spec.loss ?? '',
    gaussians: part.gaussians.map(([name, size]) => ({ name, size: sizeOf(size, `${label}: gaussian.${name}`) })),
    discrete: part.discrete,
  });
  const { claims } = spec;
  const compiled = compileArrayModel({
    ...source(numbers, data),
    scalars: [...events.map((e) => [`event '${e.name}'`, e.when] as const), ...claims.observables.map(([k, text]) => [`observables.${k}`, text] as const)],
    arrays: claims.matrices.flatMap((m) => [[`matrices.${m.name}`, matrixText(label, m)] as const, ...(m.align ? [[`matrices.${m.name}.align`, m.align] as const] : [])]),
  });
  const tracked = trackedOf(label, claims, compiled);
  const prediction = (text: string, where: string, withTime: boolean) => compileArrayConstant({ label, data, numbers }, text, where, withTime);
  const { field, loss } = compiled;
  const eventSpecs: EventSpec[] = events.map((e) => {
    const g = compiled.scalars.get(`event '${e.name}'`)!;
    return { name: e.name, g: (_t: number, y: Float64Array) => g(y), direction: e.direction, terminal: e.terminal };
  });

  const evalScalar = (text: string, where: string): number => {
    const names = [...numbers.keys()];
    const e = parseExpression(text, { label: where, names: new Set(names) });
    return compileScalar(e, { state: [], params: names }).bind(names.map((k) => numbers.get(k)!))(0, new Float64Array(0));
  };
  const baseDir = spec.file ? dirname(resolve(spec.file.path)) : process.cwd();
  const evalArray = (text: string, where: string) => evaluateArrayExpression({ label, data, numbers }, text, where);
  const initial = (rng: Rng, start = 'init'): Float64Array => {
    const y = new Float64Array(offset);
    const chosen = start === 'init' ? null : part.starts.find(([name]) => name === start);
    if (chosen === undefined) throw inputError(`${label}: unknown start '${start}' (starts: init, ${part.starts.map(([k]) => k).join(', ')}).`);
    part.blocks.forEach((b, i) => {
      const override = chosen?.[1].find(([block]) => block === b.name);
      if (override) {
        const { shape, offset: at } = layout[i];
        y.set(drawInit(override[1], shape, { rng, evalScalar, baseDir, evalArray }, `${label}: starts.${start}.${b.name}`), at);
        return;
      }
      const where = `${label}: state.${b.name}`;
      const { shape, offset: at } = layout[i];
      if (typeof b.init === 'number') { y[at] = b.init; return; }
      if (typeof b.init === 'string') {
        const v = evalScalar(b.init, where);
        if (!Number.isFinite(v)) throw inputError(`${where}: the initial value "${b.init}" is ${fmt(v)} at these parameters.`);
        y[at] = v;
        return;
      }
      y.set(drawInit(b.init, shape, { rng, evalScalar, baseDir, evalArray }, `${where}.init`), at);
    });
    checkFiniteStart(label, field, y);
    return y;
  };

  const kinks = compiled.switched;
  const switched: SwitchedSystem | null = kinks && {
    count: kinks.count,
    label: (i) => kinks.label(i),
    evaluate: (_t, y, out) => kinks.evaluate(y, out),
    field: (_t, y, mode, dydt) => kinks.field(y, mode, dydt),
    rates: (_t, y, mode, v, out) => kinks.rates(y, mode, v, out),
  };
  let jacobianFn: JacobianFn | null = null;
  const jacobian = (): JacobianFn => {
    if (jacobianFn) return jacobianFn;
    const times = compiled.jacobianTimes();
    const n = offset;
    checkAllocation(`the Jacobian of ${label} (${n}×${n})`, n * n * FLOAT64);
    const e = new Float64Array(n);
    const column = new Float64Array(n);
    jacobianFn = (_t, y, J) => {
      for (let j = 0; j < n; j++) {
        e[j] = 1;
        times(y, e, column);
        e[j] = 0;
        for (let i = 0; i < n; i++) J[i * n + j] = column[i];
      }
    };
    return jacobianFn;
  };

  const finiteSample = part.samples === undefined ? null : () => arrayFiniteSample(label, part.samples!, numbers, data, new Set(part.arrays.filter((a) => a.shape?.[0] === part.samples).map((a) => a.name)), offset, (B, batchData) => {
    const at = new Map(numbers);
    at.set(part.samples!, B);
    return compileArrayModel(source(at, batchData)).field;
  });

  return {
    tracked, prediction,
    switched, jacobian, finiteSample,
    spec, kind: 'gradient', stateNames: stateColumns(layout, offset), paramNames, params, layout, numbers, compiled,
    rhs: (_t, y, out) => { field(y, out); },
    lossAt: (_t, y) => loss(y),
    events: eventSpecs,
    initial,
  };
}

function checkFiniteStart(label: string, field: (y: Float64Array, out: Float64Array) => number, y: Float64Array): void {
  const d = new Float64Array(y.length);
  const l = field(y, d);
  if (!Number.isFinite(l)) throw inputError(`${label}: the loss is not finite at the initial state (${fmt(l)}).`);
  const bad = d.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw inputError(`${label}: the vector field is not finite at the initial state (component ${bad}: ${fmt(d[bad])}); check the expressions' domains and the initial values.`);
}

/** The file's observables and matrices from their compiled programs; a matrix with `align` also gives the observable M.align. */
function trackedOf(label: string, claims: ClaimsDecl, compiled: CompiledArrayModel): Tracked {
  const observables: ScalarObservable[] = claims.observables.map(([name, text]) => {
    const f = compiled.scalars.get(`observables.${name}`)!;
    return { name, doc: text, value: (y) => f(y) };
  });
  const matrices = claims.matrices.map((m): MatrixObservable => {
    const a = compiled.arrays.get(`matrices.${m.name}`)!;
    if (a.shape.length !== 2) throw inputError(`${label}: matrices.${m.name} has shape [${a.shape.join(', ')}]; a tracked matrix has two axes.`);
    const [rows, cols] = a.shape;
    const buffer = new Float64Array(rows * cols);
    const matrix = (y: Float64Array) => { a.evaluate(y, buffer); return matrixView(buffer, rows, cols); };
    if (m.align) {
      const d = compiled.arrays.get(`matrices.${m.name}.align`)!;
      if (d.shape.length !== 1 || d.shape[0] !== rows) throw inputError(`${label}: matrices.${m.name}.align has shape [${d.shape.join(', ')}]; the direction must be a vector of length ${rows} (the matrix's rows: its left singular vectors).`);
      const direction = new Float64Array(rows);
      observables.push({
        name: `${m.name}.align`,
        doc: `|⟨u1(${m.name}), ${m.align}⟩| / ‖${m.align}‖`,
        value: (y) => { d.evaluate(y, direction); return singularVectorAlignment(matrix(y), direction).perVector[0]; },
      });
    }
    return { name: m.name, doc: typeof m.value === 'string' ? m.value : m.name, matrix };
  });
  return { observables, matrices };
}

function matrixText(label: string, m: ClaimsDecl['matrices'][number]): string {
  if (typeof m.value !== 'string') throw inputError(`${label}: matrices.${m.name}: an array file gives a matrix as one array expression, e.g. "WQ * WK'".`);
  return m.value;
}
