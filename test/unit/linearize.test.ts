import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linearize } from '../../src/core/trace/linearize/linearize';
import { formatValue } from '../../src/core/trace/linearize/blocks';
import { lossSpans } from '../../src/core/trace/linearize/segment';
import { TraceTree } from '../../src/core/trace/tree';
import { countdownTree, equationTree } from '../fixtures/metacot/handTrees';

const APPENDIX_E = `Subtract 3 from both sides: 2x = 8.
0.75

Divide both sides by 3: x = 11/3.
0.03125

Add 3 to both sides: 2x = 14.
0.0625

Divide both sides by 2: x = 4.
0.9375

The answer is 4.
1.0`;

const SOLUTION = `Solution:
Subtract 3 from both sides: 2x = 8.

Divide both sides by 2: x = 4.

The answer is 4.`;

test('App. E: visited steps in visit order, each with its value line, then the Solution block', () => {
  const lin = linearize(equationTree(), { format: 'appendix-e' });
  assert.equal(lin.text, `${APPENDIX_E}\n\n${SOLUTION}`);
  assert.equal(lin.z, APPENDIX_E);
  assert.equal(lin.s, `\n\n${SOLUTION}`);
  assert.deepEqual(lin.visited, ['n1', 'n2', 'n3', 'n4', 'n5']);
  assert.deepEqual(lin.winningPath, ['n1', 'n4', 'n5']);
  assert.equal(lin.switches, 3);
});

test('App. E options: depth-first order, values hidden, pruned branches dropped, no solution block', () => {
  const df = linearize(equationTree(), { format: 'appendix-e', order: 'depth-first', solution: false });
  assert.equal(
    df.text,
    'Subtract 3 from both sides: 2x = 8.\n0.75\n\nAdd 3 to both sides: 2x = 14.\n0.0625\n\nDivide both sides by 2: x = 4.\n0.9375\n\nThe answer is 4.\n1.0\n\nDivide both sides by 3: x = 11/3.\n0.03125',
  );
  assert.equal(df.switches, 2);
  const t = equationTree();
  t.prune('n2', { reason: 'low value', by: 'human' });
  const noValues = linearize(t, { format: 'appendix-e', values: false, filter: { dropPruned: true } });
  assert.equal(
    noValues.text,
    'Subtract 3 from both sides: 2x = 8.\n\nAdd 3 to both sides: 2x = 14.\n\nDivide both sides by 2: x = 4.\n\nThe answer is 4.\n\n' + SOLUTION,
  );
});

test('values print like the paper: shortest exact decimals, integers with .0, optional rounding', () => {
  assert.equal(formatValue(0.03125), '0.03125');
  assert.equal(formatValue(1), '1.0');
  assert.equal(formatValue(0), '0.0');
  assert.equal(formatValue(2 / 3, 3), '0.667');
  assert.equal(formatValue(0.5, 3), '0.5');
});

test('visit order comes from the event log, and from iteration numbers when there is none', () => {
  const t = equationTree();
  // Events say n3 was reached before n2 (a hand-edited log); creation order says otherwise.
  const ev = t.trace.events;
  const i2 = ev.findIndex((e) => e.node === 'n2');
  const i3 = ev.findIndex((e) => e.node === 'n3');
  [ev[i2], ev[i3]] = [ev[i3]!, ev[i2]!];
  assert.deepEqual(linearize(t, { format: 'appendix-e' }).visited, ['n1', 'n3', 'n2', 'n4', 'n5']);
  // Without events, iteration numbers decide (then creation order): n2 moved after n4.
  const u = equationTree();
  u.trace.events = [];
  u.update('n2', { iteration: 3 });
  u.update('n4', { iteration: 2 });
  assert.deepEqual(linearize(u, { format: 'appendix-e' }).visited, ['n1', 'n3', 'n4', 'n2', 'n5']);
  // A parent is always shown before its child, whatever the numbers say: n5 (iteration 0) waits for n4.
  u.update('n5', { iteration: 0 });
  assert.deepEqual(linearize(u, { format: 'appendix-e' }).visited, ['n1', 'n3', 'n4', 'n5', 'n2']);
});

test('backtracking with phrases: "Wait, …" / "Alternatively, …" at each branch switch, configurable', () => {
  const lin = linearize(equationTree(), { format: 'backtrack' });
  assert.equal(
    lin.text,
    'Subtract 3 from both sides: 2x = 8.\n\nWait, divide both sides by 3: x = 11/3.\n\nAlternatively, add 3 to both sides: 2x = 14.\n\nWait, divide both sides by 2: x = 4.\n\nThe answer is 4.\n\n' +
      SOLUTION,
  );
  const custom = linearize(equationTree(), { format: 'backtrack', phrases: ['Hmm, that fails. '], lowercase: false, values: true, solution: false });
  assert.equal(
    custom.text,
    'Subtract 3 from both sides: 2x = 8.\n0.75\n\nHmm, that fails. Divide both sides by 3: x = 11/3.\n0.03125\n\nHmm, that fails. Add 3 to both sides: 2x = 14.\n0.0625\n\nHmm, that fails. Divide both sides by 2: x = 4.\n0.9375\n\nThe answer is 4.\n1.0',
  );
});

test('backtracking with [BACK]: one token per step undone, the way down restated when jumping branches', () => {
  const lin = linearize(equationTree(), { format: 'backtrack', style: 'token', solution: false });
  assert.equal(
    lin.text,
    'Subtract 3 from both sides: 2x = 8.\n\n[BACK]\nDivide both sides by 3: x = 11/3.\n\n[BACK]\nSubtract 3 from both sides: 2x = 8.\n\nAdd 3 to both sides: 2x = 14.\n\n[BACK]\nDivide both sides by 2: x = 4.\n\nThe answer is 4.',
  );
  // Depth-first: from the answer (depth 3) back to the root's next child undoes three steps.
  const df = linearize(equationTree(), { format: 'backtrack', style: 'token', order: 'depth-first', solution: false });
  assert.match(df.text, /The answer is 4\.\n\n\[BACK\] \[BACK\] \[BACK\]\nDivide both sides by 3: x = 11\/3\.$/);
});

test('Stream-of-Search text of a Countdown tree, line for line', () => {
  const lin = linearize(countdownTree(), { format: 'sos' });
  assert.equal(
    lin.text,
    [
      'Current State: 36:[3, 8, 12], Operations: []',
      'Exploring Operation: 12-8=4, Resulting Numbers: [3, 4]',
      'Generated Node #0,0: 36:[3, 4] Operation: 12-8=4',
      'Moving to Node #0,0',
      "Current State: 36:[3, 4], Operations: ['12-8=4']",
      'Exploring Operation: 4+3=7, Resulting Numbers: [7]',
      '7,36 unequal: No Solution',
      'Moving to Node #0,0',
      "Current State: 36:[3, 4], Operations: ['12-8=4']",
      'Exploring Operation: 4*3=12, Resulting Numbers: [12]',
      '12,36 unequal: No Solution',
      'Moving to Node #0',
      'Current State: 36:[3, 8, 12], Operations: []',
      'Exploring Operation: 12+3=15, Resulting Numbers: [8, 15]',
      'Exploring Operation: 8*3=24, Resulting Numbers: [12, 24]',
      'Generated Node #0,1: 36:[12, 24] Operation: 8*3=24',
      'Moving to Node #0,1',
      "Current State: 36:[12, 24], Operations: ['8*3=24']",
      'Exploring Operation: 24+12=36, Resulting Numbers: [36]',
      '36,36 equal: Goal Reached',
    ].join('\n'),
  );
  assert.equal(lin.s, '');
  // Dropping the pruned branch removes its line; the solution block is optional.
  const dropped = linearize(countdownTree(), { format: 'sos', filter: { dropPruned: true }, solution: true });
  assert.doesNotMatch(dropped.text, /12\+3=15/);
  assert.ok(dropped.text.endsWith('36,36 equal: Goal Reached\n\nSolution:\n8 * 3 = 24 (left: 12, 24)\n\n24 + 12 = 36 (left: 36)'));
});

test('SoS needs a Countdown problem', () => {
  assert.throws(() => linearize(equationTree(), { format: 'sos' }), /not a Countdown problem/);
});

test('training masks: Z and S (Eq. 22), Z only (Eq. 23), correct path only (Eq. 24)', () => {
  const t = equationTree();
  const all = linearize(t, { format: 'appendix-e' }, 'z-and-s');
  assert.deepEqual(lossSpans(all.segments), [{ text: all.text, loss: true }]);
  const zOnly = linearize(t, { format: 'appendix-e' }, 'z-only');
  assert.deepEqual(lossSpans(zOnly.segments), [
    { text: APPENDIX_E, loss: true },
    { text: `\n\n${SOLUTION}`, loss: false },
  ]);
  const path = linearize(t, { format: 'appendix-e' }, 'correct-path');
  assert.deepEqual(lossSpans(path.segments), [
    { text: 'Subtract 3 from both sides: 2x = 8.\n0.75', loss: true },
    { text: '\n\nDivide both sides by 3: x = 11/3.\n0.03125\n\nAdd 3 to both sides: 2x = 14.\n0.0625', loss: false },
    { text: `\n\nDivide both sides by 2: x = 4.\n0.9375\n\nThe answer is 4.\n1.0\n\n${SOLUTION}`, loss: true },
  ]);
  // With phrases, the markers leading into a path step stay masked: the model learns the path, not the jump.
  const bt = linearize(t, { format: 'backtrack', solution: false }, 'correct-path');
  assert.deepEqual(
    bt.segments.filter((s) => s.role === 'marker').map((s) => [s.text, s.node, s.loss]),
    [
      ['Wait, ', 'n2', false],
      ['Alternatively, ', 'n3', false],
      ['Wait, ', 'n4', false],
    ],
  );
  assert.equal(bt.segments.find((s) => s.role === 'step' && s.node === 'n4')!.loss, true);
});

test('a tree with nothing verified has no Solution block and an empty S', () => {
  const t = TraceTree.create({ text: 'q' }, { id: 'x', createdAt: '2026-01-01T00:00:00.000Z' });
  t.addChild('n0', { kind: 'step', author: 'model', text: 'a', value: 0.5 });
  const lin = linearize(t, { format: 'appendix-e' });
  assert.equal(lin.text, 'a\n0.5');
  assert.equal(lin.s, '');
  assert.deepEqual(lin.winningPath, []);
});
