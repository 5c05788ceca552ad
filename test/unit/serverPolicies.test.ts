/**
 * Simulated policies (not language models): deterministic under a seed, Countdown text format, arithmetic
 * answers and configurable mistakes, long-CoT backtracking and answer mismatch. Called directly through the
 * Policy interface, as the server calls them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countdownPolicy, parseCountdownProblem } from '../../src/core/server/policies/countdownProposer';
import { arithmeticPolicy } from '../../src/core/server/policies/arithmeticSolver';
import { longCotPolicy } from '../../src/core/server/policies/longCotResponder';
import { scriptedPolicy } from '../../src/core/server/policies/scriptedPolicy';
import type { PolicyRequest } from '../../src/core/server/policy';

const signal = new AbortController().signal;
const base = { continueFinalMessage: false, n: 1, maxTokens: 512, temperature: 1, topP: 1, stop: [], logprobs: false };
const chat = (content: string, extra: Partial<PolicyRequest> = {}): PolicyRequest => ({ ...base, messages: [{ role: 'user', content }], ...extra });
const PROBLEM = 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.';

/** Evaluates an Answer expression; returns the value and the numbers it uses. */
function evalExpr(src: string): { value: number; used: number[] } {
  const tokens = src.match(/\d+|[-+*/()]/g) ?? [];
  let i = 0;
  const used: number[] = [];
  const primary = (): number => {
    const t = tokens[i++];
    if (t === '(') {
      const v = sum();
      assert.equal(tokens[i++], ')');
      return v;
    }
    used.push(Number(t));
    return Number(t);
  };
  const product = (): number => {
    let v = primary();
    while (tokens[i] === '*' || tokens[i] === '/') v = tokens[i++] === '*' ? v * primary() : v / primary();
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (tokens[i] === '+' || tokens[i] === '-') v = tokens[i++] === '+' ? v + product() : v - product();
    return v;
  };
  const value = sum();
  assert.equal(i, tokens.length, `trailing tokens in ${src}`);
  return { value, used };
}

test('countdown: same request and seed give the same text; other seeds give other texts', async () => {
  const p = countdownPolicy();
  const a = await p.generate(chat(PROBLEM, { seed: 7, n: 3 }), signal);
  const b = await p.generate(chat(PROBLEM, { seed: 7, n: 3 }), signal);
  assert.deepEqual(a, b);
  const texts = new Set<string>();
  for (let seed = 0; seed < 8; seed++) texts.add((await p.generate(chat(PROBLEM, { seed }), signal)).choices[0]!.text);
  assert.ok(texts.size >= 4, `only ${texts.size} distinct texts over 8 seeds`);
  // temperature 0 is greedy: every sibling is the same
  const greedy = await p.generate(chat(PROBLEM, { seed: 1, n: 3, temperature: 0 }), signal);
  assert.equal(new Set(greedy.choices.map((c) => c.text)).size, 1);
});

test('countdown: steps follow the text format and, with no errors and full guidance, the Answer reaches the target', async () => {
  const p = countdownPolicy({ errorRate: 0, guidance: 1 });
  const STEP = /^(\d+) ([-+*/]) (\d+) = (\d+) \(left: ([\d, ]+)\)$/;
  for (let seed = 0; seed < 10; seed++) {
    const text = (await p.generate(chat(PROBLEM, { seed }), signal)).choices[0]!.text;
    const paragraphs = text.split('\n\n');
    const answer = paragraphs.at(-1)!;
    let available = [3, 5, 7, 2];
    for (const step of paragraphs.slice(0, -1)) {
      const m = STEP.exec(step);
      assert.ok(m, `step "${step}" is not in the Countdown format`);
      const [a, op, b, r] = [Number(m[1]), m[2], Number(m[3]), Number(m[4])];
      const expected = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b;
      assert.equal(r, expected, `wrong arithmetic in "${step}"`);
      const ia = available.indexOf(a);
      assert.ok(ia >= 0, `${a} not available in ${available}`);
      available.splice(ia, 1);
      const ib = available.indexOf(b);
      assert.ok(ib >= 0, `${b} not available in ${available}`);
      available.splice(ib, 1);
      available.push(r);
      assert.deepEqual(m[5]!.split(', ').map(Number).sort(), [...available].sort());
    }
    const am = /^Answer: (.+) = 24$/.exec(answer);
    assert.ok(am, `last paragraph "${answer}" is not an Answer line reaching 24`);
    const { value, used } = evalExpr(am[1]!);
    assert.equal(value, 24);
    const pool = [3, 5, 7, 2];
    for (const u of used) {
      const k = pool.indexOf(u);
      assert.ok(k >= 0, `number ${u} used more than once or not given`);
      pool.splice(k, 1);
    }
  }
});

test('countdown: errorRate 1 makes every step illegal; continuing trusts the written steps', async () => {
  const bad = countdownPolicy({ errorRate: 1 });
  const text = (await bad.generate(chat(PROBLEM, { seed: 3, stop: [] }), signal)).choices[0]!.text;
  const first = text.split('\n\n')[0]!;
  const m = /^(\d+) ([-+*/]) (\d+) = (\d+)/.exec(first)!;
  const [a, op, b, r] = [Number(m[1]), m[2], Number(m[3]), Number(m[4])];
  const right = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b;
  assert.ok(r !== right || ![3, 5, 7, 2].includes(a), `"${first}" is legal`);
  // chat-continue: the partial solution is the open assistant message; the next step uses what is left there.
  const p = countdownPolicy({ errorRate: 0, guidance: 1 });
  const req: PolicyRequest = { ...base, seed: 1, continueFinalMessage: true, messages: [{ role: 'user', content: PROBLEM }, { role: 'assistant', content: '5 * 3 = 15 (left: 7, 2, 15)\n\n' }] };
  const next = (await p.generate(req, signal)).choices[0]!.text.split('\n\n')[0]!;
  const nm = /^(\d+) [-+*/] (\d+) = /.exec(next)!;
  for (const x of [Number(nm[1]), Number(nm[2])]) assert.ok([7, 2, 15].includes(x), `${next} uses ${x}, not left after 5 * 3`);
  assert.deepEqual(parseCountdownProblem(PROBLEM), { numbers: [3, 5, 7, 2], target: 24 });
});

test('arithmetic: reduces by precedence to a boxed answer; mistakes are configurable and propagate', async () => {
  const p = arithmeticPolicy({ mistakeRate: 0 });
  const text = (await p.generate(chat('What is 3 + 4 * 5 - 6 / 2?', { seed: 1 }), signal)).choices[0]!.text;
  assert.deepEqual(text.split('\n\n'), ['First, 4 * 5 = 20.', 'Then, 6 / 2 = 3.', 'Now, 3 + 20 = 23.', 'Next, 23 - 3 = 20.', 'The answer is \\boxed{20}.']);
  // Continue after a wrong written step: its result is trusted.
  const cont = await p.generate(chat('What is 3 + 4 * 5 - 6 / 2?\n\nSolution so far:\n\nFirst, 4 * 5 = 21.\n\nContinue with the next step only.', { seed: 1 }), signal);
  assert.match(cont.choices[0]!.text, /\\boxed\{21\}/);
  const sloppy = arithmeticPolicy({ mistakeRate: 1 });
  const wrong = (await sloppy.generate(chat('What is 3 + 4 * 5?', { seed: 2 }), signal)).choices[0]!.text;
  assert.doesNotMatch(wrong, /\\boxed\{23\}/);
  const table = arithmeticPolicy({ mistakeRate: 0, table: [{ match: 'apples', steps: ['She has 3 + 2 = 5 apples.', 'Doubling: 5 * 2 = 10.'], answer: '10' }] });
  const word = (await table.generate(chat('Ann has 3 apples and gets 2 more, then doubles them. How many apples?', { seed: 1 }), signal)).choices[0]!.text;
  assert.equal(word, 'She has 3 + 2 = 5 apples.\n\nDoubling: 5 * 2 = 10.\n\nThe answer is \\boxed{10}.');
});

test('long-CoT: R1-style backtracking and verification phrases, <think> or reasoning field, optional answer mismatch', async () => {
  const tags = longCotPolicy({ backtrackRate: 1 });
  const t = (await tags.generate(chat('Compute 12 * 4 + 7 - 3 * 2.', { seed: 5 }), signal)).choices[0]!;
  assert.match(t.text, /^<think>\n[\s\S]*\n<\/think>\n\nThe answer is \\boxed\{49\}\.$/);
  assert.match(t.text, /Wait, but/);
  assert.match(t.text, /Let me double-check/);
  const field = longCotPolicy({ style: 'reasoning-field' });
  const f = (await field.generate(chat('Compute 12 * 4 + 7 - 3 * 2.', { seed: 5 }), signal)).choices[0]!;
  assert.equal(f.text, 'The answer is \\boxed{49}.');
  assert.match(f.reasoning!, /So the answer is 49\./);
  const mismatch = longCotPolicy({ style: 'reasoning-field', mismatchRate: 1 });
  const mm = (await mismatch.generate(chat('Compute 12 * 4 + 7 - 3 * 2.', { seed: 5 }), signal)).choices[0]!;
  assert.match(mm.reasoning!, /So the answer is 49\./);
  assert.equal(mm.text, 'The answer is \\boxed{196}.');
  // "Alternatively, perhaps" appears in some samples
  let alternatives = 0;
  for (let seed = 0; seed < 10; seed++) {
    if (/Alternatively, perhaps/.test((await tags.generate(chat('Compute 12 * 4 + 7 - 3 * 2.', { seed }), signal)).choices[0]!.text)) alternatives++;
  }
  assert.ok(alternatives > 0 && alternatives < 10, `${alternatives}/10 with "Alternatively, perhaps"`);
});

test('scripted policy answers what the test says, per choice', async () => {
  const p = scriptedPolicy('script', (_req, i) => `choice ${i}`);
  const r = await p.generate(chat('x', { n: 3 }), signal);
  assert.deepEqual(r.choices.map((c) => c.text), ['choice 0', 'choice 1', 'choice 2']);
  assert.deepEqual(r.completionTokens, [2, 2, 2]);
});
