import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listFiles } from './helpers/importGraph';

const root = join(__dirname, '../..');
/** A value import of the `z` object: esbuild cannot tree-shake it, and the panel's bundle grew by ~360 kB of locales. */
const NAMED_Z = /import\s*\{\s*z\s*\}\s*from\s*'zod'/;

test('zod is imported as a namespace (import * as z), never as the z object, so bundles drop what they do not use', () => {
  assert.ok(NAMED_Z.test("import { z } from 'zod';"), 'the pattern finds the named import');
  assert.ok(!NAMED_Z.test("import * as z from 'zod';") && !NAMED_Z.test("import type { z } from 'zod';"));
  const files = listFiles(root, ['src', 'webview'], /\.ts$/);
  assert.ok(files.length > 50, `only ${files.length} files found`);
  const offenders = files.filter((f) => NAMED_Z.test(readFileSync(join(root, f), 'utf8')));
  assert.deepEqual(offenders, [], `import * as z from 'zod' instead, in:\n${offenders.join('\n')}`);
});
