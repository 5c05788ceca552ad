import { TraceTree } from '../../../src/core/trace/tree';
import type { Run, Trace } from '../../../src/core/trace/schema';

/** A small trace that uses every field of format v1, so schema tests see all of them. */
export function fullTrace(): Trace {
  const tree = TraceTree.create(
    {
      text: 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.',
      answer: '24',
      id: 'cd-001',
      source: { file: 'problems/countdown.jsonl', line: 3, selection: { start: { line: 2, character: 0 }, end: { line: 2, character: 80 } }, dataset: 'countdown-gen' },
      meta: { numbers: [3, 5, 7, 2], target: 24 },
    },
    { id: 'trace-1', createdAt: '2026-11-26T00:00:00.000Z' },
  );
  const run: Run = {
    id: 'r1',
    config: {
      strategy: 'mcts',
      params: { c: 1.4, b: 3, K: 8, simulations: 16, aggregation: 'last' },
      endpoint: {
        name: 'local',
        baseUrl: 'http://127.0.0.1:8000/v1',
        model: 'sim-countdown',
        mode: 'chat-continue',
        sampling: { temperature: 0.8, topP: 0.95, maxTokens: 64, stop: ['\n\n'], seed: 7, logprobs: true },
        stepPattern: '\\n\\n',
      },
      verifier: { kind: 'countdown', params: { exact: false } },
      budgets: { maxRequests: 100, maxTokens: 10000, maxNodes: 500, maxWallMs: 60000, maxCost: 1.5 },
    },
    startNodeId: 'n0',
    startedAt: '2026-11-26T00:00:01.000Z',
    endedAt: '2026-11-26T00:00:09.000Z',
    status: 'solved',
    reason: 'verifier accepted n3',
    usage: { requests: 3, cachedRequests: 1, tokensIn: 120, tokensOut: 40, cost: 0.0012 },
  };
  tree.trace.runs.push(run);
  tree.trace.usage = { ...run.usage };
  tree.update('n0', { status: 'expanded', runId: 'r1', visits: 4, q: 0.5 });
  tree.iteration = 1;
  const a = tree.addChild('n0', {
    kind: 'step', text: '5 * 3 = 15 (left: 7, 2, 15)', author: 'model', runId: 'r1', status: 'expanded',
    value: 0.75, valueSource: { kind: 'rollouts', k: 6, K: 8 }, visits: 3, q: 0.6667,
    tokensIn: 40, tokensOut: 12, latencyMs: 51.5, finishReason: 'stop', logprobs: { mean: -0.4, min: -2.1, tokens: 12 },
    selection: { reason: 'highest UCT', uct: { q: 0.6667, c: 1.4, parentVisits: 4, visits: 3, explore: 0.9, score: 1.5667 } },
  });
  const b = tree.addChild('n0', {
    kind: 'step', text: '7 - 2 = 5 (left: 3, 5, 5)', author: 'model', runId: 'r1', status: 'pruned',
    value: 0.1, valueSource: { kind: 'prm', model: 'prm-1', aggregation: 'min', stepScores: [0.1] },
    prune: { reason: 'below beam cutoff', by: 'engine', rank: 2, score: 0.1, cutoff: 0.5 },
    selection: { reason: 'beam', beam: { rank: 2, width: 1, score: 0.1, cutoff: 0.5 } },
  });
  tree.iteration = 2;
  const c = tree.addChild(a.id, {
    kind: 'answer', text: 'Answer: (5 * 3) + 7 + 2 = 24', author: 'model', runId: 'r1', status: 'terminal',
    value: 1, valueSource: { kind: 'verifier', verifier: 'countdown' }, answer: '24', verified: true, label: 'correct',
    reasoning: 'I combine the rest.', selection: { reason: 'best-first', priority: 0.9 },
  });
  tree.addChild(a.id, {
    kind: 'rollout', text: '7 * 2 = 14', author: 'model', runId: 'r1', status: 'failed', error: 'HTTP 503 from http://127.0.0.1:8000/v1 after 3 retries',
    valueSource: { kind: 'judge', samples: 3, model: 'judge-1' }, value: 0.2,
  });
  tree.addChild(b.id, { kind: 'verification', text: 'Check: 3 + 5 + 5 = 13', author: 'human', runId: 'r1', status: 'cancelled', valueSource: { kind: 'oracle' }, value: 0, meta: { note: 'hand check' } });
  tree.addChild(c.id, { kind: 'step', text: 'imported step', author: 'imported', valueSource: { kind: 'imported', source: 'prm800k' }, value: 0.5, supersededBy: 'r1', copies: 3 });
  tree.editText(b.id, '7 - 2 = 5 (left: 3, 5, 5) [edited]');
  tree.logEvent({ type: 'select', node: a.id, run: 'r1', data: { score: 1.5667 } });
  tree.logEvent({ type: 'backup', node: a.id, run: 'r1', data: { v: 1, N: 3, Q: 0.6667 } });
  tree.logEvent({ type: 'evaluate', node: c.id, run: 'r1', data: { value: 1 } });
  tree.update(c.id, { verified: true });
  tree.logEvent({ type: 'label', node: c.id, data: { label: 'correct' } });
  tree.trace.result = { bestNodeId: c.id, finalAnswer: '24', verified: true };
  return tree.toJSON();
}
