/** Public API of the integrators. */
export { solve } from './solve.js';
export { resolveOptions, METHOD_NAMES, OPTION_KEYS, DEFAULTS, RTOL_MIN, KINK_MODES } from './options.js';
export { LAMBDA_SLACK } from './kinks/switcher.js';
export { BLOWUP_NORM } from './blowup.js';
export { EVENT_TIME_TOL } from './events.js';
export { validateTableau, type Tableau, type DenseSpec } from './tableau.js';
export { DOPRI5, DOP853, EULER } from './methods/index.js';
export { RODAS5P, classicalForm, type RosenbrockTableau } from './rosenbrock/tableau.js';
export type {
  EventHit, EventSpec, MethodName, ResolvedOptions, RhsFn, Solution, SolveOptions, SolveStats, Status, Vec,
  KinkEvent, KinkMode, KinkRecord, SwitchedSystem,
  JacobianFn, MethodSwitch,
} from './types.js';
