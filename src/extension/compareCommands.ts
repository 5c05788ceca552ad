/**
 * "Compare Traces…" (two trace files: the palette, or two files selected in the explorer) and "Compare Runs…" (two
 * runs of one trace): both open a read-only panel titled "A ↔ B" showing the overlaid tree (core
 * analyse/diffOverlay.ts) with its marks. The panel is the search panel's page; its host here is small because a
 * merged view has no document behind it: it sends config, read-only, the overlay and the marks, and answers every
 * request with the reason it cannot be done.
 */
import * as vscode from 'vscode';
import * as z from 'zod';
import { overlayRuns, overlayTraces } from '../core/analyse/diffOverlay';
import type { DiffOverlay } from '../core/analyse/diffOverlay';
import { readTraceFile, TRACE_FILE_SUFFIX } from '../core/trace/io';
import type { Run, Trace } from '../core/trace/schema';
import { loadMessageFor, PROTOCOL_VERSION } from '../protocol/hostMessages';
import type { HostMessageInput } from '../protocol/hostMessages';
import { parseWebviewMessage } from '../protocol/parseMessage';
import { requestIdentity } from '../protocol/panelRequests';
import { normaliseArgs, resolvePath } from './commandArgs';
import type { CommandContext } from './commandPickers';
import { pickTraceUri } from './commandPickers';
import { renderPanelHtml, webviewOptions } from './panelHost';
import type { Services } from './services';
import { CancelledByUser } from './services';
import { readPanelConfig } from './settings';
import { RestoreState } from './restoreState';

const UriArg = z.union([z.custom<vscode.Uri>((v) => v instanceof vscode.Uri, 'a Uri'), z.string().min(1)]).transform((p) => resolvePath(p));

/** API form: `{ a, b }` trace files (A is the earlier / reference one). */
export const CompareTracesArgsSchema = z.strictObject({ a: UriArg.optional(), b: UriArg.optional() });
/** API form: `{ uri, runA, runB }`; without runs a person picks (an API call with one run missing is refused). */
export const CompareRunsArgsSchema = z.strictObject({ uri: UriArg.optional(), runA: z.string().min(1).optional(), runB: z.string().min(1).optional() });

/** What a panel compares, as remembered across a reload (workspace state, by the overlay's trace id). */
const CompareSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('traces'), a: z.string(), b: z.string() }),
  z.object({ kind: z.literal('runs'), uri: z.string(), runA: z.string(), runB: z.string() }),
]);
type CompareSource = z.infer<typeof CompareSourceSchema>;
/** Comparisons remembered for a reload, by the overlay's trace id. */
const restoreState = (services: Services) => new RestoreState<CompareSource>(services.context.workspaceState, 'metacot.comparePanels');

/** What a compare command returns (and an integration test reads). */
export interface CompareResult {
  label: string;
  traceId: string;
  nodes: number;
  counts: DiffOverlay['counts'];
}

const READ_ONLY_REASON = 'a comparison of two trees (open A or B to edit)';

/** The "A ↔ B" panel: the search panel's page over an overlay, read-only. */
export class ComparePanel implements vscode.Disposable {
  static readonly viewType = 'metacot.comparePanel';
  private static readonly panels = new Set<ComparePanel>();

  static all(): ComparePanel[] {
    return [...ComparePanel.panels];
  }

  /**
   * The panel for a comparison (`key` names what is compared): the one already open for it, else a new one beside.
   * It is opened before the traces are read and diffed, so the page starts (about 2 s in code-server) meanwhile.
   */
  static open(services: Services, source: CompareSource, title: string): ComparePanel {
    const key = JSON.stringify(source);
    const same = [...ComparePanel.panels].find((p) => p.key === key);
    if (same) {
      same.panel.reveal(undefined, false);
      return same;
    }
    const panel = vscode.window.createWebviewPanel(
      ComparePanel.viewType,
      title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      { ...webviewOptions(services.context.extensionUri), retainContextWhenHidden: true },
    );
    return new ComparePanel(services, panel, key, source);
  }

  /**
   * A comparison panel VS Code restores after a reload: the page names the overlay it showed (its saved state's
   * trace id), the workspace state says what that compared, and both are read and diffed again. A comparison that
   * cannot be rebuilt (a file gone, a run removed) closes the panel and says why.
   */
  static restore(ctx: CommandContext, panel: vscode.WebviewPanel, firstMessage?: unknown): void {
    panel.webview.options = { ...webviewOptions(ctx.services.context.extensionUri) };
    const cp = new ComparePanel(ctx.services, panel, '', undefined);
    cp.onReady = (traceId) => {
      const parsed = traceId ? CompareSourceSchema.safeParse(restoreState(ctx.services).get(traceId)) : undefined;
      if (!parsed?.success) {
        ctx.services.log.info(`compare panel: nothing remembered for ${traceId ?? 'a page without state'}; closed`);
        panel.dispose();
        return;
      }
      cp.source = parsed.data;
      cp.key = JSON.stringify(parsed.data);
      void buildOverlay(ctx, parsed.data).then(
        (overlay) => cp.show(overlay),
        (err: unknown) => {
          const message = ctx.services.keys.redact(err instanceof Error ? err.message : String(err));
          ctx.services.log.warn(`compare panel: cannot restore ${panel.title}: ${message}`);
          panel.dispose();
          void vscode.window.showWarningMessage(`Meta-CoT: the comparison "${panel.title}" was closed: ${message}`);
        },
      );
    };
    if (firstMessage !== undefined) cp.receive(firstMessage);
  }

  /** Messages the page was sent, newest last (tests read them). */
  readonly sent: HostMessageInput[] = [];
  private ready = false;
  private overlay: DiffOverlay | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  /** Set on a restored panel: what to do once the page names the trace it showed. */
  private onReady: ((restoredTraceId: string | undefined) => void) | undefined;

  private constructor(
    private readonly services: Services,
    readonly panel: vscode.WebviewPanel,
    public key: string,
    private source: CompareSource | undefined,
  ) {
    ComparePanel.panels.add(this);
    panel.iconPath = vscode.Uri.joinPath(services.context.extensionUri, 'media', 'icons', 'metacot.svg');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((data: unknown) => this.receive(data)),
      vscode.window.onDidChangeActiveColorTheme(() => this.post({ type: 'config', themeKind: readPanelConfig().themeKind })),
    );
    panel.webview.html = renderPanelHtml(panel.webview, services.context.extensionUri, panel.title);
  }

  /** Whether an overlay was ever shown (a panel that never got one is closed when its diff fails). */
  get shown(): boolean {
    return this.overlay !== undefined;
  }

  /** Shows an overlay (now, or when the page is ready). */
  show(overlay: DiffOverlay): void {
    this.overlay = overlay;
    this.panel.title = overlay.label;
    if (this.source) void restoreState(this.services).remember(overlay.trace.id, this.source);
    if (this.ready) this.sendAll();
  }

  get title(): string {
    return this.panel.title;
  }

  private post(message: HostMessageInput): void {
    if (!this.ready) return;
    this.sent.push(message);
    if (this.sent.length > 50) this.sent.splice(0, this.sent.length - 50);
    void this.panel.webview.postMessage(message);
  }

  /** Config, read-only, the overlay (objects or columns by size, as any panel load), then its marks. */
  private sendAll(): void {
    const o = this.overlay;
    if (!o) return;
    this.post({ type: 'config', ...readPanelConfig() });
    this.post({ type: 'readOnly', readOnly: true, reason: READ_ONLY_REASON });
    this.post(loadMessageFor(o.trace));
    this.post({ type: 'diffMarks', traceId: o.trace.id, label: o.label, marks: o.marks, sameProblem: o.sameProblem });
  }

  /** Same checks as the search panel's host: every message validated, every request answered. */
  receive(data: unknown): void {
    const parsed = parseWebviewMessage(data);
    if (!parsed.ok) {
      this.services.log.warn(`compare panel: dropped ${parsed.error}`);
      const req = requestIdentity(data);
      if (req) this.post({ type: 'reply', requestId: req.requestId, method: req.method, ok: false, error: { message: parsed.error } });
      return;
    }
    const m = parsed.message;
    switch (m.type) {
      case 'ready':
        if (m.protocolVersion !== PROTOCOL_VERSION) this.services.log.warn(`compare panel speaks protocol ${m.protocolVersion}, host ${PROTOCOL_VERSION}`);
        this.ready = true;
        if (this.onReady) {
          const restoring = this.onReady;
          this.onReady = undefined;
          restoring(m.restoredTraceId);
        }
        this.sendAll();
        return;
      case 'request':
        this.post({ type: 'reply', requestId: m.requestId, method: m.method, ok: false, error: { message: `Not available here: this panel shows ${READ_ONLY_REASON}.` } });
        return;
      case 'log':
        this.services.log.debug(`compare panel: ${m.message}${m.detail ? ` — ${m.detail}` : ''}`);
        return;
      case 'selectNode':
        return;
    }
  }

  dispose(): void {
    ComparePanel.panels.delete(this);
    for (const d of this.disposables) d.dispose();
  }
}

/** A file's name without the trace suffix; the workspace-relative path when both names are the same. */
function traceLabels(a: vscode.Uri, b: vscode.Uri): [string, string] {
  const base = (u: vscode.Uri) => u.path.split('/').pop()!.replace(/\.metacot\.json$/, '').replace(/\.json$/, '');
  if (base(a) !== base(b)) return [base(a), base(b)];
  return [vscode.workspace.asRelativePath(a), vscode.workspace.asRelativePath(b)];
}

/**
 * A trace as it is now: a running search's snapshot, an open document's model (unsaved edits included), else the
 * file read directly: opening a 10k-node file as a document only to diff it took 7.8 s in code-server, against
 * 0.9 s for reading both files of the pair.
 */
async function currentTrace(ctx: CommandContext, uri: vscode.Uri): Promise<Trace> {
  const live = ctx.services.runs.forUri(uri);
  if (live) return live.snapshot();
  const model = ctx.services.models.peek(uri);
  if (model || uri.scheme !== 'file') return (await ctx.actions.load(uri)).trace;
  return readTraceFile(uri.fsPath);
}

const resultOf = (o: DiffOverlay): CompareResult => ({ label: o.label, traceId: o.trace.id, nodes: o.trace.nodes.length, counts: o.counts });

/** Two trace files for a person: the explorer's selection, else a pick of the workspace's traces (or a browse). */
async function pickTwoTraces(first: vscode.Uri | undefined, selected: vscode.Uri[]): Promise<[vscode.Uri, vscode.Uri]> {
  if (selected.length === 2) return [selected[0]!, selected[1]!];
  if (selected.length > 2) throw new Error(`select two trace files to compare (${selected.length} are selected)`);
  const files = await vscode.workspace.findFiles(`**/*${TRACE_FILE_SUFFIX}`, '**/node_modules/**', 2000);
  const others = files.filter((f) => f.toString() !== first?.toString());
  if (others.length >= (first ? 1 : 2)) {
    const items = others.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f }));
    if (first) {
      const pick = await vscode.window.showQuickPick(items, { title: `Meta-CoT: Compare ${vscode.workspace.asRelativePath(first)} with…` });
      if (!pick) throw new CancelledByUser();
      return [first, pick.uri];
    }
    const picks = await vscode.window.showQuickPick(items, { title: 'Meta-CoT: Compare Traces — pick two (A first, then B)', canPickMany: true });
    if (!picks || picks.length === 0) throw new CancelledByUser();
    if (picks.length !== 2) throw new Error(`pick two traces to compare (${picks.length} picked)`);
    return [picks[0]!.uri, picks[1]!.uri];
  }
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: true, title: 'Meta-CoT: Compare Traces — two trace files', filters: { 'Meta-CoT traces': ['metacot.json', 'json'] } });
  if (!chosen?.length) throw new CancelledByUser();
  const pair = first ? [first, ...chosen] : chosen;
  if (pair.length !== 2) throw new Error(`pick two traces to compare (${pair.length} picked)`);
  return [pair[0]!, pair[1]!];
}

export async function compareTraces(ctx: CommandContext, raw: unknown, selection: unknown): Promise<CompareResult> {
  const inv = normaliseArgs(CompareTracesArgsSchema, raw);
  let a: vscode.Uri;
  let b: vscode.Uri;
  if (!inv.interactive) {
    if (!inv.args.a || !inv.args.b) throw new Error('a and b (two trace files) are required');
    [a, b] = [inv.args.a, inv.args.b];
  } else {
    // A menu on a multi-selection passes the clicked file, then every selected one.
    const selected = Array.isArray(selection) ? selection.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : [];
    [a, b] = await pickTwoTraces(inv.target.uri, selected);
  }
  const [labelA, labelB] = traceLabels(a, b);
  const source: CompareSource = { kind: 'traces', a: a.toString(), b: b.toString() };
  const panel = ComparePanel.open(ctx.services, source, `${labelA} ↔ ${labelB}`);
  return showIn(ctx, panel, () => buildOverlay(ctx, source));
}

/** Reads what a comparison names, as it is now, and overlays it (a command, or a panel restored after a reload). */
async function buildOverlay(ctx: CommandContext, source: CompareSource): Promise<DiffOverlay> {
  if (source.kind === 'traces') {
    const [a, b] = [vscode.Uri.parse(source.a), vscode.Uri.parse(source.b)];
    const [labelA, labelB] = traceLabels(a, b);
    const [ta, tb] = await Promise.all([currentTrace(ctx, a), currentTrace(ctx, b)]);
    return overlayTraces(ta, tb, { labelA, labelB });
  }
  const trace = await currentTrace(ctx, vscode.Uri.parse(source.uri));
  for (const id of [source.runA, source.runB]) if (!trace.runs.some((r) => r.id === id)) throw new Error(`no run "${id}" in this trace (runs: ${trace.runs.map((r) => r.id).join(', ')})`);
  return overlayRuns(trace, source.runA, source.runB);
}

/** Reads and diffs (timed in the log), then shows the overlay; a new panel whose diff failed is closed. */
async function showIn(ctx: CommandContext, panel: ComparePanel, build: () => Promise<DiffOverlay>): Promise<CompareResult> {
  const started = performance.now();
  let overlay: DiffOverlay;
  try {
    overlay = await build();
  } catch (err) {
    if (!panel.shown) panel.panel.dispose();
    throw err;
  }
  ctx.services.log.info(`compare: ${overlay.label}: ${overlay.trace.nodes.length} nodes read and diffed in ${Math.round(performance.now() - started)} ms`);
  panel.show(overlay);
  return resultOf(overlay);
}

const runLine = (r: Run) => `${r.config.strategy} · ${r.status}${r.result?.finalAnswer ? ` · answer ${r.result.finalAnswer}` : ''}`;

async function pickTwoRuns(trace: Trace): Promise<[string, string]> {
  if (trace.runs.length === 2) return [trace.runs[0]!.id, trace.runs[1]!.id];
  const items = trace.runs.map((r) => ({ label: r.id, description: runLine(r), detail: `started ${r.startedAt} from ${r.startNodeId}`, id: r.id }));
  const picks = await vscode.window.showQuickPick(items, { title: 'Meta-CoT: Compare Runs — pick two', canPickMany: true });
  if (!picks || picks.length === 0) throw new CancelledByUser();
  if (picks.length !== 2) throw new Error(`pick two runs to compare (${picks.length} picked)`);
  // A is the earlier run, whatever order they were ticked in.
  const order = (id: string) => trace.runs.findIndex((r) => r.id === id);
  const [x, y] = picks.map((p) => p.id).sort((p, q) => order(p) - order(q));
  return [x!, y!];
}

export async function compareRuns(ctx: CommandContext, raw: unknown): Promise<CompareResult> {
  const inv = normaliseArgs(CompareRunsArgsSchema, raw);
  const uri = inv.args.uri ?? inv.target.uri ?? (await pickTraceUri(ctx.services, inv.interactive));
  const trace = await currentTrace(ctx, uri);
  if (trace.runs.length < 2) throw new Error(`${vscode.workspace.asRelativePath(uri)} has ${trace.runs.length === 1 ? 'one run' : 'no runs'}; Compare Runs needs two (re-run from a node to get another)`);
  let runA = inv.args.runA;
  let runB = inv.args.runB;
  if (!runA || !runB) {
    if (!inv.interactive) throw new Error('runA and runB are required');
    [runA, runB] = await pickTwoRuns(trace);
  }
  for (const id of [runA, runB]) if (!trace.runs.some((r) => r.id === id)) throw new Error(`no run "${id}" in this trace (runs: ${trace.runs.map((r) => r.id).join(', ')})`);
  const [a, b] = [runA, runB];
  const source: CompareSource = { kind: 'runs', uri: uri.toString(), runA: a, runB: b };
  const panel = ComparePanel.open(ctx.services, source, `${a} ↔ ${b}`);
  return showIn(ctx, panel, async () => overlayRuns(trace, a, b));
}

/** Whether a call came from a person (nothing, a Uri, a Traces-view element) rather than an argument object. */
function interactiveCall(raw: unknown): boolean {
  return raw === undefined || raw === null || raw instanceof vscode.Uri || (typeof raw === 'object' && 'kind' in raw);
}

/**
 * Registers both commands in the command table. They take the menu's second argument (the explorer's selection),
 * which the table's usual wrapper drops, so they report their own errors the same way: a notification for a
 * person, the error thrown back to an API caller.
 */
export function registerCompareCommands(ctx: CommandContext, table: Map<string, (...args: unknown[]) => Promise<unknown>>): void {
  const guarded = (id: string, fn: (raw: unknown, second: unknown) => Promise<CompareResult>) =>
    table.set(id, async (raw?: unknown, second?: unknown) => {
      try {
        return await fn(raw, second);
      } catch (err) {
        const message = ctx.services.keys.redact(err instanceof Error ? err.message : String(err));
        if (err instanceof CancelledByUser) {
          ctx.services.log.info(`${id}: cancelled`);
          if (interactiveCall(raw)) return undefined;
          throw new Error(message);
        }
        ctx.services.log.error(`${id}: ${message}`);
        if (!interactiveCall(raw)) throw new Error(message);
        void vscode.window.showErrorMessage(`Meta-CoT: ${message}`, 'Show Log').then((a) => a && ctx.services.log.show(true));
        return undefined;
      }
    });
  guarded('metacot.compareTraces', (raw, second) => compareTraces(ctx, raw, second));
  guarded('metacot.compareRuns', (raw) => compareRuns(ctx, raw));
}
