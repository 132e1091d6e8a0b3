/**
 * Errors that reach the user. Each carries a kind that the CLI maps to an exit code:
 * `input` (exit 2) for anything the user can fix in a model file, an expression or a flag;
 * `solver` (exit 3) for an integration that could not reach its end.
 * Any other exception is a bug in gradflow and is reported as such.
 */
export type ErrorKind = 'input' | 'solver';

export class GradflowError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string) {
    super(message);
    this.name = 'GradflowError';
    this.kind = kind;
  }
}

/** A user-fixable problem: bad expression, bad option, bad file. */
export function inputError(message: string): GradflowError {
  return new GradflowError('input', message);
}

export function isGradflowError(e: unknown): e is GradflowError {
  return e instanceof GradflowError;
}

/** Formats a number for messages: short, but exact enough to act on. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) >= 1e6 || Math.abs(x) < 1e-4)) return x.toExponential(6).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(10)));
}

/** Four significant digits, for tables meant to be read. */
export function fmt4(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3)) return x.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(4)));
}
