// Import in real VS Code: a chat JSON file becomes a trace with the expected steps (by the API, and through the
// preview accepted with the quick input's own accept command), a JSONL file needs its line and a malformed line is an
// error naming it, a Thought Anchors folder (argument or a menu's folder Uri) writes its chunks as steps, and
// cancelling the preview writes nothing. Fixtures: test/fixtures/import (read from the repository, outside the workspace).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { harness, waitFor } from '../harness';
import type { TestApi } from '../../../src/extension/testApi';
import type { ImportResult } from '../../../src/extension/importCommand';
import { closeAllEditors, readTrace, testApi, wsPath } from './extensionHelpers';

const fixture = (...p: string[]) => path.join(harness().extensionRoot, 'test/fixtures/import', ...p);
const out = (name: string) => `.metacot/traces/import-ui/${name}.metacot.json`;
const written = (name: string) => fs.existsSync(wsPath(out(name)));
const texts = (uri: string) => readTrace(uri).nodes.map((n) => `${n.kind}:${n.text}`);

describe('import UI: chain of thought files, JSONL lines, Thought Anchors folders, preview', function () {
  this.timeout(60_000);
  let api: TestApi;

  before(async () => {
    api = await testApi();
    await closeAllEditors();
    fs.rmSync(wsPath('.metacot/traces/import-ui'), { recursive: true, force: true });
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await closeAllEditors();
  });

  /** Starts an import that shows the preview, waits until the preview is up (its log line), then runs `answer`. */
  async function withPreview(args: Record<string, unknown> | vscode.Uri, answer: 'accept' | 'cancel'): Promise<ImportResult | Error> {
    // The log keeps its last 200 lines: look after the newest line there was before the command started.
    const last = api.recentLog().at(-1);
    const p = Promise.resolve(vscode.commands.executeCommand<ImportResult>('metacot.importTrace', args)).then(
      (r) => r,
      (e: unknown) => e as Error,
    );
    const newLines = () => {
      const log = api.recentLog();
      return last === undefined ? log : log.slice(log.lastIndexOf(last) + 1);
    };
    const line = await waitFor('the import preview', () => newLines().find((l) => l.includes('import preview of')), 15_000);
    assert.match(line, /Import preview: \d+ steps?, \d+ branch(es)?, /);
    // The quick pick is shown right after its log line; give the workbench a moment to focus it.
    await new Promise((r) => setTimeout(r, 500));
    await vscode.commands.executeCommand(answer === 'accept' ? 'workbench.action.acceptSelectedQuickOpenItem' : 'workbench.action.closeQuickOpen');
    return p;
  }

  it('a chat messages JSON file imports with its user message as the problem (API call, no preview)', async () => {
    const r = (await vscode.commands.executeCommand('metacot.importTrace', { file: fixture('chat-messages.json'), output: out('chat'), open: false })) as ImportResult;
    assert.deepEqual([r.kind, r.shape, r.nodes, r.steps], ['long-cot', 'chat-messages', 5, 4]);
    const t = readTrace(r.uri);
    assert.equal(t.problem.text, 'What is 12 * 12?');
    assert.deepEqual(texts(r.uri).slice(1), [
      'step:12 * 12 = 12 * 10 + 12 * 2 = 120 + 24 = 144.',
      'step:Let me check: 144 / 12 = 12.',
      'step:So the answer is 144.',
      'answer:12 * 12 = **144**. The answer is 144.',
    ]);
    assert.equal(t.result?.finalAnswer, '144');
  });

  it('a chat completion response shows the preview; "Write trace" (the active item) writes the steps it listed', async () => {
    const r = await withPreview({ file: fixture('chat-completion.json'), problem: 'What is 7 * 64?', answer: '448', preview: true, output: out('completion'), open: false }, 'accept');
    assert.ok(!(r instanceof Error), `the import failed: ${r instanceof Error ? r.message : ''}`);
    assert.equal(r.shape, 'chat-completion');
    assert.deepEqual(texts(r.uri), [
      'root:What is 7 * 64?',
      'step:I need 7 * 64.',
      'step:7 * 60 = 420 and 7 * 4 = 28, so 7 * 64 = 448.',
      'step:Alternatively, 64 * 7 = 64 * 5 + 64 * 2 = 320 + 128 = 448.',
      'step:Let me check: 448 / 7 = 64.',
      'step:Yes.',
      'answer:The answer is \\boxed{448}.',
    ]);
    assert.equal(readTrace(r.uri).result?.verified, true);
    assert.ok(api.recentLog().some((l) => l.includes('import preview of') && l.includes('Import preview: 5 steps, 2 branches, answer 448 ✓ — 7 nodes')));
  });

  it('cancelling the preview writes nothing', async () => {
    const r = await withPreview({ file: fixture('cot.txt'), problem: 'What is 7 * 64?', preview: true, output: out('cancelled'), open: false }, 'cancel');
    assert.ok(r instanceof Error, 'a cancelled import resolves nothing');
    assert.match(r.message, /cancelled/);
    assert.equal(written('cancelled'), false);
  });

  it('JSONL: a line is chosen by { line }; without one, or on a malformed line, an error names it and nothing is written', async () => {
    const file = fixture('conversations.jsonl');
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('metacot.importTrace', { file, line: 4, output: out('bad-line'), open: false })),
      /conversations\.jsonl line 4: malformed JSON/,
    );
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('metacot.importTrace', { file, output: out('bad-line'), open: false })), /holds 4 JSONL records: pass \{ line \}/);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('metacot.importTrace', { file, line: 5, output: out('bad-line'), open: false })), /line 5: unrecognised JSON .*accepted: /);
    assert.equal(written('bad-line'), false);
    const r = (await vscode.commands.executeCommand('metacot.importTrace', { file, line: 1, output: out('line1'), open: false })) as ImportResult;
    const t = readTrace(r.uri);
    assert.equal(t.problem.text, 'What is 9 + 10?');
    assert.equal(t.problem.source?.line, 1);
    assert.equal(t.nodes.length, 5);
  });

  it('bad files: empty, malformed JSON, an unknown JSON shape — errors that say so, no trace', async () => {
    const run = (name: string) => Promise.resolve(vscode.commands.executeCommand('metacot.importTrace', { file: fixture(name), problem: 'p', output: out('bad'), open: false }));
    await assert.rejects(run('empty.txt'), /empty\.txt is empty: nothing to import/);
    await assert.rejects(run('malformed.json'), /malformed\.json: malformed JSON/);
    await assert.rejects(run('unknown.json'), /unknown\.json: unrecognised JSON \(an object with keys data, meta\); accepted: an OpenAI chat completion response/);
    assert.equal(written('bad'), false);
  });

  it('a Thought Anchors folder writes its chunks as steps with their accuracies; a folder without problem.json is refused', async () => {
    const folder = fixture('thought-anchors', 'problem_binomial');
    const chunks = JSON.parse(fs.readFileSync(path.join(folder, 'chunks_labeled.json'), 'utf8')) as { chunk: string; accuracy: number }[];
    const r = (await vscode.commands.executeCommand('metacot.importTrace', { folder, output: out('anchors'), open: false })) as ImportResult;
    assert.deepEqual([r.kind, r.shape], ['thought-anchors', 'thought-anchors']);
    const t = readTrace(r.uri);
    assert.equal(t.problem.text, 'What is the coefficient of $x^2$ in $(1+x)^4$?');
    assert.equal(t.problem.answer, '6');
    assert.deepEqual(
      t.nodes.filter((n) => n.kind === 'step').map((n) => [n.text, n.value]),
      chunks.map((c) => [c.chunk, c.accuracy]),
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('metacot.importTrace', { folder: fixture('thought-anchors', 'no-problem'), output: out('no-problem'), open: false })),
      /no-problem has no problem\.json: not a Thought Anchors folder/,
    );
    assert.equal(written('no-problem'), false);
  });

  it('from the palette (no argument) it asks where from first; dismissing that writes nothing and reports no error', async () => {
    const last = api.recentLog().at(-1);
    const p = Promise.resolve(vscode.commands.executeCommand('metacot.importTrace'));
    await new Promise((r) => setTimeout(r, 800));
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await p, undefined);
    const log = api.recentLog();
    const after = last === undefined ? log : log.slice(log.lastIndexOf(last) + 1);
    assert.ok(after.some((l) => l.includes('metacot.importTrace: cancelled')), after.join('\n'));
    assert.ok(!after.some((l) => l.startsWith('[error]')), after.join('\n'));
  });

  it("the explorer menu's JSONL file: a pick of its lines (the first active), its user message as the problem, then the preview", async () => {
    let settled = false;
    const p = Promise.resolve(vscode.commands.executeCommand<ImportResult>('metacot.importTrace', vscode.Uri.file(fixture('conversations.jsonl')))).finally(() => (settled = true));
    // Accept whatever quick input is up until the command ends: the line pick (line 1 is active), then "Write trace".
    const deadline = Date.now() + 20_000;
    let accepted = 0;
    while (!settled && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 400));
      if (settled) break;
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      accepted++;
    }
    if (!settled) await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    const r = await p;
    assert.ok(r, 'the import wrote a trace');
    assert.ok(accepted >= 2, `two quick inputs answered (line, preview), saw ${accepted}`);
    const t = readTrace(r.uri);
    assert.equal(t.problem.text, 'What is 9 + 10?');
    assert.deepEqual(t.problem.source, { file: fixture('conversations.jsonl'), line: 1 });
    assert.ok(api.recentLog().some((l) => l.includes('import preview of') && l.includes('conversations.jsonl line 1')));
    fs.rmSync(vscode.Uri.parse(r.uri).fsPath);
  });

  it("the explorer menu's folder Uri: preview, then the trace in the traces folder, opened in the trace editor", async () => {
    const r = await withPreview(vscode.Uri.file(fixture('thought-anchors', 'problem_binomial')), 'accept');
    assert.ok(r && !(r instanceof Error), `the import failed: ${r instanceof Error ? r.message : String(r)}`);
    const uri = vscode.Uri.parse(r.uri);
    assert.ok(fs.existsSync(uri.fsPath));
    assert.equal(readTrace(r.uri).nodes.filter((n) => n.kind === 'step').length, 6);
    await waitFor('the trace editor on the import', () => (api.hosts(uri).length > 0 ? true : undefined), 15_000);
    fs.rmSync(uri.fsPath);
  });
});
