/**
 * A validated model file turned into a compiled dynamical system: the vector field
 * (−∇L for a loss, or the given right-hand side), the loss, and the event functions,
 * all parsed, differentiated and compiled once.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  compileScalar, compileVector, gradient, parseExpression, substitute, symbolsOf,
  type Expr, type ScalarFn, type VectorFn, type Compiled,
} from '../expr/index.js';
import { neg } from '../expr/ast.js';
import { compileJacobian } from '../expr/jacobian.js';
import { compileSwitchedField, compileSwitchedGradient, type BoundSwitched, type CompiledSwitched } from '../expr/switching.js';
import { inputError, fmt } from '../util/errors.js';
import { readModelSpec, type ModelSpec } from './spec.js';
import type { EventSpec } from '../solve/types.js';
import { poleGuards } from './poles.js';
import { matrixView } from '../spectral/index.js';
import type { MatrixObservable, ScalarObservable } from '../models/types.js';

export interface ExpressionSystem {
  readonly spec: ModelSpec;
  readonly kind: 'gradient' | 'ode';
  readonly stateNames: readonly string[];
  readonly paramNames: readonly string[];
  /** Initial state and parameter values after overrides. */
  readonly y0: Float64Array;
  readonly params: Float64Array;
  readonly loss: Expr | null;
  /** ∂L/∂θ_i (gradient form only). */
  readonly gradient: readonly Expr[] | null;
  /** dθ/dt, i.e. −∇L for the gradient form. */
  readonly field: readonly Expr[];
  readonly compiledField: Compiled<VectorFn>;
  readonly compiledLoss: Compiled<ScalarFn> | null;
  /** Fast functions bound to `params`. */
  readonly rhs: VectorFn;
  readonly lossAt: ScalarFn | null;
  readonly events: readonly EventSpec[];
  /**
   * The field's switched form (switching functions = the arguments of relu, max/min, abs,
   * heaviside, sign), bound to `params`; null when the field has no kinks. `solve` uses it for
   * exact crossings and sliding modes (options `switching`, `kinks`).
   */
  readonly switched?: BoundSwitched | null;
  readonly compiledSwitched?: CompiledSwitched | null;
  /** Terminal events at the sign changes of the field's denominators (src/modelfile/poles.ts). */
  readonly poles: readonly EventSpec[];
  /** The field does not depend on t: always for the gradient form; for an rhs, when no expression uses t. */
  readonly autonomous?: boolean;
  /**
   * The field's exact Jacobian ∂f/∂y (for the gradient form −∇²L, symmetric), derived symbolically
   * and compiled on the first call (runs with explicit methods never pay for it), bound to `params`:
   * (t, y, J) => void, J row-major n×n.
   */
  readonly jacobian?: () => VectorFn;
  /** The file's own observables and tracked matrices (claims-spec.ts), compiled. */
  readonly tracked: Tracked;
  /** A prediction's predicted value: an expression of the parameters (and of `t` when `withTime`), compiled once. */
  prediction(text: string, where: string, withTime: boolean): (t: number) => number;
}

/** Observables and matrices a file declares, compiled. */
export interface Tracked {
  readonly observables: readonly ScalarObservable[];
  readonly matrices: readonly MatrixObservable[];
}

/** Reads and validates a model file from disk. */
export function loadModelFile(path: string): ModelSpec {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw inputError(`cannot read model file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw inputError(`${path} is not valid JSON: ${(e as Error).message}.`);
  }
  // results are keyed by the file's content, never by its path alone: an edited file is a new model
  return { ...readModelSpec(raw, path), file: { path, sha256: createHash('sha256').update(bytes).digest('hex') } };
}

/**
 * Parses `name=value` overrides (CLI `--set`). Parameters and initial state values may be set;
 * anything else is an error listing what can be set.
 */
export function parseOverrides(items: readonly string[], spec: ModelSpec): Map<string, number> {
  const settable = new Set([...spec.params.map(([k]) => k), ...spec.state.filter(([, v]) => typeof v === 'number').map(([k]) => k)]);
  const out = new Map<string, number>();
  for (const item of items) {
    const m = /^\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*(\S+)\s*$/.exec(item);
    if (!m) throw inputError(`--set '${item}': expected name=value, e.g. --set y=2.`);
    const [, name, text] = m;
    const formula = spec.state.find(([k, v]) => k === name && typeof v === 'string')?.[1];
    if (formula !== undefined) throw inputError(`--set ${name}: the initial value of '${name}' is the expression "${formula}"; set the parameters it uses.`);
    if (!settable.has(name)) throw inputError(`--set ${name}: '${name}' is neither a parameter nor a state variable. Settable: ${[...settable].join(', ') || '(none)'}.`);
    const value = Number(text);
    if (!Number.isFinite(value)) throw inputError(`--set ${name}=${text}: the value must be a finite number.`);
    out.set(name, value);
  }
  return out;
}

export function buildSystem(spec: ModelSpec, overrides: ReadonlyMap<string, number> = new Map()): ExpressionSystem {
  if (spec.array) throw new Error('buildSystem: an array file is built by buildArraySystem (array-system.ts)');
  const stateNames = spec.state.map(([k]) => k);
  const paramNames = spec.params.map(([k]) => k);
  const value = (k: string, v: number): number => overrides.get(k) ?? v;
  const params = Float64Array.from(spec.params.map(([k, v]) => value(k, v)));
  const y0 = Float64Array.from(spec.state.map(([k, v]) => (typeof v === 'number' ? value(k, v) : initialValue(spec, k, v, paramNames, params))));
  const layout = { state: stateNames, params: paramNames };
  // named definitions, substituted where they are used (shared subtrees: CSE emits each once)
  const bindings = new Map<string, Expr>();
  for (const [name, text] of spec.lets) {
    const visible = new Set([...stateNames, ...paramNames, ...bindings.keys(), ...(spec.rhs ? ['t'] : [])]);
    bindings.set(name, substitute(parseExpression(text, { label: `${spec.name}: let.${name}`, names: visible }), bindings));
  }
  const names = new Set([...stateNames, ...paramNames, ...bindings.keys()]);
  const bound = (e: Expr): Expr => (bindings.size > 0 ? substitute(e, bindings) : e);

  let loss: Expr | null = null;
  let grad: Expr[] | null = null;
  let field: Expr[];
  if (spec.loss !== null) {
    loss = bound(parseExpression(spec.loss, { label: `${spec.name}: loss`, names }));
    grad = gradient(loss, stateNames);
    field = grad.map(neg);
  } else {
    const withTime = new Set([...names, 't']);
    field = (spec.rhs ?? []).map((text, i) => bound(parseExpression(text, { label: `${spec.name}: rhs.${stateNames[i]}`, names: withTime })));
  }
  const compiledField = compileVector(field, layout);
  const compiledSwitched = loss ? compileSwitchedGradient(loss, layout) : compileSwitchedField(field, layout);
  const switched = compiledSwitched ? compiledSwitched.bind(params) : null;
  const compiledLoss = loss ? compileScalar(loss, layout) : null;
  const rhs = compiledField.bind(params);
  const lossAt = compiledLoss ? compiledLoss.bind(params) : null;

  const eventNames = new Set([...names, 't', ...(loss ? ['loss'] : [])]);
  const events: EventSpec[] = spec.events.map((ev) => {
    let g = bound(parseExpression(ev.when, { label: `${spec.name}: event '${ev.name}'`, names: eventNames }));
    if (loss) g = substitute(g, new Map([['loss', loss]]));
    return { name: ev.name, g: compileScalar(g, layout).bind(params), direction: ev.direction, terminal: ev.terminal };
  });

  checkFiniteStart(spec, rhs, lossAt, y0);
  const autonomous = field.every((e) => !symbolsOf(e).has('t'));
  let jacobianFn: VectorFn | null = null;
  const jacobian = (): VectorFn => {
    jacobianFn ??= compileJacobian(field, layout, { symmetric: loss !== null }).bind(params);
    return jacobianFn;
  };
  const tracked = trackedOf(spec, layout, params, bound, loss);
  const prediction = (text: string, where: string, withTime: boolean): ((t: number) => number) => {
    const e = parseExpression(text, { label: where, names: new Set([...paramNames, ...(withTime ? ['t'] : [])]) });
    const f = compileScalar(e, { state: [], params: paramNames }).bind(params); // t is the compiled function's own argument
    const none = new Float64Array(0);
    return (t) => f(t, none);
  };
  return {
    tracked, prediction,
    autonomous, jacobian, poles: poleGuards(field, layout, params),
    spec, kind: loss ? 'gradient' : 'ode', stateNames, paramNames, y0, params,
    loss, gradient: grad, field, compiledField, compiledLoss, rhs, lossAt, events, switched, compiledSwitched,
  };
}

/** An initial value given as an expression of the parameters, at their current values. */
function initialValue(spec: ModelSpec, name: string, text: string, paramNames: readonly string[], params: Float64Array): number {
  const e = parseExpression(text, { label: `${spec.name}: state.${name}`, names: new Set(paramNames) });
  const v = compileScalar(e, { state: [], params: paramNames }).bind(params)(spec.t0, new Float64Array(0));
  if (!Number.isFinite(v)) throw inputError(`${spec.name}: the initial value of ${name}, "${text}", is ${fmt(v)} at these parameters.`);
  return v;
}

/** A field that is already NaN at t0 (log of a negative, 0/0) is an input error, not a solver failure. */
function checkFiniteStart(spec: ModelSpec, rhs: VectorFn, lossAt: ScalarFn | null, y0: Float64Array): void {
  const d = new Float64Array(y0.length);
  rhs(spec.t0, y0, d);
  const bad = d.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) {
    throw inputError(`${spec.name}: the vector field is not finite at the initial state (d${spec.state[bad][0]}/dt = ${fmt(d[bad])}); check the expression's domain and the initial values.`);
  }
  if (lossAt) {
    const l = lossAt(spec.t0, y0);
    if (!Number.isFinite(l)) throw inputError(`${spec.name}: the loss is not finite at the initial state (${fmt(l)}).`);
  }
}

/** The file's observables (scalar expressions, `loss` and `t` allowed) and matrices (rows of expressions), compiled. */
function trackedOf(spec: ModelSpec, layout: { state: readonly string[]; params: readonly string[] }, params: Float64Array, bound: (e: Expr) => Expr, loss: Expr | null): Tracked {
  const names = new Set([...layout.state, ...layout.params, ...spec.lets.map(([k]) => k), 't', ...(loss ? ['loss'] : [])]);
  const parse = (text: string, label: string): Expr => {
    let e = bound(parseExpression(text, { label: `${spec.name}: ${label}`, names }));
    if (loss) e = substitute(e, new Map([['loss', loss]]));
    return e;
  };
  const observables = spec.claims.observables.map(([name, text]): ScalarObservable => {
    const f = compileScalar(parse(text, `observables.${name}`), layout).bind(params);
    return { name, doc: text, value: (y, t) => f(t, y) };
  });
  const matrices = spec.claims.matrices.map((m): MatrixObservable => {
    if (typeof m.value === 'string') throw inputError(`${spec.name}: matrices.${m.name}: a scalar model file gives a matrix as rows of expressions, e.g. [["a", "b"], ["c", "d"]] (a single expression is for array files).`);
    if (m.align !== null) throw inputError(`${spec.name}: matrices.${m.name}.align needs an array file (a direction is an array expression).`);
    const rows = m.value.length;
    const cols = m.value[0].length;
    const f = compileVector(m.value.flatMap((r, i) => r.map((x, j) => parse(x, `matrices.${m.name}[${i}][${j}]`))), layout).bind(params);
    const buffer = new Float64Array(rows * cols);
    return { name: m.name, doc: `${rows}×${cols} matrix`, matrix: (y) => { f(spec.t0, y, buffer); return matrixView(buffer, rows, cols); } };
  });
  return { observables, matrices };
}
