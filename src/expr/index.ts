export type { Expr, Op } from './ast.js';
export { symbolsOf, substitute } from './ast.js';
export { parseExpression, type ParseContext } from './parse.js';
export { derivative, gradient } from './diff.js';
export { jacobianExprs, compileJacobian, type JacobianOptions } from './jacobian.js';
export { compileVector, compileScalar, type Compiled, type Layout, type VectorFn, type ScalarFn } from './emit-js.js';
export { KinkRewriter, compileSwitchedGradient, compileSwitchedField, type BoundSwitched, type CompiledSwitched } from './switching.js';
export { toText, toLatex } from './format.js';
export { FUNCTIONS, CONSTANTS, isReservedName, describeLanguage } from './language.js';
