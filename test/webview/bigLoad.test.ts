// Big traces in the panel (real Chromium, harness page): a chunked load of 100k nodes paints its first part before the
// chunks arrive and ends with the trace's exact model; the progress line shows after 300 ms when the chunks are slow;
// a malformed chunk is refused with an error in the panel, never a silently partial tree.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadMessagesFor } from '../../src/protocol/hostMessages';
import { decodeChunk } from '../../src/protocol/compactTrace';
import type { Trace } from '../../src/core/trace/schema';
import { generateTrace } from '../fixtures/generateTrace';
import { panelSuite } from './panelPage';
import type { PanelPage } from './panelPage';

// The refused-chunk test makes the panel report the bad load on purpose.
const { open: panel } = panelSuite({ width: 1280, height: 800 }, { ignoreProblems: /could not be loaded|invalid message/ });

/**
 * Parks a chunked load in the page: the first part as parsed JSON, each chunk's bytes rebuilt there as a Uint8Array
 * (what VS Code hands the webview). `window.__sendHead()` / `window.__sendChunk(k)` deliver them.
 */
async function park(p: PanelPage, trace: Trace, edit?: (chunkJson: string[]) => void): Promise<{ chunks: number }> {
  const [head, ...chunks] = loadMessagesFor(trace);
  const texts = chunks.map((c) => new TextDecoder().decode((c as { data: Uint8Array }).data));
  edit?.(texts);
  const envelopes = chunks.map((c) => ({ type: 'loadChunk', loadId: (c as { loadId: string }).loadId, seq: (c as { seq: number }).seq }));
  await p.page.evaluate(`(() => {
    window.__head = JSON.parse(${JSON.stringify(JSON.stringify(head))});
    const texts = JSON.parse(${JSON.stringify(JSON.stringify(texts))});
    const env = ${JSON.stringify(envelopes)};
    window.__chunks = env.map((e, k) => ({ ...e, data: new TextEncoder().encode(texts[k]) }));
    window.__sendHead = () => window.__hostSend(window.__head);
    window.__sendChunk = (k) => window.__hostSend(window.__chunks[k]);
  })()`);
  return { chunks: chunks.length };
}

describe('big trace loads', () => {
  // Validated: the schema's output has its key order, which is the order the page's node objects are built in.
  const big = generateTrace({ nodes: 100_000, seed: 21, validate: true });

  it('paints the first part of a 100k-node chunked load before the chunks, then holds exactly the trace', async () => {
    const p = await panel();
    const { chunks } = await park(p, big);
    assert.ok(chunks >= 10, `a 100k load comes in ${chunks} chunks`);
    await p.page.evaluate('window.__sendHead()');
    await p.page.waitForFunction(() => performance.getEntriesByName('metacot:first-paint').length > 0, undefined, { timeout: 30_000 });
    const first = await p.probe<{ n: number; id: string; drawn: number }>('({ n: p.nodeCount, id: p.traceId, drawn: p.lastRender ? p.lastRender.nodes : 0 })');
    assert.equal(first.id, big.id);
    assert.equal(first.n, 2000, 'the first frame shows the first part (the top of the tree)');
    assert.ok(first.drawn > 0, 'and draws its cards');
    // The page tells the host it took the first part (the host sends the chunks after that, loadPacing.ts).
    const loadId = await p.page.evaluate('window.__head.chunked.loadId');
    assert.deepEqual(await p.postedOfType('loadAck'), [{ type: 'loadAck', loadId, seq: 0 }]);
    for (let k = 0; k < chunks; k++) await p.page.evaluate(`window.__sendChunk(${k})`);
    await p.page.waitForFunction((n) => (globalThis as unknown as { __metacotPanel: { nodeCount: number } }).__metacotPanel.nodeCount === n, big.nodes.length, { timeout: 60_000, polling: 50 });
    await p.nextFrame();
    // The page's model, node by node: ids, parents, text and values equal the trace's.
    const model = (await p.page.evaluate(`(() => {
      const p = window.__metacotPanel;
      return { visible: p.visibleCount, status: p.loadStatus, complete: performance.getEntriesByName('metacot:load-complete').length };
    })()`)) as { visible: number; status: string; complete: number };
    assert.equal(model.complete, 1);
    assert.equal(model.status, '', 'the progress line is gone once everything is in and drawn');
    // The page's model equals the trace node for node: a checksum of every node's JSON, computed on both sides.
    const checksum = `(nodes) => { let h = 0; for (const n of nodes) { const s = JSON.stringify(n); for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0; } return h; }`;
    const here = (new Function(`return ${checksum}`)() as (n: unknown[]) => number)(big.nodes);
    const there = await p.page.evaluate(`(() => { const p = window.__metacotPanel; const nodes = []; for (let i = 0; i < p.nodeCount; i++) nodes.push(p.nodeAt(i)); return (${checksum})(nodes); })()`);
    assert.equal(there, here);
    assert.deepEqual(await p.probe('p.nodeAt(99999)'), big.nodes[99_999]);
    assert.ok(model.visible > 0, 'the tree is laid out (the default view may fold much of it)');
  });

  it('spreads the relayout of a streamed delta or a fold in a 100k-node tree over frames; other actions lay out at once', async () => {
    const p = await panel();
    const { chunks } = await park(p, big);
    await p.page.evaluate('window.__sendHead()');
    for (let k = 0; k < chunks; k++) await p.page.evaluate(`window.__sendChunk(${k})`);
    const settled = () => p.page.waitForFunction(() => {
      const probe = (globalThis as unknown as { __metacotPanel: { layoutPending: boolean; loadStatus: string } }).__metacotPanel;
      return probe.loadStatus === '' && !probe.layoutPending;
    }, undefined, { timeout: 60_000, polling: 50 });
    await settled();
    const root = big.nodes[0]!.id;
    const before = await p.probe<number>('p.visibleCount');
    // Thresholds of 0 and slices of 1 ms: every relayout that may be sliced is, over tens of frames whatever this
    // machine's speed (the panel's own: slices of 8 / 24 ms once a layout takes over 6 / 20 ms).
    await p.probe('p.setSliceBudgets({ slicedAboveMs: 0, sliceMs: 1, actionSlicedAboveMs: 0, actionSliceMs: 1 })');
    const delta = (tag: string, n: number) => ({
      type: 'traceDelta' as const,
      traceId: big.id,
      nodesAdded: Array.from({ length: n }, (_, k) => ({ id: `${tag}${k}`, parentId: root, kind: 'step' as const, text: `streamed ${k}`, author: 'model' as const, status: 'open' as const, iteration: 1 })),
    });
    await p.send(delta('s', 100));
    await p.nextFrame();
    const during = await p.probe<{ n: number; visible: number; slicing: boolean }>('({ n: p.nodeCount, visible: p.visibleCount, slicing: p.layoutInSlices })');
    assert.deepEqual(during, { n: 100_100, visible: before, slicing: true }, 'the nodes are in the model; the frame drew the layout before them');
    await settled();
    assert.equal(await p.probe<number>('p.visibleCount'), before + 100, "the root's new children are laid out");
    assert.ok((await p.probe<number>('p.layoutFrames')) >= 2, 'over several frames');
    // Expand All while a sliced relayout runs: laid out at once, with every node, the latest delta's too.
    await p.send(delta('t', 10));
    await p.nextFrame();
    assert.equal(await p.probe<boolean>('p.layoutInSlices'), true);
    await p.page.click('#tool-expand-all');
    await p.nextFrame();
    const after = await p.probe<{ visible: number; slicing: boolean; frames: number }>('({ visible: p.visibleCount, slicing: p.layoutInSlices, frames: p.layoutFrames })');
    assert.deepEqual(after, { visible: 100_110, slicing: false, frames: 1 });
    // Folding the root's best child, a large subtree, in the whole tree: in slices, the folded card staying where it
    // was on screen.
    await p.page.focus('#tree');
    await p.page.keyboard.press('Home');
    await p.page.keyboard.press('ArrowRight');
    await p.nextFrame();
    const folded = (await p.probe<string | null>('p.focusedId'))!;
    const at = await p.probe<{ x: number; y: number }>(`p.nodeClientPoint(${JSON.stringify(folded)})`);
    await p.page.keyboard.press(' ');
    await p.nextFrame();
    const mid = await p.probe<{ slicing: boolean; visible: number; collapsed: string[] }>('({ slicing: p.layoutInSlices, visible: p.visibleCount, collapsed: p.collapsedIds })');
    assert.deepEqual(mid, { slicing: true, visible: 100_110, collapsed: [folded] }, 'folded in the model at once, laid out in the frames after');
    await settled();
    const shown = await p.probe<number>('p.visibleCount');
    assert.ok(shown < 100_110 - 1000, `the fold hides its subtree (${shown} laid out)`);
    assert.ok((await p.probe<number>('p.layoutFrames')) >= 5);
    const now = await p.probe<{ x: number; y: number }>(`p.nodeClientPoint(${JSON.stringify(folded)})`);
    assert.ok(Math.abs(now.x - at.x) < 1 && Math.abs(now.y - at.y) < 1, `the folded card stays at ${at.x},${at.y} (now ${now.x},${now.y})`);
    assert.match(await p.page.evaluate('document.body.innerText') as string, /Collapsed, [\d,]+ nodes hidden/);
    assert.deepEqual(await p.problems(), []);
  });

  it('shows "Loading N nodes… %" with a progress bar after 300 ms when the chunks are slow, and not before', async () => {
    const p = await panel();
    const t = generateTrace({ nodes: 30_000, seed: 4, validate: false });
    const { chunks } = await park(p, t);
    await p.page.evaluate('window.__sendHead()');
    await p.nextFrame();
    const early = await p.probe<string>('p.loadStatus');
    assert.equal(early, '', 'nothing shown before 300 ms');
    await p.page.waitForTimeout(450);
    const status = await p.probe<string>('p.loadStatus');
    assert.match(status, /^Loading 30,000 nodes… 6%$/, 'after 300 ms: what is loading and how far (2,000 of 30,000)');
    const bar = await p.page.evaluate(`(() => { const b = document.querySelector('.load-progress progress'); return b ? { value: b.value, visible: b.getBoundingClientRect().width > 0 } : null; })()`);
    assert.deepEqual(bar, { value: 2000 / 30_000, visible: true });
    await p.page.evaluate('window.__sendChunk(0)');
    await p.nextFrame();
    assert.match(await p.probe<string>('p.loadStatus'), /^Loading 30,000 nodes… 33%$/);
    for (let k = 1; k < chunks; k++) await p.page.evaluate(`window.__sendChunk(${k})`);
    await p.page.waitForFunction(() => (globalThis as unknown as { __metacotPanel: { loadStatus: string; nodeCount: number } }).__metacotPanel.loadStatus === '', undefined, { timeout: 30_000 });
    assert.equal(await p.probe<number>('p.nodeCount'), 30_000);
    assert.equal(await p.page.evaluate(`performance.getEntriesByName('metacot:progress-shown').length`), 1);
  });

  it("shows the host's 'Checking trace…' at once, until the load it announced is drawn", async () => {
    const p = await panel();
    await p.send({ type: 'loadProgress', phase: 'checking' });
    assert.equal(await p.probe<string>('p.loadStatus'), 'Checking trace…');
    await p.send({ type: 'loadProgress', phase: 'reading', fraction: 0.43, bytes: 9_700_000 });
    assert.equal(await p.probe<string>('p.loadStatus'), 'Reading trace (9.7 MB)… 43%');
    await p.load(generateTrace({ nodes: 50, seed: 3 }));
    await p.nextFrame();
    assert.equal(await p.probe<string>('p.loadStatus'), '');
  });

  it('refuses a chunk with a forward parent (a cycle) or a duplicate id, and says so in the panel', async () => {
    for (const [name, edit, why] of [
      ['cycle', (c: { nodes: { parent: number[] } }) => { c.nodes.parent[10] = c.nodes.parent.length + 5000; }, /not an earlier node/],
      ['duplicate', (c: { nodes: { id: string[] } }) => { c.nodes.id[3] = 'n0'; }, /duplicate node id "n0"/],
    ] as const) {
      const p = await panel();
      const t = generateTrace({ nodes: 12_000, seed: 9, validate: false });
      await park(p, t, (texts) => {
        const c = JSON.parse(texts[0]!);
        (edit as (c: unknown) => void)(c);
        texts[0] = JSON.stringify(c);
        decodeChunk(new TextEncoder().encode(texts[0])); // still schema-valid: only the assembler can tell
      });
      await p.page.evaluate('window.__sendHead(); window.__sendChunk(0)');
      await p.page.waitForSelector('.load-progress.failed', { timeout: 10_000 });
      const text = (await p.page.evaluate(`document.body.innerText`)) as string;
      assert.match(text, why, `${name}: the panel names the problem`);
      assert.match(text, /The trace could not be loaded/);
      assert.equal(await p.probe<number>('p.nodeCount'), 2000, `${name}: nothing of the bad chunk was added`);
    }
  });
});
