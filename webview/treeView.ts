/**
 * The tree canvas: layout, camera, renderer and the frame loop. Work is batched per animation frame: deltas that
 * arrive between frames are applied together, with at most one relayout per frame and none when only values or
 * statuses changed. Reads the panel state from the store; tells the app through `TreeViewHost` what changed.
 */
import type { TraceDeltaMessage } from '../src/protocol/hostMessages';
import { Camera } from './camera';
import { drawnTextOf } from './cardPainter';
import type { DrawnText } from './cardPainter';
import { h } from './dom';
import { fmtInt, oneLine, valueLabel } from './format';
import { Legend } from './legend';
import { describeNode } from './nodeDescription';
import type { PanelStore } from './panelStore';
import { buildReplayIndex } from './replayIndex';
import type { ReplayIndex } from './replayIndex';
import { readThemeColors } from './themeColors';
import type { ThemeColors } from './themeColors';
import { fitReading, wholeTreeReadable } from './readingFit';
import { readingCollapse, readingPath } from './readingPath';
import { progressRing } from './toolkit';
import { LayoutScheduler } from './layoutScheduler';
import { CARD_H, CARD_W, LEVEL_GAP } from './treeLayout';
import type { TreeLayout } from './treeLayout';
import { TreeRenderer } from './treeRenderer';
import type { RenderStats } from './treeRenderer';

export interface TreeViewHost {
  /** Streamed deltas were applied to the model (before the relayout they may cause). */
  deltasApplied(): void;
  /** Find state to draw. */
  find(): { matches: Uint8Array | null; active: number };
  /** A frame was drawn (the app saves its state after frames). */
  drew(): void;
}

const EMPTY_REPLAY: ReplayIndex = { prunedAt: new Float64Array(0), valuedAt: new Float64Array(0), iterations: [], touched: new Map(), dataVersion: -1 };

export class TreeView {
  readonly el: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  readonly camera = new Camera();
  layout: TreeLayout | null = null;
  hovered = -1;
  hasFocus = false;
  /** Set once the user pans or zooms: until then the view stays fitted. */
  userMovedCamera = false;
  fitPending = false;
  frames = 0;
  frameMs = 0;
  lastRender: RenderStats | null = null;
  /** The strip below the canvas (placed by the app; it takes its own space, so fits need no inset). */
  readonly legend: Legend;
  /**
   * The path the reading view frames (openReading), kept while the camera is untouched so a resize frames it again;
   * null once the user pans, zooms or fits.
   */
  readingFrame: number[] | null = null;
  private readonly renderer: TreeRenderer;
  private readonly activeItem: HTMLElement;
  private readonly tooltip: HTMLElement;
  private readonly emptyState: HTMLElement;
  private theme: ThemeColors;
  private replayIndex: ReplayIndex | null = null;
  private iconsReady = false;
  private pendingDeltas: TraceDeltaMessage[] = [];
  readonly layouts = new LayoutScheduler();
  /** A node whose screen position the next installed layout keeps (the one folded or unfolded). */
  private anchor: { i: number; x: number; y: number } | null = null;
  private frameRequested = false;
  private firstPaintMarked = false;
  private frameWaiters: (() => void)[] = [];

  constructor(
    private readonly store: PanelStore,
    private readonly host: TreeViewHost,
  ) {
    this.theme = readThemeColors();
    this.canvas = h('canvas', { class: 'tree-canvas', attrs: { 'aria-hidden': 'true' } });
    this.activeItem = h('div', { class: 'sr-only', id: 'tree-active-item', role: 'treeitem', attrs: { 'aria-selected': 'false' } });
    this.tooltip = h('div', { class: 'tooltip', id: 'tooltip', role: 'tooltip' });
    this.legend = new Legend(() => this.invalidate());
    this.emptyState = h('div', { class: 'empty-state' }, progressRing('Loading trace'), h('div', {}, 'Waiting for a trace…'));
    this.el = h(
      'div',
      {
        class: 'canvas-wrap',
        id: 'tree',
        role: 'tree',
        attrs: { tabindex: '0', 'aria-label': 'Search tree', 'aria-activedescendant': 'tree-active-item', 'aria-describedby': 'tree-help' },
      },
      this.canvas,
      this.activeItem,
      this.tooltip,
      this.emptyState,
    );
    this.renderer = new TreeRenderer(this.canvas);
    new MutationObserver(() => this.refreshTheme()).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
    new ResizeObserver(() => this.resize()).observe(this.el);
    this.resize();
    this.updateLegend();
    document.fonts
      .load('14px codicon')
      .then(() => {
        this.iconsReady = document.fonts.check('14px codicon');
        this.invalidate();
      })
      .catch(() => undefined);
  }

  /** A new model was loaded: drop what belonged to the old one. */
  modelReplaced(): void {
    this.pendingDeltas = [];
    this.layouts.reset();
    this.anchor = null;
    this.replayIndex = null;
    this.renderer.clearTextCache();
    this.emptyState.hidden = true;
  }

  enqueue(d: TraceDeltaMessage): void {
    this.pendingDeltas.push(d);
    this.invalidate();
  }

  replay(): ReplayIndex {
    const m = this.store.model;
    if (!this.replayIndex || this.replayIndex.dataVersion !== m.dataVersion) this.replayIndex = buildReplayIndex(m);
    return this.replayIndex;
  }

  /** A relayout an action asked for: done on the next frame, never deferred. */
  requestLayout(): void {
    this.layouts.request();
  }

  /** Main-thread ms of the last completed layout, and the frames it took (layoutScheduler.ts). */
  get layoutMs(): number {
    return this.layouts.layoutMs;
  }

  get layoutFrames(): number {
    return this.layouts.layoutFrames;
  }

  get layoutInSlices(): boolean {
    return this.layouts.inSlices;
  }

  get layoutPending(): boolean {
    return this.layouts.pending;
  }

  invalidate(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => this.frame());
  }

  flushLayout(): void {
    const s = this.store;
    if (this.pendingDeltas.length) {
      const deltas = this.pendingDeltas;
      this.pendingDeltas = [];
      let structural = false;
      for (const d of deltas) structural = s.model.applyDelta(d) || structural;
      if (structural) this.layouts.deltasChangedShape();
      this.host.deltasApplied();
    }
    const r = this.layouts.run(s.model, s.collapsed, this.layout !== null);
    if (r.layout) this.install(r.layout);
    if (r.again) this.invalidate();
  }

  private install(layout: TreeLayout): void {
    const s = this.store;
    this.layout = layout;
    this.camera.setExtent(layout.maxDepth);
    const following = s.live && s.iteration === null && !this.userMovedCamera && s.model.runningRuns.length > 0;
    if (this.fitPending || following) {
      this.fitPending = false;
      this.fitCamera();
    }
    const a = this.anchor;
    this.anchor = null;
    if (a && layout.visible[a.i]) this.camera.panBy(a.x - this.camera.toScreenX(layout.x[a.i]), a.y - this.camera.toScreenY(layout.y[a.i]));
  }

  /** Until the user moves the camera: the reading frame when one is set, else the whole laid-out tree. */
  private fitCamera(): void {
    const L = this.layout;
    if (!L) return;
    if (this.readingFrame) fitReading(this.camera, L, this.readingFrame);
    else this.camera.fit(L.minY, L.maxY, L.maxDepth);
  }

  /**
   * A trace shown for the first time (no saved view): when fitting the whole tree would not draw text, collapse
   * everything off the reading path (the best path, or `towards`'s path when the host named a node) but its nodes'
   * children, and frame that at a readable zoom. O(n) once, at load; frames are unchanged. Expand All undoes it.
   */
  openReading(towards = -1): void {
    const s = this.store;
    const m = s.model;
    this.fitPending = true;
    this.readingFrame = null;
    if (m.size === 0 || wholeTreeReadable(m, this.camera.width, this.camera.height)) return;
    const path = towards >= 0 && towards < m.size ? m.pathTo(towards) : readingPath(m);
    s.collapsed = readingCollapse(m, path);
    this.readingFrame = path;
    this.requestLayout();
  }

  private frame(): void {
    const t0 = performance.now();
    this.frameRequested = false;
    this.flushLayout();
    const layout = this.layout;
    if (!layout) return;
    const s = this.store;
    this.updateLegend();
    const find = this.host.find();
    this.lastRender = this.renderer.render({
      model: s.model,
      layout,
      camera: this.camera,
      theme: this.theme,
      colorBy: s.colorBy,
      selected: s.selected,
      focused: this.hasFocus ? s.focused : -1,
      hovered: this.hovered,
      labelChars: s.labelChars,
      matches: find.matches,
      activeMatch: find.active,
      iteration: s.iteration ?? Infinity,
      replay: s.iteration === null ? (this.replayIndex ?? EMPTY_REPLAY) : this.replay(),
      iconsReady: this.iconsReady,
      faded: s.faded,
      diffMarks: s.diffMarks,
    });
    this.frames++;
    this.frameMs = performance.now() - t0;
    if (s.loaded && !this.firstPaintMarked) {
      this.firstPaintMarked = true;
      performance.mark('metacot:first-paint');
    }
    this.host.drew();
    const waiters = this.frameWaiters;
    this.frameWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves after the next rendered frame. */
  nextFrame(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.frameWaiters.push(resolve);
      this.invalidate();
    });
  }

  resize(): void {
    const r = this.el.getBoundingClientRect();
    // Hidden (reading mode): keep the last size and camera; the next resize after it shows again restores them.
    if (r.width === 0 || r.height === 0) return;
    this.renderer.resize(r.width, r.height, window.devicePixelRatio || 1);
    this.camera.width = Math.max(1, r.width);
    this.camera.height = Math.max(1, r.height);
    if (this.layout) {
      this.camera.setExtent(this.layout.maxDepth);
      // Until the user pans or zooms, the view stays fitted as the panel changes size.
      if (!this.userMovedCamera) this.fitCamera();
    }
    this.invalidate();
  }

  refreshTheme(): void {
    this.theme = readThemeColors();
    this.renderer.clearTextCache();
    this.updateLegend();
    this.invalidate();
  }

  clearTextCache(): void {
    this.renderer.clearTextCache();
  }

  /** Follows colouring, theme, diff and fading; rebuilds only when one of them changed. */
  updateLegend(): void {
    const s = this.store;
    const m = s.model.size;
    this.legend.update({
      colorBy: s.colorBy,
      span: s.model.valueSpan(),
      theme: this.theme,
      diff: s.diffMarks !== null && s.diffMarks.length === m,
      diffLabel: s.diffLabel,
      faded: s.faded !== null && s.faded.length === m && s.faded.includes(1),
    });
  }

  // ---- camera moves

  reveal(i: number): void {
    const L = this.layout;
    if (!L || !L.visible[i]) return;
    this.camera.ensureVisible(L.x[i], L.y[i]);
    this.invalidate();
  }

  zoomToNode(i: number): void {
    this.expandTo(i);
    this.flushLayout();
    const L = this.layout;
    if (!L || !L.visible[i]) return;
    this.camera.centerOn(L.x[i], L.y[i], 1);
    this.userMovedCamera = true;
    this.readingFrame = null;
    this.invalidate();
  }

  fit(): void {
    this.flushLayout();
    if (!this.layout) return;
    this.readingFrame = null;
    this.camera.fit(this.layout.minY, this.layout.maxY, this.layout.maxDepth);
    this.userMovedCamera = false;
    this.invalidate();
  }

  /** Zooms around the focused node when it is on screen, else around the centre. */
  zoomBy(f: number): void {
    const L = this.layout;
    const i = this.store.focused;
    let x = this.camera.width / 2;
    let y = this.camera.height / 2;
    if (L && i >= 0 && L.visible[i]) {
      const fx = this.camera.toScreenX(L.x[i]);
      const fy = this.camera.toScreenY(L.y[i]);
      if (fx >= 0 && fx <= this.camera.width && fy >= 0 && fy <= this.camera.height) [x, y] = [fx, fy];
    }
    this.camera.zoomAt(f, x, y);
    this.userMovedCamera = true;
    this.invalidate();
  }

  // ---- collapse

  /** Expands collapsed ancestors so `i` is laid out. */
  expandTo(i: number): void {
    const m = this.store.model;
    let changed = false;
    for (let v = m.parent[i]; v >= 0; v = m.parent[v]) if (this.store.collapsed.delete(v)) changed = true;
    if (changed) this.requestLayout();
  }

  /** Toggles `i`, keeping it where it is on screen while the tree reflows; returns what to announce. */
  toggleCollapse(i: number): string | null {
    const s = this.store;
    if (i < 0 || s.model.children[i].length === 0) return null;
    if (s.collapsed.has(i)) s.collapsed.delete(i);
    else s.collapsed.add(i);
    const L = this.layout;
    // The folded node stays where it was on screen, in whichever layout comes next.
    this.anchor = L && L.visible[i] ? { i, x: this.camera.toScreenX(L.x[i]), y: this.camera.toScreenY(L.y[i]) } : null;
    this.layouts.request(true);
    // A small tree is laid out here and now; a big one in slices from the next frame on.
    if (!this.layouts.actionWouldSlice(L !== null)) this.flushLayout();
    this.updateActiveItem();
    this.invalidate();
    return s.collapsed.has(i) ? `Collapsed, ${fmtInt(s.model.subtree(i).length - 1)} nodes hidden` : 'Expanded';
  }

  /** The "+N hidden" chip / triangle drawn right of a collapsed card. */
  onCollapseBadge(i: number, p: { x: number; y: number }): boolean {
    const L = this.layout;
    if (!L || !L.hiddenCount.has(i)) return false;
    return p.x > this.camera.toScreenX(L.x[i]) + CARD_W * this.camera.sx - 4;
  }

  // ---- accessibility proxy and tooltip

  updateActiveItem(): void {
    const s = this.store;
    const m = s.model;
    const i = s.focused;
    const a = this.activeItem;
    if (i < 0 || i >= m.size) {
      a.textContent = s.loaded ? 'Empty tree' : 'Loading';
      return;
    }
    const p = m.parent[i];
    const sibs = p >= 0 ? m.children[p] : m.roots;
    const hidden = this.layout?.hiddenCount.get(i);
    a.setAttribute('aria-level', String(m.depth[i] + 1));
    a.setAttribute('aria-setsize', String(sibs.length));
    a.setAttribute('aria-posinset', String(sibs.indexOf(i) + 1));
    a.setAttribute('aria-selected', String(i === s.selected));
    if (m.children[i].length) a.setAttribute('aria-expanded', String(!s.collapsed.has(i)));
    else a.removeAttribute('aria-expanded');
    a.dataset.nodeId = m.nodes[i].id;
    a.textContent = describeNode(m, i, hidden ?? (s.collapsed.has(i) ? m.subtree(i).length - 1 : undefined));
  }

  showTooltip(i: number, p: { x: number; y: number }): void {
    const n = this.store.model.nodes[i];
    const t = this.tooltip;
    t.replaceChildren(
      h('div', { class: 'tooltip-head' }, `${n.id} · ${n.status}${n.value !== undefined ? ` · value ${valueLabel(n.value)}` : ''}${n.visits !== undefined ? ` · N ${n.visits}` : ''}`),
      h('div', {}, oneLine(n.text, 140)),
    );
    t.classList.add('visible');
    t.style.left = `${Math.min(p.x + 14, this.camera.width - 320)}px`;
    t.style.top = `${p.y + 16}px`;
  }

  hideTooltip(): void {
    this.tooltip.classList.remove('visible');
  }

  /** Page coordinates of the middle of a collapsed node's summary card, or null when it has none. */
  summaryClientPoint(id: string): { x: number; y: number } | null {
    const i = this.store.model.index.get(id);
    const L = this.layout;
    if (i === undefined || !L || !L.hiddenSummary.has(i)) return null;
    const r = this.canvas.getBoundingClientRect();
    return { x: r.left + this.camera.toScreenX(L.x[i] + LEVEL_GAP + CARD_W / 2), y: r.top + this.camera.toScreenY(L.y[i]) };
  }

  /** Page box of a node's card (it may lie partly or wholly off the canvas), or null when it is not laid out. */
  nodeClientBox(id: string): { left: number; top: number; right: number; bottom: number } | null {
    const i = this.store.model.index.get(id);
    const L = this.layout;
    if (i === undefined || !L || !L.visible[i]) return null;
    const r = this.canvas.getBoundingClientRect();
    const left = r.left + this.camera.toScreenX(L.x[i]);
    const cy = r.top + this.camera.toScreenY(L.y[i]);
    const h = CARD_H * this.camera.k;
    return { left, top: cy - h / 2, right: left + CARD_W * this.camera.sx, bottom: cy + h / 2 };
  }

  /** The node text the last frame drew on a node's text card, or null when it drew none. */
  cardText(id: string): DrawnText | null {
    const i = this.store.model.index.get(id);
    return i === undefined ? null : (drawnTextOf(this.canvas).get(i) ?? null);
  }

  /** Page coordinates of the middle of a node's card, or null when it is not laid out. */
  nodeClientPoint(id: string): { x: number; y: number } | null {
    const i = this.store.model.index.get(id);
    const L = this.layout;
    if (i === undefined || !L || !L.visible[i]) return null;
    const r = this.canvas.getBoundingClientRect();
    return { x: r.left + this.camera.toScreenX(L.x[i]) + Math.min(40, (CARD_W / 2) * this.camera.sx), y: r.top + this.camera.toScreenY(L.y[i]) };
  }
}
