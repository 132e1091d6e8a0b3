/** Every derivation: a function producing its checked-in text, and where that text lives. */
import { deriveDeepLinear } from './deep-linear/derive.js';

export interface Derivation { readonly name: string; readonly output: string; derive(): string }

export const DERIVATIONS: readonly Derivation[] = [
  { name: 'deep-linear', output: 'derivations/deep-linear/gradient.gen.md', derive: deriveDeepLinear },
];
