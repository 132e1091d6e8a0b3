import type { Params, Prediction } from '../types.js';
import type { ChenLuoSetup } from './setup.js';
export function makeChenLuoPredictions(_setupOf: (p: Params) => ChenLuoSetup): Prediction[] { return []; }
