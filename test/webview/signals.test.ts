// Honest signals in the search panel (real Chromium, issue 17): a beam run with no value signal (a real run on the
// embedded model with verifier none) gets a warning in the message bar naming the verifiers; a failed run gets the
// "failed" badge in the error colours with the reason in its title and an error message with the cause and what to
// do; a run that fails while the panel follows it turns the panel failed when its end arrives as a delta.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRunCommand } from '../../src/cli/commands/run';
import { parseTrace } from '../../src/core/trace/io';
import { TraceSchema } from '../../src/core/trace/schema';
import type { Run, Trace } from '../../src/core/trace/schema';
import { panelSuite } from './panelPage';
import type { PanelPage } from './panelPage';

const { open } = panelSuite();
const dir = mkdtempSync(join(tmpdir(), 'metacot-signals-'));

after(async () => {
  rmSync(dir, { recursive: true, force: true });
});

const SAMPLE = 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.';

/** `metacot run` on the embedded model: beam with `verifier`. */
async function embeddedBeam(verifier: string): Promise<Trace> {
  const out = join(dir, verifier);
  const code = await runRunCommand(['--problem', SAMPLE, '--strategy', 'beam', '--verifier', verifier, '--param', 'seed=1', '--budget', 'maxTokens=2000', '--quiet', '--out', out], { out: () => undefined, err: () => undefined });
  assert.notEqual(code, 2, 'the run was refused');
  return parseTrace(readFileSync(join(out, 'problem.metacot.json'), 'utf8'));
}

const REASON = 'unreachable: endpoint "local-vllm": cannot reach http://127.0.0.1:9/v1 (connection refused)';

/** The beam fixture with a re-run r2 that failed against a closed port. */
function withFailedRerun(status: Run['status'] = 'failed'): Trace {
  const t = TraceSchema.parse(JSON.parse(readFileSync(join(__dirname, '../fixtures/traces/countdown-beam.metacot.json'), 'utf8')));
  const beam = t.runs[0]!;
  t.runs.push({ ...structuredClone(beam), id: 'r2', status, ...(status === 'failed' ? { reason: REASON } : {}), usage: { requests: 0, cachedRequests: 0, tokensIn: 0, tokensOut: 0, cost: 0 }, result: { verified: false } });
  if (status !== 'failed') delete t.runs[1]!.endedAt;
  return TraceSchema.parse(t);
}

/** The page's DOM, typed for the in-page callbacks (the root tsconfig has no DOM types). */
interface PageGlobals {
  getComputedStyle(el: unknown): { backgroundColor: string };
}

const messageText = (p: PanelPage, key: string) => p.page.locator(`#message-bar .message[data-key="${key}"] .message-text`).allInnerTexts();

describe('search panel: honest signals', () => {
  it('a beam run with verifier none: a warning in the message bar that names beam, the prior and the verifiers', async () => {
    const trace = await embeddedBeam('none');
    const p = await open();
    await p.load(trace);
    const warning = p.page.locator('#message-bar .message.warning[data-key="value-signal"]');
    await warning.waitFor();
    const text = await warning.innerText();
    assert.match(text, new RegExp(`Run ${trace.runs[0]!.id}: beam ran with no value signal: no step carried a value \\(every step ranked at the prior 0\\.5\\), so its ranking is arbitrary — set a verifier \\(prm, countdown, heuristic, rollout\\)`));
    assert.equal(await p.page.locator('#message-bar .codicon-warning').count(), 1, 'a warning icon');
    // Warning colours come from the theme's warning variables, not the error ones.
    const [bg, asError] = await warning.evaluate((el) => {
      const w = globalThis as unknown as PageGlobals;
      const e = el as { classList: { replace(a: string, b: string): void } };
      const mine = w.getComputedStyle(el).backgroundColor;
      e.classList.replace('warning', 'error');
      const other = w.getComputedStyle(el).backgroundColor;
      e.classList.replace('error', 'warning');
      return [mine, other];
    });
    assert.notEqual(bg, 'rgba(0, 0, 0, 0)');
    assert.notEqual(bg, asError, 'warning colours, not the error ones');
    assert.deepEqual(await messageText(p, 'run-failed'), [], 'no failure said');
  });

  it('a beam run with the countdown checks (dead ends valued 0): no warning', async () => {
    const p = await open();
    await p.load(await embeddedBeam('countdown'));
    await p.nextFrame();
    assert.deepEqual(await messageText(p, 'value-signal'), []);
  });

  it('a failed re-run: the failed badge with its reason, an error message with the cause and what to do', async () => {
    const p = await open({ theme: 'light' });
    await p.load(withFailedRerun());
    const badge = p.page.locator('#run-status-badge');
    assert.equal(await badge.innerText(), 'failed');
    assert.equal(await badge.getAttribute('title'), `Run r2 failed: ${REASON}`);
    assert.equal(await badge.evaluate((el) => el.classList.contains('run-failed')), true);
    // The error pair of the theme, not the neutral badge colours.
    const [bg, neutral] = await badge.evaluate((el) => {
      const w = globalThis as unknown as PageGlobals;
      const e = el as { classList: { remove(c: string): void; add(c: string): void } };
      const mine = w.getComputedStyle(el).backgroundColor;
      e.classList.remove('run-failed');
      const plain = w.getComputedStyle(el).backgroundColor;
      e.classList.add('run-failed');
      return [mine, plain];
    });
    assert.notEqual(bg, neutral);
    const msg = await messageText(p, 'run-failed');
    assert.deepEqual(msg, [`Run r2 (beam) failed: ${REASON}. Check the endpoint’s URL, model and mode with “Meta-CoT: Configure Endpoint”, then re-run from a node.`]);
    assert.equal(await p.page.locator('#message-bar .message.error[data-key="run-failed"]').count(), 1);
    // The earlier run's verified answer still stands beside the failed badge.
    assert.match(await p.page.locator('#run-status').innerText(), /24 · found by beam-1/);
  });

  it('a run the panel follows that ends failed: badge and message arrive with the delta; dismissed, it stays dismissed', async () => {
    const p = await open();
    const running = withFailedRerun('running');
    await p.load(running);
    assert.equal(await p.page.locator('#run-status-badge').count(), 0, 'running: progress, no badge');
    assert.deepEqual(await messageText(p, 'run-failed'), []);
    const failed = { ...running.runs[1]!, status: 'failed' as const, reason: REASON, endedAt: '2025-01-01T00:00:10.000Z' };
    await p.send({ type: 'traceDelta', traceId: running.id, runs: [failed] });
    await p.page.locator('#message-bar .message.error[data-key="run-failed"]').waitFor();
    assert.equal(await p.page.locator('#run-status-badge').innerText(), 'failed');
    await p.page.locator('#message-bar .message[data-key="run-failed"] vscode-button, #message-bar .message[data-key="run-failed"] button').first().click();
    assert.deepEqual(await messageText(p, 'run-failed'), []);
    // Another delta that changes nothing about how runs ended does not bring it back.
    await p.send({ type: 'traceDelta', traceId: running.id, runs: [failed] });
    await p.nextFrame();
    assert.deepEqual(await messageText(p, 'run-failed'), []);
  });
});
