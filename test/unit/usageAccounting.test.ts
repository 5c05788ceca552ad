/**
 * Usage accounting from what was sent: UsageMeter sums prompt tokens over a call's requests and corrects the
 * engine's reservation, cached prompt tokens stay unknown until reported, budgets reserve requestsFor(n); the
 * adaptation log, the pool's sums, and the client-side stop / think-tag helpers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptationLog, adaptationsSince, sumAdaptations } from '../../src/core/llm/adaptations';
import type { Generation, Generator } from '../../src/core/llm/generator';
import { createGeneratorPool } from '../../src/core/llm/generatorPool';
import type { PoolMember } from '../../src/core/llm/generatorPool';
import { markRequestsSent, requestsSentBy } from '../../src/core/llm/requestsSent';
import { enforceStop, splitThinkingAt } from '../../src/core/llm/segment';
import { budgetBlock } from '../../src/core/search/budget';
import { UsageMeter } from '../../src/core/search/usageMeter';
import { emptyUsage } from '../../src/core/trace/schema';
import type { Adaptation, Run } from '../../src/core/trace/schema';
import { ThinkSplitter } from '../../src/core/trace/import/thinkSplitter';
import { TraceTree } from '../../src/core/trace/tree';

const gen = (over: Partial<Generation>): Generation => ({ text: 't', finishReason: 'stop', tokensIn: 0, tokensOut: 0, latencyMs: 1, cached: false, ...over });

function meter() {
  const tree = TraceTree.create({ text: 'p' });
  const run = { usage: emptyUsage() } as Run;
  return { m: new UsageMeter(run, tree, (i, o) => i + 2 * o), run, tree };
}

test('account: prompt tokens add up over the requests sent (n separate requests = n prompts); the reservation is corrected', () => {
  const { m, run, tree } = meter();
  m.add(1, 0, 0, 0, 0); // the engine's reservation before it knew the server ignores n
  m.account([gen({ tokensIn: 10, tokensOut: 3, requests: 1 }), gen({ tokensIn: 10, tokensOut: 4, requests: 1 }), gen({ tokensIn: 10, tokensOut: 5, requests: 1 })], 1);
  assert.deepEqual(run.usage, { requests: 3, cachedRequests: 0, tokensIn: 30, tokensOut: 12, cost: 54 });
  assert.deepEqual(tree.toJSON().usage, run.usage);
  // n in one request: one prompt on the first choice, siblings 0.
  m.add(3, 0, 0, 0, 0);
  m.account([gen({ tokensIn: 8, tokensOut: 2, requests: 1, cachedTokensIn: 0 }), gen({ tokensOut: 2, requests: 0 })], 3);
  assert.deepEqual(run.usage, { requests: 4, cachedRequests: 0, tokensIn: 38, tokensOut: 16, cost: 70, cachedTokensIn: 0 });
});

test('account: in-process generators (no `requests`) are one request with a shared prompt; replays one cached request', () => {
  const { m, run } = meter();
  m.add(1, 0, 0, 0, 0);
  m.account([gen({ tokensIn: 5, tokensOut: 1 }), gen({ tokensIn: 5, tokensOut: 1 })]);
  assert.deepEqual(run.usage, { requests: 1, cachedRequests: 0, tokensIn: 5, tokensOut: 2, cost: 9 });
  assert.equal(run.usage.cachedTokensIn, undefined, 'no server said: unknown, not 0');
  m.add(2, 0, 0, 0, 0);
  m.account([gen({ cached: true, requests: 0 }), gen({ cached: true, requests: 0 })], 2);
  assert.deepEqual(run.usage, { requests: 2, cachedRequests: 1, tokensIn: 5, tokensOut: 2, cost: 9 });
  // A refused request that the client recovered from counts, with no tokens.
  m.add(1, 0, 0, 0, 0);
  m.account([gen({ tokensIn: 4, requests: 2 })], 1);
  assert.equal(run.usage.requests, 4);
});

test('budgetBlock reserves the requests a call sends: never past maxRequests', () => {
  const s = { usage: { ...emptyUsage(), requests: 4 }, nodes: 0, elapsedMs: 0 };
  assert.equal(budgetBlock({ maxRequests: 6 }, s, 2, 2), undefined);
  assert.match(budgetBlock({ maxRequests: 6 }, s, 2, 3)!, /maxRequests reached: 4 of 6 requests sent, the next call needs 3/);
  assert.equal(budgetBlock({ maxRequests: 5 }, s, 1), undefined);
});

test('requestsSent: a failed call says how many requests it had sent', () => {
  const e = new Error('x');
  assert.equal(requestsSentBy(e), undefined);
  markRequestsSent(e, 2);
  assert.equal(requestsSentBy(e), 2);
  assert.equal(requestsSentBy('text'), undefined);
});

test('adaptation log: said once, counted; sums over a pool; a run gets its own share', () => {
  const said: Adaptation[] = [];
  const log = new AdaptationLog((a) => said.push(a));
  log.note('client-step-cut', 'cut');
  log.note('client-step-cut', 'other words');
  log.note('no-logprobs', 'none');
  assert.deepEqual(said, [{ kind: 'client-step-cut', message: 'cut', count: 1 }, { kind: 'no-logprobs', message: 'none', count: 1 }]);
  const before = log.list();
  assert.deepEqual(before, [{ kind: 'client-step-cut', message: 'cut', count: 2 }, { kind: 'no-logprobs', message: 'none', count: 1 }]);
  log.note('client-step-cut', 'cut', 3);
  assert.deepEqual(adaptationsSince(before, log.list()), [{ kind: 'client-step-cut', message: 'cut', count: 3 }]);
  assert.deepEqual(sumAdaptations([before, [{ kind: 'no-logprobs', message: 'b', count: 4 }]]), [{ kind: 'client-step-cut', message: 'cut', count: 2 }, { kind: 'no-logprobs', message: 'none', count: 5 }]);
});

test('pool: requestsFor is the most any member would send; adaptations and cached tokens add up', () => {
  const member = (n: number, adapted: Adaptation[], cachedTokensIn?: number): PoolMember => ({
    load: 0,
    generate: async () => [],
    describe: () => ({ name: 'm', baseUrl: 'u', model: 'x', mode: 'chat', sampling: {} }),
    requestsFor: (k: number) => (n > 1 && k > 1 ? k : 1),
    adaptations: () => adapted,
    usage: () => ({ ...emptyUsage(), ...(cachedTokensIn !== undefined ? { cachedTokensIn } : {}) }),
  });
  const pool = createGeneratorPool([member(1, [{ kind: 'separate-requests', message: 'a', count: 1 }]), member(2, [{ kind: 'separate-requests', message: 'b', count: 2 }], 7)]);
  assert.equal(pool.requestsFor(4), 4);
  assert.deepEqual(pool.adaptations(), [{ kind: 'separate-requests', message: 'a', count: 3 }]);
  assert.equal(pool.usage().cachedTokensIn, 7);
  const plain: Generator = createGeneratorPool([member(1, [])]);
  assert.equal(plain.requestsFor?.(4), 1);
});

test('enforceStop: cut where the server ran past the stop, removed where it kept it, untouched otherwise', () => {
  assert.deepEqual(enforceStop('a\n\nb', ['\n\n']), { text: 'a', action: 'cut', keptChars: 1 });
  assert.deepEqual(enforceStop('a\n\n', ['\n\n']), { text: 'a', action: 'removed', keptChars: 1 });
  assert.deepEqual(enforceStop('\n\na', ['\n\n']), { text: '\n\na', keptChars: 3 }, 'leading newlines of a continuation are not a stop');
  assert.deepEqual(enforceStop('x END y', ['END', ' y']), { text: 'x ', action: 'cut', keptChars: 2 });
});

test('think tags: orphan closing tag, several blocks, stray tags; the streamed splitter drops late tags from the content', () => {
  assert.deepEqual(splitThinkingAt('hmm\n</think>\n\nIt is 4.'), { answer: 'It is 4.', thinking: 'hmm', answerStart: 14 });
  assert.deepEqual(splitThinkingAt('<think>a</think>b<think>c</think>d'), { answer: 'b\n\nd', thinking: 'a\n\nc' });
  assert.deepEqual(splitThinkingAt('<think>a</think>b</think>'), { answer: 'b', thinking: 'a' });
  const sp = new ThinkSplitter();
  const parts = ['so 4', '</thi', 'nk>The answer', ' is 4.</th', 'ink> <think>'].map((c) => sp.push(c));
  const fl = sp.flush();
  assert.equal(parts.map((p) => p.thinking).join('') + fl.thinking, 'so 4');
  assert.equal(parts.map((p) => p.content).join('') + fl.content, 'The answer is 4. ');
  const content = new ThinkSplitter('<think>', ['</think>'], false);
  assert.equal(content.push('</think>\n\nIt is 4.').content + content.flush().content, '\n\nIt is 4.');
});
