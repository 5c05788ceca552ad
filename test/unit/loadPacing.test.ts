import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMessagesFor } from '../../src/protocol/hostMessages';
import { LoadAcks, postLoad } from '../../src/protocol/loadPacing';
import { generateTrace } from '../fixtures/generateTrace';

const types = (ms: { type: string }[]) => ms.map((m) => m.type);

describe('postLoad', () => {
  test('posts a chunked load’s chunks only after the page acknowledged its first part, then all in order', async () => {
    const trace = generateTrace({ nodes: 20_000, seed: 3, validate: false });
    const posted: { type: string; seq?: number }[] = [];
    const acks = new LoadAcks();
    const done = postLoad(loadMessagesFor(trace), { post: (m) => posted.push(m), acked: (id) => acks.acked(id), stopped: () => false, timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(types(posted), ['loadCompactTrace'], 'nothing after the first part until the page answers');
    const head = posted[0] as unknown as { chunked: { loadId: string; chunks: number } };
    acks.receive('some-other-load', 0);
    acks.receive(head.chunked.loadId, 1);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(posted.length, 1, 'an ack of another load, or of a later part, does not release the chunks');
    acks.receive(head.chunked.loadId, 0);
    await done;
    assert.deepEqual(posted.slice(1).map((m) => m.seq), Array.from({ length: head.chunked.chunks }, (_, i) => i + 1));
  });

  test('sends the chunks anyway when the page never answers (after the timeout), and stops when told to', async () => {
    const trace = generateTrace({ nodes: 20_000, seed: 3, validate: false });
    const posted: { type: string }[] = [];
    const never = () => new Promise<void>(() => undefined);
    await postLoad(loadMessagesFor(trace), { post: (m) => posted.push(m), acked: never, stopped: () => false, timeoutMs: 20 });
    assert.ok(posted.length > 2 && types(posted).slice(1).every((t) => t === 'loadChunk'));
    const stopped: { type: string }[] = [];
    let stop = false;
    await postLoad(loadMessagesFor(trace), { post: (m) => { stopped.push(m); stop = true; }, acked: never, stopped: () => stop, timeoutMs: 20 });
    assert.deepEqual(types(stopped), ['loadCompactTrace'], 'a newer load (or a closed panel) ends the older one');
  });

  test('a small trace is one message, with no wait', async () => {
    const posted: { type: string }[] = [];
    await postLoad(loadMessagesFor(generateTrace({ nodes: 50, seed: 1, validate: false })), {
      post: (m) => posted.push(m),
      acked: () => new Promise<void>(() => undefined),
      stopped: () => false,
      timeoutMs: 60_000,
    });
    assert.deepEqual(types(posted), ['loadTrace']);
  });

  test('an ack that comes before anyone waits is kept for its load', async () => {
    const acks = new LoadAcks();
    acks.receive('load7', 0);
    await acks.acked('load7');
    let resolved = false;
    void acks.acked('load7').then(() => (resolved = true));
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(resolved, false, 'kept once, not forever');
  });
});
