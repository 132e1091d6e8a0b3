/**
 * Forward Euler, y1 = y0 + h·f(t0, y0): discrete gradient descent with learning rate h when
 * f = −∇L. One stage, no error estimate, so it runs only with a fixed step `h`. The generic stepper
 * computes y0 + h·(1·k1), which is bit-identical to y0 + h·k1 (1·x = x exactly in IEEE arithmetic),
 * so a run can be compared bit for bit with a hand-written GD loop. Between steps the state is
 * interpolated linearly (the GD path is piecewise linear).
 */
import { validateTableau, type Tableau } from '../tableau.js';

/** The one-stage Euler tableau (fixed step only). */
export const EULER: Tableau = validateTableau({
  name: 'euler',
  order: 1,
  errorOrder: null,
  c: [0],
  a: [[]],
  b: [1],
  fsal: false,
});
