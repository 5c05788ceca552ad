/**
 * Duplicate siblings (mergeDuplicates, issue 16): identical step samples of one request become one node with
 * `copies`, valued once, never shown as separate nodes (tree, journal, file); exports keep the count; off = one
 * node per sample as before.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDpoRecords } from '../../src/core/export/dpoRecord';
import { exportTraces } from '../../src/core/export/exportTraces';
import { buildLinearRecord } from '../../src/core/export/linearRecord';
import { buildMathShepherdRecords } from '../../src/core/export/mathShepherdRecord';
import { buildPrm800kRecords, Prm800kRecordSchema } from '../../src/core/export/prm800kRecord';
import { SftRecordSchema } from '../../src/core/export/sftRecord';
import type { GenerateRequest } from '../../src/core/llm/generator';
import { runSearch } from '../../src/core/search/engine';
import { InProcessGenerator } from '../../src/core/search/inProcessGenerator';
import { groupSamples, sameStepKey } from '../../src/core/search/nodeFilling';
import { openTraceFile, parseTrace, serializeTrace, writeTraceFile } from '../../src/core/trace/io';
import { journalPathFor, TraceJournal } from '../../src/core/trace/journal';
import type { Params, TraceNode } from '../../src/core/trace/schema';
import { TraceTree } from '../../src/core/trace/tree';
import { freshTree } from './searchFixtures';

const dir = mkdtempSync(join(tmpdir(), 'metacot-merge-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * First steps: "good step" three times (with stray white space) and "other step" once; below them, the answer
 * (42 under the good step, 41 under the other). Judge scores: 0.8 for the good step, 0.2 for the other.
 */
function dupPolicy(req: GenerateRequest, i: number): string {
  const last = req.steps[req.steps.length - 1] ?? '';
  if (req.purpose === 'judge') return `Score: ${last.includes('good') ? 0.8 : last.includes('other') ? 0.2 : 0.5}`;
  if (req.steps.length === 0) return ['good step', '  good   step\n', 'other step', 'good step '][i % 4]!;
  return last.includes('good') ? 'The answer is 42' : 'The answer is 41';
}

const stepsUnder = (tree: TraceTree, id: string) => tree.children(id).filter((n) => n.kind === 'step' || n.kind === 'answer');

async function oneExpansion(params: Params) {
  const tree = freshTree();
  const gen = new InProcessGenerator(dupPolicy);
  const run = await runSearch({
    tree,
    config: { strategy: 'astar', params: { b: 4, maxExpansions: 1, concurrency: 1, ...params }, verifier: { kind: 'judge', params: { k: 1 } } },
    generator: gen,
  });
  return { tree, gen, run };
}

test('sameStepKey folds white space; groupSamples keeps first-occurrence order and sums tokens', () => {
  assert.equal(sameStepKey('  a \n\t b  '), 'a b');
  assert.notEqual(sameStepKey('a b'), sameStepKey('ab'));
  const g = (text: string, tokensOut: number) => ({ text, tokensIn: 10, tokensOut, latencyMs: 1, finishReason: 'stop', cached: false });
  const groups = groupSamples([g('x', 1), g('y', 2), g(' x\n', 3), g('x', 4)], 100);
  assert.deepEqual(groups.map((x) => [x.g.text, x.copies, x.g.tokensIn, x.g.tokensOut]), [
    ['x', 3, 30, 8],
    ['y', 1, 10, 2],
  ]);
  // Steps are capped before they are compared: two long steps that differ only past the cap are one step.
  const long = groupSamples([g('a'.repeat(50) + 'X', 1), g('a'.repeat(50) + 'Y', 1)], 50);
  assert.equal(long.length, 1);
  assert.equal(long[0]!.copies, 2);
  assert.match(long[0]!.cut!, /maxStepChars \(50\)/);
});

test('identical samples of one request: one node with copies, valued once, budgets count every sample', async () => {
  const { tree, gen, run } = await oneExpansion({});
  const kids = stepsUnder(tree, 'n0');
  assert.deepEqual(kids.map((n) => [n.text, n.copies]), [
    ['good step', 3],
    ['other step', undefined],
  ]);
  // Valued once each: one judge request and one evaluate event per node.
  assert.equal(gen.requests.filter((r) => r.purpose === 'judge').length, 2);
  const events = tree.toJSON().events;
  for (const k of kids) assert.equal(events.filter((e) => e.type === 'evaluate' && e.node === k.id).length, 1);
  assert.equal(kids[0]!.value, 0.8);
  assert.equal(kids[1]!.value, 0.2);
  // The merge is said: a status event on the node with how many samples went into it.
  const merged = events.find((e) => e.type === 'status' && e.node === kids[0]!.id);
  assert.deepEqual(merged?.data, { status: 'open', merged: 2, copies: 3 });
  // The tokens were spent: the nodes' tokens add up to the run's usage, which counts all four samples.
  const stepGen = gen.requests.find((r) => r.purpose === 'step')!;
  assert.equal(stepGen.n, 4);
  const judgeTokensOut = 2 * Math.ceil('Score: 0.8'.length / 4);
  assert.equal(kids.reduce((s, n) => s + n.tokensOut!, 0), run.usage.tokensOut - judgeTokensOut);
  assert.equal(run.usage.requests, 3);
  assert.equal(run.config.params.mergeDuplicates, true, 'recorded in the run params');
  // Never a node for the other two samples, not even a placeholder: n0, the two steps.
  assert.equal(tree.size, 3);
  assert.equal(events.filter((e) => e.type === 'add').length, 2);
});

test('mergeDuplicates off: one node per sample, as before', async () => {
  const { tree, gen, run } = await oneExpansion({ mergeDuplicates: false });
  const kids = stepsUnder(tree, 'n0');
  assert.deepEqual(kids.map((n) => n.text), ['good step', '  good   step\n', 'other step', 'good step ']);
  assert.ok(kids.every((n) => n.copies === undefined));
  assert.equal(gen.requests.filter((r) => r.purpose === 'judge').length, 4);
  assert.equal(run.config.params.mergeDuplicates, false);
  assert.ok(!tree.toJSON().events.some((e) => e.data?.merged !== undefined));
});

test('a merged candidate is ranked once in beam, and solution requests are never merged', async () => {
  const tree = freshTree();
  await runSearch({ tree, config: { strategy: 'beam', params: { N: 4, width: 4, maxDepth: 2, concurrency: 1 }, verifier: { kind: 'judge', params: { k: 1 } } }, generator: new InProcessGenerator(dupPolicy) });
  const ranks = tree.toJSON().nodes.filter((n) => n.parentId === 'n0').map((n) => n.selection?.beam?.rank);
  assert.deepEqual(ranks, [1, 2], 'two candidates, not four');
  const bon = freshTree();
  await runSearch({ tree: bon, config: { strategy: 'best-of-n', params: { n: 4 } }, generator: new InProcessGenerator(() => 'The answer is 42') });
  assert.equal(stepsUnder(bon, 'n0').length, 4, 'best-of-n votes over every sample');
});

/** A finished search with a merged node and a plain sibling, for the file and export checks. */
async function mergedTrace(): Promise<TraceTree> {
  const tree = freshTree();
  await runSearch({ tree, config: { strategy: 'astar', params: { b: 4, maxExpansions: 3, concurrency: 1, stopOnSolve: false, reexpandPenalty: 0 }, verifier: { kind: 'judge', params: { k: 1 } } }, generator: new InProcessGenerator(dupPolicy) });
  return tree;
}

test('copies survive the trace file and every export layout keeps the count', async () => {
  const tree = await mergedTrace();
  const good = stepsUnder(tree, 'n0').find((n) => n.text === 'good step')!;
  const other = stepsUnder(tree, 'n0').find((n) => n.text === 'other step')!;
  const below = (n: TraceNode) => stepsUnder(tree, n.id)[0]!;
  assert.equal(good.copies, 3);
  // Below the good step four identical answers: one node, copies 4.
  assert.equal(below(good).copies, 4);
  assert.equal(below(other).copies, 4);

  const back = parseTrace(serializeTrace(tree.trace));
  assert.equal(back.nodes.find((n) => n.id === good.id)?.copies, 3);

  const prm = buildPrm800kRecords(tree);
  for (const r of prm) Prm800kRecordSchema.parse(r);
  const firstStep = prm[0]!.label.steps[0]!;
  assert.deepEqual(firstStep.completions!.map((c) => [c.text, c.copies]), [
    ['good step', 3],
    ['other step', undefined],
  ]);

  const ms = buildMathShepherdRecords(tree).records;
  assert.deepEqual(ms.map((r) => r.step_copies), [
    [3, 4],
    [1, 4],
  ]);

  const dpo = buildDpoRecords(tree);
  assert.equal(dpo.length, 1);
  assert.equal(dpo[0]!.meta.chosen_copies, 3);
  assert.equal(dpo[0]!.meta.rejected_copies, undefined);

  const sft = exportTraces([tree], { format: 'sft' }).records;
  assert.equal(sft.length, 1);
  assert.equal(SftRecordSchema.parse(sft[0]).meta.merged_samples, 2 + 3 + 3);

  const lin = buildLinearRecord(tree, { linearize: { format: 'appendix-e' }, verified: true });
  assert.deepEqual(lin.copies, { [good.id]: 3, [below(good).id]: 4, [below(other).id]: 4 });
});

test('exports of a trace without merged nodes carry no count fields', async () => {
  const tree = freshTree();
  await runSearch({ tree, config: { strategy: 'astar', params: { b: 4, maxExpansions: 3, concurrency: 1, stopOnSolve: false, mergeDuplicates: false }, verifier: { kind: 'judge', params: { k: 1 } } }, generator: new InProcessGenerator(dupPolicy) });
  assert.ok(buildPrm800kRecords(tree).every((r) => r.label.steps.every((s) => s.completions!.every((c) => c.copies === undefined))));
  assert.ok(buildMathShepherdRecords(tree).records.every((r) => r.step_copies === undefined));
  const sft = SftRecordSchema.parse(exportTraces([tree], { format: 'sft' }).records[0]);
  assert.equal(sft.meta.merged_samples, undefined);
  assert.equal(buildLinearRecord(tree, { linearize: { format: 'appendix-e' }, verified: true }).copies, undefined);
});

test('the journal of a run with merged nodes folds back to exactly the tree: no node it never kept', async () => {
  const path = join(dir, 'merged.metacot.json');
  const tree = freshTree();
  await writeTraceFile(path, tree.trace);
  const journal = TraceJournal.open(path, tree, 'r1', { syncMs: 10 });
  // Latency: the placeholders are journaled in one turn and filled in a later one, as with a real endpoint.
  await runSearch({
    tree,
    runId: 'r1',
    config: { strategy: 'astar', params: { b: 4, maxExpansions: 3, concurrency: 2, parallel: 2, stopOnSolve: false }, verifier: { kind: 'judge', params: { k: 1 } } },
    generator: new InProcessGenerator(dupPolicy, { latencyMs: 2 }),
  });
  await new Promise((r) => setImmediate(r));
  await journal.close({ remove: false });
  const lines = readFileSync(journalPathFor(path), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t: string; node?: TraceNode });
  const journaled = new Set(lines.filter((l) => l.t === 'node').map((l) => l.node!.id));
  assert.deepEqual([...journaled].sort(), tree.trace.nodes.map((n) => n.id).sort(), 'every journaled node is a node of the tree');
  const { trace } = await openTraceFile(path, { writerAlive: () => false });
  const view = (ns: readonly TraceNode[]) => ns.map((n) => [n.id, n.parentId, n.text, n.status, n.copies ?? 1]);
  assert.deepEqual(view(trace.nodes), view(tree.trace.nodes));
  assert.equal(trace.events.length, tree.trace.events.length);
  assert.ok(trace.nodes.some((n) => (n.copies ?? 1) > 1));
});

test('a trace built by hand with copies passes the file checks; the tree keeps the field', () => {
  const tree = TraceTree.create({ text: 'p' });
  tree.addChild('n0', { kind: 'step', text: 's', author: 'model', copies: 2 });
  assert.equal(parseTrace(serializeTrace(tree.trace)).nodes[1]!.copies, 2);
});
