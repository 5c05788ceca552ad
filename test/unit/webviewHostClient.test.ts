// The panel's request client over a fake bridge: ids, reply matching, checked results, refusals.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplyMessage } from '../../src/protocol/panelRequests';
import { parseWebviewMessage } from '../../src/protocol/parseMessage';
import type { WebviewMessage } from '../../src/protocol/webviewMessages';
import { HostClient, HostRequestError } from '../../webview/hostClient';

/** Records what the page sends; `accept: false` models a bridge that refuses an invalid message. */
function fakeBridge(accept = true) {
  const sent: WebviewMessage[] = [];
  return {
    sent,
    post(m: WebviewMessage) {
      if (!accept || !parseWebviewMessage(m).ok) return false;
      sent.push(m);
      return true;
    },
  };
}

const idOf = (m: WebviewMessage | undefined) => (m?.type === 'request' ? m.requestId : assert.fail(`not a request: ${JSON.stringify(m)}`));

describe('webview host client', () => {
  it('sends each request with its own id and resolves each on the reply with that id', async () => {
    const bridge = fakeBridge();
    const client = new HostClient(bridge);
    const prune = client.request('pruneNode', { nodeId: 'n5', reason: 'dead end' });
    const mark = client.request('markNode', { nodeId: 'n9', label: 'correct' });
    assert.equal(bridge.sent.length, 2);
    assert.deepEqual(bridge.sent[0], { type: 'request', requestId: idOf(bridge.sent[0]), method: 'pruneNode', params: { nodeId: 'n5', reason: 'dead end' } });
    const [pruneId, markId] = bridge.sent.map(idOf);
    assert.notEqual(pruneId, markId);
    assert.equal(client.waiting, 2);
    // Replies in the other order: each settles its own request.
    assert.equal(client.onReply({ type: 'reply', requestId: markId, method: 'markNode', ok: true, result: { nodeId: 'n9', label: 'correct', message: 'Marked n9 correct' } }), true);
    assert.equal(client.onReply({ type: 'reply', requestId: pruneId, method: 'pruneNode', ok: true, result: { pruned: ['n5', 'n11'], message: 'Pruned 2 nodes' } }), true);
    assert.deepEqual(await prune, { pruned: ['n5', 'n11'], message: 'Pruned 2 nodes' });
    assert.deepEqual(await mark, { nodeId: 'n9', label: 'correct', message: 'Marked n9 correct' });
    assert.equal(client.waiting, 0);
    assert.equal(client.onReply({ type: 'reply', requestId: pruneId, method: 'pruneNode', ok: true, result: { pruned: [], message: 'again' } }), false, 'a second reply to the same id is not ours');
    assert.equal(client.onReply({ type: 'reply', requestId: 'zz', method: 'pruneNode', ok: true, result: {} }), false);
  });

  it('rejects with the host’s message and detail on ok:false', async () => {
    const bridge = fakeBridge();
    const client = new HostClient(bridge);
    const p = client.request('editNode', { nodeId: 'n1', text: 'x', mode: 'replace' });
    client.onReply({ type: 'reply', requestId: idOf(bridge.sent[0]), method: 'editNode', ok: false, error: { message: 'The trace file is read-only.', detail: 'EACCES' } });
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof HostRequestError);
      assert.equal(e.message, 'The trace file is read-only.');
      assert.equal(e.detail, 'EACCES');
      assert.equal(e.method, 'editNode');
      return true;
    });
  });

  it('rejects a result that does not match the method’s schema, or a reply for another method', async () => {
    const bridge = fakeBridge();
    const client = new HostClient(bridge);
    const bad = client.request('exportTrace', { format: 'linearized' });
    client.onReply({ type: 'reply', requestId: idOf(bridge.sent[0]), method: 'exportTrace', ok: true, result: { output: '/tmp/x', bytes: -1, message: 'ok' } });
    await assert.rejects(bad, /^HostRequestError: The host sent an invalid 'exportTrace' reply: bytes/);
    const crossed = client.request('cancelRun', {});
    const reply: ReplyMessage = { type: 'reply', requestId: idOf(bridge.sent[1]), method: 'openAsText', ok: true, result: { uri: 'file:///x', message: 'ok' } };
    client.onReply(reply);
    await assert.rejects(crossed, /answered 'cancelRun' as 'openAsText'/);
  });

  it('rejects at once when the bridge refuses to send, leaving nothing pending', async () => {
    const client = new HostClient(fakeBridge(false));
    await assert.rejects(client.request('openAsText', {}), /Could not send the 'openAsText' request/);
    assert.equal(client.waiting, 0);
    // An invalid request (empty node id) is refused by the protocol check in the bridge.
    const checking = new HostClient(fakeBridge());
    await assert.rejects(checking.request('pruneNode', { nodeId: '' }), HostRequestError);
  });
});
