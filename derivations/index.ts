/** Every derivation: a function producing its checked-in text, and where that text lives. */
import { deriveChenLuo } from './chen-luo/derive.js';
import { deriveDeepLinear } from './deep-linear/derive.js';
import { deriveGong } from './gong/derive.js';
import { deriveYangNineScalar } from './yang/derive.js';

export interface Derivation { readonly name: string; readonly output: string; derive(): string }

export const DERIVATIONS: readonly Derivation[] = [
  { name: 'deep-linear', output: 'derivations/deep-linear/gradient.gen.md', derive: deriveDeepLinear },
  { name: 'chen-luo', output: 'derivations/chen-luo/gradient.gen.md', derive: deriveChenLuo },
  { name: 'yang-nine-scalar', output: 'derivations/yang/nine-scalar.gen.ts', derive: deriveYangNineScalar },
  { name: 'gong', output: 'derivations/gong/reduced-flow.gen.md', derive: deriveGong },
];
