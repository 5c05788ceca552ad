/**
 * The `in-context` strategy against the reference server's long-CoT responder, through the real endpoint client:
 * the tree grows while the answer streams, equals the importer's tree of the final text, and a fork sends exactly
 * the thinking up to its step as the partial answer (checked on the server's request log).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEndpointGenerator } from '../../src/core/llm/endpointGenerator';
import type { EndpointConfigInput } from '../../src/core/llm/endpointConfig';
import type { GenerateRequest, Generator } from '../../src/core/llm/generator';
import { runSearch } from '../../src/core/search/engine';
import { longCotPolicy } from '../../src/core/server/policies/longCotResponder';
import { startReferenceServer, type ReferenceServer } from '../../src/core/server/referenceServer';
import { importLongCot, thinkingPrefix } from '../../src/core/trace/import/longCot';
import { checkInvariants } from '../../src/core/trace/io';
import type { Problem, TraceNode } from '../../src/core/trace/schema';
import { TraceTree } from '../../src/core/trace/tree';
import { THINK_VERIFY_PROMPT } from '../../src/core/search/catalog/info';

const problem: Problem = { text: 'Compute 3 + 4 * 5 - 6 / 2.', answer: '20' };

async function withServer(style: 'think-tags' | 'reasoning-field', fn: (s: ReferenceServer) => Promise<void>): Promise<void> {
  const s = await startReferenceServer({ policy: longCotPolicy({ style, backtrackRate: 0.6 }), perTokenMs: 1, seed: 5 });
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

/** The endpoint generator, recording every streamed delta so the test knows the final text. */
function recording(s: ReferenceServer, over: Partial<EndpointConfigInput> = {}) {
  const inner = createEndpointGenerator({ name: 'ref', baseUrl: s.url, model: 'sim-long-cot', maxRetries: 0, timeoutMs: 10_000, ...over });
  const deltas: { reasoning?: string; text?: string }[] = [];
  const gen: Generator = {
    describe: () => inner.describe(),
    generate: (req: GenerateRequest) =>
      inner.generate(req.onDelta ? { ...req, onDelta: (d) => (deltas.push(d), req.onDelta!(d)) } : req),
  };
  return { gen, deltas };
}

/** What the live tree and the importer must agree on. */
function shape(nodes: readonly TraceNode[]) {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  return nodes.map((n) => [index.get(n.parentId ?? '') ?? null, n.kind, n.text, n.status, n.meta ?? null]);
}

test('in-context: the tree grows while the answer streams and equals the importer’s tree of the final text', async () => {
  await withServer('think-tags', async (server) => {
    const { gen, deltas } = recording(server);
    const tree = TraceTree.create(problem, { id: 'ic', createdAt: '2026-01-01T00:00:00.000Z' });
    let addedWhileOpen = 0;
    tree.onChange((c) => {
      if (c.type === 'add' && server.log.generations().some((e) => e.tOut === undefined)) addedWhileOpen++;
    });
    const run = await runSearch({ tree, config: { strategy: 'in-context', params: { seed: 1 } }, generator: gen });
    assert.equal(run.status, 'solved', run.reason);
    assert.ok(deltas.length > 20, `streamed in ${deltas.length} pieces`);
    assert.ok(addedWhileOpen >= 3, `${addedWhileOpen} nodes appeared while the response was still streaming`);
    const finalText = deltas.map((d) => d.text ?? '').join('');
    assert.match(finalText, /^<think>\n[\s\S]*\n<\/think>\n\nThe answer is \\boxed\{20\}\.$/);
    const reference = importLongCot(problem, finalText, { author: 'model', runId: run.id });
    assert.deepEqual(shape(tree.trace.nodes.slice(1)), shape(reference.tree.trace.nodes.slice(1)));
    assert.ok(reference.counts.backtrack + reference.counts.regret >= 1, 'the responder backtracked at least once');
    const answer = tree.node(tree.trace.result!.bestNodeId!);
    assert.equal(answer.kind, 'answer');
    assert.equal(answer.verified, true);
    assert.equal(answer.runId, run.id);
    assert.ok(answer.tokensOut! > 0);
    assert.deepEqual(tree.trace.result, { bestNodeId: answer.id, finalAnswer: '20', verified: true, runId: 'r1' });
    assert.ok(run.usage.requests === 1 && run.usage.tokensOut > 0);
    assert.deepEqual(checkInvariants(tree.toJSON()), []);
  });
});

test('in-context: reasoning_content streams as reasoning; think-verify appends the instruction to the problem', async () => {
  await withServer('reasoning-field', async (server) => {
    const { gen, deltas } = recording(server);
    const tree = TraceTree.create(problem, { id: 'ic2', createdAt: '2026-01-01T00:00:00.000Z' });
    const run = await runSearch({ tree, config: { strategy: 'in-context', params: { prompt: 'think-verify' } }, generator: gen });
    assert.equal(run.status, 'solved', run.reason);
    const reasoning = deltas.map((d) => d.reasoning ?? '').join('');
    const content = deltas.map((d) => d.text ?? '').join('');
    assert.ok(reasoning.length > 50 && content === 'The answer is \\boxed{20}.');
    const reference = importLongCot(problem, { reasoning, content }, { author: 'model', runId: run.id });
    assert.deepEqual(shape(tree.trace.nodes.slice(1)), shape(reference.tree.trace.nodes.slice(1)));
    const body = server.log.generations()[0]!.body as { messages: { role: string; content: string }[] };
    assert.ok(body.messages[1]!.content.startsWith(`${problem.text}\n\n${THINK_VERIFY_PROMPT}`));
  });
});

for (const mode of ['chat-continue', 'completions'] as const) {
  test(`in-context fork (${mode}): the request carries exactly the thinking up to the step; the continuation is a new branch`, async () => {
    await withServer('think-tags', async (server) => {
      const first = recording(server);
      const tree = TraceTree.create(problem, { id: `fork-${mode}`, createdAt: '2026-01-01T00:00:00.000Z' });
      await runSearch({ tree, config: { strategy: 'in-context' }, generator: first.gen });
      const original = first.deltas.map((d) => d.text ?? '').join('');
      const steps = tree.trace.nodes.filter((n) => n.kind === 'step');
      // A step in the middle of the thinking that the model went on from.
      const at = steps.find((n, i) => i >= 2 && tree.children(n.id).length > 0)!;
      assert.ok(at, 'a middle step with a continuation');
      const originalChild = tree.children(at.id)[0]!;
      // Unedited: `<think>` + the prefix is the model's own text up to the end of that step, byte for byte.
      assert.equal(`<think>${thinkingPrefix(tree, at.id)}`, original.slice(0, original.indexOf(at.text) + at.text.length));
      tree.editText(at.id, `${at.text} (Checked by hand.)`);
      const expected = `<think>${thinkingPrefix(tree, at.id)}\n\n`;
      assert.ok(expected.includes('(Checked by hand.)'));

      server.log.clear();
      const second = recording(server, { mode });
      const run = await runSearch({ tree, startNodeId: at.id, config: { strategy: 'in-context' }, generator: second.gen });
      assert.equal(run.startNodeId, at.id);
      const [entry] = server.log.generations();
      if (mode === 'chat-continue') {
        const body = entry!.body as { messages: { role: string; content: string }[]; continue_final_message?: boolean };
        assert.equal(body.continue_final_message, true);
        assert.deepEqual(body.messages.at(-1), { role: 'assistant', content: expected });
      } else {
        const body = entry!.body as { prompt: string };
        assert.ok(body.prompt.endsWith(expected), body.prompt.slice(-200));
        assert.equal(body.prompt, `Problem: ${problem.text}\n\nSolution:\n\n${expected}`);
      }
      // The continuation hangs under the forked step, beside the original (kept, marked superseded); even its
      // backtracks stay inside the fork.
      const kids = tree.children(at.id);
      assert.ok(kids.some((k) => k.id === originalChild.id && k.supersededBy === run.id));
      const fresh = tree.trace.nodes.filter((n) => n.runId === run.id);
      assert.ok(fresh.length > 3);
      assert.equal(fresh[0]!.parentId, at.id);
      assert.equal(fresh[0]!.meta?.prev, at.id);
      const inFork = new Set(tree.subtree(at.id).map((n) => n.id));
      assert.ok(fresh.every((n) => inFork.has(n.id)));
      // The fork keeps its own verified answer; the trace's answer stays the earlier verified one, still on the live
      // tree (the earliest verified answer stands: docs/engine.md, results per run).
      assert.equal(tree.trace.runs.find((r) => r.id === run.id)?.result?.bestNodeId, fresh.at(-1)!.id);
      assert.equal(fresh.at(-1)!.verified, true);
      assert.equal(tree.trace.result?.runId, tree.trace.runs[0]!.id);
      assert.deepEqual(checkInvariants(tree.toJSON()), []);
    });
  });
}
