/**
 * The `odex` package (Hairer–Wanner's ODEX: Gragg–Bulirsch–Stoer extrapolation) behind the same
 * contract as our own methods, made honest about failures.
 *
 * What the package does not do, and this wrapper does (measured in /work/shared/ecosystem.md §1):
 * - It accepts steps whose values are NaN and reports success; here every accepted step is checked
 *   in `solOut`. A non-finite step is never recorded: the run restarts from the last good point with
 *   a maximal step 8× smaller than the failed one (and the full hMax again once past it), until the
 *   bad point is pinned down to 10·eps·|t|; then the status is `non_finite` there.
 * - On max steps it returns the *requested* end as `xEnd`; here the time reached is the last
 *   accepted x seen in `solOut`.
 * - Its RHS counter misses the dense-output and stability-check calls; here f is wrapped and every
 *   call counted, plus one call at t0 to check that the vector field is finite there.
 * - It has no events; here they are located on its dense output like for the other methods.
 *
 * Cost notes: odex's RHS is `(x, number[]) => number[]`, so each call copies y in and the slope out
 * (the output array is reused). Dense output is switched on only when needed (interior save-at times
 * or events), because it changes odex's step-size sequence and costs one RHS call per step. Its
 * interpolant looks components up linearly, so evaluating the full state costs O(n²).
 */
import { createRequire } from 'node:module';
import { isEscaping, minStep, BLOWUP_NORM } from './blowup.js';
import type { Interpolant } from './dense.js';
import { Output, StepVerdict } from './output.js';
import type { BlowUpCause, RunOutcome } from './status.js';
import type { ResolvedOptions, RhsFn, Status, Vec } from './types.js';
import { allFinite, infNorm } from './vec.js';

/** The part of odex 2.0.4's API that we use (the package ships no declarations we can compile). */
interface OdexSolver {
  maxSteps: number;
  initialStepSize: number;
  maxStepSize: number;
  relativeTolerance: number;
  absoluteTolerance: number;
  denseOutput: boolean;
  solve(
    f: (x: number, y: number[]) => number[], x: number, y0: number[], xEnd: number,
    solOut: (nr: number, xOld: number, x: number, y: number[], dense?: (c: number, x: number) => number) => boolean | void,
  ): { outcome: number; nStep: number; nAccept: number; nReject: number };
}
interface OdexModule {
  Solver: new (n: number) => OdexSolver;
  Outcome: { Converged: number; MaxStepsExceeded: number; EarlyReturn: number };
}

// Loaded through require so that TypeScript does not type-check the package's own .ts source.
const odex = createRequire(import.meta.url)('odex') as OdexModule;

/** Why a solOut call stopped the run. */
type Stop = 'none' | 'bad_step' | 'verdict' | 'norm' | 'stall' | 'restore';

/**
 * Integrates y' = f(t, y) over [t0, t1] with odex. Same arguments and result as `integrateErk`.
 */
export function integrateOdex(f: RhsFn, t0: number, t1: number, y0: Vec, ro: ResolvedOptions, out: Output): RunOutcome {
  const n = y0.length;
  const yIn = new Float64Array(n);
  const dyOut = new Float64Array(n);
  const ret: number[] = new Array<number>(n).fill(0);
  let nfev = 0;
  const F = (x: number, y: number[]): number[] => {
    for (let i = 0; i < n; i++) yIn[i] = y[i];
    f(x, yIn, dyOut);
    nfev++;
    for (let i = 0; i < n; i++) ret[i] = dyOut[i]; // odex copies this out immediately, so it can be reused
    return ret;
  };

  let tCur = t0; // last accepted point, and the state there
  const yCur = Float64Array.from(y0);
  let accepted = 0;
  let rejected = 0;
  let steps = 0;
  const end = (status: Status, t: number, yEnd: Vec, extra: Partial<RunOutcome> = {}): RunOutcome =>
    ({ status, tEnd: t, yEnd: Float64Array.from(yEnd), nfev, accepted, rejected, ...extra });
  const blowUp = (t: number, yEnd: Vec, cause: BlowUpCause): RunOutcome => end('non_finite', t, yEnd, { cause });

  F(t0, Array.from(y0));
  out.start(t0, yCur);
  if (!allFinite(dyOut)) return blowUp(t0, yCur, 'non_finite_value');

  // The step being reported, and its interpolant for Output.
  const yStep = new Float64Array(n);
  let xStep = t0;
  let denseFn: ((c: number, x: number) => number) | null = null;
  const interp: Interpolant = {
    evaluate(t: number, o: Vec): void {
      // Without dense output Output only asks for the step end (up to odex's rounding of x).
      if (t === xStep || denseFn === null) o.set(yStep);
      else for (let i = 0; i < n; i++) o[i] = denseFn(i, t);
    },
  };

  const useDense = out.needsDense(t0, t1);
  let hMaxCur = ro.hMax;
  let restoreAt = Infinity; // after a restart with a reduced hMax: where to go back to the full one
  let stop: Stop = 'none';
  let verdict: StepVerdict = StepVerdict.Continue;
  let badFrom = 0;
  let badTo = 0;
  let stallH = 0;

  const solOut = (_nr: number, xOld: number, x: number, y: number[], dense?: (c: number, x: number) => number): boolean => {
    if (x === xOld) return true; // odex's initial call, before any step
    for (let i = 0; i < n; i++) yStep[i] = y[i];
    if (!allFinite(yStep)) {
      stop = 'bad_step';
      badFrom = xOld;
      badTo = x;
      return false;
    }
    if (x - xOld < minStep(x)) {
      stop = 'stall';
      stallH = x - xOld;
      return false;
    }
    accepted++;
    xStep = x;
    denseFn = dense ?? null;
    verdict = out.step(xOld, x, yStep, interp);
    if (verdict !== StepVerdict.Continue) {
      stop = 'verdict';
      return false;
    }
    tCur = x;
    yCur.set(yStep);
    if (infNorm(yStep) > BLOWUP_NORM) {
      stop = 'norm';
      return false;
    }
    if (x >= restoreAt) {
      stop = 'restore';
      return false;
    }
    return true;
  };

  for (;;) {
    const budget = ro.maxSteps - steps;
    if (budget <= 0) return end('max_steps', tCur, yCur);
    const solver = new odex.Solver(n);
    solver.relativeTolerance = ro.rtol;
    solver.absoluteTolerance = ro.atol;
    solver.maxSteps = budget;
    solver.maxStepSize = hMaxCur;
    if (ro.h0 !== null) solver.initialStepSize = ro.h0;
    solver.denseOutput = useDense;
    stop = 'none';
    const res = solver.solve(F, tCur, Array.from(yCur), t1, solOut);
    steps += res.nStep;
    rejected += res.nReject;
    switch (stop as Stop) { // (set inside solOut, which TypeScript's narrowing does not see)
      case 'bad_step': {
        // Retry the failed stretch with smaller steps; give up once they cannot get smaller.
        hMaxCur = Math.min(hMaxCur, (badTo - badFrom) / 8);
        restoreAt = badTo;
        if (hMaxCur < minStep(tCur)) return blowUp(tCur, yCur, 'non_finite_value');
        continue;
      }
      case 'restore':
        hMaxCur = ro.hMax;
        restoreAt = Infinity;
        continue;
      case 'verdict': {
        if ((verdict as StepVerdict) === StepVerdict.Terminal) {
          const hits = out.hits;
          const yEv = new Float64Array(n);
          interp.evaluate(out.stopT, yEv);
          return end('event', out.stopT, yEv, { eventName: hits[hits.length - 1].name });
        }
        return end('non_finite', xStep, yStep, { cause: 'non_finite_value' });
      }
      case 'norm':
        return blowUp(tCur, yCur, 'norm');
      case 'stall': {
        const fNorm = infNorm(F(tCur, Array.from(yCur)));
        if (isEscaping(infNorm(yCur), infNorm(y0), fNorm, tCur)) return blowUp(tCur, yCur, 'escape');
        return end('step_too_small', tCur, yCur, { h: stallH });
      }
      case 'none':
        break;
    }
    if (res.outcome === odex.Outcome.MaxStepsExceeded) return end('max_steps', tCur, yCur);
    out.finishAtEnd(yCur);
    return end('success', t1, yCur);
  }
}
