import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractAnswer, extractBoxed, referenceAnswer } from '../../src/core/verify/answerExtraction';
import { answerKey, answersEqual, normalizeAnswer, numericValue } from '../../src/core/verify/answerEquivalence';
import { aggregateScores } from '../../src/core/verify/aggregate';
import { answerChecker } from '../../src/core/verify/checker';

test('extractBoxed takes the last box and balances nested braces', () => {
  assert.equal(extractBoxed('first \\boxed{1} then \\boxed{\\frac{1}{\\sqrt{2}}} done'), '\\frac{1}{\\sqrt{2}}');
  assert.equal(extractBoxed('\\boxed{\\{1, 2\\}}'), '\\{1, 2\\}');
  assert.equal(extractBoxed('so \\boxed 5 is it'), '5');
  assert.equal(extractBoxed('\\fbox{7}'), '7');
  assert.equal(extractBoxed('unfinished \\boxed{\\frac{1}{2'), undefined);
  assert.equal(extractBoxed('no box here'), undefined);
});

test('extractAnswer: boxed, GSM8K ####, "the answer is", Answer: line, last number only when lenient', () => {
  assert.deepEqual(extractAnswer('so $x = \\boxed{12}$.'), { answer: '12', method: 'boxed' });
  assert.deepEqual(extractAnswer('She has 5 + 3 = 8 apples.\n#### 8'), { answer: '8', method: 'gsm8k' });
  assert.deepEqual(extractAnswer('Therefore, the answer is $\\frac{3}{4}$.'), { answer: '\\frac{3}{4}', method: 'phrase' });
  assert.deepEqual(extractAnswer('The final answer is 1,024.'), { answer: '1,024', method: 'phrase' });
  assert.deepEqual(extractAnswer('Work.\nAnswer: 17'), { answer: '17', method: 'label' });
  assert.deepEqual(extractAnswer('**Final Answer:** 3.5'), { answer: '3.5', method: 'label' });
  assert.equal(extractAnswer('Step 1: 3 + 4 = 7'), undefined);
  assert.deepEqual(extractAnswer('Step 1: 3 + 4 = 7', { lenient: true }), { answer: '7', method: 'number' });
  assert.deepEqual(extractAnswer('total is 1,250 dollars', { lenient: true }), { answer: '1250', method: 'number' });
});

test('referenceAnswer reads GSM8K "#### n" and leaves MATH answers alone', () => {
  assert.equal(referenceAnswer('He pays 3*4=12.\n#### 1,200'), '1200');
  assert.equal(referenceAnswer('\\frac{1}{2}'), '\\frac{1}{2}');
});

test('answersEqual: integers, decimals, fractions, LaTeX, roots, percentages, units', () => {
  const same: [string, string][] = [
    ['42', '42.0'],
    ['0.5', '\\frac{1}{2}'],
    ['\\dfrac{1}{2}', '1/2'],
    ['\\tfrac12', '0.5'],
    ['\\frac{\\sqrt{3}}{2}', '0.8660254037844386'],
    ['2\\sqrt{2}', '\\sqrt{8}'],
    ['50\\%', '50'],
    ['50%', '0.5'],
    ['1,000', '1000'],
    ['$5', '5'],
    ['\\$5.00', '5'],
    ['10 \\text{ cm}', '10'],
    ['12 dollars', '12'],
    ['90^\\circ', '90'],
    ['x = 3', '3'],
    ['-\\frac{2}{3}', '-0.6666666666666666'],
    ['\\left( 1, \\frac{1}{2} \\right)', '(1,0.5)'],
    ['(A)', 'A'],
    ['\\pi', '3.141592653589793'],
  ];
  for (const [a, b] of same) assert.ok(answersEqual(a, b), `${a} should equal ${b}`);
  const different: [string, string][] = [
    ['42', '43'],
    ['\\frac{1}{2}', '\\frac{1}{3}'],
    ['(1,2)', '[1,2]'],
    ['(1,2)', '(2,1)'],
    ['x+1', 'x+2'],
    ['\\sqrt{2}', '1.41'],
  ];
  for (const [a, b] of different) assert.ok(!answersEqual(a, b), `${a} should differ from ${b}`);
  assert.equal(answersEqual(undefined, '1'), false);
});

test('normalizeAnswer and numericValue agree on simple forms', () => {
  assert.equal(normalizeAnswer('$\\dfrac{3}{4}$'), '\\frac{3}{4}');
  assert.equal(numericValue('\\frac{3}{4}'), 0.75);
  assert.equal(numericValue('2^{10}'), 1024);
  assert.equal(numericValue('x+1'), undefined);
  assert.equal(answerKey('0.50'), answerKey('\\frac{1}{2}'));
  assert.notEqual(answerKey('1'), answerKey('2'));
});

test('aggregateScores: last, min, prod, mean', () => {
  const s = [0.9, 0.5, 0.8];
  assert.equal(aggregateScores(s, 'last'), 0.8);
  assert.equal(aggregateScores(s, 'min'), 0.5);
  assert.ok(Math.abs(aggregateScores(s, 'prod')! - 0.36) < 1e-12);
  assert.ok(Math.abs(aggregateScores(s, 'mean')! - 2.2 / 3) < 1e-12);
  assert.equal(aggregateScores([], 'min'), undefined);
});

test('answerChecker: steps are terminal only with a stated answer; full solutions fall back to the last number', () => {
  const p = { text: 'What is 6 * 7?', answer: '42' };
  assert.deepEqual(answerChecker.check(p, ['6 * 7 = 42']), { terminal: false });
  const done = answerChecker.check(p, ['6 * 7 = 42', 'The answer is 42.']);
  assert.equal(done.terminal, true);
  assert.equal(done.verified, true);
  const lenient = answerChecker.check(p, ['6 * 7 is 41'], { final: true });
  assert.equal(lenient.answer, '41');
  assert.equal(lenient.verified, false);
  const noRef = answerChecker.check({ text: 'q' }, ['\\boxed{3}']);
  assert.equal(noRef.terminal, true);
  assert.equal(noRef.verified, undefined);
});
