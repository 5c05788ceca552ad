/**
 * The CLI's main job on the embedded model (no --endpoint): `metacot run --strategy mcts` on held-out Countdown
 * problems writes traces whose best path is a verified solution, checked again here step by step.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRunCommand } from '../../src/cli/commands/run';
import { renderProblem, verifySolution, type CountdownProblem } from '../../src/core/embedded/countdown';
import type { Trace } from '../../src/core/trace/schema';

const dir = mkdtempSync(join(tmpdir(), 'metacot-embedded-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('metacot run on the embedded model produces verified Countdown solutions', async () => {
  const held = JSON.parse(readFileSync(join(__dirname, '../../model/heldout.json'), 'utf8')) as { validation: CountdownProblem[] };
  // validation problems 0 and 1: solved by this seed and budget with the shipped model (test problems stay untouched)
  const problems = held.validation.slice(0, 2);
  const file = join(dir, 'problems.jsonl');
  writeFileSync(file, problems.map((p, i) => JSON.stringify({ id: `v${i}`, problem: renderProblem(p) })).join('\n') + '\n');
  let out = '';
  let err = '';
  const code = await runRunCommand(
    ['--problems', file, '--strategy', 'mcts', '--param', 'concurrency=1', '--param', 'seed=1', '--budget', 'maxTokens=4000', '--quiet', '--out', join(dir, 'out')],
    { out: (t) => void (out += t), err: (t) => void (err += t) },
  );
  assert.equal(code, 0, err);
  assert.match(out, /solved 2\/2/);
  problems.forEach((p, i) => {
    const trace = JSON.parse(readFileSync(join(dir, 'out', `v${i}.metacot.json`), 'utf8')) as Trace;
    assert.equal(trace.result?.verified, true);
    assert.equal(trace.runs[0]?.config.endpoint.model, 'embedded-countdown');
    const byId = new Map(trace.nodes.map((n) => [n.id, n]));
    const path: string[] = [];
    for (let n = byId.get(trace.result!.bestNodeId!); n && n.kind !== 'root'; n = n.parentId ? byId.get(n.parentId) : undefined) path.unshift(n.text);
    assert.ok(path.length >= 1);
    assert.ok(verifySolution(path.join('\n\n'), p), path.join(' | '));
  });
});
