/**
 * Dormand–Prince 5(4), "DOPRI5": 7 stages, FSAL, 5th-order solution with a 4th-order embedded error
 * estimate, and Shampine's 4th-order continuous extension (the `d` coefficients of Hairer's DOPRI5).
 *
 * Reference: J. R. Dormand, P. J. Prince, "A family of embedded Runge–Kutta formulae",
 * J. Comput. Appl. Math. 6 (1980) 19–26; E. Hairer, S. P. Nørsett, G. Wanner, Solving Ordinary
 * Differential Equations I, 2nd ed., Springer 1993, Sect. II.5 and II.6 (dense output).
 */
import { validateTableau, type Tableau } from '../tableau.js';

const b = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0];

/** The DOPRI5 tableau; validated when this module loads. */
export const DOPRI5: Tableau = validateTableau({
  name: 'dopri5',
  order: 5,
  errorOrder: 4,
  c: [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1],
  a: [
    [],
    [1 / 5],
    [3 / 40, 9 / 40],
    [44 / 45, -56 / 15, 32 / 9],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
    b.slice(0, 6), // FSAL: the 7th stage is evaluated at y1
  ],
  b,
  // b − b̂ with b̂ = (5179/57600, 0, 7571/16695, 393/640, −92097/339200, 187/2100, 1/40)
  bErr: [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40],
  fsal: true,
  dense: {
    order: 4,
    c: [],
    a: [],
    // F3 = h Σ d_l k_l (Hairer's rcont5); slot 6 is k7 = f(t+h, y1)
    d: [[
      -12715105075 / 11282082432, 0, 87487479700 / 32700410799, -10690763975 / 1880347072,
      701980252875 / 199316789632, -1453857185 / 822651844, 69997945 / 29380423,
    ]],
  },
});

/** PI stabilisation exponent of Hairer's DOPRI5 controller (his default BETA = 0.04). */
export const DOPRI5_BETA = 0.04;
