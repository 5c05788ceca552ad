/**
 * Chunked loads of big traces: chunkTrace + encodeChunk on the host, decodeChunk + ChunkAssembler on the page. The
 * round trip gives back the trace exactly; a chunk that is malformed or does not continue the load is refused.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkAssembler, ChunkError, chunkTrace, decodeChunk, encodeChunk, expandCompactTrace } from '../../src/protocol/compactTrace';
import type { CompactChunk, CompactTrace } from '../../src/protocol/compactTrace';
import { loadMessagesFor, CHUNK_THRESHOLD } from '../../src/protocol/hostMessages';
import { parseHostMessage } from '../../src/protocol/parseMessage';
import type { Trace } from '../../src/core/trace/schema';
import { generateTrace } from '../fixtures/generateTrace';

/** What the page ends up with: the first part expanded, then every chunk's nodes and events appended. */
function assemble(head: CompactTrace, load: ConstructorParameters<typeof ChunkAssembler>[0], chunks: CompactChunk[]): Trace {
  const a = new ChunkAssembler(load, head);
  const t = expandCompactTrace(head);
  for (const c of chunks) {
    const part = a.add(decodeChunk(encodeChunk(c)));
    t.nodes.push(...part.nodes);
    t.events.push(...part.events);
  }
  assert.equal(a.complete, true);
  return t;
}

const trace = generateTrace({ nodes: 1200, seed: 5 });

describe('chunked trace loads', () => {
  it('round-trips a trace exactly through the first part and the chunks', () => {
    const { head, load, chunks } = chunkTrace(trace, 'L1', 100, 250);
    assert.equal(head.nodes.id.length, 100);
    assert.deepEqual(chunks.map((c) => [c.seq, c.offset, c.nodes.id.length]), [[1, 100, 250], [2, 350, 250], [3, 600, 250], [4, 850, 250], [5, 1100, 100]]);
    assert.equal(head.events.i.length, 0);
    assert.equal(chunks.at(-1)!.events.i.length, trace.events.length);
    assert.deepEqual(load, { loadId: 'L1', totalNodes: 1200, totalEvents: trace.events.length, chunks: 5 });
    assert.equal(JSON.stringify(assemble(head, load, chunks)), JSON.stringify(trace));
  });

  it('keeps hostile strings byte for byte (quotes, newlines, lone surrogates escaped by JSON, RTL, NUL)', () => {
    const t = structuredClone(trace);
    const hostile = ['"}]},{"id":"x', 'line\nbreak\u2028sep', '\u0000nul', '\u202eevil', '</script><script>alert(1)</script>', '😀'.repeat(50)];
    hostile.forEach((s, k) => (t.nodes[300 + k]!.text = s));
    const { head, load, chunks } = chunkTrace(t, 'L1', 100, 250);
    const back = assemble(head, load, chunks);
    hostile.forEach((s, k) => assert.equal(back.nodes[300 + k]!.text, s));
    assert.equal(JSON.stringify(back), JSON.stringify(t));
  });

  it('the host sends one message up to the threshold, a first part and byte chunks above it, and they parse', () => {
    assert.equal([...loadMessagesFor(trace)].length, 1);
    const big = generateTrace({ nodes: CHUNK_THRESHOLD + 5000, seed: 2, validate: false });
    const msgs = [...loadMessagesFor(big, undefined, { parseMs: 3 })];
    assert.equal(msgs[0]!.type, 'loadCompactTrace');
    assert.ok(msgs.length >= 2 && msgs.slice(1).every((m) => m.type === 'loadChunk' && m.data instanceof Uint8Array));
    const head = msgs[0] as Extract<(typeof msgs)[number], { type: 'loadCompactTrace' }>;
    assert.equal(head.chunked?.totalNodes, big.nodes.length);
    assert.equal(head.timing?.parseMs, 3);
    for (const m of msgs) assert.equal(parseHostMessage(structuredClone(m)).ok, true, m.type);
    // A chunk whose data is not bytes is refused by the envelope schema.
    assert.equal(parseHostMessage({ type: 'loadChunk', loadId: 'x', seq: 1, data: [1, 2, 3] }).ok, false);
  });

  describe('refuses malformed chunks', () => {
    const { head, load, chunks } = chunkTrace(trace, 'L1', 100, 250);
    const fresh = () => new ChunkAssembler(load, head);
    const edit = (c: CompactChunk, f: (c: CompactChunk) => void) => {
      const copy = structuredClone(c);
      f(copy);
      return copy;
    };
    const refuses = (what: RegExp, fn: () => unknown) => assert.throws(fn, (e: unknown) => e instanceof ChunkError && what.test(e.message));

    it('columns of different lengths', () => {
      const bad = edit(chunks[0]!, (c) => c.nodes.text.pop());
      refuses(/column has 249 entries, expected 250/, () => decodeChunk(encodeChunk(bad)));
    });
    it('wrong types in a column and bytes that are not JSON', () => {
      refuses(/nodes\.value\.3/, () => decodeChunk(encodeChunk(edit(chunks[0]!, (c) => ((c.nodes.value as unknown[])[3] = 'high')))));
      refuses(/nodes\.kind/, () => decodeChunk(encodeChunk(edit(chunks[0]!, (c) => ((c.nodes.kind as unknown[])[0] = 'bogus')))));
      refuses(/not UTF-8 JSON/, () => decodeChunk(new Uint8Array([0x7b, 0xff, 0xfe])));
    });
    it('bad and duplicate ids', () => {
      refuses(/nodes\.id/, () => decodeChunk(encodeChunk(edit(chunks[0]!, (c) => (c.nodes.id[5] = '')))));
      refuses(/duplicate node id "n3"/, () => fresh().add(edit(chunks[0]!, (c) => (c.nodes.id[7] = 'n3'))));
    });
    it('parent cycles and forward parents (a parent must be an earlier node)', () => {
      // Node 120 names itself, node 130 names 131 and 131 names 130: both are forward or self links.
      refuses(/node 120 .* names parent 120, not an earlier node/, () => fresh().add(edit(chunks[0]!, (c) => (c.nodes.parent[20] = 120))));
      refuses(/node 130 .* names parent 131/, () => fresh().add(edit(chunks[0]!, (c) => { c.nodes.parent[30] = 131; c.nodes.parent[31] = 130; })));
      refuses(/has no parent/, () => fresh().add(edit(chunks[0]!, (c) => (c.nodes.parent[0] = -1))));
      refuses(/kind "root"/, () => fresh().add(edit(chunks[0]!, (c) => (c.nodes.kind[0] = 'root'))));
    });
    it('chunks out of order, of another load, past the total, or a load that ends short', () => {
      refuses(/chunk 2 arrived, expected chunk 1/, () => fresh().add(chunks[1]!));
      refuses(/of load L2/, () => fresh().add({ ...chunks[0]!, loadId: 'L2' }));
      refuses(/starts at node 90/, () => fresh().add({ ...chunks[0]!, offset: 90 }));
      const a = fresh();
      for (const c of chunks.slice(0, 4)) a.add(c);
      refuses(/the load ended with 1150 of 1200 nodes/, () => a.add(edit(chunks[4]!, (c) => {
        for (const col of Object.values(c.nodes)) (col as unknown[]).splice(50);
        for (const col of Object.values(c.events)) (col as unknown[]).length = 0;
      })));
      const b = fresh();
      for (const c of chunks) b.add(c);
      refuses(/after the load was complete/, () => b.add({ ...chunks[4]!, seq: 6 }));
    });
    it('events that name nodes the load does not have', () => {
      const a = fresh();
      for (const c of chunks.slice(0, 4)) a.add(c);
      refuses(/event 0 names unknown node "ghost"/, () => a.add(edit(chunks[4]!, (c) => (c.events.node[0] = 'ghost'))));
    });
    it('a first part that is not a tree top', () => {
      const bad = structuredClone(head);
      bad.nodes.parent[0] = 3;
      refuses(/node 0 must be the root/, () => new ChunkAssembler(load, bad));
      refuses(/more than the 50 announced/, () => new ChunkAssembler({ ...load, totalNodes: 50 }, head));
    });
  });
});
