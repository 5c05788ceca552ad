/**
 * "Traces" view: running searches, then the workspace's `*.metacot.json` files; a file expands into its node
 * hierarchy. Children are produced lazily per expanded node from a per-file index that is rebuilt only when the file
 * (or its open document, after the model's debounce) changes — never per keystroke — so 10k-node traces stay fast.
 */
import * as vscode from 'vscode';
import { open as openFile } from 'node:fs/promises';
import { readRunsAndResult, traceMark, traceState, TRACE_STATE_MARK, type RunsAndResult, type TraceState } from '../core/analyse/runOutcome';
import { parseTrace, TRACE_FILE_SUFFIX } from '../core/trace/io';
import type { Trace, TraceNode } from '../core/trace/schema';
import type { Services } from './services';
import type { LiveRun } from './searchRunner';

export type TraceTreeElement =
  | { kind: 'run'; runId: string }
  | { kind: 'file'; uri: vscode.Uri }
  | { kind: 'node'; uri: vscode.Uri; nodeId: string }
  | { kind: 'message'; uri: vscode.Uri; text: string; detail?: string };

/** Parent/children index of one trace: built once per file version. */
interface TraceIndex {
  stamp: string;
  nodes: Map<string, TraceNode>;
  children: Map<string, string[]>;
  rootId: string;
  runs: RunsAndResult;
  error?: undefined;
}
interface TraceIndexError {
  stamp: string;
  error: string;
}

const TRACE_GLOB = `**/*${TRACE_FILE_SUFFIX}`;

export class TraceTreeProvider implements vscode.TreeDataProvider<TraceTreeElement>, vscode.Disposable {
  static readonly viewId = 'metacot.traces';

  /** `view` is created by the light bundle over a forwarding provider; this provider answers for it. */
  static register(services: Services, view: vscode.TreeView<TraceTreeElement>): TraceTreeProvider {
    const provider = new TraceTreeProvider(services);
    provider.view = view;
    services.context.subscriptions.push(
      provider,
      view.onDidChangeSelection((e) => {
        const el = e.selection[0];
        if (!el || provider.revealing) return;
        if (el.kind === 'node') services.selection.select({ uri: el.uri, nodeId: el.nodeId, source: 'tree' });
        if (el.kind === 'node' || el.kind === 'file') services.active.uri = el.uri;
      }),
      services.selection.onDidSelect((sel) => {
        if (sel.source !== 'tree' && view.visible) void provider.revealNode(sel.uri, sel.nodeId);
      }),
    );
    return provider;
  }

  private view: vscode.TreeView<TraceTreeElement> | undefined;
  private revealing = false;
  private readonly emitter = new vscode.EventEmitter<TraceTreeElement | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  private files: vscode.Uri[] | undefined;
  private readonly indexes = new Map<string, TraceIndex | TraceIndexError>();
  /** Elements are interned so reveal() and refresh see the same objects. */
  private readonly elements = new Map<string, TraceTreeElement>();
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly dirtyFiles = new Set<string>();
  /** Runs and result of files not opened here, by file, with the stat they were read at. */
  private readonly headers = new Map<string, { stat: string; runs: RunsAndResult | undefined }>();

  private constructor(private readonly services: Services) {
    const watcher = vscode.workspace.createFileSystemWatcher(TRACE_GLOB);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => this.fileAdded(uri)),
      watcher.onDidDelete((uri) => this.fileRemoved(uri)),
      watcher.onDidChange((uri) => this.fileChanged(uri)),
      services.models.onDidChangeModel((uri) => this.fileChanged(uri)),
      services.runs.onDidChange(() => this.scheduleRefresh(undefined)),
      services.runs.onDidProgress((run) => this.fileChanged(run.uri)),
      services.runs.onDidEnd((run) => this.fileChanged(run.uri)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.files = undefined;
        this.scheduleRefresh(undefined);
      }),
    );
  }

  /**
   * Forget cached contents of one file and refresh its subtree (batched). A file not listed yet (a run's new
   * trace, before or without a watcher event: watchers lag on a loaded machine) is added to the list.
   */
  private fileChanged(uri: vscode.Uri): void {
    if (this.track(uri)) return;
    this.indexes.delete(uri.toString());
    this.dirtyFiles.add(uri.toString());
    this.scheduleRefresh(this.intern({ kind: 'file', uri }));
  }

  private fileAdded(uri: vscode.Uri): void {
    this.track(uri);
    this.scheduleRefresh(undefined);
  }

  /** Adds a file to the listed ones; true when it was new (the whole list then refreshes). */
  private track(uri: vscode.Uri): boolean {
    if (!this.files || this.files.some((f) => f.toString() === uri.toString())) return false;
    this.files.push(uri);
    this.files.sort((a, b) => a.path.localeCompare(b.path));
    this.indexes.delete(uri.toString());
    this.scheduleRefresh(undefined);
    return true;
  }

  private fileRemoved(uri: vscode.Uri): void {
    if (this.files) this.files = this.files.filter((f) => f.toString() !== uri.toString());
    this.indexes.delete(uri.toString());
    this.headers.delete(uri.toString());
    this.scheduleRefresh(undefined);
  }

  private pendingRoot = false;
  /** Coalesces bursts of changes (a running search checkpoints, a watcher fires per file) into one refresh. */
  private scheduleRefresh(el: TraceTreeElement | undefined): void {
    if (!el) this.pendingRoot = true;
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      if (this.pendingRoot) this.emitter.fire(undefined);
      else for (const key of this.dirtyFiles) this.emitter.fire(this.intern({ kind: 'file', uri: vscode.Uri.parse(key) }));
      this.pendingRoot = false;
      this.dirtyFiles.clear();
    }, 150);
  }

  refresh(): void {
    this.files = undefined;
    this.indexes.clear();
    this.headers.clear();
    this.emitter.fire(undefined);
  }

  private key(el: TraceTreeElement): string {
    switch (el.kind) {
      case 'run':
        return `run:${el.runId}`;
      case 'file':
        return `file:${el.uri.toString()}`;
      case 'node':
        return `node:${el.uri.toString()}#${el.nodeId}`;
      case 'message':
        return `msg:${el.uri.toString()}#${el.text}`;
    }
  }

  private intern<T extends TraceTreeElement>(el: T): T {
    const k = this.key(el);
    const found = this.elements.get(k);
    if (found) return found as T;
    this.elements.set(k, el);
    return el;
  }

  async getChildren(el?: TraceTreeElement): Promise<TraceTreeElement[]> {
    if (!el) {
      const runs = this.services.runs.list().map((r) => this.intern({ kind: 'run' as const, runId: r.id }));
      if (!this.files) {
        const found = await vscode.workspace.findFiles(TRACE_GLOB, '**/node_modules/**');
        this.files = found.sort((a, b) => a.path.localeCompare(b.path));
      }
      return [...runs, ...this.files.map((uri) => this.intern({ kind: 'file' as const, uri }))];
    }
    if (el.kind === 'run' || el.kind === 'message') return [];
    const index = await this.index(el.uri);
    if (index.error !== undefined) {
      return [this.intern({ kind: 'message', uri: el.uri, text: 'Not a valid trace', detail: index.error })];
    }
    const ids = el.kind === 'file' ? [index.rootId] : (index.children.get(el.nodeId) ?? []);
    return ids.map((nodeId) => this.intern({ kind: 'node' as const, uri: el.uri, nodeId }));
  }

  getParent(el: TraceTreeElement): TraceTreeElement | undefined {
    if (el.kind !== 'node') return undefined;
    const index = this.indexes.get(el.uri.toString());
    const parentId = index && index.error === undefined ? index.nodes.get(el.nodeId)?.parentId : null;
    if (!parentId) return this.intern({ kind: 'file', uri: el.uri });
    return this.intern({ kind: 'node', uri: el.uri, nodeId: parentId });
  }

  async getTreeItem(el: TraceTreeElement): Promise<vscode.TreeItem> {
    switch (el.kind) {
      case 'run':
        return this.runItem(el.runId);
      case 'file': {
        const item = new vscode.TreeItem(vscode.workspace.asRelativePath(el.uri, false).split('/').pop()!.slice(0, -TRACE_FILE_SUFFIX.length), vscode.TreeItemCollapsibleState.Collapsed);
        item.id = this.key(el);
        item.resourceUri = el.uri;
        const rel = vscode.workspace.asRelativePath(el.uri, false);
        item.description = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
        item.tooltip = rel;
        item.contextValue = 'metacot.file';
        // Solved, failed, running, out of budget, cancelled or without an answer: seen without opening the file.
        const runs = await this.runsOf(el.uri);
        const running = this.services.runs.forUri(el.uri) !== undefined;
        const state = runs ? traceState(runs, running) : running ? 'running' : undefined;
        const mark = runs ? traceMark(runs, running) : running ? TRACE_STATE_MARK.running : '';
        if (mark) item.description = item.description ? `${mark} · ${item.description}` : mark;
        const last = runs?.runs[runs.runs.length - 1];
        item.tooltip = [rel, mark, state === 'failed' && last?.reason ? `${last.id}: ${last.reason}` : ''].filter(Boolean).join('\n');
        item.iconPath = stateIcon(state);
        item.command = { command: 'metacot.openTrace', title: 'Open Trace', arguments: [{ uri: el.uri.toString(), preview: true }] };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(el.text, vscode.TreeItemCollapsibleState.None);
        item.id = this.key(el);
        item.description = el.detail?.split('\n')[1] ?? el.detail;
        item.tooltip = el.detail;
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        item.contextValue = 'metacot.invalid';
        return item;
      }
      case 'node':
        return this.nodeItem(el, await this.index(el.uri));
    }
  }

  private runItem(runId: string): vscode.TreeItem {
    const run: LiveRun | undefined = this.services.runs.get(runId);
    const item = new vscode.TreeItem(run ? `${run.strategy}: ${oneLine(run.problem, 50)}` : runId, vscode.TreeItemCollapsibleState.None);
    item.id = `run:${runId}`;
    item.iconPath = new vscode.ThemeIcon('loading~spin');
    if (run) {
      const p = run.progress;
      item.description = `${p.nodes} nodes · ${formatTokens(p.tokens)} tok${p.cost ? ` · $${p.cost.toFixed(4)}` : ''}`;
      item.tooltip = `Running ${run.strategy} on ${vscode.workspace.asRelativePath(run.uri)}`;
      item.command = { command: 'metacot.revealInPanel', title: 'Show', arguments: [{ uri: run.uri.toString() }] };
    }
    item.contextValue = 'metacot.run';
    return item;
  }

  private nodeItem(el: { uri: vscode.Uri; nodeId: string }, index: TraceIndex | TraceIndexError): vscode.TreeItem {
    const node = index.error === undefined ? index.nodes.get(el.nodeId) : undefined;
    if (!node || index.error !== undefined) return new vscode.TreeItem(el.nodeId);
    const kids = index.children.get(node.id)?.length ?? 0;
    const state = kids === 0 ? vscode.TreeItemCollapsibleState.None : node.kind === 'root' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(`${node.kind === 'root' ? 'Problem: ' : ''}${oneLine(node.text, 80) || '(empty)'}`, state);
    item.id = `node:${el.uri.toString()}#${node.id}`;
    item.description = describeNode(node);
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${node.id}** · ${node.kind} · ${node.status}${node.author !== 'model' ? ` · ${node.author}` : ''}\n\n`);
    md.appendCodeblock(node.text.length > 4000 ? `${node.text.slice(0, 4000)}…` : node.text, 'text');
    if (node.prune) md.appendMarkdown(`\n\nPruned by ${node.prune.by}: ${escapeMd(node.prune.reason)}`);
    if (node.error) md.appendMarkdown(`\n\nError: ${escapeMd(node.error)}`);
    item.tooltip = md;
    item.iconPath = nodeIcon(node);
    const flags = [node.kind === 'root' ? 'root' : 'step', node.status === 'pruned' ? 'pruned' : '', node.label ? 'labeled' : ''].filter(Boolean);
    item.contextValue = `metacot.node.${flags.join('.')}`;
    return item;
  }

  /**
   * A file's runs and result for its mark: the live run's, the open document's, the index's when it is built, else
   * read from the file (its beginning and end only: see readRunsAndResult), again only when its size or time change.
   */
  private async runsOf(uri: vscode.Uri): Promise<RunsAndResult | undefined> {
    const run = this.services.runs.forUri(uri);
    if (run) return run.tree.trace;
    // A model not parsed yet (a big file whose panel is loading it in steps) is not parsed here: a synchronous parse
    // would block the extension host, and the panel's page with it; the file's header says the same.
    const model = this.services.models.peek(uri);
    if (model?.parsed) {
      const state = model.current();
      return state.ok ? state.trace : undefined;
    }
    const key = uri.toString();
    const cached = this.indexes.get(key);
    if (cached && cached.error === undefined && cached.stamp === 'disk') return cached.runs;
    try {
      const st = await vscode.workspace.fs.stat(uri);
      const stamp = `${st.size}:${st.mtime}`;
      const known = this.headers.get(key);
      if (known?.stat === stamp) return known.runs;
      const runs = await readHeader(uri, st.size);
      this.headers.set(key, { stat: stamp, runs });
      return runs;
    } catch {
      return undefined;
    }
  }

  private async index(uri: vscode.Uri): Promise<TraceIndex | TraceIndexError> {
    const key = uri.toString();
    const run = this.services.runs.forUri(uri);
    const model = this.services.models.peek(uri);
    const stamp = run ? `run:${run.id}:${run.progress.nodes}:${run.progress.updates}` : model ? `doc:${model.document.version}` : 'disk';
    const cached = this.indexes.get(key);
    if (cached && cached.stamp === stamp) return cached;
    let built: TraceIndex | TraceIndexError;
    try {
      let trace: Trace;
      if (run) trace = run.snapshot();
      else if (model) {
        const state = await model.load();
        if (!state.ok) throw state.error;
        trace = state.trace;
      } else {
        const bytes = await vscode.workspace.fs.readFile(uri);
        trace = parseTrace(new TextDecoder().decode(bytes), vscode.workspace.asRelativePath(uri));
      }
      built = buildIndex(trace, stamp);
    } catch (err) {
      built = { stamp, error: err instanceof Error ? err.message : String(err) };
    }
    this.indexes.set(key, built);
    return built;
  }

  /**
   * Selects a node in the view, expanding its ancestors (selection sync from panels and commands). `propagate`
   * lets the resulting selection flow on to the panels, as a click in the view would (tests use it).
   */
  async revealNode(uri: vscode.Uri, nodeId: string, opts: { propagate?: boolean } = {}): Promise<void> {
    if (!this.view) return;
    const index = await this.index(uri);
    if (index.error !== undefined || !index.nodes.has(nodeId)) return;
    this.revealing = !opts.propagate;
    try {
      const el = this.intern({ kind: 'node' as const, uri, nodeId });
      // A refresh landing mid-reveal (a watcher event for the same file) makes VS Code lose the path: try again.
      for (let attempt = 0; ; attempt++) {
        try {
          await this.view.reveal(el, { select: true, focus: false, expand: false });
          break;
        } catch (err) {
          if (attempt >= 3) throw err;
          await new Promise((r) => setTimeout(r, 400));
        }
      }
    } catch (err) {
      this.services.log.warn(`tree: cannot reveal ${nodeId} of ${vscode.workspace.asRelativePath(uri)}: ${String(err)}`);
    } finally {
      // The selection event from reveal arrives asynchronously; keep the guard up until it has.
      setTimeout(() => (this.revealing = false), 50);
    }
  }

  get selection(): readonly TraceTreeElement[] {
    return this.view?.selection ?? [];
  }

  /** Node ids currently known for a file, for tests and the palette's node picker. */
  async nodesOf(uri: vscode.Uri): Promise<TraceNode[]> {
    const index = await this.index(uri);
    return index.error === undefined ? [...index.nodes.values()] : [];
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.emitter.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function buildIndex(trace: Trace, stamp: string): TraceIndex {
  const nodes = new Map<string, TraceNode>();
  const children = new Map<string, string[]>();
  for (const n of trace.nodes) {
    nodes.set(n.id, n);
    if (n.parentId !== null) {
      const list = children.get(n.parentId);
      if (list) list.push(n.id);
      else children.set(n.parentId, [n.id]);
    }
  }
  return { stamp, nodes, children, rootId: trace.nodes[0]!.id, runs: { runs: trace.runs, result: trace.result } };
}

/** Bytes read from each end of a big trace file for its mark (the runs come before the nodes, the result last). */
const HEAD_BYTES = 1 << 20;
const TAIL_BYTES = 1 << 16;

/** A file's runs and result: a small file whole, a big one from its two ends (a 100k-node trace is ~100 MB). */
async function readHeader(uri: vscode.Uri, size: number): Promise<RunsAndResult | undefined> {
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  if (uri.scheme !== 'file' || size <= HEAD_BYTES + TAIL_BYTES) return readRunsAndResult(text(await vscode.workspace.fs.readFile(uri)));
  const fh = await openFile(uri.fsPath, 'r');
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const tail = Buffer.alloc(TAIL_BYTES);
    await fh.read(head, 0, HEAD_BYTES, 0);
    await fh.read(tail, 0, TAIL_BYTES, size - TAIL_BYTES);
    // A header longer than HEAD_BYTES (thousands of runs) is read whole.
    return readRunsAndResult(text(head), text(tail)) ?? readRunsAndResult(text(await vscode.workspace.fs.readFile(uri)));
  } finally {
    await fh.close();
  }
}

/** The file's icon: one per state (codicons the Testing view uses for pass / fail), the plain trace icon for none. */
export function stateIcon(state: TraceState | undefined): vscode.ThemeIcon {
  switch (state) {
    case 'running':
      return new vscode.ThemeIcon('loading~spin');
    case 'solved':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'budget':
      return new vscode.ThemeIcon('watch', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    case 'cancelled':
      return new vscode.ThemeIcon('debug-stop', new vscode.ThemeColor('disabledForeground'));
    case 'unsolved':
      return new vscode.ThemeIcon('circle-slash');
    case 'imported':
    case undefined:
      return new vscode.ThemeIcon('type-hierarchy');
  }
}

export function oneLine(text: string, max: number): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

export function formatTokens(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

/** "v 0.62 · N 12" plus marks a human left; value and visits are what search decisions are made on. */
export function describeNode(node: TraceNode): string {
  const parts: string[] = [];
  if (node.value !== undefined) parts.push(`v ${formatValue(node.value)}`);
  if (node.visits !== undefined) parts.push(`N ${node.visits}`);
  if (node.label) parts.push(node.label === 'correct' ? '✓ marked' : '✗ marked');
  if (node.originalText !== undefined) parts.push('edited');
  if (node.supersededBy) parts.push('superseded');
  return parts.join(' · ');
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(3).replace(/0+$/, '');
}

function nodeIcon(node: TraceNode): vscode.ThemeIcon {
  if (node.kind === 'root') return new vscode.ThemeIcon('question');
  if (node.label === 'correct') return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
  if (node.label === 'incorrect') return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
  if (node.verified === true) return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
  if (node.verified === false && node.kind === 'answer') return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('testing.iconFailed'));
  switch (node.status) {
    case 'open':
      return new vscode.ThemeIcon('circle-outline');
    case 'running':
      return new vscode.ThemeIcon('loading~spin');
    case 'expanded':
      return new vscode.ThemeIcon('circle-filled');
    case 'terminal':
      return new vscode.ThemeIcon('debug-stop');
    case 'pruned':
      return new vscode.ThemeIcon('close', new vscode.ThemeColor('disabledForeground'));
    case 'failed':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    case 'cancelled':
      return new vscode.ThemeIcon('debug-pause');
  }
}
