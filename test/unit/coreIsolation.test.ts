import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

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
  assert.doesNotMatch("import { z } from 'zod'; // vscode", vscodeImport);
});
