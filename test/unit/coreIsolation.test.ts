import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildImportGraph } from './helpers/importGraph';
import type { ImportEdge } from './helpers/importGraph';

const root = join(__dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|js|mjs|cjs)$/.test(name) ? [p] : [];
  });
}

// Static imports, re-exports, dynamic import() and require() of the `vscode` module all count.
const vscodeImport = /(?:from\s*|import\s*\(\s*|require\s*\(\s*|import\s+)['"]vscode['"]/;

test('no file under src/core or src/protocol imports vscode', () => {
  const offenders = [...files(join(root, 'src/core')), ...files(join(root, 'src/protocol'))]
    .filter((f) => vscodeImport.test(readFileSync(f, 'utf8')))
    .map((f) => relative(root, f));
  assert.deepEqual(offenders, []);
});

test('the check recognises every import form', () => {
  for (const src of ["import * as vscode from 'vscode';", 'import type { Uri } from "vscode"', "const v = require('vscode')", "await import('vscode')", "import 'vscode';", "export { window } from 'vscode'"]) {
    assert.match(src, vscodeImport, src);
  }
  assert.doesNotMatch("import * as z from 'zod'; // vscode", vscodeImport);
});

// Layering, read from the import graph (type-only imports count too: they tie the layers together all the same).
const graph = buildImportGraph(root, ['src', 'webview']);
const where = (e: ImportEdge): string => `${e.from}:${e.line} imports '${e.specifier}'${e.to ? ` (${e.to})` : ''}`;
const under = (p: string | undefined, dirs: readonly string[]): boolean => p !== undefined && dirs.some((d) => p.startsWith(`${d}/`));

test('src/core never imports from src/extension, src/cli, src/protocol or webview', () => {
  const core = graph.edges.filter((e) => under(e.from, ['src/core']));
  assert.ok(core.length > 0);
  const offenders = core.filter((e) => under(e.to, ['src/extension', 'src/cli', 'src/protocol', 'webview'])).map(where);
  assert.deepEqual(offenders, [], `core imports of outer layers:\n${offenders.join('\n')}`);
});

test('src/protocol imports only src/protocol, src/core and zod', () => {
  const protocol = graph.edges.filter((e) => under(e.from, ['src/protocol']));
  assert.ok(protocol.length > 0);
  const offenders = protocol
    .filter((e) => (e.external ? e.specifier !== 'zod' && !e.specifier.startsWith('zod/') : !under(e.to, ['src/protocol', 'src/core'])))
    .map(where);
  assert.deepEqual(offenders, [], `protocol imports outside src/core and zod:\n${offenders.join('\n')}`);
});
