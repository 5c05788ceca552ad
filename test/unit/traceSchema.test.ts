import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTrace, serializeTrace, TraceParseError } from '../../src/core/trace/io';
import { NodeSchema } from '../../src/core/trace/schema';
import { fullTrace } from './helpers/sampleTrace';

function reject(mutate: (t: any) => void): TraceParseError {
  const t: any = structuredClone(fullTrace());
  mutate(t);
  try {
    parseTrace(JSON.stringify(t));
  } catch (err) {
    assert.ok(err instanceof TraceParseError, `expected TraceParseError, got ${err}`);
    return err;
  }
  assert.fail('a malformed trace was accepted');
}

describe('trace schema v1', () => {
  test('accepts a trace that uses every field', () => {
    const trace = fullTrace();
    const parsed = parseTrace(serializeTrace(trace));
    assert.equal(parsed.nodes.length, 7);
    // Every node field of the schema appears somewhere in the sample, so nothing is silently stripped.
    const seen = new Set(parsed.nodes.flatMap((n) => Object.keys(n)));
    for (const key of Object.keys(NodeSchema.shape)) assert.ok(seen.has(key), `node field ${key} not exercised`);
    assert.deepEqual(parsed.problem.meta, { numbers: [3, 5, 7, 2], target: 24 });
    assert.equal(parsed.runs[0]!.config.endpoint.sampling.seed, 7);
    assert.equal(parsed.nodes[2]!.originalText, '7 - 2 = 5 (left: 3, 5, 5)');
    assert.equal(parsed.result?.bestNodeId, 'n3');
  });

  const cases: [string, (t: any) => void, string, RegExp][] = [
    ['unknown parent', (t) => (t.nodes[3].parentId = 'n99'), 'nodes[3].parentId', /unknown node "n99"/],
    ['wrong format tag', (t) => (t.format = 'other'), 'format', /expected "metacot.trace"/],
    ['value above 1', (t) => (t.nodes[1].value = 1.5), 'nodes[1].value', /1/],
    ['bad status', (t) => (t.nodes[2].status = 'done'), 'nodes[2].status', /expected one of|Invalid option/i],
    ['negative visits', (t) => (t.nodes[1].visits = -1), 'nodes[1].visits', />=\s*0|too small/i],
    ['duplicate id', (t) => (t.nodes[4].id = 'n1'), 'nodes[4].id', /duplicate node id "n1"/],
    ['second root', (t) => (t.nodes[5].parentId = null), 'nodes[5].parentId', /only the first node may be a root/],
    ['parent after child', (t) => { const [x] = t.nodes.splice(1, 1); t.nodes.push(x); }, 'nodes[2].parentId', /comes after its child/],
    ['event on unknown node', (t) => (t.events[0].node = 'zz'), 'events[0].node', /unknown node "zz"/],
    ['missing problem text', (t) => delete t.problem.text, 'problem.text', /expected string|Invalid input/i],
    ['secret field in endpoint', (t) => (t.runs[0].config.endpoint.apiKey = 'sk-123'), 'runs[0].config.endpoint', /apiKey/],
    ['best node unknown', (t) => (t.result.bestNodeId = 'n42'), 'result.bestNodeId', /unknown node "n42"/],
    ['usage does not add up', (t) => (t.usage.tokensIn = 999), 'usage.tokensIn', /runs add up to 120/],
    ['unknown run on node', (t) => (t.nodes[1].runId = 'r9'), 'nodes[1].runId', /unknown run "r9"/],
    ['bad value source', (t) => (t.nodes[1].valueSource = { kind: 'vibes' }), 'nodes[1].valueSource.kind', /./],
    ['NaN-like number', (t) => (t.nodes[1].latencyMs = 'fast'), 'nodes[1].latencyMs', /expected number/i],
    ['no nodes', (t) => (t.nodes = []), 'nodes', /./],
    ['nested object in event data', (t) => (t.events[0].data = { deep: { x: 1 } }), 'events[0].data', /values are strings, finite numbers/],
    ['object in a strategy parameter list', (t) => (t.runs[0].config.params.c = [1, { x: 2 }]), 'runs[0].config.params', /values are strings/],
  ];
  for (const [name, mutate, path, message] of cases) {
    test(`rejects ${name} with an error naming ${path}`, () => {
      const err = reject(mutate);
      const issue = err.issues.find((i) => i.path === path);
      assert.ok(issue, `no issue at ${path}; got ${JSON.stringify(err.issues)}`);
      assert.match(issue.message, message);
      assert.ok(err.message.includes(path), 'the message shown to the user names the path');
    });
  }

  test('rejects a newer format version with an update hint', () => {
    const err = reject((t) => (t.version = 2));
    assert.match(err.message, /version 2, newer than this extension reads \(1\)/);
  });

  test('rejects invalid JSON with a line and column', () => {
    const text = serializeTrace(fullTrace()).replace('"kind": "step"', '"kind": step');
    assert.throws(() => parseTrace(text, 'a.metacot.json'), (err: unknown) => {
      assert.ok(err instanceof TraceParseError);
      assert.match(err.message, /^a\.metacot\.json: not a valid Meta-CoT trace:\ninvalid JSON at line \d+, column \d+/);
      return true;
    });
  });

  test('rejects a top-level array', () => {
    assert.throws(() => parseTrace('[]'), /expected a JSON object at the top level/);
  });
});
