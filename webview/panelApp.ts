/**
 * The search panel: wires the host connection, the tree model, layout, canvas renderer, detail pane, find bar,
 * iteration scrubber and persisted state. Work is batched per animation frame: deltas that arrive between frames
 * are applied together, with at most one relayout per frame and none when only values or statuses changed.
 */
import type { HostMessage, ColorBy, TraceDeltaMessage } from '../src/protocol/hostMessages';
import { PROTOCOL_VERSION } from '../src/protocol/hostMessages';
import { expandCompactTrace } from '../src/protocol/compactTrace';
import type { NodeStatus } from '../src/core/trace/schema';
import { NodeStatusSchema } from '../src/core/trace/schema';
import { Camera } from './camera';
import { VALUE_COLORS, categoricalLegend } from './colorScale';
import { DetailPane } from './detailPane';
import { h, icon } from './dom';
import { fmtInt, oneLine } from './format';
import { hitTest } from './hitTest';
import type { HostBridge } from './hostBridge';
import { describeNode } from './nodeDescription';
import { readPanelState } from './panelState';
import type { PanelState } from './panelState';
import { buildReplayIndex } from './replayIndex';
import type { ReplayIndex } from './replayIndex';
import { readThemeColors } from './themeColors';
import type { ThemeColors } from './themeColors';
import { badge, button, checkbox, dropdown, progressRing, textField } from './toolkit';
import type { CheckboxControl, ValueControl } from './toolkit';
import { TraceModel } from './traceModel';
import { CARD_W, layoutTree } from './treeLayout';
import type { TreeLayout } from './treeLayout';
import { TreeRenderer } from './treeRenderer';
import type { RenderStats } from './treeRenderer';

type StatusFilter = 'any' | NodeStatus | 'human' | 'verified';

/** What tests and benchmarks read (window.__metacotPanel); nothing here changes state except through the UI paths. */
export interface PanelProbe {
  readonly traceId: string;
  readonly nodeCount: number;
  readonly visibleCount: number;
  readonly frames: number;
  readonly lastRender: RenderStats | null;
  readonly layoutMs: number;
  /** Main-thread time of the last frame: deltas, layout when needed, render. */
  readonly frameMs: number;
  readonly selectedId: string | null;
  readonly focusedId: string | null;
  readonly camera: { tx: number; ty: number; k: number };
  readonly iteration: number | null;
  readonly matchCount: number;
  readonly colorBy: ColorBy;
  readonly readOnly: boolean;
  /** Page coordinates of the middle of a node's card, or null when it is not laid out. */
  nodeClientPoint(id: string): { x: number; y: number } | null;
  /** Resolves after the next rendered frame. */
  nextFrame(): Promise<void>;
}

export class PanelApp {
  private model = new TraceModel();
  private layout: TreeLayout | null = null;
  private replay: ReplayIndex | null = null;
  private readonly camera = new Camera();
  private readonly renderer: TreeRenderer;
  private theme: ThemeColors;
  private loaded = false;
  private colorBy: ColorBy = 'value';
  private collapsed = new Set<number>();
  private selected = -1;
  private focused = -1;
  private hovered = -1;
  private iteration: number | null = null; // null = latest
  private live = true;
  private readOnly = false;
  private iconsReady = false;
  private treeHasFocus = false;
  private matches: Uint8Array | null = null;
  private matchList: number[] = [];
  private matchPos = -1;
  private labelChars = 0;
  private pendingDeltas: TraceDeltaMessage[] = [];
  private pendingSelectId: string | null = null;
  private needsLayout = false;
  private frameRequested = false;
  private fitPending = false;
  private userMovedCamera = false;
  private frames = 0;
  private layoutMs = 0;
  private frameMs = 0;
  private lastLayoutAt = 0;
  /** True while the pending relayout comes only from streamed deltas (may be deferred). */
  private streamingLayout = false;
  private lastRender: RenderStats | null = null;
  private firstPaintMarked = false;
  private restored: PanelState | undefined;
  private requestSeq = 0;
  private frameWaiters: (() => void)[] = [];
  private saveTimer = 0;
  private playTimer = 0;

  // DOM
  private readonly root: HTMLElement;
  private readonly canvasWrap: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly activeItem: HTMLElement;
  private readonly liveRegion: HTMLElement;
  private readonly tooltip: HTMLElement;
  private readonly messageBar: HTMLElement;
  private readonly detail: DetailPane;
  private readonly legend: HTMLElement;
  private readonly runStatus: HTMLElement;
  private readonly findField: ValueControl;
  private readonly findStatus: ValueControl;
  private readonly findCount: HTMLElement;
  private readonly colorSelect: ValueControl;
  private readonly scrubRange: HTMLInputElement;
  private readonly scrubLabel: HTMLElement;
  private readonly liveToggle: CheckboxControl;
  private readonly playButton: HTMLElement;
  private readonly emptyState: HTMLElement;

  constructor(
    private readonly host: HostBridge,
    mount: HTMLElement,
  ) {
    this.root = mount;
    this.theme = readThemeColors();
    this.restored = readPanelState(host.getState());
    if (this.restored) {
      this.colorBy = this.restored.colorBy;
      this.live = this.restored.live;
    }

    // ---- toolbar ----
    this.colorSelect = dropdown<ColorBy>({
      options: [
        { value: 'value', label: 'Colour: value' },
        { value: 'status', label: 'Colour: status' },
        { value: 'author', label: 'Colour: author' },
      ],
      value: this.colorBy,
      ariaLabel: 'Colour nodes by',
      id: 'color-by',
      onChange: (v) => this.setColorBy(v),
    });
    this.findField = textField({
      placeholder: 'Find in nodes',
      ariaLabel: 'Find nodes by text',
      id: 'find-text',
      value: this.restored?.find ?? '',
      onInput: () => this.scheduleFind(),
      onKeyDown: (ev) => {
        if (ev.key === 'Enter') {
          ev.preventDefault();
          this.stepMatch(ev.shiftKey ? -1 : 1);
        } else if (ev.key === 'Escape') {
          ev.preventDefault();
          this.findField.value = '';
          this.findStatus.value = 'any';
          this.runFind();
          this.canvasWrap.focus();
        }
      },
    });
    const search = icon('search');
    search.setAttribute('slot', 'start');
    this.findField.append(search);
    const filters: { value: StatusFilter; label: string }[] = [
      { value: 'any', label: 'Any status' },
      ...NodeStatusSchema.options.map((s) => ({ value: s as StatusFilter, label: s })),
      { value: 'human', label: 'human edits' },
      { value: 'verified', label: 'verified answers' },
    ];
    this.findStatus = dropdown<StatusFilter>({ options: filters, value: 'any', ariaLabel: 'Filter by status', id: 'find-status', onChange: () => this.runFind() });
    this.findCount = h('span', { class: 'find-count', id: 'find-count', attrs: { 'aria-live': 'polite' } });
    this.runStatus = h('div', { class: 'run-status', id: 'run-status' });
    const toolbar = h(
      'div',
      { class: 'toolbar', role: 'toolbar', attrs: { 'aria-label': 'Tree tools' } },
      h(
        'div',
        { class: 'tool-group' },
        button({ icon: 'screen-full', title: 'Fit the tree (0)', onClick: () => this.fit(), id: 'tool-fit' }),
        button({ icon: 'zoom-out', title: 'Zoom out (-)', onClick: () => this.zoomBy(1 / 1.5), id: 'tool-zoom-out' }),
        button({ icon: 'zoom-in', title: 'Zoom in (+)', onClick: () => this.zoomBy(1.5), id: 'tool-zoom-in' }),
        button({ icon: 'star-full', title: 'Go to the best node (B)', onClick: () => this.goBest(), id: 'tool-best' }),
        button({ icon: 'expand-all', title: 'Expand all collapsed nodes', onClick: () => this.expandAll(), id: 'tool-expand-all' }),
      ),
      h('div', { class: 'tool-group' }, this.colorSelect),
      h(
        'div',
        { class: 'tool-group find' },
        this.findField,
        this.findStatus,
        button({ icon: 'arrow-up', title: 'Previous match (Shift+Enter)', onClick: () => this.stepMatch(-1), id: 'find-prev' }),
        button({ icon: 'arrow-down', title: 'Next match (Enter)', onClick: () => this.stepMatch(1), id: 'find-next' }),
        this.findCount,
      ),
      h('div', { class: 'tool-spacer' }),
      this.runStatus,
    );

    this.messageBar = h('div', { class: 'message-bar', id: 'message-bar', role: 'status', attrs: { 'aria-live': 'polite' } });

    // ---- canvas ----
    this.canvas = h('canvas', { class: 'tree-canvas', attrs: { 'aria-hidden': 'true' } });
    this.activeItem = h('div', { class: 'sr-only', id: 'tree-active-item', role: 'treeitem', attrs: { 'aria-selected': 'false' } });
    this.liveRegion = h('div', { class: 'sr-only', id: 'live-region', role: 'status', attrs: { 'aria-live': 'polite' } });
    this.tooltip = h('div', { class: 'tooltip', id: 'tooltip', role: 'tooltip' });
    this.legend = h('div', { class: 'legend', id: 'legend', attrs: { 'aria-label': 'Legend' } });
    this.emptyState = h('div', { class: 'empty-state' }, progressRing('Loading trace'), h('div', {}, 'Waiting for a trace…'));
    this.canvasWrap = h(
      'div',
      {
        class: 'canvas-wrap',
        id: 'tree',
        role: 'tree',
        attrs: { tabindex: '0', 'aria-label': 'Search tree', 'aria-activedescendant': 'tree-active-item', 'aria-describedby': 'tree-help' },
      },
      this.canvas,
      this.activeItem,
      this.legend,
      this.tooltip,
      this.emptyState,
    );
    const help = h(
      'div',
      { class: 'sr-only', id: 'tree-help' },
      'Arrow keys: left parent, right child, up and down siblings. Enter opens details, Space collapses or expands, E edit, R re-run, Delete prune, C correct, X incorrect, B best node, plus and minus zoom, 0 fit, slash find.',
    );

    // ---- scrubber ----
    this.scrubRange = h('input', { class: 'scrub-range', id: 'scrubber', attrs: { type: 'range', min: '0', max: '0', step: '1', 'aria-label': 'Search iteration' } });
    this.scrubRange.addEventListener('input', () => this.scrubTo(Number(this.scrubRange.value)));
    this.scrubLabel = h('span', { class: 'scrub-label', id: 'scrub-label' });
    this.liveToggle = checkbox({ label: 'Live', checked: this.live, id: 'live-toggle', title: 'Follow a running search', onChange: (v) => this.setLive(v) });
    this.playButton = button({ icon: 'play', title: 'Replay the search from the start', onClick: () => this.togglePlay(), id: 'scrub-play' });
    const scrubber = h(
      'div',
      { class: 'scrubber', role: 'group', attrs: { 'aria-label': 'Replay' } },
      this.playButton,
      this.scrubRange,
      this.scrubLabel,
      this.liveToggle,
    );

    // ---- detail pane + splitter ----
    this.detail = new DetailPane({
      select: (i) => this.select(i, { reveal: true }),
      edit: (i, text, mode) => this.post({ type: 'editNode', requestId: this.rid(), nodeId: this.model.nodes[i].id, text, mode }, `Edit sent for ${this.model.nodes[i].id}`),
      prune: (i) => this.prune(i),
      mark: (i, label) => this.mark(i, label),
      rerun: (i, r) =>
        this.post(
          { type: 'rerunFromNode', requestId: this.rid(), nodeId: this.model.nodes[i].id, strategy: r.strategy, params: r.params, budgets: r.budgets },
          `Re-run (${r.strategy}) requested from ${this.model.nodes[i].id}`,
        ),
      openAsText: (i) => this.host.post({ type: 'openAsText', ...(i === null ? {} : { nodeId: this.model.nodes[i].id }) }),
      exportPath: (i, format) => this.post({ type: 'requestExport', requestId: this.rid(), format, ...(i === null ? {} : { nodeId: this.model.nodes[i].id }) }, 'Export requested'),
      cancelRun: (runId) => this.post({ type: 'cancelRun', requestId: this.rid(), runId }, `Cancel requested for ${runId}`),
      zoomTo: (i) => this.zoomToNode(i),
    });
    const splitter = h('div', { class: 'splitter', role: 'separator', attrs: { 'aria-orientation': 'vertical', 'aria-label': 'Resize details', tabindex: '0' } });
    this.setupSplitter(splitter);

    mount.replaceChildren(
      toolbar,
      this.messageBar,
      h('div', { class: 'main' }, h('div', { class: 'tree-column' }, this.canvasWrap, scrubber), splitter, this.detail.el),
      this.liveRegion,
      help,
    );
    if (this.restored?.detailWidth) this.root.style.setProperty('--detail-width', `${this.restored.detailWidth}px`);

    this.renderer = new TreeRenderer(this.canvas);
    this.setupPointer();
    this.setupKeyboard();
    this.observeTheme();
    new ResizeObserver(() => this.resize()).observe(this.canvasWrap);
    this.resize();
    this.updateLegend();
    this.detail.update(this.model);
    document.fonts
      .load('14px codicon')
      .then(() => {
        this.iconsReady = document.fonts.check('14px codicon');
        this.invalidate();
      })
      .catch(() => undefined);

    host.listen(
      (m) => this.onMessage(m),
      (error) => this.showMessage(`Ignored a message from the extension: ${error}`, 'error'),
    );
    host.post({ type: 'ready', protocolVersion: PROTOCOL_VERSION, ...(this.restored ? { restoredTraceId: this.restored.traceId } : {}) });
    (window as unknown as { __metacotPanel: PanelProbe }).__metacotPanel = this.probe();
  }

  // ------------------------------------------------------------------ messages

  private onMessage(m: HostMessage): void {
    switch (m.type) {
      case 'loadTrace':
      case 'loadCompactTrace': {
        const trace = m.type === 'loadTrace' ? m.trace : expandCompactTrace(m.trace);
        const sameTrace = this.loaded && this.model.id === trace.id;
        const keepSelected = sameTrace && this.selected >= 0 ? this.model.nodes[this.selected].id : null;
        const keepCollapsed = sameTrace ? [...this.collapsed].map((i) => this.model.nodes[i].id) : null;
        this.model = TraceModel.fromTrace(trace);
        this.loaded = true;
        this.pendingDeltas = [];
        this.replay = null;
        this.renderer.clearTextCache();
        this.emptyState.hidden = true;
        const restore = !sameTrace && this.restored?.traceId === trace.id ? this.restored : undefined;
        const ids = (list: string[] | null | undefined) => new Set((list ?? []).map((id) => this.model.index.get(id)).filter((i): i is number => i !== undefined));
        this.collapsed = ids(keepCollapsed ?? restore?.collapsed);
        const sel = m.selectNodeId ?? keepSelected ?? restore?.selectedId ?? null;
        this.selected = sel === null ? -1 : (this.model.index.get(sel) ?? -1);
        this.focused = this.selected >= 0 ? this.selected : 0;
        if (restore) {
          this.iteration = restore.iteration;
          if (restore.camera) this.camera.restore(restore.camera);
          if (restore.find) this.findField.value = restore.find;
        } else if (!sameTrace) {
          this.iteration = null;
          this.fitPending = true;
          this.userMovedCamera = false;
        }
        if (!restore?.camera && !sameTrace) this.fitPending = true;
        this.restored = undefined;
        this.requestLayout();
        this.detail.show(this.model, this.selected);
        this.runFind();
        this.updateChrome();
        this.invalidate();
        break;
      }
      case 'traceDelta':
        if (m.traceId === this.model.id) {
          this.pendingDeltas.push(m);
          this.invalidate();
        }
        break;
      case 'revealNode': {
        const i = this.model.index.get(m.nodeId);
        if (i === undefined) {
          this.pendingSelectId = m.nodeId;
          break;
        }
        this.expandTo(i);
        if (m.select) this.select(i, { reveal: false, notify: false });
        this.flushLayout();
        if (m.zoom) this.zoomToNode(i);
        else this.reveal(i);
        break;
      }
      case 'config':
        if (m.colorBy) this.setColorBy(m.colorBy, false);
        if (m.labelChars !== undefined) {
          this.labelChars = m.labelChars;
          this.renderer.clearTextCache();
        }
        if (m.followLive !== undefined) this.setLive(m.followLive);
        if (m.rerunDefaults) this.detail.setRerunDefaults(m.rerunDefaults);
        if (m.themeKind) this.refreshTheme();
        this.invalidate();
        break;
      case 'readOnly':
        this.readOnly = m.readOnly;
        this.root.classList.toggle('read-only', m.readOnly);
        this.detail.setReadOnly(m.readOnly, m.reason);
        if (m.readOnly) this.showMessage(`Read-only: ${m.reason ?? 'editing is disabled'}`, 'info', 'readonly');
        else this.clearMessage('readonly');
        this.updateChrome();
        break;
      case 'error':
        this.showMessage(m.detail ? `${m.message} — ${m.detail}` : m.message, 'error');
        break;
      case 'actionResult':
        if (!m.ok) this.showMessage(m.message ?? 'The action failed.', 'error');
        else if (m.message) this.announce(m.message);
        if (m.nodeId) {
          const i = this.model.index.get(m.nodeId);
          if (i !== undefined) this.select(i, { reveal: true });
          else this.pendingSelectId = m.nodeId;
        }
        break;
    }
  }

  private rid(): string {
    return `r${++this.requestSeq}`;
  }

  private post(msg: Parameters<HostBridge['post']>[0], announcement?: string): void {
    this.host.post(msg);
    if (announcement) this.announce(announcement);
  }

  private prune(i: number): void {
    if (this.readOnly || i < 0) return;
    this.post({ type: 'pruneNode', requestId: this.rid(), nodeId: this.model.nodes[i].id, reason: 'pruned in the search panel' }, `Prune sent for ${this.model.nodes[i].id}`);
  }

  private mark(i: number, label: 'correct' | 'incorrect' | null): void {
    if (this.readOnly || i < 0) return;
    this.post({ type: 'markNode', requestId: this.rid(), nodeId: this.model.nodes[i].id, label }, label ? `Marked ${label}` : 'Mark cleared');
  }

  // ------------------------------------------------------------------ frame loop

  /** A relayout an action asked for: done on the next frame, never deferred. */
  private requestLayout(): void {
    this.needsLayout = true;
    this.streamingLayout = false;
  }

  private invalidate(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => this.frame());
  }

  private flushLayout(): void {
    if (this.pendingDeltas.length) {
      const deltas = this.pendingDeltas;
      this.pendingDeltas = [];
      let structural = false;
      for (const d of deltas) structural = this.model.applyDelta(d) || structural;
      if (structural && !this.needsLayout) {
        this.needsLayout = true;
        this.streamingLayout = true;
      }
      if (this.pendingSelectId) {
        const i = this.model.index.get(this.pendingSelectId);
        if (i !== undefined) {
          this.pendingSelectId = null;
          this.select(i, { reveal: true });
        }
      }
      this.detail.update(this.model);
      if (this.matches) this.runFind();
      this.updateChrome();
    }
    // Streaming into a very large tree: when a layout is expensive, lay out at most every few of its durations so
    // frames in between stay cheap (new nodes appear with the next layout). Explicit actions never wait.
    const throttled =
      this.needsLayout && this.layout !== null && this.streamingLayout && this.layoutMs > 30 && performance.now() - this.lastLayoutAt < 6 * this.layoutMs;
    if (throttled) this.invalidate();
    if ((this.needsLayout && !throttled) || !this.layout) {
      const t0 = performance.now();
      this.lastLayoutAt = t0;
      this.layout = layoutTree(this.model, this.collapsed);
      this.layoutMs = performance.now() - t0;
      this.needsLayout = false;
      this.streamingLayout = false;
      this.camera.setExtent(this.layout.maxDepth);
      const following = this.live && this.iteration === null && !this.userMovedCamera && this.model.runningRuns.length > 0;
      if (this.fitPending || following) {
        this.fitPending = false;
        this.camera.fit(this.layout.minY, this.layout.maxY, this.layout.maxDepth, this.legendInset());
      }
    }
  }

  private frame(): void {
    const t0 = performance.now();
    this.frameRequested = false;
    this.flushLayout();
    const layout = this.layout;
    if (!layout) return;
    if (this.iteration !== null) this.ensureReplay();
    this.lastRender = this.renderer.render({
      model: this.model,
      layout,
      camera: this.camera,
      theme: this.theme,
      colorBy: this.colorBy,
      selected: this.selected,
      focused: this.treeHasFocus ? this.focused : -1,
      hovered: this.hovered,
      labelChars: this.labelChars,
      matches: this.matches,
      activeMatch: this.matchPos >= 0 ? this.matchList[this.matchPos] : -1,
      iteration: this.iteration ?? Infinity,
      replay: this.replay ?? EMPTY_REPLAY,
      iconsReady: this.iconsReady,
    });
    this.frames++;
    this.frameMs = performance.now() - t0;
    if (this.loaded && !this.firstPaintMarked) {
      this.firstPaintMarked = true;
      performance.mark('metacot:first-paint');
    }
    this.scheduleSave();
    const waiters = this.frameWaiters;
    this.frameWaiters = [];
    for (const w of waiters) w();
  }

  // ------------------------------------------------------------------ selection, focus, navigation

  private select(i: number, o: { reveal?: boolean; notify?: boolean } = {}): void {
    if (i >= this.model.size) return;
    const changed = i !== this.selected;
    this.selected = i;
    if (i >= 0) this.focused = i;
    if (i >= 0) this.expandTo(i);
    if (changed) {
      this.detail.show(this.model, i);
      if (o.notify !== false) this.host.post({ type: 'selectNode', nodeId: i >= 0 ? this.model.nodes[i].id : null });
    }
    this.updateActiveItem();
    if (o.reveal && i >= 0) {
      this.flushLayout();
      this.reveal(i);
    }
    this.invalidate();
  }

  /** Expands collapsed ancestors so `i` is laid out. */
  private expandTo(i: number): void {
    let changed = false;
    for (let v = this.model.parent[i]; v >= 0; v = this.model.parent[v]) {
      if (this.collapsed.delete(v)) changed = true;
    }
    if (changed) this.requestLayout();
  }

  private reveal(i: number): void {
    const L = this.layout;
    if (!L || !L.visible[i]) return;
    this.camera.ensureVisible(L.x[i], L.y[i]);
    this.invalidate();
  }

  private zoomToNode(i: number): void {
    this.expandTo(i);
    this.flushLayout();
    const L = this.layout;
    if (!L || !L.visible[i]) return;
    this.camera.centerOn(L.x[i], L.y[i], 1);
    this.userMovedCamera = true;
    this.invalidate();
  }

  private toggleCollapse(i: number): void {
    if (i < 0 || this.model.children[i].length === 0) return;
    if (this.collapsed.has(i)) this.collapsed.delete(i);
    else this.collapsed.add(i);
    this.requestLayout();
    // Keep the toggled node where it is on screen while the tree reflows around it.
    const L = this.layout;
    const before = L && L.visible[i] ? { x: this.camera.toScreenX(L.x[i]), y: this.camera.toScreenY(L.y[i]) } : null;
    this.flushLayout();
    const after = this.layout;
    if (before && after && after.visible[i]) this.camera.panBy(before.x - this.camera.toScreenX(after.x[i]), before.y - this.camera.toScreenY(after.y[i]));
    this.announce(this.collapsed.has(i) ? `Collapsed, ${fmtInt(after?.hiddenCount.get(i) ?? 0)} nodes hidden` : 'Expanded');
    this.updateActiveItem();
    this.invalidate();
  }

  private expandAll(): void {
    if (this.collapsed.size === 0) return;
    this.collapsed.clear();
    this.requestLayout();
    this.announce('All nodes expanded');
    this.invalidate();
  }

  private fit(): void {
    this.flushLayout();
    if (!this.layout) return;
    this.camera.fit(this.layout.minY, this.layout.maxY, this.layout.maxDepth, this.legendInset());
    this.userMovedCamera = false;
    this.invalidate();
  }

  private zoomBy(f: number): void {
    const cx = this.camera.width / 2;
    const cy = this.camera.height / 2;
    const L = this.layout;
    // Zoom around the focused node when it is on screen, else around the centre.
    if (L && this.focused >= 0 && L.visible[this.focused]) {
      const x = this.camera.toScreenX(L.x[this.focused]);
      const y = this.camera.toScreenY(L.y[this.focused]);
      if (x >= 0 && x <= this.camera.width && y >= 0 && y <= this.camera.height) {
        this.camera.zoomAt(f, x, y);
        this.userMovedCamera = true;
        this.invalidate();
        return;
      }
    }
    this.camera.zoomAt(f, cx, cy);
    this.userMovedCamera = true;
    this.invalidate();
  }

  private goBest(): void {
    const id = this.model.result?.bestNodeId;
    const i = id === undefined ? undefined : this.model.index.get(id);
    if (i === undefined) {
      this.announce('No best node in this trace yet');
      return;
    }
    this.select(i, { reveal: true });
  }

  private shown = (i: number): boolean => this.iteration === null || this.model.nodes[i].iteration <= this.iteration;

  /** Keyboard walk. Left: parent. Right: expand, else first child. Up/Down: sibling, else neighbour in the same column. */
  private move(key: string): void {
    const m = this.model;
    const L = this.layout;
    if (!L || m.size === 0) return;
    let i = this.focused >= 0 ? this.focused : 0;
    if (key === 'ArrowLeft') {
      if (m.parent[i] >= 0) i = m.parent[i];
    } else if (key === 'ArrowRight') {
      if (this.collapsed.has(i)) {
        this.toggleCollapse(i);
        return;
      }
      // Prefer the child on the best or previously selected path, else the first one.
      const kids = m.children[i].filter(this.shown);
      const onBest = kids.find((c) => m.bestPath.has(c));
      if (kids.length) i = onBest ?? kids[0];
    } else if (key === 'ArrowUp' || key === 'ArrowDown') {
      const dir = key === 'ArrowUp' ? -1 : 1;
      const p = m.parent[i];
      const sibs = (p >= 0 ? m.children[p] : m.roots).filter(this.shown);
      const k = sibs.indexOf(i) + dir;
      if (k >= 0 && k < sibs.length) i = sibs[k];
      else {
        const lv = L.levels[m.depth[i]];
        let j = L.levelPos[i] + dir;
        while (j >= 0 && j < lv.length && !this.shown(lv[j])) j += dir;
        if (j >= 0 && j < lv.length) i = lv[j];
      }
    } else if (key === 'Home') i = m.roots[0] ?? 0;
    else if (key === 'End') {
      const lv = L.levels[m.depth[i]];
      i = lv[lv.length - 1];
    }
    this.select(i, { reveal: true });
  }

  private updateActiveItem(): void {
    const i = this.focused;
    const a = this.activeItem;
    if (i < 0 || i >= this.model.size) {
      a.textContent = this.loaded ? 'Empty tree' : 'Loading';
      return;
    }
    const m = this.model;
    const p = m.parent[i];
    const sibs = p >= 0 ? m.children[p] : m.roots;
    const hidden = this.layout?.hiddenCount.get(i);
    a.setAttribute('aria-level', String(m.depth[i] + 1));
    a.setAttribute('aria-setsize', String(sibs.length));
    a.setAttribute('aria-posinset', String(sibs.indexOf(i) + 1));
    a.setAttribute('aria-selected', String(i === this.selected));
    if (m.children[i].length) a.setAttribute('aria-expanded', String(!this.collapsed.has(i)));
    else a.removeAttribute('aria-expanded');
    a.dataset.nodeId = m.nodes[i].id;
    a.textContent = describeNode(m, i, hidden ?? (this.collapsed.has(i) ? m.subtree(i).length - 1 : undefined));
  }

  private announce(text: string): void {
    // Re-setting identical text is not announced; clear first.
    this.liveRegion.textContent = '';
    requestAnimationFrame(() => (this.liveRegion.textContent = text));
  }

  // ------------------------------------------------------------------ input

  private setupKeyboard(): void {
    this.canvasWrap.addEventListener('keydown', (ev) => {
      const i = this.focused;
      let handled = true;
      switch (ev.key) {
        case 'ArrowLeft':
        case 'ArrowRight':
        case 'ArrowUp':
        case 'ArrowDown':
        case 'Home':
        case 'End':
          this.move(ev.key);
          break;
        case 'Enter':
          if (i >= 0) {
            this.select(i, { reveal: true });
            this.detail.el.focus();
          }
          break;
        case ' ':
          this.toggleCollapse(i);
          break;
        case '+':
        case '=':
          this.zoomBy(1.5);
          break;
        case '-':
        case '_':
          this.zoomBy(1 / 1.5);
          break;
        case '0':
          this.fit();
          break;
        case '.':
          if (i >= 0) this.zoomToNode(i);
          break;
        case 'b':
        case 'B':
          this.goBest();
          break;
        case 'e':
        case 'E':
          if (i >= 0 && !this.readOnly) {
            this.select(i);
            this.detail.startEdit();
          }
          break;
        case 'r':
        case 'R':
          if (i >= 0 && !this.readOnly) {
            this.select(i);
            this.detail.startRerun();
          }
          break;
        case 'Delete':
          this.prune(i);
          break;
        case 'c':
        case 'C':
          if (i >= 0) this.mark(i, this.model.nodes[i].label === 'correct' ? null : 'correct');
          break;
        case 'x':
        case 'X':
          if (i >= 0) this.mark(i, this.model.nodes[i].label === 'incorrect' ? null : 'incorrect');
          break;
        case '/':
          this.findField.focus();
          break;
        case 'n':
        case 'F3':
          this.stepMatch(ev.shiftKey ? -1 : 1);
          break;
        case 'N':
          this.stepMatch(-1);
          break;
        case 'Escape':
          if (this.selected >= 0) this.select(-1);
          break;
        default:
          handled = false;
      }
      if (handled) {
        ev.preventDefault();
        ev.stopPropagation();
      }
    });
    this.canvasWrap.addEventListener('blur', () => {
      this.treeHasFocus = false;
      this.invalidate();
    });
    this.canvasWrap.addEventListener('focus', () => {
      this.treeHasFocus = true;
      if (this.focused < 0 && this.model.size) this.focused = 0;
      this.updateActiveItem();
      this.invalidate();
    });
    document.addEventListener('keydown', (ev) => {
      if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === 'f') {
        ev.preventDefault();
        this.findField.focus();
      } else if (ev.key === 'Escape' && this.detail.el.contains(document.activeElement) && !this.detail.editing) {
        this.canvasWrap.focus();
      }
    });
  }

  private setupPointer(): void {
    const c = this.canvasWrap;
    let drag: { x: number; y: number; moved: boolean; id: number } | null = null;
    const local = (ev: MouseEvent) => {
      const r = this.canvas.getBoundingClientRect();
      return { x: ev.clientX - r.left, y: ev.clientY - r.top };
    };
    const hit = (ev: MouseEvent) => {
      if (!this.layout) return -1;
      const p = local(ev);
      return hitTest(this.layout, this.camera, p.x, p.y, this.shown);
    };
    c.addEventListener('pointerdown', (ev) => {
      if (ev.button !== 0 || ev.target !== this.canvas) return;
      c.focus({ preventScroll: true });
      drag = { x: ev.clientX, y: ev.clientY, moved: false, id: ev.pointerId };
      c.setPointerCapture(ev.pointerId);
    });
    c.addEventListener('pointermove', (ev) => {
      if (drag && ev.pointerId === drag.id) {
        const dx = ev.clientX - drag.x;
        const dy = ev.clientY - drag.y;
        if (drag.moved || Math.abs(dx) + Math.abs(dy) > 3) {
          drag.moved = true;
          drag.x = ev.clientX;
          drag.y = ev.clientY;
          this.camera.panBy(dx, dy);
          this.userMovedCamera = true;
          c.classList.add('panning');
          this.hideTooltip();
          this.invalidate();
        }
        return;
      }
      const i = hit(ev);
      if (i !== this.hovered) {
        this.hovered = i;
        this.invalidate();
      }
      if (i >= 0 && TreeRenderer.lodFor(this.camera.k) !== 'text') this.showTooltip(i, local(ev));
      else this.hideTooltip();
    });
    c.addEventListener('pointerup', (ev) => {
      if (!drag || ev.pointerId !== drag.id) return;
      const wasDrag = drag.moved;
      drag = null;
      c.classList.remove('panning');
      if (wasDrag) return;
      const i = hit(ev);
      if (i >= 0 && (ev.altKey || this.onCollapseBadge(i, local(ev)))) this.toggleCollapse(i);
      else if (i >= 0) this.select(i);
      else if (i < 0 && this.selected >= 0) this.select(-1);
    });
    c.addEventListener('pointerleave', () => {
      this.hovered = -1;
      this.hideTooltip();
      this.invalidate();
    });
    c.addEventListener('dblclick', (ev) => {
      const i = hit(ev);
      if (i >= 0) this.zoomToNode(i);
    });
    c.addEventListener(
      'wheel',
      (ev) => {
        ev.preventDefault();
        const p = local(ev);
        const unit = ev.deltaMode === 1 ? 16 : ev.deltaMode === 2 ? this.camera.height : 1;
        if (ev.ctrlKey || ev.metaKey) {
          // Pinch-zoom on trackpads arrives as ctrl+wheel; mouse users zoom with Ctrl.
          this.camera.zoomAt(Math.exp(-ev.deltaY * unit * 0.002), p.x, p.y);
        } else if (ev.shiftKey) this.camera.panBy(-ev.deltaY * unit, 0);
        else this.camera.panBy(-ev.deltaX * unit, -ev.deltaY * unit);
        this.userMovedCamera = true;
        this.hideTooltip();
        this.invalidate();
      },
      { passive: false },
    );
  }

  /** The "+N hidden" chip / triangle drawn right of a collapsed card toggles it back. */
  private onCollapseBadge(i: number, p: { x: number; y: number }): boolean {
    const L = this.layout;
    if (!L || !L.hiddenCount.has(i)) return false;
    const right = this.camera.toScreenX(L.x[i]) + CARD_W * this.camera.sx;
    return p.x > right - 4;
  }

  private showTooltip(i: number, p: { x: number; y: number }): void {
    const n = this.model.nodes[i];
    const t = this.tooltip;
    t.replaceChildren(
      h('div', { class: 'tooltip-head' }, `${n.id} · ${n.status}${n.value !== undefined ? ` · value ${n.value.toFixed(2)}` : ''}${n.visits !== undefined ? ` · N ${n.visits}` : ''}`),
      h('div', {}, oneLine(n.text, 140)),
    );
    t.classList.add('visible');
    const w = this.camera.width;
    t.style.left = `${Math.min(p.x + 14, w - 320)}px`;
    t.style.top = `${p.y + 16}px`;
  }

  private hideTooltip(): void {
    this.tooltip.classList.remove('visible');
  }

  private setupSplitter(s: HTMLElement): void {
    let start: { x: number; w: number } | null = null;
    const setWidth = (w: number) => {
      const clamped = Math.max(240, Math.min(window.innerWidth - 240, w));
      this.root.style.setProperty('--detail-width', `${clamped}px`);
      this.detailWidth = clamped;
      this.scheduleSave();
    };
    s.addEventListener('pointerdown', (ev) => {
      start = { x: ev.clientX, w: this.detail.el.getBoundingClientRect().width };
      s.setPointerCapture(ev.pointerId);
    });
    s.addEventListener('pointermove', (ev) => {
      if (start) setWidth(start.w - (ev.clientX - start.x));
    });
    s.addEventListener('pointerup', () => (start = null));
    s.addEventListener('keydown', (ev) => {
      const w = this.detail.el.getBoundingClientRect().width;
      if (ev.key === 'ArrowLeft') setWidth(w + 24);
      else if (ev.key === 'ArrowRight') setWidth(w - 24);
      else return;
      ev.preventDefault();
    });
  }

  private detailWidth: number | undefined;

  private legendInset(): number {
    return this.legend.offsetHeight ? this.legend.offsetHeight + 14 : 0;
  }

  private resize(): void {
    const r = this.canvasWrap.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.renderer.resize(r.width, r.height, dpr);
    this.camera.width = Math.max(1, r.width);
    this.camera.height = Math.max(1, r.height);
    if (this.layout) {
      this.camera.setExtent(this.layout.maxDepth);
      // Until the user pans or zooms, the view stays fitted as the panel changes size.
      if (!this.userMovedCamera) this.camera.fit(this.layout.minY, this.layout.maxY, this.layout.maxDepth, this.legendInset());
    }
    this.invalidate();
  }

  // ------------------------------------------------------------------ theme, colour, legend

  private observeTheme(): void {
    new MutationObserver(() => this.refreshTheme()).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
  }

  private refreshTheme(): void {
    this.theme = readThemeColors();
    this.renderer.clearTextCache();
    this.updateLegend();
    this.invalidate();
  }

  private setColorBy(v: ColorBy, fromUser = true): void {
    this.colorBy = v;
    if (this.colorSelect.value !== v) this.colorSelect.value = v;
    this.updateLegend();
    if (fromUser) this.announce(`Colouring by ${v}`);
    this.invalidate();
  }

  private updateLegend(): void {
    const items: Node[] = [];
    if (this.colorBy === 'value') {
      const bar = h('span', { class: 'legend-gradient' });
      bar.style.backgroundImage = `linear-gradient(to right, ${VALUE_COLORS.filter((_, i) => i % 4 === 0 || i === VALUE_COLORS.length - 1).join(', ')})`;
      const none = h('span', { class: 'legend-swatch' });
      none.style.backgroundColor = this.theme.noValue;
      items.push(h('span', { class: 'legend-item' }, h('span', { class: 'legend-label' }, 'value 0'), bar, h('span', { class: 'legend-label' }, '1')), h('span', { class: 'legend-item' }, none, 'no value'));
    } else {
      for (const e of categoricalLegend(this.colorBy)) {
        const sw = h('span', { class: 'legend-swatch' });
        sw.style.backgroundColor = e.color;
        items.push(h('span', { class: 'legend-item' }, sw, e.label));
      }
    }
    const line = (cls: string, label: string) => h('span', { class: 'legend-item' }, h('span', { class: `legend-line ${cls}` }), label);
    items.push(line('best', 'best path'), line('selected', 'selected path'), line('pruned', 'pruned'), line('failed', 'failed'), line('human', 'human edit'));
    const check = h('span', { class: 'legend-item' }, icon('pass-filled'), 'verified');
    check.firstElementChild?.classList.add('ok');
    items.push(check);
    this.legend.replaceChildren(...items);
  }

  // ------------------------------------------------------------------ find

  private findTimer = 0;

  private scheduleFind(): void {
    clearTimeout(this.findTimer);
    this.findTimer = window.setTimeout(() => this.runFind(), 120);
  }

  private runFind(): void {
    const q = String(this.findField.value ?? '').trim().toLowerCase();
    const status = (this.findStatus.value || 'any') as StatusFilter;
    const m = this.model;
    if (!q && status === 'any') {
      this.matches = null;
      this.matchList = [];
      this.matchPos = -1;
      this.findCount.textContent = '';
      this.invalidate();
      return;
    }
    const marks = new Uint8Array(m.size);
    const list: number[] = [];
    for (let i = 0; i < m.size; i++) {
      const n = m.nodes[i];
      if (status === 'human' ? n.author !== 'human' : status === 'verified' ? n.verified !== true : status !== 'any' && n.status !== status) continue;
      if (q && !m.searchText(i).includes(q)) continue;
      marks[i] = 1;
      list.push(i);
    }
    // Tree order (depth-first, children in layout order), so "next" walks the tree as it is drawn.
    const order = new Int32Array(m.size);
    let k = 0;
    const stack = m.roots.slice().reverse();
    while (stack.length) {
      const v = stack.pop() as number;
      order[v] = k++;
      const kids = m.children[v];
      for (let j = kids.length - 1; j >= 0; j--) stack.push(kids[j]);
    }
    list.sort((a, b) => order[a] - order[b]);
    this.matches = marks;
    this.matchList = list;
    this.matchPos = -1;
    this.findCount.textContent = list.length ? `${fmtInt(list.length)} matches` : 'No matches';
    this.invalidate();
  }

  private stepMatch(dir: number): void {
    if (!this.matches) this.runFind();
    const n = this.matchList.length;
    if (n === 0) {
      this.announce('No matches');
      return;
    }
    this.matchPos = this.matchPos < 0 ? (dir > 0 ? 0 : n - 1) : (this.matchPos + dir + n) % n;
    const i = this.matchList[this.matchPos];
    this.findCount.textContent = `${fmtInt(this.matchPos + 1)} of ${fmtInt(n)}`;
    this.select(i, { reveal: true });
    this.announce(`Match ${this.matchPos + 1} of ${n}: ${oneLine(this.model.nodes[i].text, 80)}`);
  }

  // ------------------------------------------------------------------ scrubber and live mode

  private ensureReplay(): void {
    if (!this.replay || this.replay.dataVersion !== this.model.dataVersion) this.replay = buildReplayIndex(this.model);
  }

  private scrubTo(it: number): void {
    this.stopPlay();
    const max = this.model.maxIteration;
    this.iteration = it >= max ? null : it;
    if (this.iteration !== null) this.ensureReplay();
    if (this.iteration !== null && this.live) {
      this.live = false;
      this.liveToggle.checked = false;
    }
    this.updateScrubber();
    this.invalidate();
  }

  private setLive(v: boolean): void {
    this.live = v;
    if (this.liveToggle.checked !== v) this.liveToggle.checked = v;
    if (v) {
      this.stopPlay();
      this.iteration = null;
    }
    this.updateScrubber();
    this.invalidate();
  }

  private togglePlay(): void {
    if (this.playTimer) {
      this.stopPlay();
      return;
    }
    const max = this.model.maxIteration;
    if (max === 0) return;
    if (this.iteration === null) this.iteration = 0;
    this.live = false;
    this.liveToggle.checked = false;
    this.playButton.querySelector('.codicon')?.classList.replace('codicon-play', 'codicon-debug-pause');
    const stepMs = Math.max(16, Math.min(250, 6000 / max));
    this.playTimer = window.setInterval(() => {
      const next = (this.iteration ?? max) + 1;
      if (next >= max) {
        this.iteration = null;
        this.stopPlay();
      } else this.iteration = next;
      this.updateScrubber();
      this.invalidate();
    }, stepMs);
  }

  private stopPlay(): void {
    if (!this.playTimer) return;
    clearInterval(this.playTimer);
    this.playTimer = 0;
    this.playButton.querySelector('.codicon')?.classList.replace('codicon-debug-pause', 'codicon-play');
  }

  private updateScrubber(): void {
    const max = this.model.maxIteration;
    this.scrubRange.max = String(max);
    this.scrubRange.value = String(this.iteration ?? max);
    this.scrubRange.disabled = max === 0;
    const it = this.iteration ?? max;
    const count = this.replay && this.iteration !== null ? (this.replay.touched.get(it)?.length ?? 0) : 0;
    this.scrubLabel.textContent = `Iteration ${fmtInt(it)} / ${fmtInt(max)}${this.iteration === null ? '' : ` · ${fmtInt(count)} nodes touched`}`;
    this.scrubRange.setAttribute('aria-valuetext', this.scrubLabel.textContent);
  }

  // ------------------------------------------------------------------ chrome: run status, messages

  private updateChrome(): void {
    this.updateScrubber();
    const running = this.model.runningRuns;
    const parts: Node[] = [];
    if (running.length) {
      const r = running[0];
      parts.push(progressRing('Search running'), h('span', {}, `${r.config.strategy} running · ${fmtInt(this.model.size)} nodes · ${fmtInt(r.usage.tokensIn + r.usage.tokensOut)} tokens`));
      const cancel = button({ label: 'Cancel', icon: 'debug-stop', title: 'Cancel the running search', onClick: () => this.post({ type: 'cancelRun', requestId: this.rid() }, 'Cancel requested'), id: 'cancel-run' });
      if (this.readOnly) cancel.disabled = true;
      parts.push(cancel);
    } else if (this.loaded) {
      const last = this.model.runs[this.model.runs.length - 1];
      parts.push(h('span', { class: 'muted' }, `${fmtInt(this.model.size)} nodes`));
      if (last) parts.push(badge(last.status, last.reason));
      if (this.model.result?.verified) parts.push(h('span', { class: 'chip ok' }, icon('pass-filled'), ` ${this.model.result.finalAnswer ?? 'solved'}`));
    }
    this.runStatus.replaceChildren(...parts);
    this.canvasWrap.setAttribute('aria-label', `Search tree, ${fmtInt(this.model.size)} nodes`);
    if (this.readOnly) this.root.classList.add('read-only');
  }

  private showMessage(text: string, kind: 'error' | 'info', key = 'msg'): void {
    this.clearMessage(key);
    const close = button({ icon: 'close', title: 'Dismiss', onClick: () => item.remove() });
    const item = h('div', { class: `message ${kind}`, attrs: { 'data-key': key } }, icon(kind === 'error' ? 'error' : 'lock'), h('span', { class: 'message-text' }, text), close);
    this.messageBar.append(item);
  }

  private clearMessage(key: string): void {
    for (const el of this.messageBar.querySelectorAll(`[data-key="${key}"]`)) el.remove();
  }

  // ------------------------------------------------------------------ persistence

  private scheduleSave(): void {
    if (!this.loaded) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => this.save(), 250);
  }

  private save(): void {
    const state: PanelState = {
      version: 1,
      traceId: this.model.id,
      camera: this.camera.state,
      selectedId: this.selected >= 0 ? this.model.nodes[this.selected].id : null,
      collapsed: [...this.collapsed].map((i) => this.model.nodes[i].id),
      colorBy: this.colorBy,
      iteration: this.iteration,
      live: this.live,
      find: String(this.findField.value ?? ''),
      ...(this.detailWidth ? { detailWidth: this.detailWidth } : {}),
    };
    this.host.setState(state);
  }

  // ------------------------------------------------------------------ probe

  private probe(): PanelProbe {
    const self = this;
    return {
      get traceId() {
        return self.model.id;
      },
      get nodeCount() {
        return self.model.size;
      },
      get visibleCount() {
        return self.layout?.visibleCount ?? 0;
      },
      get frames() {
        return self.frames;
      },
      get lastRender() {
        return self.lastRender;
      },
      get layoutMs() {
        return self.layoutMs;
      },
      get frameMs() {
        return self.frameMs;
      },
      get selectedId() {
        return self.selected >= 0 ? self.model.nodes[self.selected].id : null;
      },
      get focusedId() {
        return self.focused >= 0 && self.focused < self.model.size ? self.model.nodes[self.focused].id : null;
      },
      get camera() {
        return self.camera.state;
      },
      get iteration() {
        return self.iteration;
      },
      get matchCount() {
        return self.matchList.length;
      },
      get colorBy() {
        return self.colorBy;
      },
      get readOnly() {
        return self.readOnly;
      },
      nodeClientPoint(id: string) {
        const i = self.model.index.get(id);
        const L = self.layout;
        if (i === undefined || !L || !L.visible[i]) return null;
        const r = self.canvas.getBoundingClientRect();
        return { x: r.left + self.camera.toScreenX(L.x[i]) + Math.min(40, (CARD_W / 2) * self.camera.sx), y: r.top + self.camera.toScreenY(L.y[i]) };
      },
      nextFrame() {
        return new Promise<void>((resolve) => {
          self.frameWaiters.push(resolve);
          self.invalidate();
        });
      },
    };
  }
}

const EMPTY_REPLAY: ReplayIndex = { prunedAt: new Float64Array(0), valuedAt: new Float64Array(0), iterations: [], touched: new Map(), dataVersion: -1 };
