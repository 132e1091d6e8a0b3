/**
 * Compiled gradient vs a hand-written JS function of the same formula vs mathjs
 * `compile().evaluate`: nanoseconds per call of the full gradient.
 */
import { compile as mathCompile, derivative as mathDerivative, parse as mathParse } from 'mathjs';
import { compileVector, gradient, parseExpression } from '../src/expr/index.js';
import { neg } from '../src/expr/ast.js';
import { nsPerCall } from './bench-timing.js';

interface Case {
  name: string;
  loss: string;
  state: string[];
  params: Record<string, number>;
  y: number[];
  hand: (y: Float64Array, out: Float64Array) => void;
}

const CASES: Case[] = [
  {
    name: 'factorization (u v − y)²/2',
    loss: '(u*v - y)^2/2', state: ['u', 'v'], params: { y: 2 }, y: [0.5, 0.1],
    hand: (s, out) => { const r = s[0] * s[1] - 2; out[0] = -r * s[1]; out[1] = -r * s[0]; },
  },
  {
    name: 'depth-3 chain (a b c − y)²/2',
    loss: '(a*b*c - y)^2/2', state: ['a', 'b', 'c'], params: { y: 2 }, y: [0.3, 0.2, -0.4],
    hand: (s, out) => { const r = s[0] * s[1] * s[2] - 2; out[0] = -r * s[1] * s[2]; out[1] = -r * s[0] * s[2]; out[2] = -r * s[0] * s[1]; },
  },
  {
    name: 'logistic, 2 points, 2 weights',
    loss: 'log(1 + exp(-(w1 + 0.5*w2))) + log(1 + exp(-(0.5*w1 + w2)))', state: ['w1', 'w2'], params: {}, y: [0.3, -0.2],
    hand: (s, out) => {
      const m1 = s[0] + 0.5 * s[1];
      const m2 = 0.5 * s[0] + s[1];
      const g1 = 1 / (1 + Math.exp(m1)); // σ(−m)
      const g2 = 1 / (1 + Math.exp(m2));
      out[0] = g1 + 0.5 * g2;
      out[1] = 0.5 * g1 + g2;
    },
  },
];


export async function benchExpressions(): Promise<string> {
  const rows = ['| gradient | compiled (ns) | hand-written (ns) | ratio | mathjs evaluate (ns) |', '|---|---:|---:|---:|---:|'];
  for (const c of CASES) {
    const pnames = Object.keys(c.params);
    const e = parseExpression(c.loss, { label: c.name, names: new Set([...c.state, ...pnames]) });
    const f = compileVector(gradient(e, c.state).map(neg), { state: c.state, params: pnames }).bind(pnames.map((k) => c.params[k]));
    const y = Float64Array.from(c.y);
    const out = new Float64Array(c.state.length);
    let sink = 0;
    const compiled = nsPerCall(() => { y[0] += 1e-12; f(0, y, out); sink += out[0]; });
    const hand = nsPerCall(() => { y[0] += 1e-12; c.hand(y, out); sink += out[0]; });
    const mathGrads = c.state.map((v) => mathCompile(mathDerivative(mathParse(c.loss), v, { simplify: false }).toString()));
    const scope: Record<string, number> = { ...c.params };
    const viaMath = nsPerCall(() => {
      c.state.forEach((k, i) => { scope[k] = y[i]; });
      for (let i = 0; i < mathGrads.length; i++) out[i] = -(mathGrads[i].evaluate(scope) as number);
      sink += out[0];
    }, 200);
    if (sink === 42) console.log('');
    rows.push(`| ${c.name} | ${compiled.toFixed(1)} | ${hand.toFixed(1)} | ${(compiled / hand).toFixed(2)} | ${viaMath.toFixed(0)} |`);
  }
  return rows.join('\n');
}
