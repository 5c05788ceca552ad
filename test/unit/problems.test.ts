/**
 * The one problem-line contract (src/core/problems): MATH, GSM8K `#### n`, Stream-of-Search nums/target, Countdown
 * meta, text/input/question fields, ids; the problem-set text parser (blank lines, BOM, CRLF, select, errors) and the
 * CLI's file wrapper giving the same problems.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COUNTDOWN_EXAMPLE, ProblemSetError, parseProblemSetText, parseSelect, problemFromLine } from '../../src/core/problems';
import { readProblemSet, ProblemSetError as CliProblemSetError } from '../../src/cli/problems';

const sharedData = join(__dirname, '..', '..', '..', 'shared', 'data');
const skipShared = existsSync(sharedData) ? false : 'skipped: ../shared is absent';

const GSM = {
  question: 'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?',
  answer: 'Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72',
};
const MATH = { problem: 'What is $\\sqrt{53}$ rounded down?', solution: '$7^2 < 53 < 8^2$, so $\\boxed{7}$.', answer: '7', subject: 'Algebra', level: 'Level 1', unique_id: 'test/algebra/1.json' };
const SOS = {
  nums: [58, 84, 48, 62],
  target: 96,
  solution: ['84-58=26', '62-48=14', '26*14=364'],
  search_path: 'Current State: 96:[58, 84, 48, 62], Operations: []\n…',
  rating: 0.9,
};
const SOS_PROMPT = { prompt: 'Make 96 with the numbers [58, 84, 48, 62] using standard arithmetic operations.', nums: [58, 84, 48, 62], target: 96 };
const META = { id: 'cd-1', meta: { numbers: [3, 5, 7, 2], target: 24 } };
const LINES: unknown[] = [
  GSM,
  MATH,
  SOS,
  SOS_PROMPT,
  META,
  { text: 'What is 6 * 7?', final_answer: 42, id: 7 },
  { input: 'Name the capital of France.', answer: ' Paris ' },
  { question: 'Use the numbers 1, 2, 3 to reach 6.', numbers: [1, 2, 3], target: 6, id: 'q' },
];

test('each problem-line shape parses to the expected problem', () => {
  const at = (i: number) => problemFromLine(LINES[i], { file: 'data/set.jsonl', line: i + 1 });
  assert.deepEqual(at(0), { text: GSM.question, answer: '72', id: 'set-1', source: { file: 'data/set.jsonl', line: 1, dataset: 'gsm8k' } });
  assert.deepEqual(at(1), { text: MATH.problem, answer: '7', id: 'test/algebra/1.json', source: { file: 'data/set.jsonl', line: 2, dataset: 'math' } });
  // SoS record without a prompt: the canonical sentence; the worked search is not the answer
  assert.deepEqual(at(2), {
    text: 'Use the numbers 58, 84, 48, 62 to reach 96. Use + - * / and each number at most once.',
    id: 'set-3',
    source: { file: 'data/set.jsonl', line: 3, dataset: 'countdown' },
    meta: { numbers: [58, 84, 48, 62], target: 96 },
  });
  assert.deepEqual(at(3), { text: SOS_PROMPT.prompt, id: 'set-4', source: { file: 'data/set.jsonl', line: 4, dataset: 'countdown' }, meta: { numbers: [58, 84, 48, 62], target: 96 } });
  assert.deepEqual(at(4), { text: COUNTDOWN_EXAMPLE, id: 'cd-1', source: { file: 'data/set.jsonl', line: 5, dataset: 'countdown' }, meta: { numbers: [3, 5, 7, 2], target: 24 } });
  assert.deepEqual(at(5), { text: 'What is 6 * 7?', answer: '42', id: '7', source: { file: 'data/set.jsonl', line: 6 } });
  assert.deepEqual(at(6), { text: 'Name the capital of France.', answer: 'Paris', id: 'set-7', source: { file: 'data/set.jsonl', line: 7 } });
  assert.deepEqual(at(7).meta, { numbers: [1, 2, 3], target: 6 });
  assert.equal(at(7).text, 'Use the numbers 1, 2, 3 to reach 6.');
  // a numeric GSM8K-style answer and a thousands separator reach their final form
  assert.equal(problemFromLine({ question: 'q', answer: 'x\n#### 1,234' }, { file: 'f', line: 1 }).answer, '1234');
});

test('bad lines fail naming file:line and the field', () => {
  const where = { file: 'data/set.jsonl', line: 4 };
  assert.throws(() => problemFromLine({ problem: 'x', answer: null }, where), (e: Error) => e instanceof ProblemSetError && /^data\/set\.jsonl:4: field "answer": /.test(e.message));
  assert.throws(() => problemFromLine({ nums: [1, 'two'], target: 3 }, where), /data\/set\.jsonl:4: field "nums\.1": /);
  assert.throws(() => problemFromLine([1, 2], where), /data\/set\.jsonl:4: line: /);
  assert.throws(() => problemFromLine({ solution: 'x' }, where), /data\/set\.jsonl:4: no "problem", "question", "prompt", "text" or "input" field/);
  // numbers without a target are not a Countdown problem
  assert.throws(() => problemFromLine({ nums: [1, 2] }, where), /no "problem"/);
});

test('problem-set text: blank lines skipped, BOM and CRLF accepted, 1-based select over problems', () => {
  const text = '\uFEFF' + [JSON.stringify(GSM), '', JSON.stringify(MATH), '   ', JSON.stringify(META), JSON.stringify(SOS)].join('\r\n') + '\r\n';
  const all = parseProblemSetText(text, 'sets/mixed.jsonl');
  assert.deepEqual(all.map((p) => [p.id, p.source?.line]), [['mixed-1', 1], ['test/algebra/1.json', 3], ['cd-1', 5], ['mixed-6', 6]]);
  assert.equal(all[0]!.answer, '72');
  assert.deepEqual(parseProblemSetText(text, 'sets/mixed.jsonl', '2-3').map((p) => p.source?.line), [3, 5]);
  assert.deepEqual(parseProblemSetText(text, 'sets/mixed.jsonl', '1,4').map((p) => p.id), ['mixed-1', 'mixed-6']);
  assert.throws(() => parseProblemSetText(text, 'sets/mixed.jsonl', '9'), /sets\/mixed\.jsonl: no problems selected by "9"/);
  assert.throws(() => parseProblemSetText('\n\n', 'e.jsonl'), /^ProblemSetError: e\.jsonl: no problems$/);
  assert.throws(() => parseProblemSetText(`${JSON.stringify(GSM)}\n\n{"problem": "x",\n`, 'b.jsonl'), /^ProblemSetError: b\.jsonl:3: not JSON/);
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].filter(parseSelect('3,5,7-9')), [3, 5, 7, 8, 9]);
  assert.throws(() => parseSelect('3-1'), /"3-1" is not a range/);
  assert.throws(() => parseSelect('a'), /"a" is not N or N-M/);
  assert.throws(() => parseSelect(' , '), /selects nothing/);
});

test('the CLI file reader and the core text parser give the same problems', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'metacot-problems-'));
  try {
    const file = join(dir, 'set.jsonl');
    const text = LINES.map((l) => JSON.stringify(l)).join('\n\n') + '\n';
    await writeFile(file, text);
    const fromCli = await readProblemSet(file);
    assert.equal(fromCli.length, LINES.length);
    assert.deepEqual(fromCli, parseProblemSetText(text, file));
    assert.deepEqual(await readProblemSet(file, '1,5'), parseProblemSetText(text, file, '1,5'));
    assert.equal(fromCli[0]!.answer, '72');
    assert.equal(CliProblemSetError, ProblemSetError);
    await assert.rejects(readProblemSet(join(dir, 'missing.jsonl')), (e: Error) => e instanceof ProblemSetError && /cannot read .*missing\.jsonl/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('real GSM8K and MATH-500 lines from ../shared: numeric GSM8K answers, MATH ids', { skip: skipShared }, () => {
  const gsmFile = join(sharedData, 'gsm8k', 'test_first200.jsonl');
  const gsm = parseProblemSetText(readFileSync(gsmFile, 'utf8'), 'gsm8k/test_first200.jsonl');
  assert.equal(gsm.length, 200);
  assert.ok(gsm.every((p) => /^-?\d+(?:\.\d+)?$/.test(p.answer!) && p.source?.dataset === 'gsm8k'), 'every GSM8K answer is the number after ####');
  assert.equal(gsm[0]!.answer, '18');
  assert.equal(gsm[0]!.id, 'test_first200-1');
  const math = parseProblemSetText(readFileSync(join(sharedData, 'math500', 'test.jsonl'), 'utf8'), 'math500/test.jsonl', '1-5');
  assert.ok(math.every((p) => p.source?.dataset === 'math' && p.id!.startsWith('test/') && p.answer !== undefined));
});
