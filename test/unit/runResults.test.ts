/**
 * Results per run (issue 14): each run keeps its own result, and the trace's result is the best over runs — a
 * verified answer is never replaced by an unverified one, the earliest verified answer stays unless its node was
 * pruned or superseded. show, the SFT / linear exports and the linearized Solution follow it and name the run.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bestOverRuns, isLive, resultOrigin, runResultOf } from '../../src/core/analyse/runResults';
import { renderHeader } from '../../src/cli/commands/show';
import { exportTraces } from '../../src/core/export/exportTraces';
import type { SftRecord } from '../../src/core/export/sftRecord';
import type { LinearRecord } from '../../src/core/export/linearRecord';
import { prepareRun } from '../../src/core/run';
import { runSearch } from '../../src/core/search/engine';
import { startReferenceServer, type ReferenceServer } from '../../src/core/server/referenceServer';
import { importLongCot } from '../../src/core/trace/import/longCot';
import { parseTrace, serializeTrace } from '../../src/core/trace/io';
import { linearize } from '../../src/core/trace/linearize/linearize';
import type { Problem, Trace } from '../../src/core/trace/schema';
import { TraceTree } from '../../src/core/trace/tree';
import { branchPolicy, fixedClock, freshTree, makeGenerator } from './searchFixtures';

const SAMPLE: Problem = { text: 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.' };

let server: ReferenceServer | undefined;
after(() => server?.close());

/** The case: beam solves the sample on sim-countdown, then an MCTS re-run from the root ends unsolved. */
async function beamThenUnsolvedMcts(): Promise<{ first: Trace; tree: TraceTree }> {
  server ??= await startReferenceServer({ seed: 2 });
  const endpoint = { kind: 'openai', config: { name: 'ref', baseUrl: server.url, model: 'sim-countdown', maxRetries: 0 } } as const;
  const beam = await prepareRun({ problem: SAMPLE, strategy: 'beam', params: { seed: 1 }, endpoint });
  const solved = await beam.execute();
  assert.equal(solved.status, 'solved', `precondition: beam solves the sample (${solved.summary})`);
  const first = structuredClone(beam.tree.trace);
  // Through text, as the re-run reads the file.
  const base = parseTrace(serializeTrace(beam.tree.trace));
  const mcts = await prepareRun({ problem: SAMPLE, strategy: 'mcts', params: { seed: 1 }, budgets: { maxNodes: 8 }, endpoint, base: { trace: base, startNodeId: 'n0' } });
  const rerun = await mcts.execute();
  assert.notEqual(rerun.status, 'solved', `precondition: the re-run ends unsolved (${rerun.summary})`);
  assert.ok(rerun.nodesAdded > 0, 'precondition: the re-run chose nodes of its own');
  return { first, tree: mcts.tree };
}

describe('a verified beam result survives an unsolved MCTS re-run from the root', () => {
  test('trace result, each run\'s result, file round trip', async () => {
    const { first, tree } = await beamThenUnsolvedMcts();
    const firstBest = first.result!.bestNodeId!;
    assert.equal(first.result!.verified, true);
    assert.equal(first.result!.finalAnswer, '24');
    assert.equal(first.result!.runId, 'r1');
    const t = parseTrace(serializeTrace(tree.trace));
    assert.deepEqual(t.result, { bestNodeId: firstBest, finalAnswer: '24', verified: true, runId: 'r1' });
    assert.deepEqual(t.runs[0]!.result, { bestNodeId: firstBest, finalAnswer: '24', verified: true });
    const r2 = t.runs[1]!.result!;
    assert.equal(r2.verified, false);
    assert.ok(r2.bestNodeId !== undefined && r2.bestNodeId !== firstBest, `r2 chose ${r2.bestNodeId}`);
    assert.equal(t.nodes.find((n) => n.id === r2.bestNodeId)!.runId, 'r2', 'the re-run\'s own result points at its own node');
    // The first run's best node is in the subtree the root re-run superseded: kept, not live.
    assert.equal(t.nodes.find((n) => n.id === firstBest)!.supersededBy, 'r2');
    assert.equal(isLive(tree, firstBest), false);
  });

  test('SFT export succeeds and names r1; the linearized Solution is the verified path', async () => {
    const { tree } = await beamThenUnsolvedMcts();
    const best = tree.trace.result!.bestNodeId!;
    const verifiedPath = tree.stepsTo(best);
    const sft = exportTraces([tree.trace], { format: 'sft' });
    assert.deepEqual(sft.skipped, []);
    assert.equal(sft.records.length, 1);
    const rec = sft.records[0] as SftRecord;
    assert.equal(rec.meta.verified, true);
    assert.equal(rec.meta.final_answer, '24');
    assert.equal(rec.meta.found_by_run, 'r1');
    const solution = rec.messages[2].content.split('Solution:\n')[1]!;
    assert.equal(solution, verifiedPath.join('\n\n'));

    const lin = linearize(tree, { format: 'appendix-e' });
    assert.equal(lin.winningPath.at(-1), best);
    assert.equal(lin.s, `\n\nSolution:\n${verifiedPath.join('\n\n')}`);
    const linear = exportTraces([tree.trace], { format: 'linear' }).records[0] as LinearRecord;
    assert.equal(linear.found_by_run, 'r1');
    assert.deepEqual(linear.winning_path, lin.winningPath);
  });

  test('show prints which run found the result and each run\'s own result', async () => {
    const { tree } = await beamThenUnsolvedMcts();
    const best = tree.trace.result!.bestNodeId!;
    const header = renderHeader(tree.trace);
    assert.match(header, new RegExp(`result: answer 24 \\(node ${best}\\), verified, found by run r1 \\(beam\\) \\(its subtree was superseded by run r2; --superseded shows it\\)`));
    const r2 = tree.trace.runs[1]!.result!;
    const lines = header.split('\n');
    const r1At = lines.findIndex((l) => l.startsWith('run r1: beam'));
    const r2At = lines.findIndex((l) => l.startsWith('run r2: mcts'));
    assert.equal(lines[r1At + 3], `  found: answer 24 (node ${best}), verified`);
    assert.match(lines[r2At + 3]!, new RegExp(`^  found: .*\\(node ${r2.bestNodeId}\\), not verified$`));
  });
});

/** Root with three independent steps, so runs started from them do not supersede each other. */
function threeBranches(): TraceTree {
  const tree = freshTree();
  for (const text of ['first', 'second', 'third']) tree.addChild(tree.root().id, { kind: 'step', text, author: 'human', status: 'expanded' });
  return tree;
}

const single = (tree: TraceTree, startNodeId: string, answer: string) =>
  runSearch({ tree, config: { strategy: 'single' }, startNodeId, generator: makeGenerator(branchPolicy({ answers: [answer] })), now: fixedClock() });

describe('the best-over-runs rule', () => {
  test('between verified answers the earliest stays; a pruned one gives way to a later verified one', async () => {
    const tree = threeBranches();
    const r1 = await single(tree, 'n1', 'The answer is 42');
    const r2 = await single(tree, 'n2', 'The answer is 42');
    assert.equal(r1.result?.verified, true);
    assert.equal(r2.result?.verified, true);
    assert.notEqual(r1.result!.bestNodeId, r2.result!.bestNodeId);
    assert.deepEqual(tree.trace.result, { ...r1.result, runId: 'r1' }, 'a later verified answer does not move the trace\'s');
    // A person prunes r1's answer: the next verified run's answer takes over.
    tree.prune(r1.result!.bestNodeId!, { reason: 'wrong working', by: 'human' });
    const r3 = await single(tree, 'n3', 'The answer is 42');
    assert.deepEqual(tree.trace.result, { ...r3.result, runId: 'r3' });
  });

  test('an unverified run never replaces a verified result; with nothing verified the latest run\'s result stands', async () => {
    const tree = threeBranches();
    const r1 = await single(tree, 'n1', 'The answer is 41');
    assert.deepEqual(tree.trace.result, { ...r1.result, runId: 'r1' });
    assert.equal(r1.result!.verified, false);
    const r2 = await single(tree, 'n2', 'The answer is 40');
    assert.deepEqual(tree.trace.result, { ...r2.result, runId: 'r2' }, 'latest unverified');
    const r3 = await single(tree, 'n3', 'The answer is 42');
    assert.deepEqual(tree.trace.result, { ...r3.result, runId: 'r3' }, 'verified beats unverified');
    const r4 = await single(tree, 'n1', 'The answer is 7');
    assert.equal(r4.result!.verified, false);
    assert.deepEqual(tree.trace.result, { ...r3.result, runId: 'r3' });
    assert.deepEqual(tree.trace.runs.map((r) => r.result?.finalAnswer), ['41', '40', '42', '7']);
  });

  test('a verified answer off the live tree gives way to a verified one on it, never to an unverified one', () => {
    const tree = threeBranches();
    const a = tree.addChild('n1', { kind: 'answer', text: 'The answer is 42', author: 'model', answer: '42', verified: true, status: 'terminal' });
    const b = tree.addChild('n2', { kind: 'answer', text: 'The answer is 42', author: 'model', answer: '42', verified: true, status: 'terminal' });
    const c = tree.addChild('n3', { kind: 'answer', text: 'The answer is 41', author: 'model', answer: '41', verified: false, status: 'terminal' });
    const incumbent = { bestNodeId: a.id, finalAnswer: '42', verified: true, runId: 'r1' };
    tree.update(a.id, { supersededBy: 'r1' });
    assert.deepEqual(bestOverRuns(tree, incumbent, { bestNodeId: c.id, finalAnswer: '41', verified: false, runId: 'r2' }), incumbent);
    assert.deepEqual(bestOverRuns(tree, incumbent, { verified: false, runId: 'r2' }), incumbent, 'a run that chose nothing changes nothing');
    const live = { bestNodeId: b.id, finalAnswer: '42', verified: true, runId: 'r2' };
    assert.deepEqual(bestOverRuns(tree, incumbent, live), live);
    assert.deepEqual(bestOverRuns(tree, null, { verified: false, runId: 'r2' }), { verified: false }, 'no node, no finder');
  });

  test('an imported verified long CoT, forked and re-run unsolved, keeps its result', async () => {
    const text = '<think>\nWe multiply 6 by 7.\n\n6 * 7 = 42.\n\nSo the answer is 42.\n</think>\n\nThe answer is \\boxed{42}.';
    const imported = importLongCot({ text: 'What is 6 * 7?', answer: '42' }, text, { id: 't', createdAt: '2026-01-01T00:00:00.000Z' });
    assert.equal(imported.verified, true);
    const tree = TraceTree.from(parseTrace(serializeTrace(imported.tree.trace)));
    const before = structuredClone(tree.trace.result);
    assert.equal(before?.bestNodeId, imported.answerNodeId);
    assert.equal(resultOrigin(tree.trace)?.text, 'the import');
    // Fork from the second step: the imported answer below it is superseded, the fork answers wrong.
    const fork = imported.stepIds[1]!;
    const run = await single(tree, fork, 'The answer is 41');
    assert.equal(run.result?.verified, false);
    assert.equal(tree.node(imported.answerNodeId!).supersededBy, run.id);
    assert.deepEqual(tree.trace.result, before, 'the imported verified answer stands (no run found it)');
    const sft = exportTraces([tree.trace], { format: 'sft' });
    assert.equal(sft.records.length, 1);
    assert.equal((sft.records[0] as SftRecord).meta.found_by_run, undefined);
    assert.match(renderHeader(tree.trace), /verified, found by the import \(its subtree was superseded by run r1;/);
  });
});

describe('older traces and replacing re-runs', () => {
  test('a trace written before runs kept results: the finder is the best node\'s run, and its result is derived', async () => {
    const tree = threeBranches();
    await single(tree, 'n1', 'The answer is 42');
    await single(tree, 'n2', 'The answer is 41');
    const old = structuredClone(tree.trace);
    for (const r of old.runs) delete r.result;
    delete old.result!.runId;
    assert.equal(resultOrigin(old)?.text, 'run r1 (single)');
    assert.deepEqual(runResultOf(old, old.runs[0]!), { bestNodeId: tree.trace.result!.bestNodeId, finalAnswer: '42', verified: true });
    assert.equal(runResultOf(old, old.runs[1]!), undefined, 'r2\'s result is not in the file');
    // The next run fills what it can and records r1 as the finder.
    const next = TraceTree.from(old);
    await single(next, 'n3', 'The answer is 40');
    assert.equal(next.trace.result!.runId, 'r1');
    assert.equal(next.trace.runs[0]!.result?.verified, true);
    assert.equal(next.trace.runs[1]!.result, undefined);
  });

  test('a replacing re-run that deletes the verified node: earlier results lose the node, the trace falls back to another run', async () => {
    const tree = threeBranches();
    const r1 = await single(tree, 'n1', 'The answer is 42');
    const r2 = await single(tree, 'n2', 'The answer is 42');
    assert.equal(tree.trace.result!.runId, 'r1');
    const r3 = await runSearch({ tree, config: { strategy: 'single' }, startNodeId: 'n1', replaceSubtree: true, generator: makeGenerator(branchPolicy({ answers: ['The answer is 41'] })) });
    assert.equal(tree.get(r1.result!.bestNodeId!), undefined, 'precondition: r1\'s node was deleted');
    assert.deepEqual(tree.trace.runs[0]!.result, { finalAnswer: '42', verified: true });
    assert.deepEqual(tree.trace.result, { ...r2.result, runId: 'r2' });
    assert.equal(r3.result?.verified, false);
    // Still a valid file.
    assert.deepEqual(parseTrace(serializeTrace(tree.trace)).result, tree.trace.result);
  });
});
