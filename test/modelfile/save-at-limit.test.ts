/**
 * A model file's explicit `save_at` list is capped at 10⁶ times, like the {"lin"} and {"geom"}
 * forms, and checked before any entry is converted (a 12-million-entry list used to allocate
 * 3.8 GB of saved states and end in "Invalid string length").
 */
import { describe, expect, it } from 'vitest';
import { readModelSpec } from '../../src/modelfile/spec.js';
import { runCli, tempModel } from '../helpers/cli.js';

const base = { name: 'decay', state: { x: 1 }, loss: 'x^2/2', t_end: 1 };

describe('save_at as a list', () => {
  it('more than 10⁶ times are refused with the count and the limit, before conversion', () => {
    const t = performance.now();
    const list = new Array(1_000_001).fill('not even a number'); // never looked at: the length is checked first
    expect(() => readModelSpec({ ...base, save_at: list }, 'big.json')).toThrow(/^big\.json: save_at lists 1000001 times, above the limit of 1000000 \(each save time is one stored state\); save fewer times, e\.g\. \{"geom": \[t_first, t_end, n\]\} with n ≤ 1000000\.$/);
    expect(performance.now() - t).toBeLessThan(1000);
  });

  it('10⁶ times are accepted, as for the grid forms', () => {
    const list = Array.from({ length: 1_000_000 }, (_, i) => i / 1_000_000);
    expect(readModelSpec({ ...base, save_at: list }, 'ok.json').saveAt.length).toBe(1_000_000);
    expect(() => readModelSpec({ ...base, save_at: { lin: [0, 1, 1_000_001] } }, 'g.json')).toThrow(/n must be an integer from 2 to 1000000/);
  });

  it('from the command line: exit 2 with the message', async () => {
    const path = tempModel(`{"name": "decay", "state": {"x": 1}, "loss": "x^2/2", "t_end": 1, "save_at": [${new Array(1_200_000).fill('0.5').join(',')}]}`);
    const r = await runCli('solve', path);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/save_at lists 1200000 times, above the limit of 1000000/);
  });
});
