import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, minimalEdits } from '../../src/core/trace/minimalEdits';
import { mulberry32 } from '../../src/core/mulberry32';

/** A trace-like serialization: one short line per node, so a one-node edit is one line among many. */
function lines(n: number, tag = ''): string {
  return Array.from({ length: n }, (_, i) => `    { "id": "n${i}", "text": "step ${i}${tag}" },\n`).join('');
}

test('identical texts need no edit', () => {
  assert.deepEqual(minimalEdits('abc', 'abc'), []);
});

test('a small change is one replacement of exactly the differing characters', () => {
  const edits = minimalEdits('the value is 0.25 here', 'the value is 0.75 here');
  assert.deepEqual(edits, [{ start: 15, end: 16, text: '7' }]);
});

test('insertions and deletions at the ends', () => {
  assert.deepEqual(minimalEdits('abc', 'abcdef'), [{ start: 3, end: 3, text: 'def' }]);
  assert.deepEqual(minimalEdits('xyzabc', 'abc'), [{ start: 0, end: 3, text: '' }]);
});

test('scattered edits of a large text become one trimmed hunk each, not one wholesale replacement', () => {
  const old = lines(2000);
  const next = old.replace('"step 10"', '"step ten"').replace('"step 1500"', '"step 1500 edited"');
  const edits = minimalEdits(old, next);
  assert.equal(edits.length, 2);
  const at10 = old.indexOf('step 10"') + 5;
  const at1500 = old.indexOf('step 1500"') + 9;
  assert.deepEqual(edits[0], { start: at10, end: at10 + 2, text: 'ten' });
  assert.deepEqual(edits[1], { start: at1500, end: at1500, text: ' edited' });
  assert.equal(applyEdits(old, edits), next);
});

test('an appended node and a changed tail line (events, usage) are two hunks', () => {
  const old = `${lines(500)}  "usage": 10\n`;
  const next = `${lines(500)}    { "id": "n500", "text": "new" },\n  "usage": 12\n`;
  const edits = minimalEdits(old, next);
  assert.equal(applyEdits(old, edits), next);
  const changed = edits.reduce((s, e) => s + (e.end - e.start) + e.text.length, 0);
  assert.ok(changed < 80, `replaced ${changed} characters`);
});

test('beyond the line-edit limit one replacement covers the differing middle', () => {
  const old = lines(1000);
  const next = lines(1000, ' changed');
  const edits = minimalEdits(old, next);
  assert.equal(edits.length, 1);
  assert.equal(applyEdits(old, edits), next);
});

test('random edits always round-trip through applyEdits', () => {
  const rand = mulberry32(7);
  const base = lines(300);
  for (let round = 0; round < 50; round++) {
    const rows = base.split('\n');
    const count = 1 + Math.floor(rand() * 6);
    for (let k = 0; k < count; k++) {
      const at = Math.floor(rand() * rows.length);
      const op = rand();
      if (op < 0.33) rows.splice(at, 1);
      else if (op < 0.66) rows.splice(at, 0, `inserted ${round}.${k}`);
      else rows[at] = `${rows[at] ?? ''} changed`;
    }
    const next = rows.join('\n');
    const edits = minimalEdits(base, next);
    assert.equal(applyEdits(base, edits), next, `round ${round}`);
    for (const e of edits) assert.ok(e.start <= e.end && e.end <= base.length);
  }
});

test('applyEdits accepts replacements in any order', () => {
  const edits = [
    { start: 6, end: 11, text: 'there' },
    { start: 0, end: 5, text: 'HELLO' },
  ];
  assert.equal(applyEdits('hello world', edits), 'HELLO there');
});
