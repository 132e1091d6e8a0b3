import type { CheckContext, Params } from '../types.js';
import type { ChenLuoSetup } from './setup.js';
export function makeChenLuoFigures(_setupOf: (p: Params) => ChenLuoSetup) { return async (_ctx: CheckContext, _dir: string) => []; }
export function makeChenLuoReport(_setupOf: (p: Params) => ChenLuoSetup) { return (_ctx: CheckContext) => ''; }
