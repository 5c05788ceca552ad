/**
 * In-context search on Stream-of-Search text (the embedded reasoners' layout): the tree grows line by line as the
 * text streams, equals the importer's tree of the whole text, and has exactly the branch switches the text makes
 * (one per `Moving to Node` that leaves where the search is), on a fixed text from the training data and on a live
 * generation of the shipped `countdown-sos` model. A fork continues from the step's own text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { GenerateRequest, Generation, Generator } from '../../src/core/llm/generator';
import { runSearch } from '../../src/core/search/engine';
import { importSos, isSosNode, SosImporter, sosPrefix } from '../../src/core/trace/import/streamOfSearch';
import { checkInvariants } from '../../src/core/trace/io';
import type { Problem, TraceNode } from '../../src/core/trace/schema';
import { TraceTree } from '../../src/core/trace/tree';
import { hasReasoner } from '../../src/core/embedded/reasonerFiles';
import { EmbeddedReasoner } from '../../src/core/embedded/reasoner';
import { EmbeddedReasonerGenerator } from '../../src/core/embedded/reasonerGenerator';

/** model/data/sos.jsonl, train-294 (MCTS): four moves, one of them back to where the search already is. */
export const SOS_TEXT = [
  'Current State: 42:[20, 25, 24, 21], Operations: []',
  'Exploring Operation: 21*20=420, Resulting Numbers: [25, 24, 420]',
  'Generated Node #0,0: 42:[25, 24, 420] Operation: 21*20=420',
  'Exploring Operation: 21+20=41, Resulting Numbers: [24, 25, 41]',
  'Generated Node #0,1: 42:[24, 25, 41] Operation: 21+20=41',
  'Moving to Node #0,1',
  "Current State: 42:[24, 25, 41], Operations: ['21+20=41']",
  'Exploring Operation: 41+24=65, Resulting Numbers: [25, 65]',
  'Generated Node #0,1,0: 42:[25, 65] Operation: 41+24=65',
  'Exploring Operation: 25-24=1, Resulting Numbers: [41, 1]',
  'Generated Node #0,1,1: 42:[41, 1] Operation: 25-24=1',
  'Moving to Node #0,0',
  "Current State: 42:[25, 24, 420], Operations: ['21*20=420']",
  'Exploring Operation: 25-24=1, Resulting Numbers: [420, 1]',
  'Generated Node #0,0,0: 42:[420, 1] Operation: 25-24=1',
  'Moving to Node #0,1,1',
  "Current State: 42:[41, 1], Operations: ['21+20=41', '25-24=1']",
  'Exploring Operation: 41-1=40, Resulting Numbers: [40]',
  '40,42 unequal: No Solution',
  'Moving to Node #0,1,1',
  "Current State: 42:[41, 1], Operations: ['21+20=41', '25-24=1']",
  'Exploring Operation: 41+1=42, Resulting Numbers: [42]',
  '42,42 equal: Goal Reached',
].join('\n');

const problem: Problem = { text: 'Use the numbers 20, 25, 24, 21 to reach 42. Use + - * / and each number at most once.', meta: { numbers: [20, 25, 24, 21], target: 42 } };

/**
 * Branch switches the text makes, read from the text alone: where the search explores from changes only at a
 * `Moving to Node #id` naming a generated node; a switch is an exploration from another place than the one before.
 */
export function textSwitches(text: string): number {
  const known = new Set(['0']);
  let at = '0';
  let lastFrom: string | undefined;
  let switches = 0;
  for (const line of text.split('\n')) {
    const gen = /^Generated Node #([\d,]+):/.exec(line);
    if (gen) known.add(gen[1]!);
    const move = /^Moving to Node #([\d,]+)$/.exec(line);
    if (move && known.has(move[1]!)) at = move[1]!;
    if (line.startsWith('Exploring Operation: ')) {
      if (lastFrom !== undefined && lastFrom !== at) switches++;
      lastFrom = at;
    }
  }
  return switches;
}

/** Branch switches in a tree: consecutive steps (in text order, `meta.sosPrev`) under different parents. */
export function treeSwitches(nodes: readonly TraceNode[]): number {
  let switches = 0;
  for (let i = 1; i < nodes.length; i++) if (nodes[i]!.parentId !== nodes[i - 1]!.parentId) switches++;
  return switches;
}

/** What the live tree and the importer must agree on (ids differ: positions instead). */
function shape(nodes: readonly TraceNode[]) {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  return nodes.map((n) => [index.get(n.parentId ?? '') ?? null, n.kind, n.text, n.status, n.verified ?? null, n.meta?.sosId ?? null, n.meta?.sosText ?? null]);
}

/** A generator that streams a fixed reasoning text in small pieces, then the answer line. */
function scripted(reasoning: string, answer: string, piece = 7): Generator & { requests: GenerateRequest[] } {
  const requests: GenerateRequest[] = [];
  return {
    requests,
    describe: () => ({ name: 'scripted', baseUrl: 'embedded:test', model: 'scripted-sos', mode: 'chat-continue', sampling: {} }),
    async generate(req): Promise<Generation[]> {
      requests.push(req);
      for (let i = 0; i < reasoning.length; i += piece) req.onDelta?.({ reasoning: reasoning.slice(i, i + piece) });
      req.onDelta?.({ text: answer });
      return [{ text: answer, reasoning, finishReason: 'stop', tokensIn: 10, tokensOut: 100, latencyMs: 1, cached: false }];
    },
  };
}

test('SoS importer: pushing the text in any chunks gives the tree of the whole text', () => {
  const whole = importSos(SOS_TEXT, { problem, id: 't', createdAt: '2026-01-01T00:00:00.000Z' });
  for (const size of [1, 3, 17, 200]) {
    const imp = new SosImporter({ problem, id: 't', createdAt: '2026-01-01T00:00:00.000Z' });
    for (let i = 0; i < SOS_TEXT.length; i += size) imp.push(SOS_TEXT.slice(i, i + size));
    const r = imp.finish();
    assert.deepEqual(r.tree.toJSON(), whole.tree.toJSON(), `chunks of ${size}`);
  }
  assert.equal(whole.issues.length, 0, JSON.stringify(whole.issues));
  // every node keeps its lines: the texts of the chain give the whole text back
  const goal = whole.goalNodeId!;
  assert.equal(sosPrefix(whole.tree, goal), SOS_TEXT);
  assert.equal(whole.tree.trace.result?.finalAnswer, '(21 + 20) + (25 - 24)');
});

test('in-context on a fixed SoS text: the tree has the backtracks the text contains, and the checked answer', async () => {
  const tree = TraceTree.create(problem, { id: 'ic-sos', createdAt: '2026-01-01T00:00:00.000Z' });
  let grewWhileStreaming = 0;
  let streaming = false;
  tree.onChange((c) => {
    if (c.type === 'add' && streaming) grewWhileStreaming++;
  });
  const gen = scripted(SOS_TEXT, 'Answer: (21 + 20) + (25 - 24) = 42');
  const inner = gen.generate.bind(gen);
  gen.generate = async (req) => {
    streaming = true;
    try {
      return await inner(req);
    } finally {
      streaming = false;
    }
  };
  const run = await runSearch({ tree, config: { strategy: 'in-context' }, generator: gen });
  assert.equal(run.status, 'solved', run.reason);
  const steps = tree.trace.nodes.filter((n) => n.runId === run.id && isSosNode(n));
  assert.equal(steps.length, 7, 'one node per explored operation');
  assert.ok(grewWhileStreaming >= 7, `${grewWhileStreaming} nodes were added while the text streamed`);
  // the same tree as the importer's of the whole text
  const reference = importSos(SOS_TEXT, { problem });
  // the goal leaf carries the answer node, so it is expanded rather than terminal
  reference.tree.update(reference.goalNodeId!, { status: 'expanded' });
  assert.deepEqual(shape(steps), shape(reference.tree.trace.nodes.slice(1)));
  // 0 → 0,1 → 0,0 → 0,1,1 (the last move stays at 0,1,1): three switches, two of them backtracks to other branches
  assert.equal(textSwitches(SOS_TEXT), 3);
  assert.equal(treeSwitches(steps), 3);
  assert.equal(tree.children(tree.root().id).length, 2, 'the root has both explored branches');
  const answer = tree.node(tree.trace.result!.bestNodeId!);
  assert.equal(answer.kind, 'answer');
  assert.equal(answer.text, 'Answer: (21 + 20) + (25 - 24) = 42');
  assert.equal(answer.verified, true);
  assert.equal(tree.node(answer.parentId!).meta?.sosId, undefined, 'under the goal leaf (a leaf has no node id)');
  assert.equal(tree.node(answer.parentId!).text, '41 + 1 = 42 (left: 42)');
  assert.deepEqual(checkInvariants(tree.toJSON()), []);
});

test('in-context fork of a SoS step: the request carries exactly the text up to the step; the continuation follows it', async () => {
  const tree = TraceTree.create(problem, { id: 'ic-fork', createdAt: '2026-01-01T00:00:00.000Z' });
  await runSearch({ tree, config: { strategy: 'in-context' }, generator: scripted(SOS_TEXT, 'Answer: (21 + 20) + (25 - 24) = 42') });
  const steps = tree.trace.nodes.filter((n) => isSosNode(n));
  const k = 4; // after `25-24=1` at node 0,1 (Generated Node #0,1,1)
  const at = steps[k - 1]!;
  const upTo = SOS_TEXT.split('\n').slice(0, 11).join('\n') + '\n';
  assert.equal(sosPrefix(tree, at.id), upTo, 'the thinking up to step 4 is the text up to its lines');
  // the model goes on differently: to 0,1,1 and solves it there
  const more = ['Moving to Node #0,1,1', "Current State: 42:[41, 1], Operations: ['21+20=41', '25-24=1']", 'Exploring Operation: 41+1=42, Resulting Numbers: [42]', '42,42 equal: Goal Reached'].join('\n');
  const gen = scripted(more, 'Answer: (21 + 20) + (25 - 24) = 42', 5);
  const run = await runSearch({ tree, startNodeId: at.id, config: { strategy: 'in-context' }, generator: gen });
  assert.equal(run.status, 'solved', run.reason);
  assert.deepEqual(gen.requests[0]!.steps, [`<think>${upTo}`]);
  const fresh = tree.trace.nodes.filter((n) => n.runId === run.id && isSosNode(n));
  assert.equal(fresh.length, 1);
  assert.equal(fresh[0]!.parentId, at.id, '#0,1,1 is the forked step: the move found it');
  assert.equal(sosPrefix(tree, fresh[0]!.id), upTo + more);
  assert.ok(sosPrefix(tree, fresh[0]!.id).startsWith(sosPrefix(tree, at.id)));
  assert.deepEqual(checkInvariants(tree.toJSON()), []);
});

const modelDir = join(__dirname, '../../model');
const live = hasReasoner(modelDir, 'countdown-sos');

test('in-context live on the shipped countdown-sos: the tree has the branch switches of the text the model wrote', { skip: live ? false : 'model/countdown-sos.* not present' }, async () => {
  const reasoner = await EmbeddedReasoner.load('countdown-sos', { dir: modelDir });
  try {
    const p: Problem = { text: 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.' };
    const generator = new EmbeddedReasonerGenerator(reasoner, { seed: 3, maxTokens: 400 });
    let reasoning = '';
    const recording: Generator = {
      describe: () => generator.describe(),
      checkProblem: (x) => generator.checkProblem(x),
      generate: async (req) => {
        const out = await generator.generate({ ...req, onDelta: (d) => ((reasoning += d.reasoning ?? ''), req.onDelta?.(d)) });
        assert.equal(out[0]!.reasoning, reasoning, 'the streamed pieces are the reasoning');
        return out;
      },
    };
    const tree = TraceTree.create(p, { id: 'live', createdAt: '2026-01-01T00:00:00.000Z' });
    const run = await runSearch({ tree, config: { strategy: 'in-context' }, generator: recording });
    const text = reasoning;
    assert.ok(text.startsWith('Current State: 24:[3, 5, 7, 2], Operations: []\n'), 'a fresh search streams from its first line');
    const steps = tree.trace.nodes.filter((n) => n.runId === run.id && isSosNode(n));
    const reference = importSos(text, { problem: p });
    // a goal the answer line was read from carries the answer node, so it is expanded rather than terminal
    const answerNode = tree.trace.nodes.find((n) => n.runId === run.id && n.kind === 'answer' && !isSosNode(n));
    if (answerNode) reference.tree.update(reference.goalNodeId!, { status: 'expanded' });
    assert.deepEqual(shape(steps), shape(reference.tree.trace.nodes.slice(1)), 'the live tree is the importer\'s tree of the whole text');
    // the thinking up to the last step is the whole text the model wrote up to there
    if (steps.length > 0) assert.ok(text.startsWith(sosPrefix(tree, steps.at(-1)!.id)));
    // clean text (the importer found nothing odd): the switches can be read off the text alone
    if (reference.issues.length === 0) assert.equal(treeSwitches(steps), textSwitches(text));
    assert.ok(run.usage.tokensOut > 0);
  } finally {
    await reasoner.release();
  }
});

test('in-context: a goal line over wrong arithmetic is not a verified goal (the run\'s checker reads the path)', async () => {
  const wrong = SOS_TEXT.replace('Exploring Operation: 41+1=42, Resulting Numbers: [42]', 'Exploring Operation: 41+2=42, Resulting Numbers: [42]');
  const tree = TraceTree.create(problem, { id: 'ic-wrong', createdAt: '2026-01-01T00:00:00.000Z' });
  const run = await runSearch({ tree, config: { strategy: 'in-context' }, generator: scripted(wrong, 'Answer: (21 + 20) + 2 = 42') });
  const goal = tree.trace.nodes.find((n) => n.text.startsWith('41 + 2 = 42'))!;
  assert.equal(goal.verified, false, 'the model wrote Goal Reached; 41 + 2 is not 42 and 2 is not available');
  assert.notEqual(run.status, 'solved');
  const answer = tree.children(goal.id)[0]!;
  assert.equal(answer.verified, false);
});
