// Results per run in the search panel (real Chromium): the overview names the run that found the trace's answer and
// each run card shows that run's own result; the run status line says "found by" when the last run is another one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceSchema } from '../../src/core/trace/schema';
import type { Trace } from '../../src/core/trace/schema';
import { panelSuite } from './panelPage';

const { open } = panelSuite();

/** The beam fixture (solved at n9), then an unsolved MCTS re-run from the root that chose the refuted n10. */
function beamThenUnsolvedRerun(): Trace {
  const t = TraceSchema.parse(JSON.parse(readFileSync(join(__dirname, '../fixtures/traces/countdown-beam.metacot.json'), 'utf8')));
  const beam = t.runs[0]!;
  beam.result = { bestNodeId: 'n9', finalAnswer: t.result!.finalAnswer!, verified: true };
  t.runs.push({
    ...structuredClone(beam),
    id: 'r2',
    config: { ...structuredClone(beam.config), strategy: 'mcts', params: {} },
    status: 'budget',
    reason: 'budget maxNodes reached',
    usage: { requests: 0, cachedRequests: 0, tokensIn: 0, tokensOut: 0, cost: 0 },
    result: { bestNodeId: 'n10', finalAnswer: '25', verified: false },
  });
  for (const n of t.nodes) if (n.parentId !== null) n.supersededBy = 'r2';
  t.result = { ...t.result!, runId: beam.id };
  return TraceSchema.parse(t);
}

describe('search panel: results per run', () => {
  it('names the finding run in the overview and the status line, and each run card shows its own result', async () => {
    const p = await open();
    await p.load(beamThenUnsolvedRerun());
    const overview = await p.page.locator('#detail').first().innerText();
    assert.match(overview, /Found by\s+run beam-1 \(beam\); subtree superseded by run r2/);
    assert.match(overview, /Found: answer \(5 \* 3\) \+ 7 \+ 2 = 24 \(n9\), verified/);
    assert.match(overview, /Found: answer 25 \(n10\), not verified/);
    const status = await p.page.locator('#run-status').first().innerText();
    assert.match(status, /budget/);
    assert.match(status, /24 · found by beam-1/);
  });
});
