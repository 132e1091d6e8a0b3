/**
 * One definition of what is integrated: a model's main flow reaches `solve` only through
 * src/run/problem.ts (flowProblem → solveFlow), which attaches its switching functions and its
 * Jacobian. Other callers of `solve` are model-internal integrations of *other* systems (reduced
 * ODEs, stage-wise fields), listed here with the reason; a new caller fails this test until it
 * is either routed through the seam or listed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname, '..', '..', 'src');

/** Files outside src/solve that call `solve(` directly, and why that is not the main flow. */
const OTHER_SYSTEMS: Readonly<Record<string, string>> = {
  'src/run/problem.ts': 'the seam itself',
  'src/models/yang/training.ts': 'stage-wise fields of the staged schedule (a different field per stage), options from CheckContext.solver',
  'src/models/yang/runs.ts': 'claim-specific settings (sliding start, GD references), options from CheckContext.solver',
  'src/models/chen-luo/stage1.ts': 'the reduced Stage-1 system in normalized time',
  'src/models/chen-luo/predictions.ts': 'the reduced Stage-1 and Stage-2 systems',
  'src/models/chen-luo/figures.ts': 'the reduced Stage-1 system',
  'src/models/chen-luo/measure.ts': 'a recorded state of a run continued to an exact time',
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('the flow-problem seam', () => {
  const sources = files(SRC).filter((f) => !relative(SRC, f).startsWith('solve'));
  const rel = (f: string): string => relative(join(SRC, '..'), f).split('\\').join('/');

  it('only the listed files call solve() directly', () => {
    // the integrator's front door is imported from src/solve (index.js or solve.js)
    const importsSolve = /import\s*\{[^}]*\bsolve\b[^}]*\}\s*from\s*'[^']*\/solve\/(index|solve)\.js'/;
    const callers = sources.filter((f) => importsSolve.test(readFileSync(f, 'utf8'))).map(rel).sort();
    expect(callers).toEqual(Object.keys(OTHER_SYSTEMS).sort());
  });

  it('no caller of solve() hands it a model\'s flow, and only the seam attaches switching functions and Jacobians', () => {
    for (const f of sources.filter((x) => rel(x) !== 'src/run/problem.ts')) {
      const text = readFileSync(f, 'utf8');
      expect(text, rel(f)).not.toMatch(/solve\(\s*\w+\.flow\(/);
      expect(text, rel(f)).not.toMatch(/\bmodel\.(switching|jacobian)\??\.?\(/);
    }
  });
});
