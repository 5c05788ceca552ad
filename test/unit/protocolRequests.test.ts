import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkResult,
  PANEL_METHODS,
  PANEL_REQUESTS,
  PanelRequestMessageSchema,
  parseReplyResult,
  ReplyMessageSchema,
  requestIdentity,
} from '../../src/protocol/panelRequests';
import type { PanelMethod } from '../../src/protocol/panelRequests';
import { parseHostMessage, parseWebviewMessage } from '../../src/protocol/parseMessage';
import { STRATEGY_CATALOG } from '../../src/core/search/catalog';

/** One valid params / result pair per method: the table must hold exactly these methods. */
const SAMPLES: { [M in PanelMethod]: { params: unknown; result: unknown } } = {
  editNode: { params: { nodeId: 'n1', text: 'x', mode: 'sibling' }, result: { nodeId: 'n4', message: 'added n4 beside n1' } },
  pruneNode: { params: { nodeId: 'n2', reason: 'dead end' }, result: { pruned: ['n2', 'n5'], message: 'pruned 2 nodes from n2' } },
  unpruneNode: { params: { nodeId: 'n2' }, result: { restored: ['n2', 'n5'], message: 'un-pruned 2 nodes from n2, each back to its earlier status' } },
  markNode: { params: { nodeId: 'n3', label: null }, result: { nodeId: 'n3', label: null, message: 'cleared' } },
  rerunFromNode: { params: { nodeId: 'n1', strategy: STRATEGY_CATALOG.defaultStrategy, params: { width: 2 } }, result: { runId: 'r2', startNodeId: 'n1', message: 'started' } },
  cancelRun: { params: {}, result: { cancelled: [], message: 'no search is running' } },
  openAsText: { params: { nodeId: 'n2' }, result: { uri: 'file:///t.metacot.json', message: 'opened' } },
  exportTrace: { params: { format: 'solution' }, result: { output: 'file:///t.solution.txt', bytes: 12, message: 'exported' } },
  measureImportance: { params: { nodeId: 'n3' }, result: { nodeId: 'n3', measured: true, message: 'step importance of n3: 3 steps' } },
};

test('the request table lists every method once, each with a params and a result schema', () => {
  assert.deepEqual([...PANEL_METHODS].sort(), Object.keys(SAMPLES).sort());
  for (const m of PANEL_METHODS) {
    assert.ok(PANEL_REQUESTS[m].params.safeParse(SAMPLES[m].params).success, `${m} params`);
    assert.ok(PANEL_REQUESTS[m].result.safeParse(SAMPLES[m].result).success, `${m} result`);
  }
});

test('a request message parses per method, and params of another method are refused', () => {
  for (const m of PANEL_METHODS) {
    const r = parseWebviewMessage({ type: 'request', requestId: `q-${m}`, method: m, params: SAMPLES[m].params });
    assert.ok(r.ok, `${m}: ${r.ok ? '' : r.error}`);
    if (r.ok && r.message.type === 'request') assert.equal(r.message.method, m);
  }
  // pruneNode's params sent as editNode's lack text and mode.
  const wrong = PanelRequestMessageSchema.safeParse({ type: 'request', requestId: 'q', method: 'editNode', params: SAMPLES.pruneNode.params });
  assert.equal(wrong.success, false);
  const unknown = parseWebviewMessage({ type: 'request', requestId: 'q', method: 'deleteTrace', params: {} });
  assert.equal(unknown.ok, false);
  assert.equal(parseWebviewMessage({ type: 'request', method: 'cancelRun', params: {} }).ok, false, 'a request without an id');
});

test('the old action messages (protocol 1) are no longer accepted', () => {
  for (const old of [
    { type: 'editNode', requestId: 'e1', nodeId: 'n1', text: 'x', mode: 'replace' },
    { type: 'pruneNode', requestId: 'p1', nodeId: 'n1' },
    { type: 'requestExport', requestId: 'x1', format: 'trace' },
    { type: 'openAsText' },
  ]) {
    assert.equal(parseWebviewMessage(old).ok, false, old.type);
  }
  assert.equal(parseHostMessage({ type: 'actionResult', requestId: 'e1', ok: true }).ok, false);
});

test('notifications still parse: ready, selectNode, log', () => {
  assert.ok(parseWebviewMessage({ type: 'ready', protocolVersion: 2 }).ok);
  assert.ok(parseWebviewMessage({ type: 'selectNode', nodeId: null }).ok);
  assert.ok(parseWebviewMessage({ type: 'log', level: 'warn', message: 'm' }).ok);
  assert.equal(parseWebviewMessage({ type: 'log', level: 'loud', message: 'm' }).ok, false);
});

test('replies: ok with a result, or not ok with an error message; the host message union accepts both', () => {
  const ok = { type: 'reply', requestId: 'q1', method: 'markNode', ok: true, result: SAMPLES.markNode.result };
  const bad = { type: 'reply', requestId: 'q2', method: 'editNode', ok: false, error: { message: 'no node "n9" in t.metacot.json' } };
  assert.ok(ReplyMessageSchema.safeParse(ok).success);
  assert.ok(ReplyMessageSchema.safeParse(bad).success);
  assert.equal(ReplyMessageSchema.safeParse({ ...bad, error: undefined }).success, false, 'a failed reply needs its error');
  assert.equal(ReplyMessageSchema.safeParse({ ...ok, method: 'nope' }).success, false);
  const parsed = parseHostMessage(bad);
  assert.ok(parsed.ok);
  if (parsed.ok && parsed.message.type === 'reply' && !parsed.message.ok) assert.match(parsed.message.error.message, /no node "n9"/);
});

test('parseReplyResult checks a result against its own method, checkResult throws for a host bug', () => {
  const r = parseReplyResult('pruneNode', SAMPLES.pruneNode.result);
  assert.ok(r.ok);
  if (r.ok) assert.deepEqual(r.result.pruned, ['n2', 'n5']);
  const wrong = parseReplyResult('pruneNode', SAMPLES.editNode.result);
  assert.equal(wrong.ok, false);
  if (!wrong.ok) assert.match(wrong.error, /invalid 'pruneNode' reply: pruned:/);
  assert.throws(() => checkResult('exportTrace', { output: 'x', bytes: -1, message: 'm' }), /invalid 'exportTrace' reply: bytes/);
  // Extra fields a handler returns (the live run, its promise) are dropped, not sent.
  const clean = checkResult('rerunFromNode', { ...(SAMPLES.rerunFromNode.result as object), done: Promise.resolve() });
  assert.deepEqual(Object.keys(clean).sort(), ['message', 'runId', 'startNodeId']);
});

test('requestIdentity finds the id and method of an invalid request (so it can be answered), nothing else', () => {
  assert.deepEqual(requestIdentity({ type: 'request', requestId: 'b1', method: 'editNode', params: { nodeId: 'n1', text: 42 } }), { requestId: 'b1', method: 'editNode' });
  assert.equal(requestIdentity({ type: 'request', requestId: 'b2', method: 'dropTable', params: {} }), undefined);
  assert.equal(requestIdentity({ type: 'request', requestId: '', method: 'editNode' }), undefined);
  assert.equal(requestIdentity({ type: 'ready', protocolVersion: 2 }), undefined);
  assert.equal(requestIdentity('editNode'), undefined);
});

test('the config message carries the core strategy catalog (the re-run form is built from it)', () => {
  const r = parseHostMessage({ type: 'config', strategies: STRATEGY_CATALOG, rerunDefaults: { strategy: STRATEGY_CATALOG.defaultStrategy } });
  assert.ok(r.ok, r.ok ? '' : r.error);
  if (r.ok && r.message.type === 'config') assert.deepEqual(r.message.strategies?.strategies.map((s) => s.name), STRATEGY_CATALOG.strategies.map((s) => s.name));
  const broken = { ...STRATEGY_CATALOG, defaultStrategy: 'no-such-strategy' };
  assert.equal(parseHostMessage({ type: 'config', strategies: broken }).ok, false, 'a catalog whose default is not listed');
});

test('an invalid request is described by its field, not as an invalid union', () => {
  const r = parseWebviewMessage({ type: 'request', requestId: 'b1', method: 'editNode', params: { nodeId: 'n1', text: 42, mode: 'replace' } });
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.error, /^invalid 'request' message: params\.text: /);
  const n = parseWebviewMessage({ type: 'selectNode', nodeId: 5 });
  assert.equal(n.ok, false);
  if (!n.ok) assert.match(n.error, /^invalid 'selectNode' message: nodeId: /);
});
