/** `metacot export --format trl-sft|trl-dpo|trl-prm|openai-chat|openai-dpo` on trace files (issue 18). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExportCommand } from '../../src/cli/commands/export';
import { EXPORT_FORMATS, parseJsonl } from '../../src/core/export/exportTraces';
import { OpenAiChatRecordSchema, OpenAiDpoRecordSchema } from '../../src/core/export/openaiRecords';
import { TrlDpoRecordSchema, TrlPrmRecordSchema, TrlSftRecordSchema } from '../../src/core/export/trlRecords';

const FIX = join(__dirname, '..', 'fixtures');

function capture() {
  const o = { out: '', err: '' };
  return { o, io: { out: (t: string) => void (o.out += t), err: (t: string) => void (o.err += t) } };
}

async function withTraces(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'metacot-trainer-export-'));
  try {
    copyFileSync(join(FIX, 'traces', 'mcts-30.metacot.json'), join(dir, 'a-mcts30.metacot.json'));
    copyFileSync(join(FIX, 'export', 'rollout-mcts-two-runs.metacot.json'), join(dir, 'b-rollout.metacot.json'));
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('each trainer format over a folder: records parse with the schema, stderr says what was skipped and dropped', async () => {
  await withTraces(async (dir) => {
    const schemas = { 'trl-sft': TrlSftRecordSchema, 'trl-dpo': TrlDpoRecordSchema, 'trl-prm': TrlPrmRecordSchema, 'openai-chat': OpenAiChatRecordSchema, 'openai-dpo': OpenAiDpoRecordSchema };
    const counts: Record<string, number> = {};
    for (const [format, schema] of Object.entries(schemas)) {
      const c = capture();
      assert.equal(await runExportCommand(['--format', format, '--pairs', 'all', dir], c.io), 0, c.o.err);
      const lines = parseJsonl(c.o.out);
      for (const l of lines) schema.parse(l);
      counts[format] = lines.length;
      if (format.endsWith('dpo')) {
        assert.match(c.o.err, /^dropped 1 pair\(s\) with identical chosen and rejected text in rollout-mcts\n/m, format);
        assert.match(c.o.err, new RegExp(`\\n${lines.length} ${format} record\\(s\\) from 2 trace\\(s\\), 1 identical pair\\(s\\) dropped\\n$`), format);
      }
      if (format === 'trl-sft' || format === 'openai-chat') assert.match(c.o.err, /skipped rollout-mcts: Meta-STaR filter: the final solution is not verified\n/, format);
    }
    assert.deepEqual(counts, { 'trl-sft': 1, 'trl-dpo': 18, 'trl-prm': 59, 'openai-chat': 1, 'openai-dpo': 18 });
  });
});

test('--sft-form messages, --system, --threshold for trl-prm, --out; bad values exit 2', async () => {
  await withTraces(async (dir) => {
    const f = join(dir, 'a-mcts30.metacot.json');
    const out = join(dir, 'sft.jsonl');
    const c = capture();
    assert.equal(await runExportCommand(['--format', 'trl-sft', '--sft-form', 'messages', '--system', 'Search.', f, '--out', out], c.io), 0, c.o.err);
    const [rec] = parseJsonl(readFileSync(out, 'utf8')).map((l) => TrlSftRecordSchema.parse(l));
    assert.ok(rec && 'messages' in rec);
    assert.deepEqual(rec.messages.map((m) => m.role), ['system', 'user', 'assistant']);
    assert.equal(rec.messages[0]!.content, 'Search.');
    const low = capture();
    const high = capture();
    assert.equal(await runExportCommand(['--format', 'trl-prm', '--threshold', '0.1', f], low.io), 0);
    assert.equal(await runExportCommand(['--format', 'trl-prm', '--threshold', '0.9', f], high.io), 0);
    const trues = (s: string) => parseJsonl(s).reduce<number>((a, l) => a + TrlPrmRecordSchema.parse(l).labels.filter(Boolean).length, 0);
    assert.ok(trues(low.o.out) > trues(high.o.out), `${trues(low.o.out)} > ${trues(high.o.out)}`);
    const bad = capture();
    assert.equal(await runExportCommand(['--format', 'trl-sft', '--sft-form', 'text', f], bad.io), 2);
    assert.match(bad.o.err, /--sft-form must be one of prompt-completion, messages/);
    const fmt = capture();
    assert.equal(await runExportCommand(['--format', 'trl-kto', f], fmt.io), 2);
    assert.ok(fmt.o.err.includes(`--format must be one of ${EXPORT_FORMATS.join(', ')}`));
    // The usage text lists every format the core has.
    const help = capture();
    assert.equal(await runExportCommand(['--help'], help.io), 0);
    for (const format of EXPORT_FORMATS) assert.match(help.o.out, new RegExp(`\\n {2}${format} +\\S`), format);
  });
});
