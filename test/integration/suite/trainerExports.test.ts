// Trainer-ready exports through the Export command in real VS Code (issue 18): the picker offers every format the
// data core lists, and each TRL / OpenAI layout written by the command parses with its schema.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { harness } from '../harness';
import { EXPORT_FORMATS, EXPORT_FORMAT_INFO, parseJsonl } from '../../../src/core/export/exportTraces';
import { OpenAiChatRecordSchema, OpenAiDpoRecordSchema } from '../../../src/core/export/openaiRecords';
import { TrlDpoRecordSchema, TrlPrmRecordSchema, TrlSftRecordSchema } from '../../../src/core/export/trlRecords';
import { parseTrace } from '../../../src/core/trace/io';
import { EXPORT_PICKS } from '../../../src/extension/exportCommand';
import { closeAllEditors, testApi, writeTraceFixture } from './extensionHelpers';

describe('trainer exports: TRL and OpenAI layouts through the Export command', function () {
  this.timeout(60_000);
  let trace: vscode.Uri;

  before(async () => {
    await testApi();
    const text = fs.readFileSync(path.join(harness().extensionRoot, 'test/fixtures/traces/mcts-30.metacot.json'), 'utf8');
    trace = await writeTraceFixture('trainer-export-mcts30', parseTrace(text));
  });

  after(closeAllEditors);

  it('the Export picker lists every training format of the data core, with its label', () => {
    const jsonl = EXPORT_PICKS.filter((p) => (EXPORT_FORMATS as readonly string[]).includes(p.format));
    assert.deepEqual(jsonl.map((p) => p.format), [...EXPORT_FORMATS]);
    assert.deepEqual(jsonl.map((p) => p.label), EXPORT_FORMATS.map((f) => `${EXPORT_FORMAT_INFO[f].label} (JSONL)`));
  });

  it('each TRL / OpenAI format exports a JSONL that parses with its schema', async () => {
    const schemas = { 'trl-sft': TrlSftRecordSchema, 'trl-dpo': TrlDpoRecordSchema, 'trl-prm': TrlPrmRecordSchema, 'openai-chat': OpenAiChatRecordSchema, 'openai-dpo': OpenAiDpoRecordSchema };
    const counts: Record<string, number> = {};
    for (const [format, schema] of Object.entries(schemas)) {
      const r = (await vscode.commands.executeCommand('metacot.export', { uri: trace.toString(), format, output: `.metacot/exports/mcts30.${format}.jsonl` })) as { output: string };
      const lines = parseJsonl(fs.readFileSync(vscode.Uri.parse(r.output).fsPath, 'utf8'));
      for (const l of lines) schema.parse(l);
      counts[format] = lines.length;
    }
    assert.deepEqual(counts, { 'trl-sft': 1, 'trl-dpo': 8, 'trl-prm': 20, 'openai-chat': 1, 'openai-dpo': 8 });
  });
});
