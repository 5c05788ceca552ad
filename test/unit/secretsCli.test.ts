/**
 * The CLI sends a key only where it was asked to, and says so: $OPENAI_API_KEY never reaches an --endpoint of
 * another origin than $OPENAI_BASE_URL's (default https://api.openai.com); --api-key-env NAME sends $NAME and names
 * it; a URL holding credentials is refused before anything is sent or written; a PRM error body that echoes the key
 * is stored and printed redacted. Each check reads what a recording server received.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliApiKey } from '../../src/cli/commands/run';
import { startReferenceServer } from '../../src/core/server/referenceServer';
import type { ReferenceServer } from '../../src/core/server/referenceServer';
import { runCli } from './cliSpawn';
import { startRecorder } from './secretsRecorder';
import type { Recorder } from './secretsRecorder';

const PROBLEM = 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.';
const KEY = 'sk-h12-openai-7f0c3e9a51d24b86';
const OTHER = 'local-token-5e1d88c2a0f4';
const dir = mkdtempSync(join(tmpdir(), 'metacot-secrets-cli-'));
/** The test's own environment, without any key or base URL it may hold. */
const clean = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'OPENAI_API_KEY' && k !== 'OPENAI_BASE_URL')), METACOT_STATE_DIR: join(dir, 'state') };

let server: ReferenceServer;
let recorder: Recorder;
test.before(async () => {
  server = await startReferenceServer();
  recorder = await startRecorder(server.url.replace(/\/v1$/, ''));
});
test.after(async () => {
  await recorder.close();
  await server.close();
  if (!process.env.KEEP_H12) rmSync(dir, { recursive: true, force: true });
});

const run = (out: string, extra: string[], env: NodeJS.ProcessEnv) =>
  runCli(['run', '--problem', PROBLEM, '--strategy', 'single', '--endpoint', `${recorder.origin}/v1`, '--model', 'sim-countdown', '--out', join(dir, out), '--quiet', ...extra], { env });

function traceText(out: string): string {
  const folder = join(dir, out);
  return readdirSync(folder)
    .map((f) => readFileSync(join(folder, f), 'utf8'))
    .join('\n');
}

test('OPENAI_API_KEY set, --endpoint of another origin: no key is sent, stderr says so and names --api-key-env', async () => {
  recorder.requests.length = 0;
  const r = await run('no-key', [], { ...clean, OPENAI_API_KEY: KEY });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(recorder.requests.length > 0, 'the endpoint received no request');
  // The OpenAI SDK insists on some key: the endpoint client's placeholder "no-key" is what a keyless request carries.
  assert.deepEqual(new Set(recorder.authorizations()), new Set(['Bearer no-key']), 'a request carried a key');
  assert.ok(recorder.requests.every((q) => !JSON.stringify(q.headers).includes(KEY)), 'the key is in a header');
  assert.match(r.stderr, /no API key sent: \$OPENAI_API_KEY goes only to https:\/\/api\.openai\.com \(the OpenAI API\); to send it to http:\/\/127\.0\.0\.1:\d+, pass --api-key-env OPENAI_API_KEY/);
  assert.ok(!r.stderr.includes(KEY) && !r.stdout.toString().includes(KEY));
});

test('--api-key-env NAME sends $NAME as a bearer token and stderr names the variable and the origin', async () => {
  recorder.requests.length = 0;
  const r = await run('env-key', ['--api-key-env', 'MY_LOCAL_TOKEN'], { ...clean, OPENAI_API_KEY: KEY, MY_LOCAL_TOKEN: OTHER });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(recorder.requests.length > 0);
  assert.deepEqual(new Set(recorder.authorizations()), new Set([`Bearer ${OTHER}`]));
  assert.equal(r.stderr.split('\n')[0], `metacot run: sending the API key in $MY_LOCAL_TOKEN to ${recorder.origin} (--api-key-env)`);
  assert.ok(!traceText('env-key').includes(OTHER), 'the key is in the trace');
});

test('--api-key-env naming an unset variable is a usage error: exit 2, nothing sent', async () => {
  recorder.requests.length = 0;
  const r = await run('unset', ['--api-key-env', 'NOT_SET_ANYWHERE_H12'], clean);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--api-key-env NOT_SET_ANYWHERE_H12: that environment variable is not set/);
  assert.equal(recorder.requests.length, 0);
});

test('OPENAI_API_KEY goes to the origin of OPENAI_BASE_URL, and stderr says which variable went where', async () => {
  recorder.requests.length = 0;
  const r = await run('base-url', [], { ...clean, OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${recorder.origin}/other/path` });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(new Set(recorder.authorizations()), new Set([`Bearer ${KEY}`]));
  assert.match(r.stderr, new RegExp(`sending the API key in \\$OPENAI_API_KEY to ${recorder.origin.replace(/\./g, '\\.')} \\(the origin of \\$OPENAI_BASE_URL\\)`));
  assert.ok(!r.stderr.includes(KEY));
});

test('cliApiKey: the origin decides, not the path; another port is another origin', () => {
  const env = { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1' };
  assert.equal(cliApiKey('http://127.0.0.1:8000/anything', undefined, env).apiKey, KEY);
  assert.equal(cliApiKey('http://127.0.0.1:8001/v1', undefined, env).apiKey, undefined);
  assert.equal(cliApiKey('https://api.openai.com/v1', undefined, { OPENAI_API_KEY: KEY }).apiKey, KEY);
  assert.equal(cliApiKey('http://api.openai.com/v1', undefined, { OPENAI_API_KEY: KEY }).apiKey, undefined);
  assert.deepEqual(cliApiKey('http://127.0.0.1:9/v1', undefined, {}), {});
});

test('an --endpoint URL holding user:password is refused before any request; nothing is written, stderr shows it masked', async () => {
  recorder.requests.length = 0;
  const url = `${recorder.origin.replace('http://', 'http://bob:hunter2pw@')}/v1`;
  const out = join(dir, 'userinfo');
  const r = await runCli(['run', '--problem', PROBLEM, '--strategy', 'single', '--endpoint', url, '--model', 'sim-countdown', '--out', out, '--quiet'], { env: clean });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--endpoint http:\/\/\*\*\*@127\.0\.0\.1:\d+\/v1: the URL holds credentials/);
  assert.ok(!r.stderr.includes('hunter2pw'));
  assert.equal(recorder.requests.length, 0);
  assert.equal(existsSync(out), false);
});

test('a PRM error body echoing the key is stored in the trace and printed redacted; the PRM got the key it was given', async () => {
  const PRM_KEY = 'prm-secret-91c4e07d3b2a';
  const prm = await startRecorder((req, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`internal error; request had authorization=${req.headers.authorization} and key ${PRM_KEY}`);
  });
  try {
    const r = await runCli(
      ['run', '--problem', PROBLEM, '--strategy', 'beam', '--param', 'N=2', '--param', 'width=2', '--param', 'maxDepth=2', '--endpoint', `${recorder.origin}/v1`, '--model', 'sim-countdown',
        '--verifier', 'prm', '--verifier-param', `url=${prm.origin}/pooling`, '--verifier-param', 'format=json', '--verifier-param', 'apiKeyEnv=PRM_TOKEN_H12', '--out', join(dir, 'prm'), '--quiet'],
      { env: { ...clean, PRM_TOKEN_H12: PRM_KEY } },
    );
    assert.ok(prm.requests.length > 0, `the PRM received nothing: ${r.stderr}`);
    assert.equal(prm.requests[0]!.headers.authorization, `Bearer ${PRM_KEY}`);
    const text = traceText('prm');
    assert.match(text, /PRM at http:\/\/127\.0\.0\.1:\d+\/pooling answered 500: internal error; request had authorization=Bearer \*\*\* and key \*\*\*/);
    assert.ok(!text.includes(PRM_KEY), 'the PRM key is in the trace');
    assert.ok(!r.stderr.includes(PRM_KEY) && !r.stdout.toString().includes(PRM_KEY), 'the PRM key was printed');
    assert.match(r.stderr, /PRM at http:\/\/127\.0\.0\.1:\d+\/pooling answered 500/);
  } finally {
    await prm.close();
  }
});
