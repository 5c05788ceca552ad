/**
 * The strategy × continuation mode × server profile matrix (issue 15): every strategy in every mode against the
 * reference server behaving like each real server (src/core/server/profiles), through the one run set-up with its
 * capability probe. Each cell must end right (a finished run, or a refusal in the server's own words), count exactly
 * the requests and tokens the server's log counted, keep steps single and reasoning apart, and probe the
 * capabilities the profile documents.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareRun, RunSetupError } from '../../src/core/run';
import { strategyNames } from '../../src/core/search/catalog';
import { expectedCapabilities, getServerProfile, serverProfileNames } from '../../src/core/server/profiles';
import type { ServerProfile } from '../../src/core/server/profiles';
import { startReferenceServer } from '../../src/core/server/referenceServer';
import type { ReferenceServer } from '../../src/core/server/referenceServer';
import type { RequestLogEntry } from '../../src/core/server/requestLog';
import type { ContinuationMode, Problem, StrategyName, Trace } from '../../src/core/trace/schema';

const MODES: ContinuationMode[] = ['chat', 'chat-continue', 'completions'];
const countdown: Problem = { text: 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.' };
const arithmetic: Problem = { text: 'Compute 3 + 4 * 5 - 6 / 2.', answer: '20' };

/** Small searches: every strategy's loop runs, none takes long. */
const PARAMS: Record<StrategyName, Record<string, number>> = {
  single: {},
  'best-of-n': { n: 4, perRequest: 2 },
  beam: { N: 2, width: 2, maxDepth: 3 },
  mcts: { b: 2, simulations: 6 },
  astar: { b: 2, maxExpansions: 4 },
  revision: { attempts: 3, window: 2 },
  'in-context': {},
};

/** Strategies that ask for one step at a time (the others ask for whole solutions). */
const STEP_STRATEGIES = new Set<StrategyName>(['beam', 'mcts', 'astar']);
const BLANK_LINE = /\n[ \t]*\n/;
const THINK_TAG = /<\/?think>/;

/** Generation requests the server answered in full (a request the client aborted after a solve is not billed). */
function answered(entries: readonly RequestLogEntry[]): RequestLogEntry[] {
  return entries.filter((e) => (e.path === '/v1/chat/completions' || e.path === '/v1/completions') && e.method === 'POST' && !e.clientClosed);
}

interface Cell {
  profile: ServerProfile;
  mode: ContinuationMode;
  strategy: StrategyName;
}

/** Runs one cell; returns what is wrong with it (empty: right). */
async function runCell(server: ReferenceServer, cell: Cell, stateDir: string): Promise<{ wrong: string[]; end: string }> {
  const profile = cell.profile;
  const inContext = cell.strategy === 'in-context';
  const problem = inContext ? arithmetic : countdown;
  const model = inContext ? 'sim-long-cot' : 'sim-countdown';
  const wrong: string[] = [];
  let prepared;
  try {
    prepared = await prepareRun({
      problem,
      strategy: cell.strategy,
      // One request in flight: a request still out when the run is solved is answered by the server but never read by
      // the client, so its tokens could not be compared.
      params: { ...PARAMS[cell.strategy], seed: 3, concurrency: 1 },
      budgets: { maxRequests: 40 },
      endpoint: { kind: 'openai', config: { name: profile.name, baseUrl: server.url, model, mode: cell.mode, maxRetries: 1, retryBaseMs: 1, timeoutMs: 10_000 } },
      capabilities: { dir: stateDir, probe: true },
    });
  } catch (e) {
    // A server that does not serve /v1/completions refuses completions mode before any search request.
    if (cell.mode === 'completions' && profile.completions === 'not-served' && e instanceof RunSetupError) {
      const words = profile.errors.completionsNotServed.message.split('{')[0]!.slice(0, 25);
      if (!e.message.includes(words)) wrong.push(`refusal without the server's words "${words}": ${e.message}`);
      if (!/mode chat|chat mode|--mode chat/i.test(`${e.message} ${e.advice}`)) wrong.push(`refusal does not say to use mode chat: ${e.advice}`);
      return { wrong, end: 'refused' };
    }
    return { wrong: [`set-up failed: ${(e as Error).message}`], end: 'set-up failed' };
  }
  if (cell.mode === 'completions' && profile.completions === 'not-served') wrong.push('completions mode was accepted by a server that does not serve /v1/completions');

  const caps = prepared.endpoint.capabilities;
  if (!caps) wrong.push('the trace records no capabilities');
  else {
    const expected = expectedCapabilities(profile, { reasoning: true });
    for (const [k, v] of Object.entries(expected)) {
      // Reasoning never arrives through /v1/completions (no chat template, no reasoning parser). What the stop and
      // reasoning probes see also depends on what the model writes: the long-CoT model writes its own <think> tags
      // and no blank line in a probe's answer, so for it only the server-side capabilities are compared.
      const modelDependent = k === 'reasoningField' || k === 'stop';
      const want = (k === 'reasoningField' && cell.mode === 'completions') || (modelDependent && inContext) ? caps[k as keyof typeof caps] : v;
      if (caps[k as keyof typeof caps] !== want) wrong.push(`capability ${k}: probed ${String(caps[k as keyof typeof caps])}, profile says ${String(want)}`);
    }
  }

  const from = server.log.entries.length;
  const report = await prepared.execute();
  const trace: Trace = prepared.tree.trace;
  const run = trace.runs.find((r) => r.id === report.runId)!;
  if (run.status === 'failed' || run.status === 'running' || run.status === 'cancelled') wrong.push(`run ended ${run.status}: ${run.reason}`);

  const log = answered(server.log.entries.slice(from));
  const tokensIn = log.reduce((s, e) => s + (e.promptTokens ?? 0), 0);
  const tokensOut = log.reduce((s, e) => s + (e.completionTokens ?? 0), 0);
  // A request the stop cancelled just as it went out may not have reached the server: the client counts it (so a
  // budget is never passed), the server may not. Exact otherwise.
  // (At most one request per cancelled node: n in one request, or one request per sample where n is ignored.)
  const cancelledRequests = trace.nodes.filter((n) => n.runId === run.id && n.status === 'cancelled').length;
  const extra = run.usage.requests - log.length;
  if (extra < 0 || extra > cancelledRequests) wrong.push(`requests: run ${run.usage.requests}, server ${log.length} (${cancelledRequests} cancelled)`);
  if (run.usage.tokensIn !== tokensIn) wrong.push(`prompt tokens: run ${run.usage.tokensIn}, server ${tokensIn}`);
  if (run.usage.tokensOut !== tokensOut) wrong.push(`completion tokens: run ${run.usage.tokensOut}, server ${tokensOut}`);
  if (profile.cachedTokens !== (run.usage.cachedTokensIn !== undefined) && log.length > 0) {
    wrong.push(`cached tokens ${run.usage.cachedTokensIn === undefined ? 'unknown' : run.usage.cachedTokensIn} but the profile ${profile.cachedTokens ? 'reports' : 'does not report'} them`);
  }

  const own = trace.nodes.filter((n) => n.runId === run.id && n.author === 'model');
  if (own.length === 0) wrong.push('the run made no node');
  for (const n of own) {
    if (n.kind === 'step' && !inContext && BLANK_LINE.test(n.text)) wrong.push(`${n.id} holds more than one step: ${JSON.stringify(n.text.slice(0, 80))}`);
    if (THINK_TAG.test(n.text)) wrong.push(`${n.id} text holds a think tag: ${JSON.stringify(n.text.slice(0, 80))}`);
    if (n.reasoning && THINK_TAG.test(n.reasoning)) wrong.push(`${n.id} reasoning holds a think tag`);
  }
  // In chat modes a reasoning server's reasoning reaches the step nodes, apart from their text.
  const effectiveChat = cell.mode !== 'completions' && !(run.adaptations ?? []).some((a) => a.kind === 'mode-fallback' && /completions/.test(a.message));
  if (profile.reasoning !== 'none' && effectiveChat && !inContext) {
    const steps = own.filter((n) => n.kind === 'step' || n.kind === 'answer');
    if (steps.length > 0 && !steps.some((n) => n.reasoning)) wrong.push('no step kept the server\'s reasoning');
  }
  if (cell.mode === 'chat-continue' && profile.continuation === 'rejected' && !inContext) {
    const fallback = (run.adaptations ?? []).find((a) => a.kind === 'mode-fallback');
    if (!fallback) wrong.push('chat-continue on a server that refuses it: no mode-fallback recorded on the run');
  }
  if (profile.stop === 'ignored' && STEP_STRATEGIES.has(cell.strategy) && !(run.adaptations ?? []).some((a) => a.kind === 'client-step-cut')) {
    wrong.push('a server that ignores stop: no client-step-cut recorded on the run');
  }
  return { wrong, end: run.status };
}

/**
 * Every documented profile, plus what no documented default does but servers do under load or with other flags: a
 * vLLM that does not cut at `stop` and sends no logprobs (the issue's continuous-batching case).
 */
const PROFILES: ServerProfile[] = [
  ...serverProfileNames().map(getServerProfile),
  { ...getServerProfile('vllm'), name: 'vllm-stop-ignored', title: 'vLLM ignoring stop and logprobs', stop: 'ignored', logprobs: 'ignored', topLogprobs: 'ignored' },
];

for (const profile of PROFILES) {
  test(`server matrix: profile ${profile.name} × every mode × every strategy ends right, counts what the server counted, keeps steps single`, async (t) => {
    const server = await startReferenceServer({ profile, reasoning: true, seed: 11 });
    const stateDir = mkdtempSync(join(tmpdir(), 'metacot-matrix-'));
    const problems: string[] = [];
    const ends = new Map<string, number>();
    try {
      for (const mode of MODES) {
        for (const strategy of strategyNames() as StrategyName[]) {
          const { wrong, end } = await runCell(server, { profile, mode, strategy }, stateDir);
          ends.set(end, (ends.get(end) ?? 0) + 1);
          for (const w of wrong) problems.push(`${profile.name} × ${mode} × ${strategy}: ${w}`);
        }
      }
    } finally {
      await server.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
    t.diagnostic(`${profile.name}: ${[...ends].map(([k, v]) => `${v} ${k}`).join(', ')}`);
    assert.deepEqual(problems, []);
    // Not vacuous: searches ran and found answers on every profile.
    const started = MODES.length * strategyNames().length - (ends.get('refused') ?? 0);
    assert.ok((ends.get('solved') ?? 0) * 2 >= started, `only ${ends.get('solved') ?? 0} of ${started} runs solved on ${profile.name}`);
  });
}

test('a server that ignores or refuses n: the run reports exactly the requests and tokens the server logged', async () => {
  const checked: string[] = [];
  for (const profile of PROFILES.filter((p) => p.n !== 'native')) {
    const server = await startReferenceServer({ profile, seed: 5 });
    try {
      for (const [strategy, params] of [['best-of-n', { n: 6, perRequest: 3, stopOnSolve: false }], ['beam', { N: 3, width: 2, maxDepth: 3, stopOnSolve: false }]] as const) {
        // Without a probe: the client finds out from the first request, as a run with probing off does.
        const prepared = await prepareRun({
          problem: countdown,
          strategy,
          params: { ...params, seed: 2, concurrency: 2 },
          endpoint: { kind: 'openai', config: { name: profile.name, baseUrl: server.url, model: 'sim-countdown', maxRetries: 0 } },
        });
        const from = server.log.entries.length;
        const report = await prepared.execute();
        const run = prepared.tree.trace.runs.find((r) => r.id === report.runId)!;
        const log = server.log.entries.slice(from).filter((e) => e.method === 'POST');
        const label = `${profile.name} ${strategy}`;
        assert.ok(run.status === 'completed' || run.status === 'solved', `${label}: ${run.status} ${run.reason}`);
        assert.ok(log.some((e) => (e.choices ?? 0) === 1) && log.length > 3, `${label}: the server answered ${log.length} requests`);
        assert.deepEqual(
          { requests: run.usage.requests, tokensIn: run.usage.tokensIn, tokensOut: run.usage.tokensOut },
          { requests: log.length, tokensIn: log.reduce((s, e) => s + (e.promptTokens ?? 0), 0), tokensOut: log.reduce((s, e) => s + (e.completionTokens ?? 0), 0) },
          label,
        );
        checked.push(label);
      }
    } finally {
      await server.close();
    }
  }
  assert.deepEqual(checked.map((c) => c.split(' ')[0]).filter((v, i, a) => a.indexOf(v) === i), ['llamacpp', 'ollama', 'transformers']);
});
