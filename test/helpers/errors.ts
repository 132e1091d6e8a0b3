/** The message of the input error a call throws (fails the test on any other outcome). */
import { expect } from 'vitest';
import { isGradflowError } from '../../src/util/errors.js';

export function inputErrorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(isGradflowError(e) && e.kind === 'input', String(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected an input error, got none');
}

/** The message of the input error a promise rejects with. */
export async function rejectionOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(isGradflowError(e) && e.kind === 'input', String(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected an input error, got none');
}
