/**
 * The search panel's entry: builds the parts and wires them. State lives in PanelStore (one owner); the tree canvas
 * and frame loop in TreeView; toolbar, find bar, scrubber, detail pane and input handling in their modules. Every
 * action is a typed request through HostClient, and every reply is shown: its message on success, the host's error
 * in the message bar on failure.
 */
import type { PanelMethod, PanelParams, PanelResult } from '../src/protocol/panelRequests';
import { StrategyNameSchema, pruneBlocker, unpruneBlocker } from '../src/protocol/fromCore';
import type { Trace } from '../src/protocol/fromCore';
import type { ColorBy, HostMessage } from '../src/protocol/hostMessages';
import { PROTOCOL_VERSION } from '../src/protocol/hostMessages';
import { DetailPane } from './detailPane';
import { DiffView } from './diffView';
import { h } from './dom';
import { fmtInt } from './format';
import { FindBar } from './findBar';
import type { HostBridge } from './hostBridge';
import { HostClient, HostRequestError } from './hostClient';
import { bindKeyboard, bindPointer } from './inputHandlers';
import { PaneLayout } from './paneLayout';
import type { PanelCommands } from './inputHandlers';
import { Announcer, MessageBar } from './messageBar';
import { navigate } from './navigation';
import type { NavKey } from './navigation';
import { installProbe } from './panelProbe';
import { LoadProgress } from './loadProgress';
import { StateSaver, readPanelState } from './panelState';
import type { PanelState } from './panelState';
import { PanelStore } from './panelStore';
import type { RerunRequest } from './rerunFormModel';
import { RunList } from './runList';
import { RunSignals } from './runSignals';
import { Scrubber } from './scrubber';
import { centreReadable } from './targetView';
import { ReadingView } from './readingView';
import { Toolbar } from './toolbar';
import { TraceModel } from './traceModel';
import { TreeView } from './treeView';

export type { PanelProbe } from './panelProbe';

const TREE_HELP =
  'Arrow keys: left parent, right child, up and down siblings. Enter opens details, Space collapses or expands, E edit, R re-run, Delete prune, U un-prune, C correct, X incorrect, B best node, M reading mode, Home root, End end of the current path, plus and minus zoom, 0 fit, period zoom to node, slash find, right and left square brackets next and previous change in a comparison. Mouse wheel zooms at the pointer, Shift+wheel pans.';

export class PanelApp implements PanelCommands {
  private readonly store = new PanelStore();
  private readonly client: HostClient;
  private readonly saver: StateSaver;
  private readonly view: TreeView;
  private readonly find: FindBar;
  private readonly scrubber: Scrubber;
  private readonly toolbar: Toolbar;
  private readonly detail: DetailPane;
  private readonly diff: DiffView;
  private readonly reading: ReadingView;
  private readonly runList: RunList;
  private readonly panes: PaneLayout;
  private readonly messages = new MessageBar();
  /** Load messages (one, or a chunked load) and the progress line while a big trace comes in. */
  private readonly loads: LoadProgress;
  private readonly signals = new RunSignals(this.store, this.messages);
  private readonly announcer = new Announcer();
  /** State saved before a reload, applied once to the trace it belongs to. */
  private restored: PanelState | undefined;
  /** A node the host named before it arrived (reveal, or an edit's new sibling): selected when it does. */
  private pendingSelectId: string | null = null;

  constructor(
    private readonly host: HostBridge,
    private readonly root: HTMLElement,
  ) {
    const s = this.store;
    this.restored = readPanelState(host.getState());
    if (this.restored) {
      s.colorBy = this.restored.colorBy;
      s.live = this.restored.live;
    }
    this.client = new HostClient(host);
    this.saver = new StateSaver(
      () => this.snapshot(),
      (state) => host.setState(state),
    );
    this.loads = new LoadProgress({
      load: (trace, sel) => {
        this.load(trace, sel);
        // A chunked load's selection may be in a later chunk: selected when it arrives.
        if (sel && !s.model.index.has(sel)) this.pendingSelectId = sel;
      },
      enqueue: (d) => this.view.enqueue(d),
      error: (text) => this.messages.show(text, 'error', 'load'),
      traceId: () => s.model.id,
      report: (line) => host.post({ type: 'log', level: 'info', message: line }),
      ack: (loadId) => host.post({ type: 'loadAck', loadId, seq: 0 }),
    });
    this.view = new TreeView(s, {
      deltasApplied: () => this.afterDeltas(),
      find: () => ({ matches: this.find.matches, active: this.find.activeMatch }),
      drew: () => {
        this.loads.drew();
        this.saver.schedule();
        this.reading.sync();
      },
    });
    this.view.camera.bindExtent(() => this.view.layout);
    this.find = new FindBar(
      s,
      { changed: () => this.view.invalidate(), select: (i) => this.showTarget(i), announce: (t) => this.announce(t), focusTree: () => this.view.el.focus() },
      this.restored?.find ?? '',
    );
    this.scrubber = new Scrubber(s, { replay: () => this.view.replay(), changed: () => this.view.invalidate() });
    this.toolbar = new Toolbar(
      s,
      { fit: () => this.fit(), zoomBy: (f) => this.zoomBy(f), goBest: () => this.goBest(), expandAll: () => this.expandAll(), setColorBy: (v) => this.setColorBy(v), cancelRuns: () => this.cancelRun(), toggleReading: () => this.reading.toggle() },
      this.find.el,
    );
    this.detail = new DetailPane(s, {
      select: (i) => this.select(i, true),
      edit: (i, text, mode) => this.act('editNode', { nodeId: this.idAt(i), text, mode }),
      prune: (i) => this.prune(i),
      unprune: (i) => this.unprune(i),
      mark: (i, label) => this.mark(i, label),
      rerun: (i, r) => this.rerun(i, r),
      openAsText: (i) => this.act('openAsText', i === null ? {} : { nodeId: this.idAt(i) }),
      exportPath: (i, format) => this.act('exportTrace', { format, ...(i === null ? {} : { nodeId: this.idAt(i) }) }),
      cancelRun: (runId) => this.cancelRun(runId),
      zoomTo: (i) => this.zoomToNode(i),
      measureImportance: (i) => this.act('measureImportance', { nodeId: this.idAt(i) }),
    });
    this.diff = new DiffView(s, { select: (i) => this.select(i, true), invalidate: () => this.view.invalidate(), announce: (t) => this.announce(t) });
    this.reading = new ReadingView(s, { select: (i) => this.select(i, true), changed: (on) => this.readingChanged(on) }, [this.view.el, this.view.legend.el]);
    this.runList = new RunList(s, { changed: () => this.view.invalidate(), announce: (t) => this.announce(t) });
    this.panes = new PaneLayout(this.restored, () => this.saver.schedule());
    const main = h('div', { class: 'main' }, h('div', { class: 'tree-column' }, this.view.el, this.reading.el, this.view.legend.el, this.scrubber.el), this.panes.splitter, this.detail.el);
    this.panes.attach(main);
    root.replaceChildren(
      this.toolbar.el,
      this.messages.el,
      this.diff.el,
      this.runList.el,
      main,
      this.announcer.el,
      h('div', { class: 'sr-only', id: 'tree-help' }, TREE_HELP),
    );
    this.view.el.append(this.loads.el);
    bindPointer(this.view, s, this);
    bindKeyboard(this.view, s, this, this.detail);
    this.diff.bindKeys(this.view.el);
    this.view.resize();
    this.detail.update(s.model);
    host.listen(
      (m) => this.onMessage(m),
      (error) => this.messages.show(`Ignored a message from the extension: ${error}`, 'error'),
    );
    host.post({ type: 'ready', protocolVersion: PROTOCOL_VERSION, ...(this.restored ? { restoredTraceId: this.restored.traceId } : {}) });
    installProbe(s, this.view, this.find, this.loads);
  }

  // ---- host messages

  private onMessage(m: HostMessage): void {
    const s = this.store;
    if (this.loads.onMessage(m)) return;
    switch (m.type) {
      case 'traceDelta':
        if (m.traceId === s.model.id) this.view.enqueue(m);
        break;
      case 'revealNode': {
        const i = s.model.index.get(m.nodeId);
        if (i === undefined) {
          this.pendingSelectId = m.nodeId;
          break;
        }
        this.view.expandTo(i);
        if (m.select) this.select(i, false, false);
        this.view.flushLayout();
        if (m.zoom) this.view.zoomToNode(i);
        else this.view.reveal(i);
        break;
      }
      case 'config':
        if (m.colorBy) this.setColorBy(m.colorBy, false);
        if (m.labelChars !== undefined) {
          s.labelChars = m.labelChars;
          this.view.clearTextCache();
        }
        if (m.followLive !== undefined) this.scrubber.setLive(m.followLive);
        if (m.rerunDefaults) s.rerunDefaults = { ...m.rerunDefaults, ...(s.rerunDefaults.options ? { options: s.rerunDefaults.options } : {}) };
        if (m.rerunOptions) s.rerunDefaults = { ...s.rerunDefaults, options: m.rerunOptions };
        if (m.strategies) {
          s.catalog = m.strategies;
          this.detail.catalogChanged();
          this.runList.update();
        }
        if (m.themeKind) this.view.refreshTheme();
        this.view.invalidate();
        break;
      case 'readOnly':
        s.readOnly = m.readOnly;
        s.readOnlyReason = m.reason ?? '';
        this.root.classList.toggle('read-only', m.readOnly);
        this.detail.readOnlyChanged();
        if (m.readOnly) this.messages.show(`Read-only: ${m.reason ?? 'editing is disabled'}`, 'info', 'readonly');
        else this.messages.clear('readonly');
        this.updateChrome();
        break;
      case 'error':
        this.messages.show(m.detail ? `${m.message} — ${m.detail}` : m.message, 'error');
        break;
      case 'diffMarks':
        this.diff.apply(m);
        break;
      case 'reply':
        if (!this.client.onReply(m)) this.host.post({ type: 'log', level: 'warn', message: `reply to an unknown request ${m.requestId} (${m.method})` });
        break;
    }
  }

  private load(trace: Trace, selectNodeId: string | undefined): void {
    const s = this.store;
    const view = this.view;
    const sameTrace = s.loaded && s.model.id === trace.id;
    const keepSelected = sameTrace ? s.selectedId : null;
    const keepCollapsed = sameTrace ? [...s.collapsed].map((i) => s.model.nodes[i].id) : null;
    s.model = TraceModel.fromTrace(trace);
    s.loaded = true;
    view.modelReplaced();
    const restore = !sameTrace && this.restored?.traceId === trace.id ? this.restored : undefined;
    const ids = (list: string[] | null | undefined) => new Set((list ?? []).map((id) => s.model.index.get(id)).filter((i): i is number => i !== undefined));
    s.collapsed = ids(keepCollapsed ?? restore?.collapsed);
    const sel = selectNodeId ?? keepSelected ?? restore?.selectedId ?? null;
    s.selected = sel === null ? -1 : (s.model.index.get(sel) ?? -1);
    s.focused = s.selected >= 0 ? s.selected : 0;
    if (restore) {
      s.iteration = restore.iteration;
      if (restore.camera) {
        view.camera.restore(restore.camera);
        // The saved view is the user's: a later resize (chrome appearing above the tree) must not refit it.
        view.userMovedCamera = true;
      }
      if (restore.find) this.find.query = restore.find;
    } else if (!sameTrace) {
      s.iteration = null;
      view.userMovedCamera = false;
    }
    // A trace seen for the first time opens on its reading path (best path and alternatives, as text).
    if (!sameTrace && !restore) view.openReading(s.selected);
    else if (!restore?.camera && !sameTrace) view.fitPending = true;
    this.restored = undefined;
    view.requestLayout();
    // A run filter belongs to one trace; the fade mask follows every load.
    if (!sameTrace) s.runFilter = null;
    this.runList.update();
    this.detail.show(s.model, s.selected);
    this.diff.modelChanged();
    this.find.run();
    this.updateChrome();
    view.invalidate();
  }

  /** After streamed deltas: a pending selection may now exist; details, find and chrome follow the model. */
  private afterDeltas(): void {
    const s = this.store;
    if (this.pendingSelectId) {
      const i = s.model.index.get(this.pendingSelectId);
      if (i !== undefined) {
        this.pendingSelectId = null;
        this.select(i, true);
      }
    }
    this.detail.update(s.model);
    this.runList.update();
    this.diff.modelChanged();
    if (this.find.active) this.find.run();
    this.updateChrome();
  }

  private updateChrome(): void {
    this.scrubber.update();
    this.toolbar.updateRunStatus();
    this.signals.update();
    this.view.el.setAttribute('aria-label', `Search tree, ${fmtInt(this.store.model.size)} nodes`);
  }

  // ---- requests

  private idAt(i: number): string {
    return this.store.model.nodes[i].id;
  }

  /** Sends a request and shows its reply: the result's message, or the host's error in the message bar. */
  private act<M extends PanelMethod>(method: M, params: PanelParams<M>): void {
    this.client.request(method, params).then(
      (result) => this.showResult(method, result),
      (e: unknown) => {
        const text = e instanceof HostRequestError && e.detail ? `${e.message} — ${e.detail}` : e instanceof Error ? e.message : String(e);
        this.messages.show(text, 'error', 'reply');
      },
    );
  }

  private showResult<M extends PanelMethod>(method: M, result: PanelResult<M>): void {
    this.messages.show(result.message, 'success', 'reply');
    this.announce(result.message);
    // An edit's reply names the node to look at (the new sibling of "save as sibling").
    if (method === 'editNode' && 'nodeId' in result) {
      const i = this.store.model.index.get(result.nodeId);
      if (i !== undefined) this.select(i, true);
      else this.pendingSelectId = result.nodeId;
    }
  }

  private rerun(i: number, r: RerunRequest): void {
    // The form offers what the catalog lists; the request carries only names the engine's schema accepts.
    const strategy = StrategyNameSchema.safeParse(r.strategy);
    if (!strategy.success) this.messages.show(`The host's catalog lists "${r.strategy}", which this panel cannot request.`, 'error', 'reply');
    else this.act('rerunFromNode', { ...r, nodeId: this.idAt(i), strategy: strategy.data });
  }

  prune(i: number): void {
    if (this.store.readOnly || i < 0) return;
    const why = pruneBlocker(this.store.model.nodes[i]);
    if (why) this.refuse(`Cannot prune: ${why}`);
    else this.act('pruneNode', { nodeId: this.idAt(i), reason: 'pruned in the search panel' });
  }

  unprune(i: number): void {
    if (this.store.readOnly || i < 0) return;
    const why = unpruneBlocker(this.store.model.nodes[i]);
    if (why) this.refuse(`Cannot un-prune: ${why}`);
    else this.act('unpruneNode', { nodeId: this.idAt(i) });
  }

  private refuse(text: string): void {
    this.messages.show(text, 'info', 'reply');
    this.announce(text);
  }

  private mark(i: number, label: 'correct' | 'incorrect' | null): void {
    if (this.store.readOnly || i < 0) return;
    this.act('markNode', { nodeId: this.idAt(i), label });
  }

  toggleMark(i: number, label: 'correct' | 'incorrect'): void {
    if (i >= 0) this.mark(i, this.store.model.nodes[i].label === label ? null : label);
  }

  private cancelRun(runId?: string): void {
    this.act('cancelRun', runId === undefined ? {} : { runId });
  }

  // ---- selection and navigation (PanelCommands)

  select(i: number, reveal = false, notify = true): void {
    const s = this.store;
    if (i >= s.model.size) return;
    const changed = i !== s.selected;
    s.selected = i;
    if (i >= 0) {
      s.focused = i;
      this.view.expandTo(i);
    }
    if (changed) {
      this.detail.show(s.model, i);
      this.diff.selectionChanged();
      if (notify) this.host.post({ type: 'selectNode', nodeId: s.idOf(i) });
    }
    this.view.updateActiveItem();
    if (reveal && i >= 0) {
      this.view.flushLayout();
      this.view.reveal(i);
    }
    this.view.invalidate();
  }

  move(key: NavKey): void {
    const s = this.store;
    const L = this.view.layout;
    if (!L || s.model.size === 0) return;
    const step = navigate(s.model, L, s.collapsed, s.shown, s.focused, key);
    if (step.kind === 'toggle') this.toggleCollapse(step.i);
    else this.select(step.i, true);
  }

  openDetails(i: number): void {
    this.select(i, true);
    this.detail.el.focus();
  }

  toggleCollapse(i: number): void {
    const said = this.view.toggleCollapse(i);
    if (said) this.announce(said);
  }

  expandAll(): void {
    if (this.store.collapsed.size === 0) return;
    this.store.collapsed.clear();
    this.view.requestLayout();
    this.announce('All nodes expanded');
    this.view.invalidate();
  }

  zoomBy(f: number): void {
    this.view.zoomBy(f);
  }

  fit(): void {
    this.view.fit();
  }

  zoomToNode(i: number): void {
    centreReadable(this.view, i, 1);
  }

  /** Find and Best: select, then centre the node readable and clear of the legend. */
  private showTarget(i: number): void {
    this.select(i);
    centreReadable(this.view, i);
  }

  goBest(): void {
    const id = this.store.model.result?.bestNodeId;
    const i = id === undefined ? undefined : this.store.model.index.get(id);
    if (i === undefined) this.announce('No best node in this trace yet');
    else this.showTarget(i);
  }

  startEdit(i: number): void {
    if (i < 0 || this.store.readOnly) return;
    this.select(i);
    this.detail.startEdit();
  }

  startRerun(i: number): void {
    if (i < 0 || this.store.readOnly) return;
    this.select(i);
    this.detail.startRerun();
  }

  focusFind(): void {
    this.find.focus();
  }

  stepMatch(dir: number): void {
    this.find.step(dir);
  }

  // ---- settings, persistence

  private setColorBy(v: ColorBy, fromUser = true): void {
    this.store.colorBy = v;
    if (this.toolbar.colorSelect.value !== v) this.toolbar.colorSelect.value = v;
    this.view.updateLegend();
    if (fromUser) this.announce(`Colouring by ${v}`);
    this.view.invalidate();
  }

  private readingChanged(on: boolean): void {
    if (on) this.reading.el.focus();
    else this.view.el.focus();
    this.announce(on ? 'Reading mode: the selected path as text' : 'Tree view');
  }

  private announce(text: string): void {
    this.announcer.say(text);
  }

  private snapshot(): PanelState | null {
    const s = this.store;
    if (!s.loaded) return null;
    return {
      version: 1,
      traceId: s.model.id,
      camera: this.view.camera.state,
      selectedId: s.selectedId,
      collapsed: [...s.collapsed].map((i) => s.model.nodes[i].id),
      colorBy: s.colorBy,
      iteration: s.iteration,
      live: s.live,
      find: this.find.query,
      ...this.panes.sizes(),
    };
  }
}
