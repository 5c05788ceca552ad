/**
 * The embedded reasoners' runtime: the greedy longest-match tokenizer (the policy's one-character vocabulary keeps
 * its old encoding), the checked meta and ONNX files, seeded sampling with streaming and the KV cache, forks that
 * keep the thinking up to a step exactly, and the served endpoints (`embedded-countdown-sos`, `-path`): the search
 * text as `reasoning_content`, the same for stream and non-stream, round-tripping through both importers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GreedyTokenizer, type VocabFile } from '../../src/core/embedded/tokenizer';
import { EmbeddedModelError } from '../../src/core/embedded/modelFiles';
import { hasReasoner, readReasonerFiles, readReasonerMeta, reasonerFileNames, ReasonerMetaSchema } from '../../src/core/embedded/reasonerFiles';
import { EmbeddedReasoner, sosAnswer, sosFirstLine } from '../../src/core/embedded/reasoner';
import { EmbeddedReasonerGenerator } from '../../src/core/embedded/reasonerGenerator';
import { parseReasonerRequest } from '../../src/core/embedded/reasonerPolicy';
import { EmbeddedModel } from '../../src/core/embedded/model';
import { serveEmbedded, type EmbeddedServer } from '../../src/core/embedded/serve';
import { REASONER_MODEL_IDS, reasonerNameOf } from '../../src/core/embedded/embeddedNames';
import { importSos, isSosNode, SosImporter, sosPrefix } from '../../src/core/trace/import/streamOfSearch';
import { importLongCot, LongCotImporter } from '../../src/core/trace/import/longCot';
import { renderProblem } from '../../src/core/embedded/countdown';

const modelDir = join(__dirname, '../../model');
const present = hasReasoner(modelDir, 'countdown-sos') && hasReasoner(modelDir, 'countdown-path');
const needModels = { skip: present ? false : 'model/countdown-sos.* / countdown-path.* not present' };
const problem = { numbers: [3, 5, 7, 2], target: 24 };
const MAX = 300;

const PHRASES = ['Current State: ', ', Operations: ', 'Exploring Operation: ', ', Resulting Numbers: ', 'Generated Node #', 'Moving to Node #', ' Operation: ', ' equal: Goal Reached', ' unequal: No Solution'];

test('tokenizer: the policy vocabulary encodes one token per character, exactly as before', () => {
  const vocab = JSON.parse(readFileSync(join(modelDir, 'vocab.json'), 'utf8')) as VocabFile;
  const tk = new GreedyTokenizer(vocab);
  const text = '3, 5, 7, 2 > 24\n5 * 3 = 15 (left: 7, 2, 15)\nAnswer: ((5 * 3) + 7) + 2 = 24';
  assert.deepEqual(tk.encode(text), [...text].map((ch) => vocab.tokens.indexOf(ch)));
  assert.equal(tk.decode(tk.encode(text)), text);
  assert.equal(tk.eos, -1);
  assert.throws(() => tk.encode('3 ? 4'), /character "\?" is not in the embedded model's vocabulary/);
  assert.deepEqual(tk.encode('3 ? 4', true), tk.encode('3  4'));
  assert.equal(tk.covers('Answer: 3'), true);
  assert.equal(tk.covers('Answer: x'), false);
});

test('tokenizer: greedy longest match over phrase tokens; specials never match text', () => {
  const tokens = ['<pad>', '<bos>', '<eos>', ...PHRASES, '\n', ' ', ...'0123456789', ...'+-*/=[](),:\'#.'];
  const tk = new GreedyTokenizer({ tokens, pad: 0, bos: 1, eos: 2 });
  const line = 'Generated Node #0,1: 24:[7, 2, 15] Operation: 5*3=15';
  const ids = tk.encode(line);
  assert.equal(ids[0], tokens.indexOf('Generated Node #'));
  assert.equal(ids.filter((i) => i === tokens.indexOf(' Operation: ')).length, 1, '" Operation: " is one token, not " " + …');
  assert.equal(tk.decode(ids), line);
  // ', Operations: ' beats ', ' and ' ' (longest match), and a phrase cut short falls back to characters
  assert.deepEqual(tk.encode(', Operations: []').slice(0, 1), [tokens.indexOf(', Operations: ')]);
  assert.throws(() => tk.encode('Current Stat'), /"C"/, 'a phrase cut short matches nothing (no letters as characters)');
  assert.throws(() => tk.encode('<eos>'), /"<"/);
  assert.equal(tk.token(2), '');
});

const fixture = join(__dirname, '../fixtures/reasoner/tokenize.json');
test('tokenizer matches model/train_reasoner.py on its fixture', { skip: existsSync(fixture) ? false : 'test/fixtures/reasoner/tokenize.json not written yet' }, () => {
  const raw = JSON.parse(readFileSync(fixture, 'utf8')) as unknown;
  const obj = raw as { tokens?: string[]; pad?: number; bos?: number; eos?: number; cases?: { text: string; ids: number[] }[] };
  const cases = Array.isArray(raw) ? (raw as { text: string; ids: number[] }[]) : (obj.cases ?? []);
  const vocab = obj.tokens ? { tokens: obj.tokens, pad: obj.pad ?? 0, bos: obj.bos ?? 1, eos: obj.eos ?? 2 } : readReasonerMeta(modelDir, 'countdown-sos');
  const tk = new GreedyTokenizer(vocab);
  assert.ok(cases.length > 0, 'the fixture has cases');
  for (const c of cases) assert.deepEqual(tk.encode(c.text), c.ids, JSON.stringify(c.text.slice(0, 60)));
});

test('reasoner files: the meta schema and the checksum refuse bad files with a clear message', needModels, () => {
  const meta = readReasonerMeta(modelDir, 'countdown-sos');
  assert.equal(meta.layout, 'sos');
  assert.equal(readReasonerMeta(modelDir, 'countdown-path').layout, 'path');
  assert.equal(ReasonerMetaSchema.safeParse({ ...meta, format: 'metacot-countdown-policy/1' }).success, false);
  assert.equal(ReasonerMetaSchema.safeParse({ ...meta, eos: meta.tokens.length }).success, false);
  const dir = mkdtempSync(join(tmpdir(), 'reasoner-'));
  try {
    const f = reasonerFileNames('countdown-sos');
    for (const name of [f.onnx, f.meta]) copyFileSync(join(modelDir, name), join(dir, name));
    writeFileSync(join(dir, f.checksum), `${'0'.repeat(64)}  ${f.onnx}\n`);
    assert.throws(() => readReasonerFiles(dir, 'countdown-sos'), (e: Error) => e instanceof EmbeddedModelError && /checksum mismatch/.test(e.message) && /train_reasoner\.py/.test(e.message));
    writeFileSync(join(dir, f.meta), JSON.stringify({ ...meta, name: 'countdown-path' }));
    assert.throws(() => readReasonerMeta(dir, 'countdown-sos'), /describes "countdown-path"/);
    rmSync(join(dir, f.meta));
    assert.equal(hasReasoner(dir, 'countdown-sos'), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(reasonerNameOf('embedded-countdown-sos'), 'countdown-sos');
  assert.equal(reasonerNameOf('embedded-countdown'), undefined);
});

/** A clean search for 3, 5, 7, 2 → 24 in the layout the models learnt. */
const SOLVED = [sosFirstLine(problem), 'Exploring Operation: 5*3=15, Resulting Numbers: [7, 2, 15]', 'Generated Node #0,0: 24:[7, 2, 15] Operation: 5*3=15',
  'Exploring Operation: 7*5=35, Resulting Numbers: [3, 2, 35]', 'Generated Node #0,1: 24:[3, 2, 35] Operation: 7*5=35',
  'Moving to Node #0,0', "Current State: 24:[7, 2, 15], Operations: ['5*3=15']", 'Exploring Operation: 7+2=9, Resulting Numbers: [15, 9]',
  'Generated Node #0,0,0: 24:[15, 9] Operation: 7+2=9', 'Moving to Node #0,0,0', "Current State: 24:[15, 9], Operations: ['5*3=15', '7+2=9']",
  'Exploring Operation: 15+9=24, Resulting Numbers: [24]', '24,24 equal: Goal Reached'].join('\n');

test('the answer line comes from the goal path, checked; without a goal it says so', () => {
  const text = SOLVED;
  assert.deepEqual(sosAnswer(problem, text), { expression: '(5 * 3) + (7 + 2)', verified: true, answer: 'Answer: (5 * 3) + (7 + 2) = 24' });
  // wrong arithmetic the model claimed as a goal: the line is written, the check says no
  const wrong = text.replace('15+9=24, Resulting Numbers: [24]', '15+8=24, Resulting Numbers: [24]');
  assert.equal(sosAnswer(problem, wrong).verified, false);
  assert.equal(sosAnswer(problem, text.split('\n').slice(0, 9).join('\n')).answer, 'No solution found: the search did not reach 24.');
});

let sos: EmbeddedReasoner | undefined;
let policyModel: EmbeddedModel | undefined;
let server: EmbeddedServer | undefined;
before(async () => {
  if (!present) return;
  sos = await EmbeddedReasoner.load('countdown-sos', { dir: modelDir });
  policyModel = await EmbeddedModel.load({ dir: modelDir });
  server = await serveEmbedded({ model: policyModel, reasoners: [sos, await EmbeddedReasoner.load('countdown-path', { dir: modelDir })] });
});
after(async () => {
  await server?.close();
  for (const r of server?.reasoners ?? []) await r.reasoner.release();
  await policyModel?.release();
});

test('reasoner: seeded, streamed token by token, stops at <eos> or max tokens; usage counts model tokens', needModels, async () => {
  const r = sos!;
  const streamed: string[] = [];
  const a = await r.reason({ problem, temperature: 1, topP: 1, seed: 11, maxTokens: MAX, onText: (t) => streamed.push(t) });
  const b = await r.reason({ problem, temperature: 1, topP: 1, seed: 11, maxTokens: MAX });
  assert.equal(a.thinking, b.thinking, 'same seed, same text');
  assert.ok(a.thinking.startsWith(`${sosFirstLine(problem)}\n`));
  assert.equal(streamed.join(''), a.reasoning, 'the streamed pieces are the reasoning (first line, then each token)');
  assert.equal(a.reasoning, a.thinking, 'a fresh search reasons from its first line');
  assert.equal(streamed.length, 1 + a.pieces.length);
  assert.equal(a.tokens, a.pieces.length + (a.finish === 'stop' ? 1 : 0), '<eos> is a generated token');
  assert.ok(a.tokens <= MAX);
  if (a.finish === 'length') assert.equal(a.tokens, MAX);
  assert.equal(r.countTokens(a.generated), a.pieces.length, 'the text re-encodes to the tokens the model chose');
  const short = await r.reason({ problem, temperature: 1, topP: 1, seed: 11, maxTokens: 5 });
  assert.equal(short.finish, 'length');
  assert.equal(short.tokens, 5);
  assert.ok(a.thinking.startsWith(short.thinking), 'a shorter budget is a prefix of the same sample');
});

test('fork: continuing from step k keeps the first k steps’ text exactly', needModels, async () => {
  const r = sos!;
  const imp = importSos(SOLVED);
  const steps = imp.tree.trace.nodes.filter(isSosNode);
  for (const k of [1, 3]) {
    const prefix = sosPrefix(imp.tree, steps[k - 1]!.id);
    assert.equal(prefix, `${SOLVED.split('\n').slice(0, k === 1 ? 3 : 9).join('\n')}\n`, `the text up to step ${k}, lines and all`);
    const cont = await r.reason({ problem, thinking: `<think>${prefix}`, temperature: 1, topP: 1, seed: 99 + k, maxTokens: 60 });
    assert.ok(cont.thinking.startsWith(prefix), 'the continued thinking starts with the first k steps exactly');
    assert.equal(cont.thinking, prefix + cont.generated);
    assert.equal(cont.reasoning, cont.generated, 'a fork reasons only what it adds');
    assert.ok(cont.generated.length > 0);
    const again = importSos(cont.thinking).tree.trace.nodes.filter(isSosNode).slice(0, k);
    assert.deepEqual(again.map((n) => n.text), steps.slice(0, k).map((n) => n.text));
  }
});

async function post(path: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${server!.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

test('served: /v1/models lists the reasoners; stream and non-stream give the same reasoning; it round-trips through both importers', needModels, async () => {
  const models = (await (await fetch(`${server!.url}/models`)).json()) as { data: { id: string }[] };
  assert.deepEqual(models.data.map((m) => m.id).filter((id) => id.includes('countdown-') && id !== 'embedded-countdown-value').sort(), [REASONER_MODEL_IDS['countdown-path'], REASONER_MODEL_IDS['countdown-sos']]);
  const body = { model: 'embedded-countdown-sos', messages: [{ role: 'user', content: renderProblem(problem) }], seed: 21, max_tokens: MAX, temperature: 1 };
  const plain = (await (await post('/chat/completions', body)).json()) as { choices: { message: { content: string; reasoning_content: string }; finish_reason: string }[]; usage: { completion_tokens: number; completion_tokens_details: { reasoning_tokens: number } } };
  const msg = plain.choices[0]!.message;
  assert.ok(msg.reasoning_content.startsWith(sosFirstLine(problem)));
  assert.match(msg.content, /^(Answer: .+ = 24|No solution found: the search did not reach 24\.)$/);
  assert.equal(msg.content, sosAnswer(problem, msg.reasoning_content).answer);

  const res = await post('/chat/completions', { ...body, stream: true });
  const sse = await res.text();
  const deltas = sse.split('\n').filter((l) => l.startsWith('data: {')).map((l) => (JSON.parse(l.slice(6)) as { choices: { delta: { content?: string; reasoning_content?: string } }[] }).choices[0]?.delta ?? {});
  const reasoning = deltas.map((d) => d.reasoning_content ?? '').join('');
  const content = deltas.map((d) => d.content ?? '').join('');
  assert.equal(reasoning, msg.reasoning_content, 'the streamed reasoning_content is the non-stream reasoning');
  // one chunk per model token after the first line (the server streams the reasoning as the model wrote it)
  const pieces = deltas.filter((d) => d.reasoning_content !== undefined && d.reasoning_content !== '');
  assert.equal(pieces[0]!.reasoning_content, `${sosFirstLine(problem)}\n`);
  assert.equal(pieces.length, 1 + sos!.countTokens(reasoning.slice(sosFirstLine(problem).length + 1)));
  // usage bills the model's own tokens for the reasoning (<eos> included when it stopped)
  const modelTokens = sos!.countTokens(reasoning.slice(sosFirstLine(problem).length + 1)) + (plain.choices[0]!.finish_reason === 'stop' ? 1 : 0);
  assert.equal(plain.usage.completion_tokens_details.reasoning_tokens, modelTokens);
  assert.equal(content, msg.content);

  // the SoS tree built incrementally from the streamed deltas is the tree of the whole text
  const live = new SosImporter({ id: 's', createdAt: '2026-01-01T00:00:00.000Z' });
  for (const d of deltas) if (d.reasoning_content) live.push(d.reasoning_content);
  assert.deepEqual(live.finish().tree.toJSON(), importSos(reasoning, { id: 's', createdAt: '2026-01-01T00:00:00.000Z' }).tree.toJSON());
  // and so does the long-CoT importer's, pushed piece by piece
  const p = { text: renderProblem(problem) };
  const cot = new LongCotImporter(p, { id: 'c', createdAt: '2026-01-01T00:00:00.000Z' });
  for (const d of deltas) {
    if (d.reasoning_content) cot.push(d.reasoning_content, 'reasoning');
    if (d.content) cot.push(d.content, 'content');
  }
  assert.deepEqual(cot.finish().tree.toJSON(), importLongCot(p, { reasoning, content }, { id: 'c', createdAt: '2026-01-01T00:00:00.000Z' }).tree.toJSON());
});

test('served fork: continue_final_message continues the given thinking; the reasoning is the continuation', needModels, async () => {
  const first = sosFirstLine(problem);
  const thinking = `${first}\nExploring Operation: 5*3=15, Resulting Numbers: [7, 2, 15]\nGenerated Node #0,0: 24:[7, 2, 15] Operation: 5*3=15\n`;
  const input = parseReasonerRequest({ continueFinalMessage: true, messages: [{ role: 'user', content: renderProblem(problem) }, { role: 'assistant', content: `<think>${thinking}` }] });
  assert.deepEqual(input, { problem, thinking: `<think>${thinking}` });
  const res = (await (await post('/chat/completions', { model: 'embedded-countdown-path', messages: [{ role: 'user', content: renderProblem(problem) }, { role: 'assistant', content: `<think>${thinking}` }], continue_final_message: true, add_generation_prompt: false, seed: 4, max_tokens: 40 })).json()) as { choices: { message: { reasoning_content: string } }[] };
  const direct = await server!.reasoners.find((r) => r.name === 'embedded-countdown-path')!.reasoner.reason({ problem, thinking: `<think>${thinking}`, temperature: 1, topP: 1, seed: 4, maxTokens: 40 });
  assert.equal(res.choices[0]!.message.reasoning_content, direct.generated);
  assert.ok(!direct.generated.startsWith(first), 'the continuation does not repeat the given thinking');
  // a prompt with no problem anywhere is refused with the accepted phrasing
  const bad = await post('/chat/completions', { model: 'embedded-countdown-sos', messages: [{ role: 'user', content: 'hello' }] });
  assert.equal(bad.status, 400);
});

test('in-process generator: model id, reasoning deltas then the answer, model tokens, declared limitations', needModels, async () => {
  const g = new EmbeddedReasonerGenerator(sos!, { seed: 2, maxTokens: 120 });
  assert.equal(g.describe().model, 'embedded-countdown-sos');
  assert.deepEqual(g.limitations().map((l) => l.feature), ['previous-attempts', 'stop']);
  const p = { text: renderProblem(problem) };
  assert.deepEqual(g.checkProblem(p), { ok: true });
  assert.equal(g.checkProblem({ text: 'What is 2 + 2?' }).ok, false);
  const deltas: { reasoning?: string; text?: string }[] = [];
  const [out] = await g.generate({ problem: p.text, steps: [], purpose: 'full', n: 1, onDelta: (d) => deltas.push(d) });
  assert.equal(deltas.map((d) => d.reasoning ?? '').join(''), out!.reasoning);
  assert.equal(deltas.at(-1)!.text, out!.text);
  assert.equal(out!.tokensOut, sos!.countTokens(out!.reasoning!.slice(sosFirstLine(problem).length + 1)) + (out!.finishReason === 'stop' ? 1 : 0));
  assert.equal(out!.tokensIn, sos!.countTokens(`${sosFirstLine(problem)}\n`) + 1, '<bos> and the first line');
});
