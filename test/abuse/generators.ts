/** Generators of hostile and careless inputs, shared by the fuzz suite and scripts/abuse-campaign.ts. */
import fc from 'fast-check';

export const FUNCTIONS = ['exp', 'log', 'log1p', 'expm1', 'sqrt', 'abs', 'sign', 'min', 'max', 'relu', 'heaviside', 'sigmoid', 'softplus', 'tanh', 'sin', 'cos', 'erf', 'Phi', 'phi'];
export const HOSTILE = ['constructor', '__proto__', 'prototype', 'process', 'globalThis', 'this', 'eval', 'Function', 'require', 'import', 'toString', 'valueOf', 'hasOwnProperty'];
export const PAYLOADS = [
  'constructor.constructor("globalThis.__gradflowPwned = 1")()',
  '"; globalThis.__gradflowPwned = 1; "',
  '`${globalThis.__gradflowPwned = 1}`',
  'u = 1',
  'f(x) = x',
  '[1,2][0]',
  '{a: 1}.a',
  'u ? 1 : 2',
  'u.constructor',
  '1 to cm',
];

/** Expressions over state u, v and parameter y: mostly well-formed, with hostile leaves and junk mixed in. */
export const expression: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('u', 'v', 'y', 't', 'pi', 'e', 'loss'),
    fc.constantFrom('0', '1', '2.5', '-0', '1e-300', '1e300', '1e309', 'NaN', 'Infinity'),
    fc.constantFrom(...HOSTILE),
    fc.constantFrom(...PAYLOADS),
    fc.string({ maxLength: 6 }),
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '^', '', ' ', ',', '=='), tie('e')).map(([a, op, b]) => `${a} ${op} ${b}`),
    fc.tuple(fc.constantFrom(...FUNCTIONS, 'gamma', 'foo'), fc.array(tie('e'), { maxLength: 3 })).map(([f, args]) => `${f}(${args.join(', ')})`),
    tie('e').map((a) => `(${a})`),
    tie('e').map((a) => `-${a}`),
  ),
})).e;

/** Values of any JSON type, with hostile keys in objects. */
export const jsonValue = fc.oneof(fc.string({ maxLength: 8 }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.double(), { maxLength: 4 }), fc.dictionary(fc.constantFrom('u', 'v', 'x', '__proto__', 'constructor', 'lin', 'geom', 'normal'), fc.oneof(fc.double(), fc.string({ maxLength: 4 }), fc.array(fc.double(), { maxLength: 3 })), { maxKeys: 3 }));

/** Keys of a model file, valid and not. */
export const modelKey = fc.constantFrom('name', 'description', 'state', 'params', 'loss', 'rhs', 't0', 't_end', 'save_at', 'events', 'solver', 'data', 'tend', '__proto__');

/** Flag values a careless user or a script might pass. */
export const flagText = fc.oneof(fc.constantFrom('0', '-1', '1.5', '1e20', 'NaN', 'Infinity', '', 'abc', '1e-300', 'constructor', '0x10', '2'), fc.string({ maxLength: 6 }));

/** A line of a results file: JSON of any shape, text, or near-valid cells. */
export const resultLine = fc.oneof(fc.json(), fc.string({ maxLength: 30 }), fc.constant('{"index":1}'), fc.constant('{"index":0,"ix":0,"iy":0,"params":{},"status":"success","message":"","metrics":{"final:loss":1}}'));

/** Array expressions over W [3, 3], v [3], s (state), X [2, 3, 3], c [3] (data) and x ~ N(0, I_3): shapes that fit and that do not, hostile leaves mixed in. */
export const arrayExpression: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('W', 'v', 's', 'X', 'c', "W'", 'X[1, :, :]', 'X[:, 2, 3]', 'v[end]', 'W[1:2, :]', 'W[4, 1]', 'x', 'd', 'loss'),
    fc.constantFrom('0', '2', '0.5', '-1', '1e309', 'NaN'),
    fc.constantFrom(...HOSTILE, ...PAYLOADS),
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '.*', './', '*', '/', '.^', '^', ''), tie('e')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    fc.tuple(fc.constantFrom(...FUNCTIONS, 'sum', 'mean', 'amax', 'softmax', 'logsumexp', 'norm', 'transpose', 'dot'), fc.array(tie('e'), { minLength: 1, maxLength: 2 })).map(([f, args]) => `${f}(${args.join(', ')})`),
    fc.tuple(fc.constantFrom('ij,j->i', 'ij->', 'i,i->', 'nij,jk->nik', 'ab->ba', 'ii->', 'i->j', 'x'), fc.array(tie('e'), { minLength: 1, maxLength: 2 })).map(([spec, args]) => `einsum("${spec}", ${args.join(', ')})`),
    fc.tuple(tie('e'), fc.constantFrom('x', 'y', 'W', '')).map(([a, v]) => `expect(${a}, ${v})`),
  ),
})).e;
