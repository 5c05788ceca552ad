// Protocol schemas and the panel HTML: pure checks, no browser.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceSchema } from '../../src/core/trace/schema';
import { COMPACT_THRESHOLD, compactTrace, expandCompactTrace, checkNodeDetail } from '../../src/protocol/compactTrace';
import { loadMessageFor } from '../../src/protocol/hostMessages';
import { parseHostMessage, parseWebviewMessage } from '../../src/protocol/parseMessage';
import { makeNonce, panelCsp, panelHtml } from '../../src/protocol/panelHtml';
import { generateTrace } from '../fixtures/generateTrace';

const fixture = (name: string) => TraceSchema.parse(JSON.parse(readFileSync(join(__dirname, '../fixtures/traces', name), 'utf8')));

describe('protocol', () => {
  it('accepts every notification and typed request the panel sends and rejects malformed ones with a readable error', () => {
    const ok = [
      { type: 'ready', protocolVersion: 2 },
      { type: 'selectNode', nodeId: null },
      { type: 'request', requestId: 'r1', method: 'editNode', params: { nodeId: 'n1', text: 'x', mode: 'sibling' } },
      { type: 'request', requestId: 'r2', method: 'pruneNode', params: { nodeId: 'n1' } },
      { type: 'request', requestId: 'r3', method: 'markNode', params: { nodeId: 'n1', label: null } },
      { type: 'request', requestId: 'r4', method: 'rerunFromNode', params: { nodeId: 'n1', strategy: 'mcts', params: { c: 2.5 }, budgets: { maxTokens: 1000 } } },
      { type: 'request', requestId: 'r5', method: 'cancelRun', params: {} },
      { type: 'request', requestId: 'r6', method: 'openAsText', params: { nodeId: 'n1' } },
      { type: 'request', requestId: 'r7', method: 'exportTrace', params: { format: 'linearized' } },
      { type: 'log', level: 'error', message: 'x' },
    ];
    for (const m of ok) assert.equal(parseWebviewMessage(m).ok, true, JSON.stringify(m));
    const bad = parseWebviewMessage({ type: 'request', requestId: 'r1', method: 'editNode', params: { nodeId: 'n1', text: 3, mode: 'replace' } });
    assert.equal(bad.ok, false);
    assert.match((bad as { error: string }).error, /^invalid 'request' message: params\.text: /);
    assert.equal(parseWebviewMessage({ type: 'format-disk' }).ok, false);
    assert.equal(parseWebviewMessage({ type: 'request', method: 'pruneNode', params: { nodeId: 'n1' } }).ok, false, 'a request needs its id');
    const strategy = parseWebviewMessage({ type: 'request', requestId: 'r9', method: 'rerunFromNode', params: { nodeId: 'n1', strategy: 'dfs', params: {} } });
    assert.match((strategy as { error: string }).error, /params\.strategy: /);
  });

  it('accepts replies and host errors without a request id', () => {
    assert.equal(parseHostMessage({ type: 'reply', requestId: 'r1', method: 'pruneNode', ok: true, result: { pruned: ['n1'], message: 'Pruned' } }).ok, true);
    assert.equal(parseHostMessage({ type: 'reply', requestId: 'r1', method: 'pruneNode', ok: false, error: { message: 'no such node' } }).ok, true);
    assert.equal(parseHostMessage({ type: 'reply', requestId: 'r1', method: 'pruneNode', ok: false }).ok, false);
    assert.equal(parseHostMessage({ type: 'error', message: 'boom' }).ok, true);
  });

  it('validates host messages, filling delta defaults', () => {
    const trace = fixture('countdown-beam.metacot.json');
    assert.equal(parseHostMessage({ type: 'loadTrace', trace }).ok, true);
    const d = parseHostMessage({ type: 'traceDelta', traceId: trace.id, nodesUpdated: [{ id: 'n1', value: 0.5 }] });
    assert.equal(d.ok, true);
    if (d.ok && d.message.type === 'traceDelta') {
      assert.deepEqual(d.message.nodesAdded, []);
      assert.deepEqual(d.message.events, []);
    }
    const badValue = parseHostMessage({ type: 'traceDelta', traceId: trace.id, nodesUpdated: [{ id: 'n1', value: 1.5 }] });
    assert.equal(badValue.ok, false);
    assert.match((badValue as { error: string }).error, /nodesUpdated\.0\.value/);
    assert.equal(parseHostMessage({ type: 'readOnly', readOnly: true, reason: 'Restricted Mode' }).ok, true);
    assert.equal(parseHostMessage({ type: 'config', colorBy: 'rainbow' }).ok, false);
  });

  it('compact traces round-trip exactly and report the first bad entry of a column', () => {
    // A merged duplicate (copies) must reach the panel too (its card shows ×k).
    const merged = generateTrace({ nodes: 40, seed: 4 });
    merged.nodes[5]!.copies = 3;
    for (const trace of [fixture('countdown-beam.metacot.json'), fixture('xss-payloads.metacot.json'), generateTrace({ nodes: 3000, seed: 9 }), merged]) {
      const c = compactTrace(trace);
      const parsed = parseHostMessage({ type: 'loadCompactTrace', trace: JSON.parse(JSON.stringify(c)) });
      assert.equal(parsed.ok, true, parsed.ok ? '' : parsed.error);
      const back = expandCompactTrace(c);
      assert.deepEqual(back, trace);
      // Schema key order is kept, so a serialized round trip of a schema-ordered file is byte-identical.
      const ordered = TraceSchema.parse(trace);
      assert.equal(JSON.stringify(expandCompactTrace(compactTrace(ordered))), JSON.stringify(ordered));
    }
    const c = compactTrace(generateTrace({ nodes: 50, seed: 2 })) as unknown as { nodes: { status: unknown[]; q: unknown[] } };
    c.nodes.status[7] = 'exploded';
    const r = parseHostMessage({ type: 'loadCompactTrace', trace: c });
    assert.equal(r.ok, false);
    assert.match((r as { error: string }).error, /trace\.nodes\.status\.7: expected one of open/);
  });

  it('picks the compact load above the threshold', () => {
    assert.equal(loadMessageFor(generateTrace({ nodes: 40, seed: 1 })).type, 'loadTrace');
    assert.equal(loadMessageFor(generateTrace({ nodes: COMPACT_THRESHOLD + 10, seed: 1, validate: false })).type, 'loadCompactTrace');
  });

  it('checkNodeDetail drops invalid detail fields and says which', () => {
    const node = { ...fixture('countdown-beam.metacot.json').nodes[1], selection: { reason: 5 } } as never;
    const r = checkNodeDetail(node);
    assert.equal('selection' in r.node, false);
    assert.equal(r.node.id, 'n1');
    assert.match(r.problems.join(), /selection\.reason/);
  });

  it('panel HTML carries a strict CSP with no unsafe-inline or unsafe-eval', () => {
    const nonce = makeNonce();
    assert.match(nonce, /^[A-Za-z0-9]{32}$/);
    const csp = panelCsp('https://x.vscode-cdn.net', nonce);
    assert.equal(csp, `default-src 'none'; script-src 'nonce-${nonce}'; style-src https://x.vscode-cdn.net 'nonce-${nonce}'; font-src https://x.vscode-cdn.net; img-src https://x.vscode-cdn.net data:`);
    const html = panelHtml({ cspSource: 'https://x.vscode-cdn.net', nonce, scriptUri: 'https://x/main.js?a=1&b="2"', styleUris: ['https://x/a.css'] });
    assert.doesNotMatch(html, /unsafe-/);
    assert.match(html, new RegExp(`<script nonce="${nonce}" type="module" src="https://x/main.js\\?a=1&amp;b=&quot;2&quot;"></script>`));
    assert.match(html, /<link rel="stylesheet" href="https:\/\/x\/a.css"/);
    assert.doesNotMatch(html, /style="/);
  });
});
