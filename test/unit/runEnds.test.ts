/**
 * How runs end when requests fail: a run none of whose requests was answered ends `failed` with the first error's
 * message (not `completed`); a run that got some answers goes on around its failures; a deterministic 4xx is never
 * retried and never told to "try again later".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EndpointClient } from '../../src/core/llm/endpointClient';
import { EndpointConfigSchema } from '../../src/core/llm/endpointConfig';
import { EndpointError, isDeterministicStatus } from '../../src/core/llm/errors';
import type { GenerateRequest, Generation, Generator } from '../../src/core/llm/generator';
import { runSearch } from '../../src/core/search/engine';
import type { EndpointDescription } from '../../src/core/trace/schema';
import { branchPolicy, freshTree, makeGenerator } from './searchFixtures';

const DESCRIPTION: EndpointDescription = { name: 'fake', baseUrl: 'http://127.0.0.1:1/v1', model: 'm', mode: 'chat', sampling: {} };

const unreachable = (k: number) =>
  new EndpointError({ kind: 'unreachable', endpoint: 'fake', message: `cannot reach http://127.0.0.1:1/v1 (connection refused, call ${k})`, advice: 'Is the server running?', attempts: 5 });

/** Answers like the in-process policy, except the requests `fails(k)` picks (k counts from 1), which throw. */
function flaky(fails: (k: number) => boolean, error: (k: number) => Error = unreachable): Generator & { calls: number } {
  const inner = makeGenerator(branchPolicy());
  const g = {
    calls: 0,
    async generate(req: GenerateRequest): Promise<Generation[]> {
      const k = ++g.calls;
      if (fails(k)) throw error(k);
      return inner.generate(req);
    },
    describe: () => DESCRIPTION,
  };
  return g;
}

test('a run whose every request failed ends failed with the first error as its reason (beam, best-of-n, mcts)', async () => {
  for (const strategy of ['beam', 'best-of-n', 'mcts'] as const) {
    const tree = freshTree();
    const gen = flaky(() => true);
    const run = await runSearch({ tree, config: { strategy, params: { concurrency: 1, maxErrors: 1000 }, verifier: { kind: 'answer', params: {} } }, generator: gen });
    assert.equal(run.status, 'failed', `${strategy}: ${run.reason}`);
    assert.ok(gen.calls >= 1);
    assert.match(run.reason ?? '', /cannot reach http:\/\/127\.0\.0\.1:1\/v1 \(connection refused, call 1\)/, strategy);
    // The stored result says nothing was found; no node of the run holds an answer.
    assert.equal(tree.trace.result?.verified ?? false, false);
  }
});

test('beam whose requests all fail below maxErrors: failed (not completed), reason names the count and the first error', async () => {
  const tree = freshTree();
  const gen = flaky(() => true);
  // maxErrors far above what beam sends: it is the engine's end decision, not the error cap, that fails the run.
  const run = await runSearch({ tree, config: { strategy: 'beam', params: { N: 4, width: 2, maxErrors: 1000 }, verifier: { kind: 'answer', params: {} } }, generator: gen });
  assert.equal(run.status, 'failed');
  assert.equal(gen.calls, 1);
  assert.equal(run.reason, 'every request failed (1 failed request, none answered); first: unreachable: endpoint "fake": cannot reach http://127.0.0.1:1/v1 (connection refused, call 1) (gave up after 5 attempts). Is the server running?');
  const failed = tree.trace.nodes.filter((n) => n.status === 'failed');
  // mergeDuplicates (default): one placeholder stands for a step request until it answers.
  assert.equal(failed.length, 1);
});

test('a run that got answers goes on around failed requests and is not failed', async () => {
  const tree = freshTree();
  const gen = flaky((k) => k % 2 === 0);
  const run = await runSearch({ tree, config: { strategy: 'best-of-n', params: { n: 6, perRequest: 1, concurrency: 1, maxErrors: 100 }, verifier: { kind: 'answer', params: {} } }, generator: gen });
  assert.equal(gen.calls, 6);
  assert.notEqual(run.status, 'failed', run.reason);
  assert.equal(tree.trace.nodes.filter((n) => n.status === 'failed').length, 3);
});

test('every request failed and then a budget stopped the run: failed wins; a user cancel stays cancelled', async () => {
  const tree = freshTree();
  const run = await runSearch({ tree, config: { strategy: 'best-of-n', params: { n: 8, perRequest: 1, concurrency: 1, maxErrors: 100 }, budgets: { maxRequests: 2 } }, generator: flaky(() => true) });
  assert.equal(run.status, 'failed');
  assert.match(run.reason ?? '', /^every request failed \(2 failed requests, none answered\); first: unreachable: .*call 1\)/);

  const ctl = new AbortController();
  const tree2 = freshTree();
  const gen = flaky(() => true, (k) => {
    if (k === 2) ctl.abort();
    return unreachable(k);
  });
  const run2 = await runSearch({ tree: tree2, config: { strategy: 'best-of-n', params: { n: 8, perRequest: 1, concurrency: 1, maxErrors: 100 } }, generator: gen, signal: ctl.signal });
  assert.equal(run2.status, 'cancelled', run2.reason);
});

test('in-context: an endpoint error the strategy lets through fails the run with that error, not "strategy crashed"', async () => {
  const tree = freshTree();
  const run = await runSearch({ tree, config: { strategy: 'in-context' }, generator: flaky(() => true) });
  assert.equal(run.status, 'failed');
  assert.match(run.reason ?? '', /^unreachable: endpoint "fake": cannot reach/);
  assert.doesNotMatch(run.reason ?? '', /crashed/);
});

test('deterministic statuses: every 4xx but 408 / 429, and 501 / 505', () => {
  assert.deepEqual([400, 404, 405, 409, 410, 422, 408, 429, 500, 501, 503, 505, undefined].map(isDeterministicStatus), [true, true, true, true, true, true, false, false, false, true, false, true, false]);
  const e = new EndpointError({ kind: 'server', endpoint: 'x', message: 'server error 409 (conflict)', status: 409, advice: 'The server is failing or overloaded: try again later.' });
  assert.equal(e.kind, 'bad-request');
  assert.equal(e.retryable, false);
  assert.doesNotMatch(e.message, /try again later/i);
  assert.match(e.message, /will again if it is repeated/);
  // A transient one keeps its kind and advice.
  const t = new EndpointError({ kind: 'server', endpoint: 'x', message: 'server error 503', status: 503, advice: 'try again later' });
  assert.equal(t.kind, 'server');
  assert.equal(t.retryable, true);
});

test('a 409 from the server is sent once (no retries) and its error gives no "try again later" advice', async () => {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    req.resume();
    res.writeHead(409, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'conflict: this request cannot be served', type: 'invalid_request_error' } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    const client = new EndpointClient(EndpointConfigSchema.parse({ name: 'c', baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm', maxRetries: 4, retryBaseMs: 1 }));
    const err = await client.call({ api: 'chat', body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] } }).then(
      () => assert.fail('expected an error'),
      (e: unknown) => e as EndpointError,
    );
    assert.equal(hits, 1);
    assert.equal(err.kind, 'bad-request');
    assert.equal(err.attempts, 1);
    assert.doesNotMatch(err.message, /try again later/i);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
