/**
 * No runtime import cycles in src/.
 *
 * A runtime cycle (a.ts imports b.ts, which imports a.ts, with values) makes the order in which
 * modules run depend on which one is imported first: a module can see another's exports while
 * they are still undefined (`twoLayerRelu` read as undefined at load time, a `const` read in its
 * temporal dead zone). Type-only imports are erased by the compiler and cannot do that, so they
 * may form cycles.
 *
 * Every .ts file under src/ is parsed with the TypeScript compiler (so multiline imports,
 * comments and strings are handled as the compiler does) for its relative static imports and
 * re-exports (`import … from './x.js'`, `import './x.js'`, `export … from './x.js'`,
 * `export * from …`). Specifiers resolve like NodeNext: './x.js' is src file './x.ts', and a
 * directory means its index.ts. An edge is type-only when the compiler erases it by syntax:
 * `import type`/`export type`, or braces whose every name is marked `type`
 * (`import { type A, type B }`). Everything else counts as runtime, including an import that is
 * only used as a type but not marked so (mark it `import type`). Dynamic `import()` runs later,
 * not at load time, and is not an edge.
 *
 * The check: every strongly connected component of the runtime graph with more than one module
 * (or a module importing itself) is a cycle; each must be listed in KNOWN_CYCLES, and each entry
 * of KNOWN_CYCLES must still be one (so the list shrinks as cycles are removed).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

/**
 * Runtime cycles tolerated for now, each to be removed: an entry is the set of files of one
 * cycle (a strongly connected component of the runtime import graph, ROOT-relative paths, order
 * irrelevant). Empty today: src/ has no runtime cycle. An entry may only be added as a stopgap
 * for a cycle being broken elsewhere; the test fails once a listed cycle no longer exists, so
 * the entry must then go and the list cannot go stale.
 */
const KNOWN_CYCLES: readonly (readonly string[])[] = [];

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly typeOnly: boolean;
  /** The specifier as written, for messages. */
  readonly spec: string;
}

/** All .ts files under dir (not .d.ts), as paths relative to ROOT with '/' separators. */
function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(relative(ROOT, p).split(sep).join('/'));
  }
  return out;
}

/** Whether a ROOT-relative path is an existing .ts file. */
type Exists = (file: string) => boolean;
const onDisk: Exists = (f) => f.endsWith('.ts') && existsSync(join(ROOT, f)) && statSync(join(ROOT, f)).isFile();

/**
 * The .ts file a relative specifier names ('./x.js' → x.ts, './dir' or './dir/index.js' →
 * dir/index.ts), as a ROOT-relative path; null if none exists (e.g. '../package.json').
 */
function resolveSpec(fromFile: string, spec: string, exists: Exists): string | null {
  const base = join(dirname(fromFile), spec).split(sep).join('/');
  const candidates = base.endsWith('.js')
    ? [base.slice(0, -3) + '.ts', base.slice(0, -3) + '/index.ts']
    : [base, base + '.ts', base + '/index.ts'];
  return candidates.find((c) => exists(c)) ?? null;
}

/** True when braces name only `type` members (the compiler erases the whole statement). */
function allTypeMembers(elements: ts.NodeArray<ts.ImportSpecifier | ts.ExportSpecifier>): boolean {
  return elements.length > 0 && elements.every((e) => e.isTypeOnly);
}

/** The relative static imports and re-exports in the source `text` of `file`. */
function edgesOf(file: string, text: string, exists: Exists): { edges: Edge[]; unresolved: string[] } {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const edges: Edge[] = [];
  const unresolved: string[] = [];
  for (const st of sf.statements) {
    let spec: string | null = null;
    let typeOnly = false;
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      spec = st.moduleSpecifier.text;
      const clause = st.importClause;
      if (clause) {
        const named = clause.namedBindings;
        typeOnly = clause.isTypeOnly || (!clause.name && named !== undefined && ts.isNamedImports(named) && allTypeMembers(named.elements));
      }
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
      spec = st.moduleSpecifier.text;
      const clause = st.exportClause;
      typeOnly = st.isTypeOnly || (clause !== undefined && ts.isNamedExports(clause) && allTypeMembers(clause.elements));
    }
    if (spec === null || !(spec.startsWith('./') || spec.startsWith('../'))) continue;
    const to = resolveSpec(file, spec, exists);
    if (to !== null) edges.push({ from: file, to, typeOnly, spec });
    else if (/\.(js|ts)$/.test(spec) || !/\.[a-z]+$/i.test(spec)) unresolved.push(`${file}: '${spec}'`);
    // anything else (e.g. '../../package.json') is not a module of the graph
  }
  return { edges, unresolved };
}

/** Strongly connected components (Tarjan), each sorted; only those that are cycles (size > 1 or a self-import). */
function cyclicComponents(nodes: readonly string[], adj: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of adj.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (adj.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

/** One cycle through the component, as a path a → b → … → a (shortest back to its first file). */
function cyclePath(comp: readonly string[], adj: ReadonlyMap<string, readonly string[]>): string[] {
  const inComp = new Set(comp);
  const start = comp[0];
  const prev = new Map<string, string>();
  const queue = [start];
  for (let k = 0; k < queue.length; k++) {
    const v = queue[k];
    for (const w of adj.get(v) ?? []) {
      if (!inComp.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(prev.get(path[0])!);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...comp, start]; // unreachable for a strongly connected component
}

/**
 * The graph of every .ts file under src/ and of the files they reach outside it (such as the
 * generated code under derivations/), so a cycle that leaves src/ and comes back is seen too.
 */
function buildGraph(): { files: string[]; edges: Edge[]; unresolved: string[] } {
  const files = tsFiles(SRC);
  const seen = new Set(files);
  const edges: Edge[] = [];
  const unresolved: string[] = [];
  for (let k = 0; k < files.length; k++) {
    const r = edgesOf(files[k], readFileSync(join(ROOT, files[k]), 'utf8'), onDisk);
    edges.push(...r.edges);
    unresolved.push(...r.unresolved);
    for (const e of r.edges) {
      if (!seen.has(e.to)) {
        seen.add(e.to);
        files.push(e.to);
      }
    }
  }
  return { files, edges, unresolved };
}

function adjacency(edges: readonly Edge[]): Map<string, string[]> {
  const adj = new Map<string, string[]>();
  for (const e of edges) {
    const list = adj.get(e.from) ?? [];
    if (!list.includes(e.to)) list.push(e.to);
    adj.set(e.from, list);
  }
  return adj;
}

const key = (files: readonly string[]): string => [...files].sort().join(' ');

describe('the import graph of src/', () => {
  const { files, edges, unresolved } = buildGraph();

  it('is parsed: every relative module specifier names a .ts file', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(edges.some((e) => e.typeOnly)).toBe(true);
    expect(edges.some((e) => !e.typeOnly)).toBe(true);
    expect(unresolved).toEqual([]);
  });

  it('has no runtime import cycle (other than the known ones, to be removed)', () => {
    const runtime = adjacency(edges.filter((e) => !e.typeOnly));
    const cycles = cyclicComponents(files, runtime);
    const known = new Set(KNOWN_CYCLES.map(key));
    const found = new Set(cycles.map(key));
    const fresh = cycles
      .filter((c) => !known.has(key(c)))
      .map((c) => {
        const path = cyclePath(c, runtime);
        return `  ${path.join(' → ')}` + (c.length > path.length - 1 ? `\n    (one of the cycles among ${c.length} files: ${c.join(', ')})` : '');
      });
    const gone = KNOWN_CYCLES.filter((c) => !found.has(key(c))).map((c) => `  ${key(c)}`);
    const message = [
      fresh.length ? `runtime import cycles (break them, or mark type-only imports \`import type\`):\n${fresh.join('\n')}` : '',
      gone.length ? `KNOWN_CYCLES entries that are no longer cycles (remove them):\n${gone.join('\n')}` : '',
    ].filter(Boolean).join('\n');
    expect(message).toBe('');
  });
});

describe('the cycle finder', () => {
  it('finds the cycles of a graph, with a path through each, and leaves a chain alone', () => {
    const adj = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
    ]);
    const comps = cyclicComponents(['a', 'b', 'c', 'd', 'e'], adj);
    expect(comps).toEqual([['a', 'b', 'c'], ['e']]);
    expect(cyclePath(comps[0], adj)).toEqual(['a', 'b', 'c', 'a']);
    expect(cyclePath(comps[1], adj)).toEqual(['e', 'e']);
  });

  it('classifies type-only statements, multiline imports and re-exports, and skips comments and strings', () => {
    const files: Exists = (f) => ['src/m/a.ts', 'src/m/b.ts', 'src/m/c.ts', 'src/m/d/index.ts', 'src/m/e.ts', 'src/m/f.ts', 'src/m/g.ts', 'src/m/h.ts'].includes(f);
    const text = [
      "import type { A } from './a.js';",
      "import {\n  type B,\n  type C,\n} from './b.js';",
      "import { type D, e } from './c.js';",
      "export * from './d/index.js';",
      "export type { F } from './e.js';",
      "import './f.js';",
      "// import { x } from './g.js';",
      "const s = \"import { y } from './g.js'\";",
      "export {\n  h,\n} from './h.js';",
      "import pkg from '../../package.json';",
      "import { z } from './missing.js';",
    ].join('\n');
    const { edges, unresolved } = edgesOf('src/m/x.ts', text, files);
    const got = edges.map((e) => [e.to, e.typeOnly]);
    expect(got).toEqual([
      ['src/m/a.ts', true],
      ['src/m/b.ts', true],
      ['src/m/c.ts', false],
      ['src/m/d/index.ts', false],
      ['src/m/e.ts', true],
      ['src/m/f.ts', false],
      ['src/m/h.ts', false],
    ]);
    expect(unresolved).toEqual(["src/m/x.ts: './missing.js'"]);
    expect(resolveSpec('src/m/x.ts', './d', files)).toBe('src/m/d/index.ts');
    expect(resolveSpec('src/m/x.ts', '../m/d/index.js', files)).toBe('src/m/d/index.ts');
  });
});
