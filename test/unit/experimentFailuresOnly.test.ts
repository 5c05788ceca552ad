/**
 * "Re-run failures only" (the Experiment view's action, `failuresOnly`): of a folder with one failed entry and one
 * never run, only the failed one runs again; the other stays missing until a plain resume runs it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { namedSetProblems, strategiesFrom } from '../../src/core/experiment/spec';
import { runExperiment } from '../../src/core/experiment/runner';
import type { ExperimentSpec } from '../../src/core/experiment/summary';
import { closedPort } from './helpers/closedPort';

test('failuresOnly re-runs the failed entry and leaves the never-run one missing; a resume then runs only that one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'metacot-exp-failonly-'));
  try {
    const spec: ExperimentSpec = {
      problems: { source: 'heldout-test', select: '2-3', count: 2 },
      strategies: strategiesFrom(['mcts'], []),
      budgets: [400],
      endpoint: { kind: 'embedded' },
      seed: 1,
    };
    const problems = namedSetProblems('heldout-test', '2-3');
    const port = await closedPort();
    const closed = { kind: 'openai' as const, config: { name: 'closed', baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm', mode: 'chat' as const, maxRetries: 0 } };
    // Both entries fail; then the second trace is removed, so that entry was "never run".
    const broken = await runExperiment({ dir, spec, problems, endpoint: closed });
    assert.deepEqual(broken.summary.cells[0]!.results.map((r) => r.status), ['failed', 'failed']);
    const second = join(dir, broken.summary.cells[0]!.results[1]!.trace);
    rmSync(second);
    assert.equal(existsSync(second), false);

    const again = await runExperiment({ dir, spec, problems, endpoint: { kind: 'embedded' }, rerunFailures: true, failuresOnly: true });
    assert.deepEqual(again.ran.map((r) => r.index), [0], 'only the failed entry ran');
    assert.deepEqual(again.summary.cells[0]!.results.map((r) => r.status === 'failed' || r.status === 'missing' ? r.status : 'ran'), ['ran', 'missing']);
    assert.equal(again.summary.totals.missing, 1);
    assert.equal(again.summary.complete, false);

    const resume = await runExperiment({ dir, spec, problems, endpoint: { kind: 'embedded' } });
    assert.deepEqual(resume.ran.map((r) => r.index), [1], 'the resume runs only the missing entry');
    assert.equal(resume.summary.complete, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
