/**
 * Loading a trace into the page: the load messages (one message, or a chunked load's first part and its chunks,
 * checked by ChunkAssembler), and the progress line shown when no frame has been painted 300 ms after the page
 * started or a load began ("Reading trace… 43%", "Loading 100,000 nodes… 43%") with a progress bar. Marks
 * `metacot:load-received`, `metacot:progress-shown` and `metacot:load-complete` for benchmarks. Before the first
 * load message the tree's own empty state says the panel is waiting.
 */
import { ChunkAssembler, ChunkError, decodeChunk, expandCompactTrace } from '../src/protocol/compactTrace';
import type { Trace } from '../src/protocol/fromCore';
import type { HostMessage, LoadChunkMessage, LoadCompactTraceMessage, LoadProgressMessage, LoadTiming, TraceDeltaMessage } from '../src/protocol/hostMessages';
import { h } from './dom';
import { fmtInt } from './format';
import './loadProgress.css';

/** How long a load may go without a painted frame before the page says what it is doing. */
export const PROGRESS_DELAY_MS = 300;

export interface LoadHooks {
  /** A whole trace, or a chunked load's first part. */
  load(trace: Trace, selectNodeId: string | undefined): void;
  /** A chunk's nodes and events, applied like a search's delta (next frame, incremental layout). */
  enqueue(delta: TraceDeltaMessage): void;
  error(text: string): void;
  /** The id of the trace the page shows now. */
  traceId(): string;
  /** A line for the host's log: the page says when a load is complete, with its node count. */
  report(line: string): void;
  /** Tells the host the first part of chunked load `loadId` is taken: it sends the chunks then (loadPacing.ts). */
  ack(loadId: string): void;
}

export class LoadProgress {
  readonly el: HTMLElement;
  private readonly label: HTMLElement;
  private readonly bar: HTMLProgressElement;
  private assembler: ChunkAssembler | null = null;
  private assemblerTrace = '';
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Painted since the last load began. */
  private painted = false;
  private text = 'Waiting for the trace…';
  private fraction: number | undefined;
  private shownOnce = false;
  /** The host's timing of the last load, and when the page received it (the probe shows both). */
  timing: (LoadTiming & { receivedAt: number }) | null = null;

  constructor(private readonly hooks: LoadHooks) {
    this.label = h('span', { class: 'load-progress-label' });
    this.bar = h('progress', { class: 'load-progress-bar', attrs: { max: '1' } }) as HTMLProgressElement;
    this.el = h('div', { class: 'load-progress', role: 'status', attrs: { 'aria-live': 'polite' } }, this.label, this.bar);
    // Not armed here: until the first load message the tree's empty state already says it is waiting.
    this.el.hidden = true;
    performance.mark('metacot:panel-start');
  }

  /** Handles the load messages; false for any other message. */
  onMessage(m: HostMessage): boolean {
    switch (m.type) {
      case 'loadTrace':
        this.received();
        this.timing = m.timing ? { ...m.timing, receivedAt: Date.now() } : null;
        this.assembler = null;
        this.hooks.load(m.trace, m.selectNodeId);
        this.finished(m.trace.nodes.length, 1);
        return true;
      case 'loadCompactTrace':
        this.loadCompact(m);
        return true;
      case 'loadChunk':
        this.chunk(m);
        return true;
      case 'loadProgress':
        this.hostProgress(m);
        return true;
      default:
        return false;
    }
  }

  /** The tree view painted a frame. */
  drew(): void {
    this.painted = true;
    if (!this.assembler && !this.el.hidden) this.hide();
  }

  get visible(): boolean {
    return !this.el.hidden;
  }

  get status(): string {
    return this.el.hidden ? '' : this.label.textContent ?? '';
  }

  private loadCompact(m: LoadCompactTraceMessage): void {
    this.received();
    this.timing = m.timing ? { ...m.timing, receivedAt: Date.now() } : null;
    this.assembler = null;
    if (m.chunked) {
      try {
        this.assembler = new ChunkAssembler(m.chunked, m.trace);
        this.assemblerTrace = m.trace.id;
      } catch (e) {
        this.fail(e);
        return;
      }
    }
    this.hooks.load(expandCompactTrace(m.trace), m.selectNodeId);
    if (this.assembler) this.hooks.ack(this.assembler.load.loadId);
    if (this.assembler && !this.assembler.complete) this.update(`Loading ${fmtInt(m.chunked!.totalNodes)} nodes…`, this.assembler.receivedNodes / m.chunked!.totalNodes);
    else this.finished(m.trace.nodes.id.length, 1);
  }

  private chunk(m: LoadChunkMessage): void {
    const a = this.assembler;
    // A chunk of an older load (a newer one replaced it) is stale, not an error.
    if (!a || a.load.loadId !== m.loadId || this.hooks.traceId() !== this.assemblerTrace) return;
    let part;
    try {
      const chunk = decodeChunk(m.data);
      if (chunk.loadId !== m.loadId || chunk.seq !== m.seq) throw new ChunkError(`chunk ${m.seq} of ${m.loadId} holds chunk ${chunk.seq} of ${chunk.loadId}`);
      part = a.add(chunk);
    } catch (e) {
      this.fail(e);
      return;
    }
    this.hooks.enqueue({ type: 'traceDelta', traceId: this.assemblerTrace, nodesAdded: part.nodes, nodesUpdated: [], nodesRemoved: [], events: part.events, runs: [] });
    if (part.last) this.finished(a.receivedNodes, a.load.chunks + 1);
    else this.update(`Loading ${fmtInt(a.load.totalNodes)} nodes…`, a.receivedNodes / a.load.totalNodes);
  }

  private hostProgress(m: LoadProgressMessage): void {
    const size = m.bytes === undefined ? '' : ` (${(m.bytes / 1e6).toFixed(1)} MB)`;
    this.update(`${m.phase === 'reading' ? 'Reading' : 'Checking'} trace${size}…`, m.fraction);
    // The host sends this only when it is slow: shown at once, until the load it announces is drawn.
    this.painted = false;
    this.show();
  }

  private fail(e: unknown): void {
    this.assembler = null;
    const why = e instanceof ChunkError ? e.message : e instanceof Error ? e.message : String(e);
    this.update('The trace could not be loaded', undefined);
    this.el.classList.add('failed');
    this.show();
    this.hooks.error(`The trace could not be loaded: ${why}`);
  }

  private received(): void {
    if (performance.getEntriesByName('metacot:load-received').length === 0) performance.mark('metacot:load-received');
    this.painted = false;
    this.el.classList.remove('failed');
    this.arm();
  }

  private finished(nodes: number, parts: number): void {
    performance.mark('metacot:load-complete');
    this.hooks.report(`loaded trace ${this.hooks.traceId()}: ${nodes} nodes in ${parts} message${parts === 1 ? '' : 's'}`);
    this.assembler = null;
    this.update('Drawing…', 1);
    // A chunk's nodes are applied at the next frame (hooks.enqueue): a frame painted before this one did not draw
    // them, so the line stays until drew() reports the next one (it hid at once, before the last nodes were in).
    this.painted = false;
  }

  private update(text: string, fraction: number | undefined): void {
    this.text = text;
    this.fraction = fraction;
    if (!this.el.hidden) this.render();
  }

  private render(): void {
    const pct = this.fraction === undefined ? '' : ` ${Math.floor(this.fraction * 100)}%`;
    this.label.textContent = `${this.text}${pct}`;
    if (this.fraction === undefined) this.bar.removeAttribute('value');
    else this.bar.value = this.fraction;
  }

  /** Shows the line PROGRESS_DELAY_MS from now unless by then a frame is painted and the load complete. */
  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.painted || this.assembler) this.show();
    }, PROGRESS_DELAY_MS);
  }

  private show(): void {
    this.render();
    this.el.hidden = false;
    if (!this.shownOnce) {
      this.shownOnce = true;
      performance.mark('metacot:progress-shown');
    }
  }

  private hide(): void {
    clearTimeout(this.timer);
    if (!this.el.classList.contains('failed')) this.el.hidden = true;
  }
}
