/**
 * Trace states and marks (issue 17): solved / failed / running / budget / cancelled / no answer / imported, the cause
 * of a failed run, and the Traces view's cheap read of a file's runs and result (equal to a full parse).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { failureCause, readRunsAndResult, traceMark, traceState } from '../../src/core/analyse/runOutcome';
import { parseTrace, serializeTrace } from '../../src/core/trace/io';
import type { Run, RunStatus, Trace } from '../../src/core/trace/schema';

const fixture = (name: string): Trace => parseTrace(readFileSync(join(__dirname, '..', 'fixtures', 'traces', name), 'utf8'));
const beam = fixture('countdown-beam.metacot.json');
const withLast = (status: RunStatus, verified: boolean): Trace => {
  const first = beam.runs[0]!;
  const second: Run = { ...first, id: 'r2', status, reason: `${status} reason`, usage: { requests: 0, cachedRequests: 0, tokensIn: 0, tokensOut: 0, cost: 0 } };
  return { ...beam, runs: [first, second], result: verified ? beam.result : null };
};

describe('traceState and traceMark', () => {
  test('the fixtures: a solved beam trace and a failed one', () => {
    assert.equal(traceState(beam), 'solved');
    assert.equal(traceMark(beam), `✓ solved ${beam.result!.finalAnswer}`);
    const failed = fixture('xss-payloads.metacot.json');
    assert.equal(failed.runs.at(-1)!.status, 'failed');
    assert.equal(traceState(failed), 'failed');
    assert.equal(traceMark(failed), '✗ failed');
  });

  test('each way the last run ends, with and without an earlier verified answer', () => {
    const cases: [RunStatus, boolean, string, string][] = [
      ['failed', true, 'failed', `✗ failed · ✓ ${beam.result!.finalAnswer} kept`],
      ['running', false, 'running', 'running'],
      ['budget', false, 'budget', 'out of budget, unsolved'],
      ['budget', true, 'solved', `✓ solved ${beam.result!.finalAnswer}`],
      ['cancelled', false, 'cancelled', 'cancelled, unsolved'],
      ['completed', false, 'unsolved', 'no verified answer'],
    ];
    for (const [status, verified, state, mark] of cases) {
      assert.equal(traceState(withLast(status, verified)), state, `${status} ${verified}`);
      assert.equal(traceMark(withLast(status, verified)), mark, `${status} ${verified}`);
    }
    assert.equal(traceState({ runs: [], result: null }), 'imported');
    assert.equal(traceMark({ runs: [], result: null }), '');
    assert.equal(traceState(beam, true), 'running', 'a search running here wins over the file');
    // A running run's own verified answer is shown, not "kept" (that is for an earlier run's answer).
    const last = beam.runs[beam.runs.length - 1]!;
    const ownAnswer: Trace = { ...beam, runs: beam.runs.map((r) => (r === last ? { ...r, status: 'running' } : r)), result: { ...beam.result!, verified: true, runId: last.id } };
    assert.equal(traceMark(ownAnswer, true), `running · ✓ ${beam.result!.finalAnswer}`);
    const earlier: Trace = { ...ownAnswer, result: { ...ownAnswer.result!, runId: 'an-earlier-run' } };
    assert.equal(traceMark(earlier, true), `running · ✓ ${beam.result!.finalAnswer} kept`);
  });
});

describe('failureCause', () => {
  test('the first error event with a kind, else the reason prefix', () => {
    const t: Trace = { ...beam, events: [...beam.events, { i: 1, type: 'error', node: 'n0', run: 'r2', data: { message: 'x' } }, { i: 1, type: 'error', node: 'n0', run: 'r2', data: { message: 'y', kind: 'timeout' } }] };
    assert.equal(failureCause(t, 'r2', 'unreachable: endpoint "e": …'), 'timeout');
    assert.equal(failureCause(beam, 'r2', 'unreachable: endpoint "e": cannot reach'), 'unreachable');
    assert.equal(failureCause(beam, 'r2', '3 requests failed; first: auth: endpoint "e": 401'), 'auth');
    assert.equal(failureCause(beam, 'r2', 'something else'), undefined);
  });
});

describe('readRunsAndResult', () => {
  test('a written trace file: the same runs and result as a full parse, without the nodes', () => {
    for (const t of [beam, fixture('mcts-30.metacot.json'), fixture('xss-payloads.metacot.json'), withLast('failed', true)]) {
      const text = serializeTrace(t);
      assert.deepEqual(readRunsAndResult(text), { runs: t.runs, result: t.result });
    }
  });

  test('other JSON is parsed whole; not a trace gives undefined', () => {
    assert.deepEqual(readRunsAndResult(JSON.stringify(beam)), { runs: beam.runs, result: beam.result });
    assert.equal(readRunsAndResult('{"runs": 3}'), undefined);
    assert.equal(readRunsAndResult('not json'), undefined);
    assert.equal(readRunsAndResult(serializeTrace(beam).slice(0, 200)), undefined);
  });

  test('a big file read as its beginning and its end', () => {
    const text = serializeTrace(fixture('mcts-30.metacot.json'));
    const t = parseTrace(text);
    assert.deepEqual(readRunsAndResult(text.slice(0, text.indexOf('"nodes"') + 2000), text.slice(-300)), { runs: t.runs, result: t.result });
    assert.equal(readRunsAndResult(text.slice(0, 100), text.slice(-300)), undefined, 'no header in the beginning');
  });
});
