export type { Expr, Op } from './ast.js';
export { symbolsOf, substitute } from './ast.js';
export { parseExpression, type ParseContext } from './parse.js';
export { derivative, gradient } from './diff.js';
export { compileVector, compileScalar, type Compiled, type Layout, type VectorFn, type ScalarFn } from './emit-js.js';
export { toText, toLatex } from './format.js';
export { FUNCTIONS, CONSTANTS, isReservedName, describeLanguage } from './language.js';
