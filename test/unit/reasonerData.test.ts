import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceTree } from '../../src/core/trace/tree';
import { linearizeSos } from '../../src/core/trace/linearize/streamOfSearch';
import { importSos } from '../../src/core/trace/import/streamOfSearch';
import { checkCountdown } from '../../src/core/verify/countdown';
import { multisetKey } from '../../src/core/embedded/valueState';
import { firstLine, legalOnly, legalOp, lengthStats, pathOnlyTree, reasonerText, reasonerTokenCount } from '../../src/core/export/reasonerData';

const ROOT = join(__dirname, '..', '..');
const DATA = join(ROOT, 'model', 'data');

/** A* on 15 from [4, 6, 9, 2]: a dead end, a branch left, then the goal one step below the first node, 2 left over. */
function searchTree(): TraceTree {
  const t = TraceTree.create(
    { text: 'Use the numbers 4, 6, 9, 2 to reach 15. Use + - * / and each number at most once.', meta: { numbers: [4, 6, 9, 2], target: 15 } },
    { id: 'rd-1', createdAt: '2026-01-01T00:00:00.000Z' },
  );
  const step = { kind: 'step' as const, author: 'model' as const };
  const n1 = t.addChild('n0', { ...step, text: '6 * 4 = 24 (left: 9, 2, 24)', iteration: 1, status: 'expanded' });
  const n2 = t.addChild('n0', { ...step, text: '9 - 2 = 7 (left: 4, 6, 7)', iteration: 1, status: 'expanded' });
  const n3 = t.addChild(n1.id, { ...step, text: '24 / 2 = 12 (left: 9, 12)', iteration: 2, status: 'expanded' });
  t.addChild(n3.id, { kind: 'answer', author: 'model', text: '12 + 9 = 21 (left: 21)', iteration: 3, status: 'terminal', verified: false });
  t.addChild(n2.id, { ...step, text: '7 + 6 = 13 (left: 4, 13)', iteration: 4, status: 'open' });
  const goal = t.addChild(n1.id, { kind: 'answer', author: 'model', text: '24 - 9 = 15 (left: 2, 15)', iteration: 5, status: 'terminal', verified: true, answer: '15' });
  t.trace.result = { bestNodeId: goal.id, finalAnswer: '(6 * 4) - 9', verified: true };
  return t;
}

const PATH_TEXT = [
  'Current State: 15:[4, 6, 9, 2], Operations: []',
  'Exploring Operation: 6*4=24, Resulting Numbers: [9, 2, 24]',
  'Generated Node #0,0: 15:[9, 2, 24] Operation: 6*4=24',
  'Moving to Node #0,0',
  "Current State: 15:[9, 2, 24], Operations: ['6*4=24']",
  'Exploring Operation: 24-9=15, Resulting Numbers: [2, 15]',
  '15,15 equal: Goal Reached',
].join('\n');

/** The Countdown checker's verdict on the goal an imported text reaches (its steps root → goal). */
function importedGoalVerifies(text: string, numbers: number[], target: number): boolean {
  const imp = importSos(text);
  if (imp.goalNodeId === undefined) return false;
  return checkCountdown({ numbers, target }, imp.tree.stepsTo(imp.goalNodeId), { final: true }).verified === true;
}

test('goalAtTarget: a step reaching the target with numbers left is a goal leaf; SoS rule (default) is unchanged', () => {
  const withGoal = linearizeSos(searchTree(), { stopAtGoal: true, goalAtTarget: true }).text;
  assert.ok(withGoal.endsWith('Exploring Operation: 24-9=15, Resulting Numbers: [2, 15]\n15,15 equal: Goal Reached'));
  const plain = linearizeSos(searchTree(), { stopAtGoal: true }).text;
  assert.ok(!plain.includes('Goal Reached'), 'SoS uses all numbers: no goal with 2 left');
  assert.ok(plain.includes('Generated Node #0,0,1: 15:[2, 15] Operation: 24-9=15'));
});

test('reasonerText sos: the whole search in visit order up to the goal, with the dead end and the move back', () => {
  const r = reasonerText(searchTree(), 'sos')!;
  const lines = r.text.split('\n');
  assert.equal(lines[0], 'Current State: 15:[4, 6, 9, 2], Operations: []');
  assert.equal(lines.filter((l) => l.startsWith('Exploring Operation: ')).length, 6);
  assert.equal(r.explored, 6);
  assert.ok(lines.includes('21,15 unequal: No Solution'));
  assert.ok(lines.includes('Moving to Node #0,1'));
  assert.equal(lines[lines.length - 1], '15,15 equal: Goal Reached');
  assert.ok(importedGoalVerifies(r.text, [4, 6, 9, 2], 15));
});

test('reasonerText path: the root and the winning path alone, in the same layout', () => {
  const r = reasonerText(searchTree(), 'path')!;
  assert.equal(r.text, PATH_TEXT);
  assert.equal(r.explored, 2);
  assert.ok(importedGoalVerifies(r.text, [4, 6, 9, 2], 15));
  const only = pathOnlyTree(searchTree())!;
  assert.deepEqual(only.trace.nodes.map((n) => n.text.split(' (')[0]), ['Use the numbers 4, 6, 9, 2 to reach 15. Use + - * / and each number at most once.', '6 * 4 = 24', '24 - 9 = 15']);
});

test('reasonerText: nothing for an unsolved search or a goal the checker rejects', () => {
  const unsolved = searchTree();
  unsolved.trace.result = null;
  unsolved.update('n6', { verified: false });
  assert.equal(reasonerText(unsolved, 'sos'), undefined);
  assert.equal(reasonerText(unsolved, 'path'), undefined);
  assert.equal(pathOnlyTree(unsolved), undefined);
  // the search believed it, the arithmetic is wrong: 24 - 9 is not 16
  const wrong = TraceTree.create({ text: 'Use the numbers 4, 6, 9, 2 to reach 16. Use + - * / and each number at most once.', meta: { numbers: [4, 6, 9, 2], target: 16 } });
  const a = wrong.addChild('n0', { kind: 'step', author: 'model', text: '6 * 4 = 24 (left: 9, 2, 24)', status: 'expanded' });
  const g = wrong.addChild(a.id, { kind: 'answer', author: 'model', text: '24 - 9 = 16 (left: 2, 16)', status: 'terminal', verified: true });
  wrong.trace.result = { bestNodeId: g.id, verified: true };
  assert.equal(reasonerText(wrong, 'sos'), undefined);
});

test('reasonerTokenCount: greedy longest match over phrases and characters; unknown characters give undefined', () => {
  // "Current State: " (1) + "15:[4, 6, 9, 2]" (15) + ", Operations: " (1) + "[]" (2)
  assert.equal(reasonerTokenCount('Current State: 15:[4, 6, 9, 2], Operations: []'), 19);
  // " Operation: " must win over " " + "Operation"-less characters: the letters are in no token
  assert.equal(reasonerTokenCount('#0,0: 15:[9] Operation: 6*4=24'), 12 + 1 + 6);
  assert.equal(reasonerTokenCount('15,15 equal: Goal Reached'), 6);
  assert.equal(reasonerTokenCount('Answer: 15'), undefined);
  assert.equal(reasonerTokenCount(PATH_TEXT), PATH_TEXT.split('\n').map((l) => reasonerTokenCount(l)!).reduce((a, b) => a + b, 0) + 6);
  assert.equal(firstLine(PATH_TEXT), 'Current State: 15:[4, 6, 9, 2], Operations: []');
});

test('legalOnly: steps with wrong arithmetic, unavailable operands or a wrong left list go, with their subtrees', () => {
  const t = searchTree();
  const bad1 = t.addChild('n0', { kind: 'step', author: 'model', text: '9 + 2 = 15 (left: 4, 6, 15)', status: 'terminal', verified: false });
  const under = t.addChild(bad1.id, { kind: 'step', author: 'model', text: '15 - 6 = 9 (left: 4, 9)', status: 'open' });
  t.addChild('n0', { kind: 'step', author: 'model', text: '8 + 7 = 15 (left: 4, 6, 9, 2, 15)', status: 'terminal', verified: false });
  t.addChild('n0', { kind: 'step', author: 'model', text: '9 + 6 = 15 (left: 4, 4, 15)', status: 'terminal', verified: false });
  const clean = legalOnly(t);
  assert.equal(clean.trace.nodes.length, searchTree().trace.nodes.length);
  assert.equal(clean.get(under.id), undefined);
  assert.equal(reasonerText(t, 'sos')!.text, reasonerText(searchTree(), 'sos')!.text);
  const whole = searchTree();
  assert.equal(legalOnly(whole), whole, 'nothing to drop: the same tree');
  assert.ok(legalOp(['12', '4'], { a: '12', op: '/', b: '4', result: '3' }));
  assert.ok(!legalOp(['12', '5'], { a: '12', op: '/', b: '5', result: '2' }));
  assert.ok(!legalOp(['12'], { a: '12', op: '-', b: '12', result: '0' }), 'one 12, used twice');
});

test('lengthStats', () => {
  assert.deepEqual(lengthStats([5, 1, 3, 2, 4]), { count: 5, min: 1, max: 5, mean: 3, p50: 3, p90: 5 });
  assert.deepEqual(lengthStats([]), { count: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0 });
});

// ---- the committed data sets (model/data, written by model/reasonerData.ts) ----

interface DataRow {
  problem: { numbers: number[]; target: number };
  id: string;
  strategy: string;
  text: string;
  tokens: number;
}
const readRows = (name: string): DataRow[] =>
  readFileSync(join(DATA, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as DataRow);

test('data: problems are disjoint from the held-out sets, and both sets hold the same problems', () => {
  const held = JSON.parse(readFileSync(join(ROOT, 'model', 'heldout.json'), 'utf8')) as Record<'test' | 'validation', { numbers: number[] }[]>;
  const heldKeys = new Set([...held.test, ...held.validation].map((p) => multisetKey(p.numbers)));
  const sos = readRows('sos.jsonl');
  const path = readRows('path.jsonl');
  assert.ok(sos.length > 100, `only ${sos.length} records`);
  for (const r of sos) assert.ok(!heldKeys.has(multisetKey(r.problem.numbers)), `${r.id} shares its numbers with a held-out problem`);
  const key = (r: DataRow) => `${r.id}|${r.strategy}|${multisetKey(r.problem.numbers)}>${r.problem.target}`;
  assert.deepEqual(path.map(key), sos.map(key));
  // the training problem set itself never draws a held-out multiset either
  const problems = readFileSync(join(DATA, 'problems-train.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { numbers: number[] });
  assert.equal(problems.filter((p) => heldKeys.has(multisetKey(p.numbers))).length, 0);
});

test('data: every text imports back to a tree whose goal the Countdown checker verifies', () => {
  for (const name of ['sos.jsonl', 'path.jsonl']) {
    for (const r of readRows(name)) {
      const { numbers, target } = r.problem;
      assert.equal(firstLine(r.text), `Current State: ${target}:[${numbers.join(', ')}], Operations: []`, r.id);
      assert.ok(r.text.endsWith(' equal: Goal Reached'), `${name} ${r.id}: ends at the goal`);
      assert.ok(importedGoalVerifies(r.text, numbers, target), `${name} ${r.id} ${r.strategy}: goal not verified`);
      assert.equal(r.tokens, reasonerTokenCount(r.text), `${name} ${r.id}: token count`);
    }
  }
});

test('data: path texts show the solution path only (no other node, no backtracking)', () => {
  for (const r of readRows('path.jsonl')) {
    const lines = r.text.split('\n');
    const imp = importSos(r.text);
    const depth = imp.tree.stepsTo(imp.goalNodeId!).length;
    assert.equal(imp.explored, depth, `${r.id}: ${imp.explored} operations explored for a path of ${depth}`);
    assert.ok(!lines.some((l) => l.endsWith('unequal: No Solution')), r.id);
    // every move goes to the node generated on the line before it: forward along the path, never back
    lines.forEach((l, i) => {
      if (!l.startsWith('Moving to Node #')) return;
      const id = l.slice('Moving to Node #'.length);
      assert.ok(lines[i - 1]!.startsWith(`Generated Node #${id}: `), `${r.id} line ${i + 1}: a move back to #${id}`);
    });
  }
});

test('data: the manifest counts equal a recount', () => {
  const m = JSON.parse(readFileSync(join(DATA, 'manifest.json'), 'utf8')) as {
    problems: { count: number; inData: number; sharingNumbersWithHeldOut: number };
    strategies: Record<string, { kept: number; solved: number; finished: number; longerThanCtx: number; noGoalText: number; solvedShare: number }>;
    records: { sos: number; path: number };
    tokens: { sos: ReturnType<typeof lengthStats>; path: ReturnType<typeof lengthStats>; sosTotal: number; pathTotal: number };
  };
  const sos = readRows('sos.jsonl');
  const path = readRows('path.jsonl');
  assert.equal(m.records.sos, sos.length);
  assert.equal(m.records.path, path.length);
  assert.equal(m.problems.inData, new Set(sos.map((r) => r.id)).size);
  assert.equal(m.problems.sharingNumbersWithHeldOut, 0);
  for (const [strategy, s] of Object.entries(m.strategies)) {
    assert.equal(s.kept, sos.filter((r) => r.strategy === strategy).length, strategy);
    assert.equal(s.solved, s.kept + s.longerThanCtx + s.noGoalText, strategy);
    assert.equal(s.solvedShare, Math.round((1000 * s.solved) / s.finished) / 1000, strategy);
  }
  assert.deepEqual(m.tokens.sos, lengthStats(sos.map((r) => reasonerTokenCount(r.text)!)));
  assert.deepEqual(m.tokens.path, lengthStats(path.map((r) => reasonerTokenCount(r.text)!)));
  assert.equal(m.tokens.sosTotal, sos.reduce((a, r) => a + r.tokens, 0));
  assert.equal(m.tokens.pathTotal, path.reduce((a, r) => a + r.tokens, 0));
});

test('tokenizer fixture: Python ids decode to the texts under the shipped vocabulary and count as the TypeScript count', () => {
  const fx = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'reasoner', 'tokenize.json'), 'utf8')) as { model: string; cases: { text: string; ids: number[] }[] };
  const meta = JSON.parse(readFileSync(join(ROOT, 'model', `${fx.model}.json`), 'utf8')) as { tokens: string[]; bos: number; eos: number };
  assert.ok(fx.cases.length >= 3);
  for (const c of fx.cases) {
    assert.equal(c.ids.map((i) => meta.tokens[i]).join(''), c.text);
    assert.equal(c.ids.length, reasonerTokenCount(c.text));
  }
});
