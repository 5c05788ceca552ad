import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listFiles } from './helpers/importGraph';

const root = join(__dirname, '../..');
const MAX_LINES = 500;

/** Lines as an editor numbers them: a final newline ends the last line rather than starting another. */
function lineCount(text: string): number {
  if (text === '') return 0;
  const breaks = text.split('\n').length - 1;
  return text.endsWith('\n') ? breaks : breaks + 1;
}

test('lineCount counts lines as an editor does', () => {
  assert.equal(lineCount(''), 0);
  assert.equal(lineCount('a'), 1);
  assert.equal(lineCount('a\n'), 1);
  assert.equal(lineCount('a\nb'), 2);
  assert.equal(lineCount('a\r\nb\r\n'), 2);
  assert.equal(lineCount('\n\n'), 2);
});

test(`no file under src/ or webview/ (.ts, .css, .html) has more than ${MAX_LINES} lines`, () => {
  const files = listFiles(root, ['src', 'webview'], /\.(ts|css|html)$/);
  assert.ok(files.some((f) => f.endsWith('.css')), 'the panel stylesheet is among the files checked');
  assert.ok(files.length > 50, `only ${files.length} files found`);
  const offenders = files
    .map((f) => ({ f, lines: lineCount(readFileSync(join(root, f), 'utf8')) }))
    .filter((x) => x.lines > MAX_LINES)
    .map((x) => `${x.f}: ${x.lines} lines`);
  assert.deepEqual(offenders, [], `files over ${MAX_LINES} lines:\n${offenders.join('\n')}`);
});
