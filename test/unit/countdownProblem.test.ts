/**
 * The one Countdown sentence and tolerant reader (src/core/problems/countdown.ts): natural phrasings, meta, the
 * Stream-of-Search prompt form, no false Countdown reading of GSM8K / MATH word problems, and the embedded model's
 * up-front refusal (Generator.checkProblem, and 400 from its loopback server) naming the accepted phrasing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  COUNTDOWN_EXAMPLE,
  countdownSentence,
  explainCountdownProblem,
  findCountdownStatement,
  readCountdownProblem,
} from '../../src/core/problems';
import { parseCountdownProblem as checkerReads } from '../../src/core/verify/countdown';
import { parseCountdownProblem as proposerReads } from '../../src/core/server/policies/countdownProposer';
import { EmbeddedModel } from '../../src/core/embedded/model';
import { EmbeddedCountdownPolicy } from '../../src/core/embedded/policy';
import { EmbeddedGenerator } from '../../src/core/embedded/generator';
import { serveEmbedded, type EmbeddedServer } from '../../src/core/embedded/serve';
import { parseStep } from '../../src/core/embedded/countdown';

const sharedData = join(__dirname, '..', '..', '..', 'shared', 'data');
const skipShared = existsSync(sharedData) ? false : 'skipped: ../shared is absent';

const TEN = [
  'Use the numbers 4, 7, 8, 2 to reach 24. Use + - * / and each number at most once.',
  'Reach 24 with 4, 7, 8 and 2',
  'numbers [4, 7, 8, 2], target 24',
  '4 7 8 2 → 24',
  '4, 7, 8, 2 -> 24',
  'Make 24 from 4, 7, 8, 2',
  'Using 4, 7, 8 and 2, get 24',
  'Target: 24. Numbers: 4 7 8 2',
  'Combine 4, 7, 8, 2 to make 24',
  'Countdown: 4 7 8 2 = 24',
];
const SOS_PROMPT = 'Make 24 with the numbers [4, 7, 8, 2] using standard arithmetic operations.';
const SPEC = { numbers: [4, 7, 8, 2], target: 24 };

// Real GSM8K test questions (openai/grade-school-math, MIT), used inline so the check runs without ../shared.
const GSM8K = [
  'Janet\u2019s ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her friends every day with four. She sells the remainder at the farmers\' market daily for $2 per fresh duck egg. How much in dollars does she make every day at the farmers\' market?',
  'A robe takes 2 bolts of blue fiber and half that much white fiber.  How many bolts in total does it take?',
  'Josh decides to try flipping a house.  He buys a house for $80,000 and then puts in $50,000 in repairs.  This increased the value of the house by 150%.  How much profit did he make?',
];

test('the canonical sentence, the ten phrasings and the SoS prompt form all read as the same problem', () => {
  assert.equal(countdownSentence([3, 5, 7, 2], 24), 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.');
  assert.equal(COUNTDOWN_EXAMPLE, countdownSentence([3, 5, 7, 2], 24));
  assert.deepEqual(readCountdownProblem(COUNTDOWN_EXAMPLE), { numbers: [3, 5, 7, 2], target: 24 });
  for (const text of [...TEN, SOS_PROMPT]) {
    assert.deepEqual(readCountdownProblem(text), SPEC, text);
    assert.deepEqual(readCountdownProblem({ text }), SPEC, text);
    // the checker and the simulated proposer read through the same reader
    assert.deepEqual(checkerReads({ text }), SPEC, text);
    assert.deepEqual(proposerReads(text), SPEC, text);
  }
  assert.deepEqual(readCountdownProblem('Target: 10, numbers: [2, 5, 1]'), { numbers: [2, 5, 1], target: 10 });
  assert.deepEqual(readCountdownProblem('Use the numbers 25, 50, 75, 100, 3, 6 to reach 952.'), { numbers: [25, 50, 75, 100, 3, 6], target: 952 });
});

test('meta wins over the text; counts outside 2..6, decimals and plain questions are not Countdown', () => {
  assert.deepEqual(readCountdownProblem({ text: 'anything', meta: { numbers: [1, 2], target: 3 } }), { numbers: [1, 2], target: 3 });
  assert.deepEqual(readCountdownProblem({ text: 'Reach 24 with 4, 7, 8 and 2', meta: { numbers: [1.5, 2], target: 3 } }), SPEC, 'non-integer meta: the text');
  assert.equal(readCountdownProblem('Use the numbers 1, 2, 3, 4, 5, 6, 7 to reach 24.'), null);
  assert.equal(readCountdownProblem('Use the numbers 4.5, 2 to reach 3.'), null);
  assert.equal(readCountdownProblem('What is 6 * 7?'), null);
  assert.equal(readCountdownProblem('What is 2 + 2 = 4?'), null);
  assert.deepEqual(explainCountdownProblem('Use the numbers 1, 2, 3, 4, 5, 6, 7 to reach 24.'), {
    ok: false,
    reason: 'read 7 numbers (1, 2, 3, 4, 5, 6, 7) and target 24, but Countdown takes 2 to 6 numbers',
  });
  assert.deepEqual(explainCountdownProblem('What is 6 * 7?'), { ok: false, reason: 'no numbers and target found in "What is 6 * 7?"' });
});

test('the last statement in a prompt counts, and step lines after it are not read as one', () => {
  const text = `Example: Use the numbers 1, 2, 3, 4 to reach 10.\n${COUNTDOWN_EXAMPLE}\n\n5 * 3 = 15 (left: 7, 2, 15)\n15 + 7 = 22 (left: 2, 22)\nAnswer: 5 * 3 + 7 + 2 = 24`;
  const found = findCountdownStatement(text);
  assert.deepEqual([found?.numbers, found?.target], [[3, 5, 7, 2], 24]);
  assert.equal(text.slice(found!.start, found!.end), COUNTDOWN_EXAMPLE);
  assert.equal(text.slice(found!.end, found!.end + 3), '\n\n5');
  assert.equal(findCountdownStatement('5 * 3 = 15 (left: 7, 2, 15)\n15 + 7 = 22 (left: 2, 22)'), undefined);
});

test('GSM8K questions are not Countdown problems', () => {
  for (const q of GSM8K) assert.equal(readCountdownProblem(q), null, q);
});

test('no GSM8K or MATH-500 problem in ../shared reads as Countdown; every SoS prompt reads as its record', { skip: skipShared }, () => {
  const rows = (file: string) => readFileSync(join(sharedData, file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const gsm = rows('gsm8k/test_first200.jsonl');
  const math = rows('math500/test.jsonl');
  assert.equal(gsm.length + math.length, 700);
  for (const r of gsm) assert.equal(readCountdownProblem(r.question as string), null, r.question as string);
  for (const r of math) assert.equal(readCountdownProblem(r.problem as string), null, r.problem as string);
  const sos = rows('countdown-sos/qwen2.5-7b-sos-sft_countdown_test_sample24.jsonl');
  assert.equal(sos.length, 24);
  for (const r of sos) {
    const want = r.parsed_results as { target: number; initial_numbers: number[] };
    assert.deepEqual(readCountdownProblem(r.prompt as string), { numbers: want.initial_numbers, target: want.target }, r.prompt as string);
  }
});

let model: EmbeddedModel;
let server: EmbeddedServer;
const modelDir = join(__dirname, '../../model');

before(async () => {
  model = await EmbeddedModel.load({ dir: modelDir });
  server = await serveEmbedded({ model });
});
after(async () => {
  await server.close();
  await model.release();
});

test('the embedded generator refuses an unreadable problem up front with the accepted phrasing, and accepts the ten', () => {
  const gen = new EmbeddedGenerator(new EmbeddedCountdownPolicy(model));
  const no = gen.checkProblem({ text: GSM8K[1]! });
  assert.equal(no.ok, false);
  assert.equal(
    !no.ok && no.message,
    'The embedded Countdown model cannot read this problem: no numbers and target found in "A robe takes 2 bolts of blue fiber and half that much white fiber. How many…". ' +
      `Write it like: "${COUNTDOWN_EXAMPLE}" or pick an OpenAI-compatible endpoint for other problems.`,
  );
  const many = gen.checkProblem({ text: 'Use the numbers 1, 2, 3, 4, 5, 6, 7 to reach 24.' });
  assert.match(!many.ok ? many.message : '', /read 7 numbers .* Write it like: "Use the numbers 3, 5, 7, 2 to reach 24\./);
  for (const text of [...TEN, SOS_PROMPT]) assert.deepEqual(gen.checkProblem({ text }), { ok: true }, text);
});

test('a problem whose numbers are only in meta is accepted, and the model is shown them', async () => {
  const gen = new EmbeddedGenerator(new EmbeddedCountdownPolicy(model), { temperature: 0 });
  const problem = { text: 'Solve this puzzle.', meta: { numbers: [3, 5, 7, 2], target: 24 } };
  assert.deepEqual(gen.checkProblem(problem), { ok: true });
  const [g] = await gen.generate({ problem: problem.text, steps: [], purpose: 'step', n: 1 });
  const step = parseStep(g!.text);
  assert.ok(step, g!.text);
  assert.ok([step.a, step.b].every((x) => [3, 5, 7, 2].includes(x)), `operands of "${g!.text}" come from the meta numbers`);
  // an unchecked text with no numbers still fails in the policy, naming the accepted phrasing
  await assert.rejects(gen.generate({ problem: 'Another puzzle.', steps: [], purpose: 'step', n: 1 }), /cannot read this problem.*Use the numbers 3, 5, 7, 2/);
});

test('the loopback server answers an unreadable problem with 400 in OpenAI error shape', async () => {
  const res = await fetch(`${server.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'embedded-countdown', messages: [{ role: 'user', content: GSM8K[0] }], max_tokens: 20 }),
  });
  assert.equal(res.status, 400);
  const body = (await res.json()) as { error: { message: string; type: string; param: string | null } };
  assert.equal(body.error.type, 'invalid_request_error');
  assert.equal(body.error.param, 'messages');
  assert.match(body.error.message, /^The embedded Countdown model cannot read this problem: no numbers and target found in "Janet’s ducks lay 16 eggs/);
  assert.ok(body.error.message.includes(`Write it like: "${COUNTDOWN_EXAMPLE}"`));
  // a readable phrasing is served
  const ok = await fetch(`${server.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'embedded-countdown', messages: [{ role: 'user', content: TEN[1] }], max_tokens: 40, temperature: 0 }),
  });
  assert.equal(ok.status, 200);
});
