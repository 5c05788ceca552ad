/**
 * The embedded Countdown model (model/ + src/core/embedded): loading with checksum verification, tokenizer,
 * seeded sampling, key/value-cache consistency, `n` samples.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedModel } from '../../src/core/embedded/model';
import {
  CHECKSUM_FILE,
  defaultModelDir,
  EmbeddedModelError,
  MODEL_FILE,
  sha256Hex,
  VOCAB_FILE,
} from '../../src/core/embedded/modelFiles';
import { promptLine } from '../../src/core/embedded/countdown';

const repoModel = join(__dirname, '../../model');
let model: EmbeddedModel;
let tmp: string;

before(async () => {
  model = await EmbeddedModel.load({ dir: repoModel });
  tmp = mkdtempSync(join(tmpdir(), 'metacot-embedded-'));
});
after(async () => {
  await model.release();
  rmSync(tmp, { recursive: true, force: true });
});

function copyModel(to: string): void {
  for (const f of [MODEL_FILE, CHECKSUM_FILE, VOCAB_FILE]) copyFileSync(join(repoModel, f), join(to, f));
}

test('the model loads from the repository and its SHA-256 is verified', () => {
  const expected = readFileSync(join(repoModel, CHECKSUM_FILE), 'utf8').split(/\s+/)[0];
  assert.equal(model.sha256, expected);
  assert.equal(sha256Hex(readFileSync(join(repoModel, MODEL_FILE))), expected);
  assert.equal(defaultModelDir(), repoModel, 'found by walking up from src/core/embedded');
  const size = readFileSync(join(repoModel, MODEL_FILE)).length;
  assert.ok(size <= 20 * 1024 * 1024, `model is ${size} bytes`);
});

test('a corrupted copy of the model is refused with a clear message', async () => {
  const dir = mkdtempSync(join(tmp, 'corrupt-'));
  copyModel(dir);
  const bytes = readFileSync(join(dir, MODEL_FILE));
  bytes[Math.floor(bytes.length / 2)] ^= 0xff;
  writeFileSync(join(dir, MODEL_FILE), bytes);
  await assert.rejects(EmbeddedModel.load({ dir }), (e: unknown) => {
    assert.ok(e instanceof EmbeddedModelError);
    assert.match(e.message, /checksum mismatch/);
    assert.match(e.message, /refusing to load/);
    assert.ok(e.message.includes(join(dir, MODEL_FILE)), 'names the file');
    return true;
  });
});

test('a missing or malformed checksum file is refused', async () => {
  const dir = mkdtempSync(join(tmp, 'nosum-'));
  copyModel(dir);
  rmSync(join(dir, CHECKSUM_FILE));
  await assert.rejects(EmbeddedModel.load({ dir }), /embedded model file missing: .*countdown-policy\.onnx\.sha256/);
  writeFileSync(join(dir, CHECKSUM_FILE), 'not a digest\n');
  await assert.rejects(EmbeddedModel.load({ dir }), /does not hold a SHA-256/);
});

test('tokenizer round trip over the Countdown text format', () => {
  const tk = model.tokenizer;
  for (const s of ['3, 5, 7, 2 > 24\n', '5 * 3 = 15 (left: 7, 2, 15)\n', 'Answer: ((5 * 3) + 7) + 2 = 24\n', '100 / 4 - 1']) {
    const ids = tk.encode(s);
    assert.equal(ids.length, s.length, 'one token per character');
    assert.equal(tk.decode(ids), s);
  }
  assert.equal(tk.decode([tk.bos, ...tk.encode('12')]), '12', 'special tokens decode to nothing');
  assert.throws(() => tk.encode('5 % 3'), /not in the embedded model's vocabulary/);
  assert.deepEqual(tk.encode('5 % 3', true), tk.encode('5  3'));
});

const prefix = (): number[] => [model.tokenizer.bos, ...model.tokenizer.encode(promptLine({ numbers: [3, 5, 7, 2], target: 24 }) + '\n')];
const text = (tokens: number[]): string => model.tokenizer.decode(tokens);

test('same seed gives the same text; different seeds differ at temperature > 0', async () => {
  const req = { prefix: prefix(), n: 4, maxTokens: 60, temperature: 1, topP: 1 };
  const a = await model.decode({ ...req, seed: 11 });
  const b = await model.decode({ ...req, seed: 11 });
  assert.deepEqual(a.map((s) => text(s.tokens)), b.map((s) => text(s.tokens)));
  assert.deepEqual(a.map((s) => s.logprobs), b.map((s) => s.logprobs));
  const c = await model.decode({ ...req, seed: 12 });
  assert.notDeepEqual(a.map((s) => text(s.tokens)), c.map((s) => text(s.tokens)));
  // samples of one request differ from each other too (each has its own stream)
  assert.ok(new Set(a.map((s) => text(s.tokens))).size > 1);
  // a sample does not depend on how many siblings were decoded with it
  const one = await model.decode({ ...req, n: 1, seed: 11 });
  assert.equal(text(one[0]!.tokens), text(a[0]!.tokens));
});

test('n returns n samples, greedy ones identical', async () => {
  const s = await model.decode({ prefix: prefix(), n: 5, maxTokens: 30, temperature: 0.8, topP: 0.95, seed: 3 });
  assert.equal(s.length, 5);
  const g = await model.decode({ prefix: prefix(), n: 3, maxTokens: 30, temperature: 0, topP: 1, seed: 3 });
  assert.equal(g.length, 3);
  assert.equal(new Set(g.map((x) => text(x.tokens))).size, 1);
});

test('logprobs are <= 0 and agree between the cached step and a fresh prefill', async () => {
  const [g] = await model.decode({ prefix: prefix(), n: 1, maxTokens: 40, temperature: 0, topP: 1, seed: 0 });
  assert.ok(g && g.tokens.length === 40 && g.finish === 'length');
  for (const lp of g.logprobs) assert.ok(lp <= 0 && Number.isFinite(lp), String(lp));
  // decoding again from a longer prefix (prefill instead of the key/value cache) gives the same next tokens
  for (const k of [1, 17, 33]) {
    const [h] = await model.decode({ prefix: [...prefix(), ...g.tokens.slice(0, k)], n: 1, maxTokens: 3, temperature: 0, topP: 1, seed: 0 });
    assert.deepEqual(h!.tokens, g.tokens.slice(k, k + 3));
    h!.logprobs.forEach((lp, j) => assert.ok(Math.abs(lp - g.logprobs[k + j]!) < 1e-4, `${lp} vs ${g.logprobs[k + j]}`));
  }
  // sampled tokens carry their logprob under the model, whatever the temperature
  const [s] = await model.decode({ prefix: prefix(), n: 1, maxTokens: 20, temperature: 1.5, topP: 1, seed: 5 });
  for (const lp of s!.logprobs) assert.ok(lp <= 0);
});

test('shouldStop ends a sample, maxTokens and the context window end it with length', async () => {
  const nl = model.tokenizer.encode('\n')[0]!;
  const [s] = await model.decode({
    prefix: prefix(),
    n: 1,
    maxTokens: 100,
    temperature: 0,
    topP: 1,
    seed: 0,
    shouldStop: (_i, toks) => toks[toks.length - 1] === nl,
  });
  assert.equal(s!.finish, 'stop');
  assert.equal(s!.tokens.filter((t) => t === nl).length, 1);
  const long = new Array<number>(model.contextLength - 3).fill(model.tokenizer.encode('1')[0]!);
  const [l] = await model.decode({ prefix: [model.tokenizer.bos, ...long], n: 1, maxTokens: 100, temperature: 0, topP: 1, seed: 0 });
  assert.equal(l!.finish, 'length');
  assert.ok(l!.tokens.length <= 3);
});

test('an aborted request stops with an AbortError', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(
    model.decode({ prefix: prefix(), n: 2, maxTokens: 10, temperature: 1, topP: 1, seed: 0, signal: ac.signal }),
    { name: 'AbortError' },
  );
});
