import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrace, serializeTrace } from '../../src/core/trace/io';
import { parseTraceAsync, SCHEMA_SLICE } from '../../src/core/trace/parseSteps';
import { findDeepNesting, scanNesting } from '../../src/core/trace/jsonError';
import { generateTrace } from '../fixtures/generateTrace';
import { fullTrace } from './helpers/sampleTrace';

const fixtures = join(__dirname, '../fixtures');
const counting = () => {
  const c = { pauses: 0, pause: async () => void c.pauses++ };
  return c;
};

/** parseTrace's error message for `text`, or 'ok'. */
function syncOutcome(text: string): string {
  try {
    parseTrace(text, 'f.metacot.json');
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}
async function asyncOutcome(text: string): Promise<string> {
  try {
    await parseTraceAsync(text, 'f.metacot.json', counting().pause);
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('parseTraceAsync', () => {
  test('gives the trace parseTrace gives, pausing between its steps (more often on a bigger text)', async () => {
    const small = serializeTrace(fullTrace());
    const c1 = counting();
    assert.deepEqual(await parseTraceAsync(small, undefined, c1.pause), parseTrace(small));
    assert.equal(c1.pauses, 3, 'one nesting slice, then after JSON.parse and after the schema');
    // ~20 MB: three nesting slices of 8 MB.
    const big = serializeTrace(generateTrace({ nodes: 18_000, seed: 5, validate: false }));
    assert.ok(big.length > 16 * 1024 * 1024 && big.length < 24 * 1024 * 1024, `the text is ${big.length} characters`);
    const c2 = counting();
    const parsed = await parseTraceAsync(big, undefined, c2.pause);
    // Nesting 3 slices, after JSON.parse, the schema in slices of SCHEMA_SLICE nodes / events, after the schema.
    const schemaSlices = Math.ceil(18_000 / SCHEMA_SLICE) + Math.ceil(parsed.events.length / SCHEMA_SLICE);
    assert.equal(c2.pauses, 3 + 1 + schemaSlices + 1);
    assert.deepEqual(parsed, parseTrace(big));
    assert.deepEqual(Object.keys(parsed), Object.keys(parseTrace(big)), 'the keys in the schema order');
    assert.equal(serializeTrace(parsed), big, 'the same trace, byte for byte once written');
  });

  test('a big trace checked in slices reports a bad node, event or field exactly as parseTrace does', async () => {
    const good = JSON.parse(serializeTrace(generateTrace({ nodes: 3 * SCHEMA_SLICE, seed: 8, validate: false }))) as Record<string, any>;
    const variant = (f: (t: Record<string, any>) => void) => {
      const t = structuredClone(good);
      f(t);
      return JSON.stringify(t, null, 2);
    };
    const cases: Record<string, string> = {
      'a node deep in the list': variant((t) => (t.nodes[12_345].status = 'lost')),
      'two bad nodes in different slices': variant((t) => {
        t.nodes[7].value = 3;
        t.nodes[11_000].iteration = -1;
      }),
      'a bad event': variant((t) => (t.events[t.events.length - 1].type = 'nonsense')),
      'a bad field after the nodes': variant((t) => (t.usage = 'lots')),
      'a node with an unknown key (stripped)': variant((t) => (t.nodes[9_999].extra = 1)),
    };
    for (const [what, text] of Object.entries(cases)) {
      const expected = syncOutcome(text);
      assert.equal(await asyncOutcome(text), expected, what);
      if (what.includes('unknown key')) assert.deepEqual(await parseTraceAsync(text, undefined, counting().pause), parseTrace(text), what);
      else assert.match(expected, /not a valid Meta-CoT trace/, what);
    }
    assert.match(syncOutcome(cases['two bad nodes in different slices']!), /nodes\[7\]\.value[\s\S]*nodes\[11000\]\.iteration/);
  });

  test('the default pause yields to the event loop: a timer set before the parse runs before it ends', async () => {
    const text = serializeTrace(generateTrace({ nodes: 500, seed: 3, validate: false }));
    let fired = false;
    setTimeout(() => (fired = true), 0);
    const parsing = parseTraceAsync(text).then(() => fired);
    assert.equal(await parsing, true);
  });

  test('fails exactly as parseTrace does, on every kind of bad file', async () => {
    const good = JSON.parse(serializeTrace(fullTrace())) as Record<string, any>;
    const variant = (f: (t: Record<string, any>) => void) => {
      const t = structuredClone(good);
      f(t);
      return JSON.stringify(t, null, 2);
    };
    const cases: Record<string, string> = {
      'invalid JSON': '{\n  "format": "metacot.trace",\n  "version": 1,\n  oops\n}',
      'an unterminated string': '{ "format": "metacot.trace', 
      'too deep': `{"format":"metacot.trace","version":1,"x":${'['.repeat(600)}${']'.repeat(600)}}`,
      'not an object': '[1, 2]',
      'another format': variant((t) => (t.format = 'other')),
      'a newer version': variant((t) => (t.version = 99)),
      'a schema error': variant((t) => (t.nodes[1].kind = 'dream')),
      'a broken tree': variant((t) => (t.nodes[2].parentId = 'missing')),
      'a duplicate id': variant((t) => (t.nodes[2].id = t.nodes[1].id)),
      'a BOM before a good trace': `\ufeff${serializeTrace(fullTrace())}`,
      'a v0 trace (migrated)': readFileSync(join(fixtures, 'migration/v0.metacot.json'), 'utf8'),
      'hostile text': readFileSync(join(fixtures, 'traces/xss-payloads.metacot.json'), 'utf8'),
    };
    for (const [what, text] of Object.entries(cases)) {
      const expected = syncOutcome(text);
      assert.equal(await asyncOutcome(text), expected, what);
      if (what.startsWith('a BOM') || what.startsWith('a v0') || what === 'hostile text') assert.equal(expected, 'ok', what);
      else assert.notEqual(expected, 'ok', `${what} is refused`);
    }
  });
});

describe('scanNesting', () => {
  test('in slices of any size finds what findDeepNesting finds (strings, escapes and brackets across the cuts)', () => {
    const texts = [
      '{"a": "x[{\\"]}", "b": [[[1]]], "c": "\\\\", "d": {"e": [{"f": "]]]"}]}}',
      `{"x": ${'['.repeat(9)}"s\\"[["${']'.repeat(9)}}`,
      '{"open": "never closed',
      '[[["a"], ["b\\\\"]], {"k": "[[[["}]',
    ];
    for (const text of texts) {
      for (const limit of [2, 3, 4, 10]) {
        const whole = findDeepNesting(text, limit);
        for (const slice of [1, 2, 3, 5, 7, 64]) {
          const scan = { pos: 0, depth: 0 };
          let at = -1;
          while (at < 0 && scan.pos < text.length) at = scanNesting(text, scan, scan.pos + slice, limit);
          assert.equal(at, whole, `${text} limit ${limit} slice ${slice}`);
        }
      }
    }
    assert.equal(findDeepNesting(texts[0]!, 3), texts[0]!.indexOf('[[[1') + 2, 'b’s third bracket is at depth 4, the first past 3');
  });
});
