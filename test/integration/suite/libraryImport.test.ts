// The Import command in real VS Code on the other search libraries' files (test/fixtures/import/libraries): each is
// recognised with no kind given, a JSONL file of PRM800K rows needs its line, a TreeLog (which does not say its
// problem) needs { problem } from an API call, and the preview of a search-and-learn row is accepted and written.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { harness, waitFor } from '../harness';
import type { TestApi } from '../../../src/extension/testApi';
import type { ImportResult } from '../../../src/extension/importCommand';
import { closeAllEditors, readTrace, testApi, wsPath } from './extensionHelpers';

const fixture = (name: string) => path.join(harness().extensionRoot, 'test/fixtures/import/libraries', name);
const out = (name: string) => `.metacot/traces/library-import/${name}.metacot.json`;
const run = (args: Record<string, unknown>) => Promise.resolve(vscode.commands.executeCommand<ImportResult>('metacot.importTrace', { open: false, ...args }));

describe('library imports: llm-reasoners, OpenR, search-and-learn and PRM800K files through the Import command', function () {
  this.timeout(60_000);
  let api: TestApi;

  before(async () => {
    api = await testApi();
    await closeAllEditors();
    fs.rmSync(wsPath('.metacot/traces/library-import'), { recursive: true, force: true });
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await closeAllEditors();
  });

  it('an OpenR tree and a PRM800K line are recognised with no kind; the trace holds their visits and ratings', async () => {
    const o = await run({ file: fixture('openr-tree.json'), output: out('openr') });
    assert.deepEqual([o.kind, o.shape, o.nodes], ['openr', 'openr-tree', 8]);
    const ot = readTrace(o.uri);
    assert.deepEqual([ot.nodes[0]!.visits, ot.result?.finalAnswer, ot.problem.text], [4, '12', 'What is the value of $\\sqrt{36 \\times \\sqrt{16}}$?']);
    await assert.rejects(run({ file: fixture('prm800k.jsonl'), output: out('prm') }), /prm800k\.jsonl holds 4 JSONL records: pass \{ line \}/);
    const p = await run({ file: fixture('prm800k.jsonl'), line: 3, output: out('prm') });
    assert.deepEqual([p.kind, p.shape], ['prm800k', 'prm800k-row']);
    const pt = readTrace(p.uri);
    assert.equal(pt.problem.source?.line, 3);
    assert.ok(pt.nodes.some((n) => n.label === 'correct' && n.value === 1));
  });

  it('an llm-reasoners TreeLog needs { problem } from an API call; with it the selected path ends in the answer', async () => {
    await assert.rejects(run({ file: fixture('llm-reasoners-mcts.json'), output: out('treelog') }), /importing this llm-reasoners TreeLog needs \{ problem \}/);
    assert.equal(fs.existsSync(wsPath(out('treelog'))), false);
    const r = await run({ file: fixture('llm-reasoners-mcts.json'), problem: 'How much does Janet make every day?', answer: '18', output: out('treelog') });
    assert.deepEqual([r.kind, r.nodes], ['llm-reasoners', 8]);
    assert.deepEqual(readTrace(r.uri).result, { bestNodeId: 'n6', verified: true, finalAnswer: '18' });
  });

  it('the preview of a search-and-learn row lists its counts; "Write trace" writes the tree', async () => {
    const last = api.recentLog().at(-1);
    const p = run({ file: fixture('beam_search_completions.jsonl'), preview: true, output: out('sal') }).then(
      (r) => r,
      (e: unknown) => e as Error,
    );
    const newLines = () => {
      const log = api.recentLog();
      return last === undefined ? log : log.slice(log.lastIndexOf(last) + 1);
    };
    const line = await waitFor('the import preview', () => newLines().find((l) => l.includes('import preview of')), 15_000);
    assert.match(line, /Import preview: 5 steps, 3 branches, answer 3\\sqrt\{13\} ✓ — 9 nodes/);
    await new Promise((r) => setTimeout(r, 500));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const r = await p;
    assert.ok(!(r instanceof Error), `the import failed: ${r instanceof Error ? r.message : ''}`);
    assert.deepEqual([r.kind, r.shape, r.nodes], ['search-and-learn', 'search-and-learn-row', 9]);
    assert.equal(readTrace(r.uri).problem.id, 'test/algebra/2036.json');
  });
});
