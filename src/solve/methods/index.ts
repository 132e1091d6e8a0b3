/** The explicit Runge–Kutta methods `solve` runs through the generic stepper, by name. */
import type { Tableau } from '../tableau.js';
import { DOP853, DOP853_BETA } from './dop853.js';
import { DOPRI5, DOPRI5_BETA } from './dopri5.js';
import { EULER } from './euler.js';

/** A tableau plus the controller setting that goes with it. */
export interface ErkMethod {
  readonly tableau: Tableau;
  /** PI stabilisation exponent of the step-size controller (0: classical controller). */
  readonly beta: number;
}

/** dopri5 and dop853 (adaptive or fixed step) and euler (fixed step only). */
export const ERK_METHODS: Readonly<Record<'dopri5' | 'dop853' | 'euler', ErkMethod>> = Object.freeze({
  dopri5: { tableau: DOPRI5, beta: DOPRI5_BETA },
  dop853: { tableau: DOP853, beta: DOP853_BETA },
  euler: { tableau: EULER, beta: 0 },
});

export { DOP853, DOPRI5, EULER };
