/** Resolving and validating model parameters: defaults, overrides, ranges, choices. */
import { inputError, fmt } from '../util/errors.js';
import type { Model, ParamValue, Params } from './types.js';

/** The model's defaults with `overrides` applied; every value checked against its spec. */
export function resolveParams(model: Model, overrides: Readonly<Record<string, ParamValue>> = {}): Params {
  const out: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(overrides)) {
    if (!Object.hasOwn(model.params, k)) { // own properties only: 'constructor' is not a parameter
      throw inputError(`${model.id}: unknown parameter '${k}'. Parameters: ${Object.keys(model.params).join(', ')}.`);
    }
    void v;
  }
  for (const [name, spec] of Object.entries(model.params)) {
    const raw = (Object.hasOwn(overrides, name) ? overrides[name] : undefined) ?? spec.default;
    if (spec.kind === 'choice') {
      const s = String(raw);
      if (!spec.choices.includes(s)) throw inputError(`${model.id}: ${name} must be one of ${spec.choices.join(', ')} (got '${s}').`);
      out[name] = s;
    } else {
      const x = typeof raw === 'number' ? raw : Number(raw);
      if (typeof raw === 'string' && raw.trim() === '') throw inputError(`${model.id}: ${name} needs a value.`);
      if (!Number.isFinite(x)) throw inputError(`${model.id}: ${name} must be a finite number (got '${raw}').`);
      if (spec.integer && !Number.isInteger(x)) throw inputError(`${model.id}: ${name} must be an integer (got ${fmt(x)}).`);
      const [lo, hi] = spec.range;
      if (x < lo || x > hi) throw inputError(`${model.id}: ${name} = ${fmt(x)} is outside its range [${fmt(lo)}, ${fmt(hi)}] (${spec.doc}).`);
      out[name] = x;
    }
  }
  return Object.freeze(out);
}

export function num(p: Params, name: string): number {
  const v = p[name];
  if (typeof v !== 'number') throw new Error(`parameter '${name}' is not numeric`);
  return v;
}

export function choice(p: Params, name: string): string {
  const v = p[name];
  if (typeof v !== 'string') throw new Error(`parameter '${name}' is not a choice`);
  return v;
}

/** Parses CLI `name=value` strings; numbers stay numbers, other text is a choice value. */
export function parseSetFlags(items: readonly string[]): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const item of items) {
    const m = /^\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*(\S+)\s*$/.exec(item);
    if (!m) throw inputError(`--set '${item}': expected name=value.`);
    const n = Number(m[2]);
    out[m[1]] = Number.isFinite(n) && m[2].trim() !== '' ? n : m[2];
  }
  return out;
}
