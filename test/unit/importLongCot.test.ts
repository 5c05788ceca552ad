import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LongCotImporter, importLongCot, thinkingPrefix } from '../../src/core/trace/import/longCot';
import { classifyStep } from '../../src/core/trace/import/markers';
import { StepSegmenter } from '../../src/core/trace/import/stepSegmenter';
import { ThinkSplitter } from '../../src/core/trace/import/thinkSplitter';
import { importThoughtAnchors } from '../../src/core/trace/import/thoughtAnchors';
import { linearize } from '../../src/core/trace/linearize/linearize';
import type { TraceTree } from '../../src/core/trace/tree';
import { equationTree } from '../fixtures/metacot/handTrees';
import { LONG_COT_DIRS, longCotFiles, skipShared } from '../fixtures/metacot/sharedData';

const FIXED = { id: 't', createdAt: '2026-01-01T00:00:00.000Z' };

function segmentAll(text: string, mode: 'sentence' | 'paragraph' = 'sentence'): string[] {
  const s = new StepSegmenter(mode);
  const steps = s.push(text);
  steps.push(...s.flush().steps);
  return steps.map((x) => x.text);
}

/** Deterministic pseudo-random chunk sizes 1..max. */
function chunks(text: string, seed: number, max = 9): string[] {
  const out: string[] = [];
  let x = seed;
  for (let i = 0; i < text.length; ) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const n = 1 + (x % max);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

test('segmenter: sentences and blank lines, not inside math, after list numbers, or at factorials', () => {
  assert.deepEqual(segmentAll('First, 2 + 2 = 4. Then we add 3.\n\nSo the total is 7! Done.'), ['First, 2 + 2 = 4.', 'Then we add 3.', 'So the total is 7!', 'Done.']);
  assert.deepEqual(segmentAll('We get \\[ x = 1. Y = 2. \\] So x is 1. Next.'), ['We get \\[ x = 1. Y = 2. \\] So x is 1.', 'Next.']);
  assert.deepEqual(segmentAll('1. The first part. 2. The second part.'), ['1. The first part.', '2. The second part.']);
  assert.deepEqual(segmentAll("that's 4! / (2!\n* 2!) = 6. Correct."), ["that's 4! / (2!\n* 2!) = 6.", 'Correct.']);
  assert.deepEqual(segmentAll('e.g. This stays. **Final Answer**\nIt is 3.'), ['e.g. This stays.', '**Final Answer**\nIt is 3.']);
  assert.deepEqual(segmentAll('One. Two.\n\nThree. Four.', 'paragraph'), ['One. Two.', 'Three. Four.']);
  assert.deepEqual(segmentAll('Step a.\n[BACK] [BACK]\nStep b. [BACK]\nStep c.', 'paragraph'), ['Step a.', '[BACK] [BACK]\nStep b.', '[BACK]\nStep c.']);
});

test('think splitter: tags split across chunks, text with no opening tag, plain text', () => {
  const s = new ThinkSplitter();
  const parts = ['<thi', 'nk>\nabc</th', 'ink>', '\n\nThe answer'].map((c) => s.push(c));
  const end = s.flush();
  assert.equal(parts.map((p) => p.thinking).join('') + end.thinking, '\nabc');
  assert.equal(parts.map((p) => p.content).join('') + end.content, '\n\nThe answer');
  const r1 = new ThinkSplitter();
  assert.deepEqual(r1.push('thinking only</think>final'), { thinking: 'thinking only', content: 'final' });
  const plain = new ThinkSplitter();
  assert.deepEqual([plain.push('no tags <'), plain.flush()], [{ thinking: 'no tags ', content: '' }, { thinking: '<', content: '' }]);
});

test('markers: the paper’s phrases, the most specific one wins, lists are configurable', () => {
  assert.equal(classifyStep('Wait, but that might not be the case.').type, 'backtrack');
  assert.equal(classifyStep('Alternatively, perhaps we factor first.').type, 'backtrack');
  assert.equal(classifyStep('Hmm, this doesn’t seem right.').type, 'backtrack');
  assert.equal(classifyStep('Wait, but let me double-check.').type, 'verification');
  assert.equal(classifyStep("Let's re-read the problem.").type, 'verification');
  assert.equal(classifyStep('Oops, I made a mistake in the sum.').type, 'regret');
  assert.equal(classifyStep('So the total is 12.').type, 'progress');
  // A marker far into a long step is a clause, not a move.
  assert.equal(classifyStep(`${'We expand the product term by term and collect. '.repeat(2)}Alternatively, …`).type, 'progress');
  assert.equal(classifyStep('Hold on, that is off.', { backtrack: ['hold on'], verification: [], regret: [] }).type, 'backtrack');
  assert.deepEqual(classifyStep('Wait, but no.'), { type: 'backtrack', marker: 'wait, but', at: 0 });
});

test('a backtrack opens a sibling of the step it restates, else goes to the previous branch point, else the root', () => {
  const text = [
    'We need the coefficient of x squared in the product.',
    'Expand the first factor with the binomial theorem.',
    'The first factor gives 6 for that term.',
    'Wait, but expand the first factor with the binomial theorem again, carefully this time.',
    'It gives 6 again.',
    'Wait, no, that is wrong.',
    'Let me think again.',
    'So the answer is 12.',
  ].join(' ');
  const r = importLongCot({ text: 'Find the coefficient.', answer: '12' }, text, FIXED);
  const t = r.tree;
  const ids = r.stepIds;
  assert.equal(ids.length, 8);
  // Step 3 restates step 1: it becomes step 1's sibling (child of step 0).
  assert.equal(t.node(ids[3]!).parentId, ids[0]);
  assert.equal(t.node(ids[3]!).meta?.restates, ids[1]);
  // Step 5 restates nothing: the previous branch point is step 0 (two children now).
  assert.equal(t.node(ids[5]!).parentId, ids[0]);
  assert.equal(t.node(ids[5]!).meta?.returnedTo, 'branch-point');
  // Step 6 continues the backtrack that step 5 opened.
  assert.equal(t.node(ids[6]!).parentId, ids[5]);
  assert.equal(t.node(ids[6]!).meta?.returnedTo, 'same-backtrack');
  assert.deepEqual(r.counts, { progress: 5, backtrack: 3, verification: 0, regret: 0 });
  assert.equal(r.finalAnswer, '12');
  assert.equal(r.verified, true);
  assert.equal(t.node(ids[7]!).status, 'terminal');
  assert.equal(t.node(ids[0]!).status, 'expanded');
});

test('an answer inside the thinking that differs from the final one is flagged (paper Fig. 26)', () => {
  const text = '<think>\nWe multiply 7 by 64.\n\n7 * 64 = 448.\n\nSo the answer is 448.\n</think>\n\nThe answer is \\boxed{1792}.';
  const r = importLongCot({ text: 'What is 7 * 64?', answer: '448' }, text, FIXED);
  assert.equal(r.finalAnswer, '1792');
  assert.equal(r.verified, false);
  assert.equal(r.inconsistencies.length, 1);
  const flagged = r.tree.node(r.inconsistencies[0]!.nodeId);
  assert.equal(flagged.text, 'So the answer is 448.');
  assert.equal(flagged.meta?.answerMismatch, true);
  assert.deepEqual(r.inconsistencies[0], { nodeId: flagged.id, answer: '448', finalAnswer: '1792' });
  const answer = r.tree.node(r.answerNodeId!);
  assert.equal(answer.kind, 'answer');
  assert.equal(answer.text, 'The answer is \\boxed{1792}.');
  assert.equal(answer.parentId, flagged.id);
  // Same final answer inside and out: nothing flagged.
  assert.deepEqual(importLongCot({ text: 'q' }, '<think>So the answer is 5.</think>\\boxed{5}').inconsistencies, []);
});

test('[BACK] linearization → import rebuilds the same tree', () => {
  const original = equationTree();
  const text = linearize(original, { format: 'backtrack', style: 'token' }).text;
  const r = importLongCot(original.trace.problem, text, { ...FIXED, segment: 'paragraph', closeTags: ['\n\nSolution:\n'] });
  const shape = (t: TraceTree, kinds: string[]) => {
    const nodes = t.trace.nodes.filter((n) => kinds.includes(n.kind));
    const index = new Map(nodes.map((n, i) => [n.id, i]));
    return nodes.map((n) => [n.parentId === null ? null : (index.get(n.parentId) ?? -1), n.text]);
  };
  assert.deepEqual(shape(r.tree, ['root', 'step']), shape(original, ['root', 'step', 'answer']));
  // The Solution block became the final answer, hung below the last step.
  assert.equal(r.tree.node(r.answerNodeId!).text, 'Subtract 3 from both sides: 2x = 8.\n\nDivide both sides by 2: x = 4.\n\nThe answer is 4.');
  assert.equal(r.finalAnswer, '4');
  assert.equal(r.verified, true);
});

test('incremental: any chunking, tags cut anywhere, reasoning channel — the same tree as one push', () => {
  const text = '<think>\nOkay, 3 * 4 = 14.\n\nWait, but that doesn\'t seem right. 3 * 4 is 12, not 14. I made a mistake there.\n\nLet me double-check: 12. Yes.\n\nSo the answer is 12.\n</think>\n\nThe answer is \\boxed{12}.';
  const whole = importLongCot({ text: 'What is 3 * 4?', answer: '12' }, text, FIXED);
  for (const seed of [1, 2, 3, 4, 5]) {
    const imp = new LongCotImporter({ text: 'What is 3 * 4?', answer: '12' }, FIXED);
    const live: string[] = [];
    for (const c of chunks(text, seed)) live.push(...imp.push(c).map((n) => n.id));
    const done = imp.finish();
    assert.deepEqual(done.tree.trace, whole.tree.trace, `seed ${seed}`);
    // Every thinking step appeared before finish(), as soon as the answer began.
    assert.deepEqual(live, whole.stepIds);
  }
  const thinking = text.slice('<think>'.length, text.indexOf('</think>'));
  const viaField = new LongCotImporter({ text: 'What is 3 * 4?', answer: '12' }, FIXED);
  for (const c of chunks(thinking, 9)) viaField.push(c, 'reasoning');
  for (const c of chunks('\n\nThe answer is \\boxed{12}.', 10)) viaField.push(c, 'content');
  assert.deepEqual(viaField.finish().tree.trace, whole.tree.trace);
  assert.deepEqual(whole.counts, { progress: 4, backtrack: 1, verification: 1, regret: 1 });
});

test('fork prefix: the thinking up to a step, byte for byte, with edits applied', () => {
  const text = 'First line.\n\nSecond, with  two spaces. Third.\n\n\nWait, but that doesn\'t seem right. Fourth.';
  const r = importLongCot({ text: 'q' }, text, FIXED);
  r.stepIds.forEach((id) => {
    const n = r.tree.node(id);
    const end = text.indexOf(n.text) + n.text.length;
    assert.equal(thinkingPrefix(r.tree, id), text.slice(0, end));
  });
  r.tree.editText(r.stepIds[1]!, 'Second, edited.');
  assert.equal(thinkingPrefix(r.tree, r.stepIds[2]!), 'First line.\n\nSecond, edited. Third.');
});

test('R1-distill traces (Thought Anchors): steps, backtracks and answers, checked by hand and frozen', { skip: skipShared }, () => {
  const expected: Record<string, { text: number; chunks: number; backtracks: (number | string)[][]; final: string; verified: boolean }> = {
    'r1-distill-qwen-14b_problem_2238_correct': { text: 60, chunks: 60, backtracks: [[16, 7, 8], [20, 7, 'branch-point']], final: '120', verified: true },
    'r1-distill-qwen-14b_problem_2238_incorrect': { text: 105, chunks: 104, backtracks: [], final: '384', verified: false },
    'r1-distill-qwen-14b_problem_2189_incorrect': {
      text: 43,
      chunks: 60,
      backtracks: [[19, 'root', 'root'], [25, 'root', 'root'], [26, 25, 'same-backtrack'], [31, 'root', 'root']],
      final: '420',
      verified: false,
    },
  };
  for (const dir of LONG_COT_DIRS) {
    const e = expected[dir]!;
    const files = longCotFiles(dir) as { problem: { problem: string; gt_answer: string }; solution: { solution: string }; chunks: unknown[] };
    const fromText = importLongCot({ text: files.problem.problem, answer: files.problem.gt_answer }, files.solution.solution, FIXED);
    const fromChunks = importThoughtAnchors(files);
    assert.equal(fromText.stepIds.length, e.text, dir);
    assert.equal(fromChunks.stepIds.length, e.chunks, dir);
    assert.equal(fromChunks.stepIds.length, files.chunks.length, dir);
    for (const r of [fromText, fromChunks]) {
      assert.equal(r.finalAnswer, e.final, dir);
      assert.equal(r.verified, e.verified, dir);
      assert.deepEqual(r.inconsistencies, [], dir);
      assert.ok(r.counts.backtrack + r.counts.regret >= 1, `${dir}: a backtrack found`);
    }
    if (e.backtracks.length) {
      const idx = new Map(fromText.stepIds.map((id, i) => [id, i]));
      const found = fromText.stepIds
        .map((id, i) => [i, fromText.tree.node(id)] as const)
        .filter(([, n]) => n.meta?.stepType === 'backtrack' || n.meta?.stepType === 'regret')
        .map(([i, n]) => [i, n.parentId === 'n0' ? 'root' : idx.get(n.parentId!)!, n.meta?.restates !== undefined ? (idx.get(n.meta.restates as string) ?? 'root') : (n.meta!.returnedTo as string)]);
      assert.deepEqual(found, e.backtracks, dir);
    }
    // The fork prefix of every step is exactly the thinking text up to it.
    for (const id of fromText.stepIds) {
      const n = fromText.tree.node(id);
      assert.ok(fromText.thinking.startsWith(thinkingPrefix(fromText.tree, id)), `${dir} ${id}`);
      assert.ok(thinkingPrefix(fromText.tree, id).endsWith(n.text));
    }
    // Chunk values are the resampled accuracies.
    const first = fromChunks.tree.node(fromChunks.stepIds[0]!);
    assert.equal(first.value, (files.chunks[0] as { accuracy: number }).accuracy);
    assert.deepEqual(first.valueSource, { kind: 'imported', source: 'thought-anchors resampled accuracy' });
  }
  // 2238 correct, step 16 "But wait, the problem is only asking for …" restates step 8 "Wait, the problem is asking for …".
  const c = importLongCot({ text: 'q' }, (longCotFiles(LONG_COT_DIRS[0]) as { solution: { solution: string } }).solution.solution, FIXED);
  assert.match(c.tree.node(c.stepIds[16]!).text, /^But wait, the problem is only asking/);
  assert.match(c.tree.node(c.stepIds[8]!).text, /^Wait, the problem is asking/);
  // And the incorrect 2238 trace: 26 backtracks, its first one restates the problem setup (step 0).
  const inc = importLongCot({ text: 'q' }, (longCotFiles(LONG_COT_DIRS[1]) as { solution: { solution: string } }).solution.solution, FIXED);
  assert.equal(inc.counts.backtrack, 26);
  assert.equal(inc.tree.node(inc.stepIds[12]!).meta?.restates, inc.stepIds[0]);
});

test('R1-distill traces stream into the same tree in any chunking', { skip: skipShared }, () => {
  for (const dir of LONG_COT_DIRS) {
    const sol = (longCotFiles(dir) as { solution: { solution: string } }).solution.solution;
    const whole = importLongCot({ text: 'q' }, sol, FIXED);
    const imp = new LongCotImporter({ text: 'q' }, FIXED);
    for (const c of chunks(sol, 42, 40)) imp.push(c);
    assert.deepEqual(imp.finish().tree.trace, whole.tree.trace, dir);
  }
});
