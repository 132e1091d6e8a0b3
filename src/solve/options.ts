/**
 * Validation of everything `solve` is given, once, at the boundary. Bad input throws an
 * `inputError` whose message names the option, the rule and the offending value; what comes out
 * is a frozen, fully populated {@link ResolvedOptions}.
 */
import { fmt, inputError } from '../util/errors.js';
import type { EventSpec, KinkMode, MethodName, ResolvedOptions, SolveOptions, SwitchedSystem } from './types.js';

/** The methods `solve` knows, in the order they are listed in messages. */
export const METHOD_NAMES: readonly MethodName[] = ['dopri5', 'dop853', 'odex', 'euler', 'rodas5p', 'auto'];

/** Keys of {@link SolveOptions}; anything else is rejected (a typo must not pass silently). */
export const OPTION_KEYS: readonly (keyof SolveOptions)[] = [
  'method', 'rtol', 'atol', 'maxSteps', 'h0', 'hMax', 'h', 'saveAt', 'events', 'onStep', 'switching', 'kinks',
  'jacobian', 'autonomous', 'logTime',
];

/** The kink treatments, in the order they are listed in messages. */
export const KINK_MODES: readonly KinkMode[] = ['smooth-through', 'exact', 'filippov'];

/** Below this rtol float64 cannot deliver the accuracy asked for (steps drown in round-off). */
export const RTOL_MIN = 1e-14;

/** odex 2.0.4 raises any initial step below this to it. */
export const ODEX_MIN_H0 = 1e-4;

/** Defaults of the options that have one; h0, h and hMax (= t_end − t0) are resolved per call. */
export const DEFAULTS = { method: 'dopri5', rtol: 1e-8, atol: 1e-10, maxSteps: 100_000 } as const;

const bad = (key: string, rule: string, got: unknown): never => {
  throw inputError(`Invalid option '${key}': ${rule} (got ${show(got)})`);
};

function show(x: unknown): string {
  if (typeof x === 'number') return fmt(x);
  if (typeof x === 'string') return `'${x}'`;
  if (typeof x === 'function') return 'a function';
  if (Array.isArray(x) || ArrayBuffer.isView(x)) return 'an array';
  return String(x);
}

function positive(key: string, x: unknown): number {
  if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) bad(key, 'must be a finite number > 0', x);
  return x as number;
}

/**
 * Validates the time span, initial state and options of one `solve` call.
 *
 * Arguments: span [t0, t_end]; y0 the initial state; opts the user's options (undefined values mean
 * "default"). Returns: the frozen resolved options. Throws: `inputError` for any invalid input.
 */
export function resolveOptions(
  span: readonly [number, number], y0: ArrayLike<number>, opts: SolveOptions = {},
): ResolvedOptions {
  if (!Array.isArray(span) || span.length !== 2) {
    throw inputError(`Invalid time span: expected [t0, t_end] (got ${show(span)})`);
  }
  const [t0, t1] = span;
  if (typeof t0 !== 'number' || !Number.isFinite(t0)) throw inputError(`Invalid time span: t0 must be a finite number (got ${show(t0)})`);
  if (typeof t1 !== 'number' || !Number.isFinite(t1)) throw inputError(`Invalid time span: t_end must be a finite number (got ${show(t1)})`);
  if (!(t1 > t0)) throw inputError(`Invalid time span: t_end must be greater than t0 (got t0=${fmt(t0)}, t_end=${fmt(t1)})`);

  if (y0 === null || typeof y0 !== 'object' || typeof y0.length !== 'number') {
    throw inputError(`Invalid initial state: y0 must be an array of numbers (got ${show(y0)})`);
  }
  if (y0.length === 0) throw inputError('Invalid initial state: y0 is empty; it needs at least one component');
  for (let i = 0; i < y0.length; i++) {
    const v = y0[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw inputError(`Invalid initial state: y0[${i}] is ${show(v)}; every component must be a finite number`);
    }
  }

  for (const key of Object.keys(opts)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key)) {
      throw inputError(`Invalid option '${key}': unknown option; valid options are ${OPTION_KEYS.join(', ')}`);
    }
  }

  const method = opts.method ?? DEFAULTS.method;
  if (!METHOD_NAMES.includes(method)) {
    bad('method', `unknown method; valid methods are ${METHOD_NAMES.join(', ')}`, method);
  }

  const rtol = opts.rtol === undefined ? DEFAULTS.rtol : positive('rtol', opts.rtol);
  if (rtol < RTOL_MIN) {
    bad('rtol', `must be ≥ ${fmt(RTOL_MIN)}: a smaller rtol is below what float64 arithmetic can deliver`, rtol);
  }
  const atol = opts.atol === undefined ? DEFAULTS.atol : positive('atol', opts.atol);

  let maxSteps: number = DEFAULTS.maxSteps;
  if (opts.maxSteps !== undefined) {
    const m = opts.maxSteps;
    if (typeof m !== 'number' || !Number.isSafeInteger(m) || m <= 0) bad('maxSteps', 'must be a positive integer', m);
    maxSteps = m;
  }

  const h = opts.h === undefined ? null : positive('h', opts.h);
  if (method === 'euler' && h === null) {
    throw inputError("Invalid option 'h': method 'euler' needs a fixed step h (the learning rate of the gradient-descent map)");
  }
  if (method === 'odex' && h !== null) bad('h', "method 'odex' has no fixed-step mode; use dopri5, dop853 or euler", h);
  if (method === 'auto' && h !== null) bad('h', "method 'auto' has no fixed-step mode; use rodas5p, dopri5, dop853 or euler", h);
  const h0 = opts.h0 === undefined ? null : positive('h0', opts.h0);
  if (h0 !== null && h !== null) bad('h0', "has no effect with a fixed step 'h'; give one of them", h0);
  if (h0 !== null && method === 'odex' && h0 < ODEX_MIN_H0) {
    bad('h0', `method 'odex' starts with a step of at least ${fmt(ODEX_MIN_H0)} (a limit of the odex package)`, h0);
  }
  const hMax = opts.hMax === undefined ? t1 - t0 : positive('hMax', opts.hMax);

  const saveAt = resolveSaveAt(opts.saveAt, t0, t1);
  validateEvents(opts.events);
  if (opts.onStep !== undefined && typeof opts.onStep !== 'function') bad('onStep', 'must be a function (t, y) => void', opts.onStep);

  const kinks = resolveKinks(opts.kinks, opts.switching, method);
  if (opts.jacobian !== undefined && typeof opts.jacobian !== 'function') bad('jacobian', 'must be a function (t, y, J) => void writing ∂f/∂y row-major', opts.jacobian);
  if (opts.autonomous !== undefined && typeof opts.autonomous !== 'boolean') bad('autonomous', 'must be true or false', opts.autonomous);
  if (opts.logTime !== undefined && typeof opts.logTime !== 'boolean') bad('logTime', 'must be true or false', opts.logTime);
  const logTime = opts.logTime === true;
  if (logTime && kinks !== 'smooth-through') bad('logTime', `does not combine with kinks '${kinks}' (kink crossings are located in t); use kinks 'smooth-through' or integrate in t`, opts.logTime);

  return Object.freeze({ method, rtol, atol, maxSteps, h0, hMax, h, saveAt, kinks, logTime });
}

/**
 * The kink treatment: 'filippov' by default when switching functions come with the field and the
 * method can step to a crossing (dopri5, dop853, and auto, which then stays with DOP853);
 * 'smooth-through' otherwise.
 */
function resolveKinks(kinks: unknown, switching: SwitchedSystem | undefined, method: MethodName): KinkMode {
  if (kinks !== undefined && !(KINK_MODES as readonly unknown[]).includes(kinks)) {
    bad('kinks', `unknown kink treatment; valid values are ${KINK_MODES.join(', ')}`, kinks);
  }
  if (switching !== undefined) validateSwitching(switching);
  // auto on a field with kinks runs DOP853 with the kink treatment (the implicit method's Jacobian jumps at kinks)
  const steps = method === 'dopri5' || method === 'dop853' || method === 'auto';
  if (kinks === undefined) return switching !== undefined && steps ? 'filippov' : 'smooth-through';
  const k = kinks as KinkMode;
  if (k !== 'smooth-through') {
    if (switching === undefined) {
      bad('kinks', `'${k}' needs the field's switching functions: pass options.switching (model files and models with ReLU, max or abs provide them)`, k);
    }
    if (!steps) bad('kinks', `'${k}' works with dopri5 and dop853; ${method} runs 'smooth-through' (euler stays plain gradient descent)`, k);
  }
  return k;
}

function validateSwitching(sw: SwitchedSystem): void {
  if (sw === null || typeof sw !== 'object') bad('switching', 'must be an object { count, evaluate, field, rates }', sw);
  if (typeof sw.count !== 'number' || !Number.isSafeInteger(sw.count) || sw.count < 0) {
    bad('switching', 'switching.count must be a non-negative integer', sw.count);
  }
  for (const key of ['evaluate', 'field', 'rates'] as const) {
    if (typeof sw[key] !== 'function') bad('switching', `switching.${key} must be a function`, sw[key]);
  }
  for (const key of ['label', 'column', 'ratesAt'] as const) {
    if (sw[key] !== undefined && typeof sw[key] !== 'function') bad('switching', `switching.${key} must be a function when given`, sw[key]);
  }
}

function resolveSaveAt(raw: ArrayLike<number> | undefined, t0: number, t1: number): Float64Array {
  if (raw === undefined) return Float64Array.of(t0, t1);
  if (raw === null || typeof raw !== 'object' || typeof raw.length !== 'number') bad('saveAt', 'must be an array of times', raw);
  if (raw.length === 0) throw inputError("Invalid option 'saveAt': empty; nothing would be saved (omit it to save [t0, t_end])");
  const out = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const t = raw[i];
    if (typeof t !== 'number' || !Number.isFinite(t)) bad('saveAt', `saveAt[${i}] must be a finite number`, t);
    if (t < t0 || t > t1) {
      bad('saveAt', `saveAt[${i}] lies outside [t0, t_end] = [${fmt(t0)}, ${fmt(t1)}]`, t);
    }
    if (i > 0 && !(t > out[i - 1])) {
      bad('saveAt', `times must be strictly ascending, but saveAt[${i}] ≤ saveAt[${i - 1}] = ${fmt(out[i - 1])}`, t);
    }
    out[i] = t;
  }
  return out;
}

function validateEvents(events: readonly EventSpec[] | undefined): void {
  if (events === undefined) return;
  if (!Array.isArray(events)) bad('events', 'must be an array of { name, g, direction?, terminal? }', events);
  const seen = new Set<string>();
  events.forEach((ev: EventSpec, i: number) => {
    if (ev === null || typeof ev !== 'object') bad('events', `events[${i}] must be an object`, ev);
    if (typeof ev.name !== 'string' || ev.name === '') bad('events', `events[${i}].name must be a non-empty string`, ev.name);
    if (seen.has(ev.name)) bad('events', `event names must be unique; '${ev.name}' appears twice`, ev.name);
    seen.add(ev.name);
    if (typeof ev.g !== 'function') bad('events', `events[${i}].g must be a function (t, y) => number`, ev.g);
    if (ev.direction !== undefined && ev.direction !== -1 && ev.direction !== 0 && ev.direction !== 1) {
      bad('events', `events[${i}].direction must be -1, 0 or 1`, ev.direction);
    }
    if (ev.terminal !== undefined && typeof ev.terminal !== 'boolean') bad('events', `events[${i}].terminal must be true or false`, ev.terminal);
  });
}
