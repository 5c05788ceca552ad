import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildImportGraph, findCycles, formatCycle, parseImports, resolveImport } from './helpers/importGraph';
import type { ImportEdge } from './helpers/importGraph';

const root = join(__dirname, '../..');
const graph = buildImportGraph(root, ['src', 'webview']);

const where = (e: ImportEdge): string => `${e.from}:${e.line} imports '${e.specifier}'${e.to ? ` (${e.to})` : ''}`;

test('the walker sees the project: files, edges, and every relative import resolves', () => {
  assert.ok(graph.files.includes('src/core/search/engine.ts'));
  assert.ok(graph.files.some((f) => f.startsWith('webview/')));
  assert.ok(graph.edges.length > graph.files.length, `only ${graph.edges.length} edges over ${graph.files.length} files`);
  const unresolved = graph.edges.filter((e) => !e.external && e.to === undefined).map(where);
  assert.deepEqual(unresolved, [], `relative imports that resolve to no file:\n${unresolved.join('\n')}`);
});

test('no import cycle among value edges (static and dynamic) in src/ and webview/', () => {
  const cycles = findCycles(graph.edges.filter((e) => !e.typeOnly)).map(formatCycle);
  assert.deepEqual(cycles, [], `import cycles:\n${cycles.join('\n')}`);
});

test('no import cycle in src/extension even counting type-only edges', () => {
  const inside = (p: string | undefined): boolean => p !== undefined && p.startsWith('src/extension/');
  const cycles = findCycles(graph.edges.filter((e) => inside(e.from) && inside(e.to))).map(formatCycle);
  assert.deepEqual(cycles, [], `import cycles (type-only edges included):\n${cycles.join('\n')}`);
});

test('webview/ imports only webview/ and src/protocol/ (it reaches the core through what the protocol re-exports)', () => {
  const web = graph.edges.filter((e) => e.from.startsWith('webview/'));
  assert.ok(web.length > 0);
  const offenders = web.filter((e) => !e.external && !(e.to?.startsWith('webview/') || e.to?.startsWith('src/protocol/'))).map(where);
  assert.deepEqual(offenders, [], `webview imports outside webview/ and src/protocol/:\n${offenders.join('\n')}`);
  // The page runs in a browser sandbox: no extension API, no Node built-ins.
  const hostOnly = new Set(['vscode', ...builtinModules]);
  const hostImports = web.filter((e) => e.external && (hostOnly.has(e.specifier) || e.specifier.startsWith('node:'))).map(where);
  assert.deepEqual(hostImports, [], `webview imports of host-only modules:\n${hostImports.join('\n')}`);
});

test('parseImports classifies every import form as value or type-only, static or dynamic', () => {
  const cases: Array<[string, { typeOnly: boolean; dynamic: boolean }]> = [
    ["import { a } from './m';", { typeOnly: false, dynamic: false }],
    ["import a from './m';", { typeOnly: false, dynamic: false }],
    ["import * as m from './m';", { typeOnly: false, dynamic: false }],
    ["import './m';", { typeOnly: false, dynamic: false }],
    ["import type { A } from './m';", { typeOnly: true, dynamic: false }],
    ["import { type A, type B } from './m';", { typeOnly: true, dynamic: false }],
    ["import { type A, b } from './m';", { typeOnly: false, dynamic: false }],
    ["import a, { type B } from './m';", { typeOnly: false, dynamic: false }],
    ["export { a } from './m';", { typeOnly: false, dynamic: false }],
    ["export * from './m';", { typeOnly: false, dynamic: false }],
    ["export type { A } from './m';", { typeOnly: true, dynamic: false }],
    ["export { type A } from './m';", { typeOnly: true, dynamic: false }],
    ["export { type A, b } from './m';", { typeOnly: false, dynamic: false }],
    ["const m = await import('./m');", { typeOnly: false, dynamic: true }],
    ["const m = require('./m');", { typeOnly: false, dynamic: false }],
    ["let f: typeof import('./m');", { typeOnly: true, dynamic: false }],
    ["type T = import('./m').A;", { typeOnly: true, dynamic: false }],
  ];
  for (const [source, expected] of cases) {
    const refs = parseImports(source);
    assert.equal(refs.length, 1, source);
    assert.deepEqual({ specifier: refs[0]!.specifier, typeOnly: refs[0]!.typeOnly, dynamic: refs[0]!.dynamic }, { specifier: './m', ...expected }, source);
  }
});

test('parseImports ignores import-like text in strings, templates and comments, and gives line numbers', () => {
  const source = [
    "// import { a } from './commented';",
    "const s = \"import { b } from './inString'\";",
    'const t = `export * from "./inTemplate"`;',
    '/* await import("./inBlockComment") */',
    "import { real } from './real';",
    'const load = () => import(`./template${s}`); // not a literal: unknown target',
  ].join('\n');
  assert.deepEqual(parseImports(source), [{ specifier: './real', typeOnly: false, dynamic: false, line: 5 }]);
});

/** Writes `files` (path → source) under a fresh temp folder, runs `body` with its path, removes it. */
function withFixture(files: Record<string, string>, body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'import-graph-'));
  try {
    for (const [path, source] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), source);
    }
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a 3-file value cycle is found and reported as a path', () => {
  withFixture(
    {
      'pkg/a.ts': "import { b } from './b';\nexport const a = b;",
      'pkg/b.ts': "import { c } from './sub/c';\nexport const b = c;",
      'pkg/sub/c.ts': "import { a } from '../a';\nexport const c = 1;",
      'pkg/leaf.ts': "import { a } from './a';",
    },
    (dir) => {
      const g = buildImportGraph(dir, ['pkg']);
      assert.deepEqual(g.files, ['pkg/a.ts', 'pkg/b.ts', 'pkg/leaf.ts', 'pkg/sub/c.ts']);
      const cycles = findCycles(g.edges);
      assert.deepEqual(cycles, [['pkg/a.ts', 'pkg/b.ts', 'pkg/sub/c.ts', 'pkg/a.ts']]);
      assert.equal(formatCycle(cycles[0]!), 'pkg/a.ts → pkg/b.ts → pkg/sub/c.ts → pkg/a.ts');
    },
  );
});

test('a type-only edge closes no value cycle, but counts when type edges are included', () => {
  withFixture(
    {
      'pkg/a.ts': "import { b } from './b';\nexport const a = b;",
      'pkg/b.ts': "import { c } from './c';\nexport const b = c;",
      'pkg/c.ts': "import type { A } from './a';\nimport { type B } from './b';\nexport const c = 1;",
    },
    (dir) => {
      const g = buildImportGraph(dir, ['pkg']);
      assert.deepEqual(g.edges.map((e) => [e.from, e.to, e.typeOnly]), [
        ['pkg/a.ts', 'pkg/b.ts', false],
        ['pkg/b.ts', 'pkg/c.ts', false],
        ['pkg/c.ts', 'pkg/a.ts', true],
        ['pkg/c.ts', 'pkg/b.ts', true],
      ]);
      assert.deepEqual(findCycles(g.edges.filter((e) => !e.typeOnly)), []);
      // Both loops share one component; the shortest loop through its first file is reported.
      assert.deepEqual(findCycles(g.edges), [['pkg/a.ts', 'pkg/b.ts', 'pkg/c.ts', 'pkg/a.ts']]);
    },
  );
});

test('a dynamic import closes a value cycle; a self-import is a cycle; separate loops are reported apart', () => {
  withFixture(
    {
      'pkg/a.ts': "export const a = 1;\nexport async function later() { return (await import('./b')).b; }",
      'pkg/b.ts': "import { a } from './a';\nexport const b = a;",
      'pkg/self.ts': "export * from './self';",
      'pkg/x.ts': "import './y';",
      'pkg/y.ts': "import './x';",
    },
    (dir) => {
      const cycles = findCycles(buildImportGraph(dir, ['pkg']).edges.filter((e) => !e.typeOnly)).map(formatCycle);
      assert.deepEqual(cycles, ['pkg/a.ts → pkg/b.ts → pkg/a.ts', 'pkg/self.ts → pkg/self.ts', 'pkg/x.ts → pkg/y.ts → pkg/x.ts']);
    },
  );
});

test('resolution: x.ts, then x/index.ts, .js written for .ts, packages stay external, missing files stay unresolved', () => {
  withFixture(
    {
      'pkg/main.ts': [
        "import { lib } from './lib';",
        "import { both } from './both';",
        "import { esm } from './esm.js';",
        "import * as z from 'zod';",
        "import { gone } from './missing';",
      ].join('\n'),
      'pkg/lib/index.ts': 'export const lib = 1;',
      'pkg/both.ts': 'export const both = 1;',
      'pkg/both/index.ts': 'export const both = 2;',
      'pkg/esm.ts': 'export const esm = 1;',
    },
    (dir) => {
      assert.equal(resolveImport(dir, 'pkg/main.ts', './lib'), 'pkg/lib/index.ts');
      assert.equal(resolveImport(dir, 'pkg/main.ts', './both'), 'pkg/both.ts');
      assert.equal(resolveImport(dir, 'pkg/lib/index.ts', '../esm.js'), 'pkg/esm.ts');
      assert.equal(resolveImport(dir, 'pkg/main.ts', './missing'), undefined);
      const edges = buildImportGraph(dir, ['pkg']).edges.filter((e) => e.from === 'pkg/main.ts');
      assert.deepEqual(edges.map((e) => [e.specifier, e.to, e.external]), [
        ['./lib', 'pkg/lib/index.ts', false],
        ['./both', 'pkg/both.ts', false],
        ['./esm.js', 'pkg/esm.ts', false],
        ['zod', undefined, true],
        ['./missing', undefined, false],
      ]);
    },
  );
});
