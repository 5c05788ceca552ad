/**
 * `in-context` (paper §4.4): one long generation — a reasoning model's `reasoning_content` / `<think>` text, or any
 * chat model asked to think and verify in the style of §6.4 — streamed, with an importer building the tree live as
 * text arrives: the long-CoT importer for prose thinking (backtracks become branches, verifications and regrets are
 * marked), the Stream-of-Search importer for search text such as the embedded reasoners write (`Moving to Node #id`
 * returns to that node: every backtrack is a branch). inContextSos.ts picks one.
 *
 * Started from a step of such a tree (a re-run / fork), it continues the generation with the thinking up to that
 * step — exactly as the model wrote it, edits applied — as the assistant's partial answer (`chat-continue` or
 * `completions` endpoints), and the continuation grows as a new branch under that step (Stream-of-Search: where the
 * continued search goes).
 */
import type { TraceNode } from '../../trace/schema';
import { num, optNum, str } from '../params';
import type { StrategyRun } from '../strategy';
import { CotRouter, forkThinking } from './inContextSos';

export const runInContext: StrategyRun = async (ctx) => {
  const p = ctx.params;
  const start = ctx.tree.node(ctx.startId);
  const fork = start.kind !== 'root';
  const importer = new CotRouter({
    tree: ctx.tree,
    runId: ctx.run.id,
    ...(fork ? { from: start } : {}),
    importer: str(p, 'importer') as 'auto' | 'long-cot' | 'stream-of-search',
    segment: str(p, 'segment') as 'sentence' | 'paragraph',
    threshold: num(p, 'threshold'),
  });
  // A fork sends the thinking up to the start step as the partial answer; the endpoint's mode decides how.
  const steps = fork ? [`${str(p, 'thinkOpen')}${forkThinking(ctx.tree, start)}`] : [];
  const problem = str(p, 'prompt') === 'think-verify' ? `${ctx.problem.text}\n\n${str(p, 'instruction')}` : ctx.problem.text;
  let streamed = false;
  let gen;
  try {
    const maxTokens = optNum(p, 'maxTokens');
    const temperature = optNum(p, 'temperature');
    [gen] = await ctx.sample({
      purpose: 'full',
      n: 1,
      steps,
      problem,
      ...(maxTokens !== undefined ? { maxTokens } : {}),
      ...(temperature !== undefined ? { temperature } : {}),
      onDelta: (d) => {
        streamed = true;
        if (d.reasoning) importer.push(d.reasoning, 'reasoning');
        if (d.text) importer.push(d.text, 'content');
      },
    });
  } catch (err) {
    // Stopped (budget, cancel) or failed mid-way: keep the steps that arrived; a failure still fails the run.
    if (!ctx.stopped) {
      importer.finish();
      throw err;
    }
  }
  // A generator that cannot stream (or a replay-cache hit) gives the whole text at the end.
  if (!streamed && gen) {
    if (gen.reasoning) importer.push(gen.reasoning, 'reasoning');
    importer.push(gen.text, 'content');
  }
  const result = importer.finish();
  if (result.goalId !== undefined) {
    // `Goal Reached` is the model's word: the run's checker reads the path's steps (wrong arithmetic is not a goal).
    const path = ctx.tree.stepsTo(result.goalId);
    const check = ctx.verifier.checker.check(ctx.problem, path, { final: true });
    if (check.verified !== undefined) ctx.tree.update(result.goalId, { verified: check.verified });
  }
  if (gen && result.answerNodeId !== undefined) {
    const node = ctx.tree.node(result.answerNodeId);
    // The run's checker has the last word on the final answer (Countdown expressions, reference answers).
    const check = ctx.verifier.checker.check(ctx.problem, [node.text], { final: true });
    const patch: Partial<TraceNode> = { finishReason: gen.finishReason, tokensIn: gen.tokensIn, tokensOut: gen.tokensOut, latencyMs: gen.latencyMs };
    if (check.answer !== undefined) patch.answer = check.answer;
    if (check.verified !== undefined) patch.verified = check.verified;
    ctx.tree.update(node.id, patch);
    ctx.log('status', node.id, { status: node.status, ...(check.verified !== undefined ? { verified: check.verified } : {}) });
  }
  if (gen && result.answerNodeId === undefined && result.lastId !== undefined && importer.kind === 'stream-of-search') {
    // A search that found no goal: its cost is recorded where it ended.
    ctx.tree.update(result.lastId, { finishReason: gen.finishReason, tokensIn: gen.tokensIn, tokensOut: gen.tokensOut, latencyMs: gen.latencyMs });
  }
  const last = result.answerNodeId ?? result.lastId;
  return last !== undefined ? { bestNodeId: last } : {};
};
