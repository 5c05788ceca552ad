/**
 * What tests and benchmarks read (window.__metacotPanel); nothing here changes state except through the UI paths, but
 * `setSliceBudgets` (tests make the panel's sliced layouts certain: layoutScheduler.ts).
 */
import type { ColorBy } from '../src/protocol/hostMessages';
import type { FindBar } from './findBar';
import type { LoadProgress } from './loadProgress';
import type { PanelStore } from './panelStore';
import type { RenderStats } from './treeRenderer';
import type { TreeView } from './treeView';
import type { DrawnText } from './cardPainter';
import type { SliceBudgets } from './layoutScheduler';

export interface PanelProbe {
  readonly traceId: string;
  readonly nodeCount: number;
  readonly visibleCount: number;
  readonly frames: number;
  readonly lastRender: RenderStats | null;
  readonly layoutMs: number;
  /** A relayout (streamed deltas or a fold) is running across frames (the drawn layout is the one before it). */
  readonly layoutInSlices: boolean;
  /** A relayout is asked for or running (false: the drawn layout has every node and fold). */
  readonly layoutPending: boolean;
  /** Frames the last completed layout took (1 when laid out at once). */
  readonly layoutFrames: number;
  /** Main-thread time of the last frame: deltas, layout when needed, render. */
  readonly frameMs: number;
  readonly selectedId: string | null;
  readonly focusedId: string | null;
  readonly camera: { tx: number; ty: number; k: number };
  readonly iteration: number | null;
  readonly matchCount: number;
  readonly colorBy: ColorBy;
  readonly readOnly: boolean;
  /** The host's timing of the last load (epoch ms) and when the page got it; null for a load without timing. */
  readonly loadTiming: LoadProgress['timing'];
  /** The load progress line's text, '' while hidden. */
  readonly loadStatus: string;
  /** The model's node at a dense index (tests compare a loaded model with its trace). */
  nodeAt(i: number): unknown;
  /** store.diffMarks as numbers (DIFF_MARK values by dense index), null when no diff is shown; and its label. */
  readonly diffMarks: number[] | null;
  readonly diffLabel: string;
  /** The run the run list filters the tree to (null: every run). */
  readonly runFilter: string | null;
  /** Ids of the nodes drawn faded (store.faded: superseded subtrees, or outside the run filter). */
  readonly fadedIds: string[];
  /** Ids of the cards the last frame drew at the text level (lastRender.textCards), in drawing order. */
  readonly textCardIds: string[];
  /** Ids of the collapsed nodes (store.collapsed). */
  readonly collapsedIds: string[];
  /** Page coordinates of the middle of a node's card, or null when it is not laid out. */
  nodeClientPoint(id: string): { x: number; y: number } | null;
  /** Page coordinates of the middle of a collapsed node's summary card, or null when it has none. */
  summaryClientPoint(id: string): { x: number; y: number } | null;
  /** Page box of a node's card as the camera places it (it may be partly or wholly off the canvas), null when not laid out. */
  nodeClientBox(id: string): { left: number; top: number; right: number; bottom: number } | null;
  /** The node text the last frame drew on a node's text card (lines joined, no ellipsis) and whether it was cut; null when not drawn. */
  cardText(id: string): DrawnText | null;
  /** Resolves after the next rendered frame. */
  nextFrame(): Promise<void>;
  setSliceBudgets(b: SliceBudgets): void;
}

export function installProbe(store: PanelStore, view: TreeView, find: FindBar, loads: LoadProgress): void {
  const probe: PanelProbe = {
    get traceId() {
      return store.model.id;
    },
    get nodeCount() {
      return store.model.size;
    },
    get visibleCount() {
      return view.layout?.visibleCount ?? 0;
    },
    get frames() {
      return view.frames;
    },
    get lastRender() {
      return view.lastRender;
    },
    get layoutMs() {
      return view.layoutMs;
    },
    get layoutInSlices() {
      return view.layoutInSlices;
    },
    get layoutPending() {
      return view.layoutPending;
    },
    get layoutFrames() {
      return view.layoutFrames;
    },
    get frameMs() {
      return view.frameMs;
    },
    get selectedId() {
      return store.selectedId;
    },
    get focusedId() {
      return store.idOf(store.focused);
    },
    get camera() {
      return view.camera.state;
    },
    get iteration() {
      return store.iteration;
    },
    get matchCount() {
      return find.matchCount;
    },
    get colorBy() {
      return store.colorBy;
    },
    get loadTiming() {
      return loads.timing;
    },
    get loadStatus() {
      return loads.status;
    },
    nodeAt: (i) => store.model.nodes[i] ?? null,
    get readOnly() {
      return store.readOnly;
    },
    get diffMarks() {
      return store.diffMarks ? Array.from(store.diffMarks) : null;
    },
    get diffLabel() {
      return store.diffLabel;
    },
    get runFilter() {
      return store.runFilter;
    },
    get fadedIds() {
      const f = store.faded;
      return f ? store.model.nodes.filter((_, i) => f[i] === 1).map((n) => n.id) : [];
    },
    get textCardIds() {
      return (view.lastRender?.textCards ?? []).map((i) => store.model.nodes[i]?.id ?? '');
    },
    get collapsedIds() {
      return [...store.collapsed].map((i) => store.model.nodes[i]?.id ?? '');
    },
    nodeClientPoint: (id) => view.nodeClientPoint(id),
    summaryClientPoint: (id) => view.summaryClientPoint(id),
    nodeClientBox: (id) => view.nodeClientBox(id),
    cardText: (id) => view.cardText(id),
    nextFrame: () => view.nextFrame(),
    setSliceBudgets: (b) => view.layouts.setBudgets(b),
  };
  (window as unknown as { __metacotPanel: PanelProbe }).__metacotPanel = probe;
}
