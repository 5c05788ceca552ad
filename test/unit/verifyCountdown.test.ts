import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCountdown, parseCountdownProblem } from '../../src/core/verify/countdown';
import { ExpressionError, parseExpression } from '../../src/core/verify/expression';
import { countdownChecker, autoChecker } from '../../src/core/verify/checker';
import { formatRational } from '../../src/core/verify/rational';

const problem = { text: 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.' };
const spec = { numbers: [3, 5, 7, 2], target: 24 };

test('parseCountdownProblem reads the contract format, meta, and SoS style', () => {
  assert.deepEqual(parseCountdownProblem(problem), spec);
  assert.deepEqual(parseCountdownProblem({ text: 'anything', meta: { numbers: [1, 2], target: 3 } }), { numbers: [1, 2], target: 3 });
  assert.deepEqual(parseCountdownProblem({ text: 'Make 96 with the numbers [58, 84, 48, 62] using standard arithmetic operations.' }), { numbers: [58, 84, 48, 62], target: 96 });
  assert.deepEqual(parseCountdownProblem({ text: 'Target: 10, numbers: [2, 5, 1]' }), { numbers: [2, 5, 1], target: 10 });
  assert.equal(parseCountdownProblem({ text: 'What is 6 * 7?' }), undefined);
});

test('parseExpression evaluates exactly and lists literals; rejects unsafe or broken input', () => {
  const e = parseExpression('6 / (1 - 3 / 4)');
  assert.equal(formatRational(e.value), '24');
  assert.deepEqual(e.literals.map(formatRational), ['6', '1', '3', '4']);
  assert.equal(formatRational(parseExpression('(5 × 3) + 7 ÷ 7 − 2').value), '14');
  assert.equal(formatRational(parseExpression('-3 * -(2)').value), '6');
  assert.throws(() => parseExpression('process.exit(1)'), ExpressionError);
  assert.throws(() => parseExpression('(1 + 2'), ExpressionError);
  assert.throws(() => parseExpression('1 +'), ExpressionError);
  assert.throws(() => parseExpression('4 / (2 - 2)'), RangeError);
});

test('Answer: expressions — at most once by default, exactly once when configured', () => {
  const ok = checkCountdown(spec, ['Answer: (5 * 3) + 7 + 2 = 24']);
  assert.equal(ok.terminal, true);
  assert.equal(ok.verified, true);
  assert.equal(ok.answer, '(5 * 3) + 7 + 2');
  // 3 * 7 + 3 uses 3 twice.
  const twice = checkCountdown(spec, ['Answer: 3 * 7 + 3 = 24']);
  assert.equal(twice.verified, false);
  assert.match(twice.reason!, /more often than given/);
  // (7 - 3) * (5 + 2) = 28: wrong value.
  assert.equal(checkCountdown(spec, ['Answer: (7 - 3) * (5 + 2)']).verified, false);
  // 3 * (5 + 7) / ... uses a subset: fine at most once, not exactly once.
  const subset = { numbers: [3, 5, 7, 2, 9], target: 24 };
  assert.equal(checkCountdown(subset, ['Answer: (5 * 3) + 7 + 2 = 24']).verified, true);
  const exact = checkCountdown(subset, ['Answer: (5 * 3) + 7 + 2 = 24'], { exactlyOnce: true });
  assert.equal(exact.verified, false);
  assert.match(exact.reason!, /does not use 9/);
  // Claimed right-hand side must be the target.
  assert.equal(checkCountdown(spec, ['Answer: (5 * 3) + 7 + 2 = 25']).verified, false);
  // Fractions: 6 / (1 - 3/4) = 24 exactly.
  assert.equal(checkCountdown({ numbers: [6, 1, 3, 4], target: 24 }, ['Answer: 6 / (1 - 3 / 4)']).verified, true);
});

test('step sequences: arithmetic, availability, dead ends and the target', () => {
  assert.deepEqual(checkCountdown(spec, ['5 * 3 = 15 (left: 7, 2, 15)']), { terminal: false });
  const solved = checkCountdown(spec, ['5 * 3 = 15 (left: 7, 2, 15)', '15 + 7 = 22 (left: 2, 22)', '22 + 2 = 24 (left: 24)']);
  assert.equal(solved.terminal, true);
  assert.equal(solved.verified, true);
  const wrong = checkCountdown(spec, ['5 * 3 = 16 (left: 7, 2, 16)']);
  assert.equal(wrong.terminal, true);
  assert.equal(wrong.verified, false);
  assert.match(wrong.reason!, /is wrong/);
  const unavailable = checkCountdown(spec, ['5 * 5 = 25 (left: 3, 7, 2, 25)']);
  assert.equal(unavailable.verified, false);
  assert.match(unavailable.reason!, /not available/);
  const dead = checkCountdown(spec, ['5 * 3 = 15', '15 + 7 = 22', '22 - 2 = 20 (left: 20)']);
  assert.equal(dead.terminal, true);
  assert.equal(dead.verified, false);
  assert.match(dead.reason!, /only 20 left/);
  assert.equal(checkCountdown(spec, ['5 * 3 = 15'], { final: true }).verified, false);
  // Exactly once: reaching the target with numbers left is not a solution yet.
  const early = { numbers: [20, 4, 1], target: 24 };
  assert.equal(checkCountdown(early, ['20 + 4 = 24']).verified, true);
  assert.deepEqual(checkCountdown(early, ['20 + 4 = 24'], { exactlyOnce: true }), { terminal: false });
});

test('checkers: countdown and auto dispatch by problem', () => {
  const cd = countdownChecker();
  assert.equal(cd.check(problem, ['5 * 3 = 15', 'Answer: 5 * 3 + 7 + 2']).verified, true);
  const auto = autoChecker();
  assert.equal(auto.check(problem, ['Answer: 5 * 3 + 7 + 2']).verified, true);
  assert.equal(auto.check({ text: 'What is 6*7?', answer: '42' }, ['The answer is 42']).verified, true);
});
