/**
 * Every `metacot.*` command. Each accepts an optional argument object so it can run without any prompt (tests, the
 * panel, other extensions); without one it asks through quick picks and input boxes. Programmatic calls get errors
 * thrown back; interactive ones see an error notification. Commands that need a node take `{ uri, nodeId }`, a
 * tree view element, or ask for the trace and the node.
 */
import * as vscode from 'vscode';
import type { Budgets, Params, Problem, StrategyName, Trace, TraceNode, VerifierConfig } from '../core/trace/schema';
import { TRACE_FILE_SUFFIX } from '../core/trace/io';
import type { Services } from './services';
import { CancelledByUser } from './services';
import type { TraceTreeElement } from './traceTreeView';
import { describeNode, oneLine } from './traceTreeView';
import { isTrusted, readSearchDefaults, resolveEndpoint } from './settings';
import type { EndpointSetting } from './settings';
import type { RunSummary, StartRunOptions } from './searchRunner';
import { SearchPanel } from './searchPanel';
import { TraceEditorProvider } from './traceEditor';
import { configureEndpoint, setApiKey, testConnection } from './endpointSetup';
import type { ConfigureEndpointArgs } from './endpointSetup';
import { exportTrace } from './exportCommand';
import type { ExportArgs } from './exportCommand';
import { importTrace } from './importCommand';
import type { ImportArgs } from './importCommand';

const STRATEGIES: StrategyName[] = ['single', 'best-of-n', 'beam', 'mcts', 'astar', 'revision'];

/** Arguments shared by the run commands. Everything optional: missing values come from settings or a prompt. */
export interface RunArgs {
  problem?: string | Problem;
  endpoint?: string | EndpointSetting;
  strategy?: StrategyName;
  params?: Params;
  budgets?: Budgets;
  verifier?: VerifierConfig;
  /** Where to write the trace (workspace-relative or absolute path); default: a new file in metacot.tracesFolder. */
  traceFile?: string;
  /** Show the search panel for the run (default true). */
  open?: boolean;
  /** Resolve when the run ends (default) or as soon as it has started. */
  wait?: boolean;
}

export interface NodeArgs {
  uri?: string | vscode.Uri;
  nodeId?: string;
  /** Save the document after the edit; default: only when no editor tab shows it (the panel saves). */
  save?: boolean;
  /** Set by the panel: errors go back to it rather than to a notification. */
  quiet?: boolean;
}

type Handler = (args: unknown, ...rest: unknown[]) => unknown;
/** Command id → implementation; the light bundle (extension.ts) registers the ids and calls these on first use. */
export type CommandTable = Map<string, (...args: unknown[]) => Promise<unknown>>;

export class Commands {
  static register(services: Services, table: CommandTable): void {
    const c = new Commands(services);
    const reg = (id: string, fn: Handler) => table.set(id, (args: unknown, ...rest: unknown[]) => c.guard(id, args, () => fn.call(c, args, ...rest)));
    reg('metacot.runSearchOnSelection', (a) => c.runOnSelection(obj<RunArgs>(a)));
    reg('metacot.runSearchOnProblemFile', (a) => c.runOnProblemFile(a instanceof vscode.Uri ? { file: a.toString() } : obj<RunArgs & { file?: string; lines?: number[] }>(a)));
    reg('metacot.rerunFromNode', (a) => c.rerunFromNode(a));
    reg('metacot.editNode', (a) => c.editNode(a));
    reg('metacot.pruneBranch', (a) => c.pruneBranch(a));
    reg('metacot.markNodeCorrect', (a) => c.markNode(a, 'correct'));
    reg('metacot.markNodeIncorrect', (a) => c.markNode(a, 'incorrect'));
    reg('metacot.markNode', (a) => c.markNode(a, (obj<{ label?: 'correct' | 'incorrect' | null }>(a).label ?? null) as 'correct' | 'incorrect' | null));
    reg('metacot.openTrace', (a) => c.openTrace(a));
    reg('metacot.openAsText', (a) => c.openAsText(a));
    reg('metacot.openInTraceEditor', (a) => c.openInTraceEditor(a));
    reg('metacot.revealInPanel', (a) => c.revealInPanel(a));
    reg('metacot.export', (a) => c.export(a));
    reg('metacot.importTrace', (a) =>
      importTrace(services, a instanceof vscode.Uri ? { file: a.fsPath } : obj<ImportArgs>(a), isProgrammatic(a), (p) => c.newTraceUri(p, readSearchDefaults().tracesFolder)),
    );
    reg('metacot.configureEndpoint', (a) => configureEndpoint(services, obj<ConfigureEndpointArgs>(a)));
    reg('metacot.testConnection', (a) => testConnection(services, obj<{ endpoint?: string | EndpointSetting; apiKey?: string }>(a)));
    reg('metacot.setApiKey', (a) => setApiKey(services, obj<{ endpoint?: string; key?: string }>(a)));
    reg('metacot.cancelSearch', (a) => c.cancel(obj<{ runId?: string; uri?: string }>(a)));
  }

  private constructor(private readonly services: Services) {}

  /** Programmatic callers (an argument object) get the error; people get a notification and the log. */
  private async guard(id: string, args: unknown, fn: () => unknown): Promise<unknown> {
    try {
      return await fn();
    } catch (err) {
      const message = this.services.keys.redact(err instanceof Error ? err.message : String(err));
      this.services.log.error(`${id}: ${message}`);
      const programmatic = typeof args === 'object' && args !== null && !isTreeElement(args) && !(args instanceof vscode.Uri);
      if (programmatic) throw err instanceof Error ? new Error(message) : new Error(message);
      if (!(err instanceof CancelledByUser)) void vscode.window.showErrorMessage(`Meta-CoT: ${message}`, 'Show Log').then((a) => a && this.services.log.show(true));
      return undefined;
    }
  }

  // ---------------------------------------------------------------- runs

  private async runOnSelection(args: RunArgs): Promise<RunSummary | { runId: string; uri: string } | undefined> {
    let problem: Problem | undefined;
    if (typeof args.problem === 'object') problem = args.problem;
    else if (typeof args.problem === 'string') problem = { text: args.problem };
    else {
      const editor = vscode.window.activeTextEditor;
      if (editor) {
        const sel = editor.selection;
        const range = sel.isEmpty ? editor.document.lineAt(sel.active.line).range : sel;
        const text = editor.document.getText(range).trim();
        if (text) {
          problem = {
            text,
            source: {
              file: vscode.workspace.asRelativePath(editor.document.uri, false),
              selection: { start: { line: range.start.line, character: range.start.character }, end: { line: range.end.line, character: range.end.character } },
            },
          };
        }
      }
      if (!problem) {
        const text = await vscode.window.showInputBox({
          title: 'Meta-CoT: Run Search',
          prompt: 'Problem to solve',
          placeHolder: 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.',
          ignoreFocusOut: true,
        });
        if (!text) throw new CancelledByUser();
        problem = { text };
      }
    }
    return this.startRun(problem, args);
  }

  private async runOnProblemFile(args: RunArgs & { file?: string; lines?: number[] }): Promise<(RunSummary | { runId: string; uri: string })[]> {
    let uri: vscode.Uri | undefined = args.file ? this.resolvePath(args.file) : undefined;
    if (!uri) {
      const ed = vscode.window.activeTextEditor;
      if (ed && /\.jsonl$/i.test(ed.document.uri.path)) uri = ed.document.uri;
      else {
        const files = await vscode.workspace.findFiles('**/*.jsonl', '**/node_modules/**', 500);
        const pick = await vscode.window.showQuickPick(
          files.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })),
          { title: 'Meta-CoT: Problem file (JSONL)', placeHolder: 'One problem per line: {"problem": "...", "answer": "..."}' },
        );
        if (!pick) throw new CancelledByUser();
        uri = pick.uri;
      }
    }
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const rows = text.split('\n').map((line, i) => ({ line: i + 1, raw: line.trim() })).filter((r) => r.raw);
    const parsed = rows.map((r) => ({ ...r, problem: problemFromJsonl(r.raw, r.line, vscode.workspace.asRelativePath(uri!, false)) }));
    let chosen = parsed;
    if (args.lines) chosen = parsed.filter((p) => args.lines!.includes(p.line));
    else {
      const picks = await vscode.window.showQuickPick(
        parsed.map((p) => ({ label: `${p.line}: ${oneLine(p.problem.text, 90)}`, description: p.problem.answer ? `answer ${p.problem.answer}` : '', p })),
        { canPickMany: true, title: `Meta-CoT: problems of ${vscode.workspace.asRelativePath(uri)}`, placeHolder: 'Pick the lines to search' },
      );
      if (!picks?.length) throw new CancelledByUser();
      chosen = picks.map((x) => x.p);
    }
    if (!chosen.length) throw new Error(`no problems selected in ${vscode.workspace.asRelativePath(uri)}`);
    // One after the other: each run already uses the endpoint's full concurrency.
    const out: (RunSummary | { runId: string; uri: string })[] = [];
    for (const c of chosen) out.push(await this.startRun(c.problem, { ...args, traceFile: undefined, open: args.open ?? chosen.length === 1 }));
    return out;
  }

  private async startRun(problem: Problem, args: RunArgs): Promise<RunSummary | { runId: string; uri: string }> {
    const defaults = readSearchDefaults(args.strategy);
    const endpoint = resolveEndpoint(args.endpoint);
    const uri = args.traceFile ? this.resolvePath(args.traceFile) : await this.newTraceUri(problem, defaults.tracesFolder);
    const opts: StartRunOptions = {
      problem,
      endpoint,
      strategy: defaults.strategy,
      params: { ...defaults.params, ...(args.params ?? {}) },
      budgets: { ...defaults.budgets, ...(args.budgets ?? {}) },
      verifier: args.verifier ?? defaults.verifier,
      uri,
    };
    const run = await this.services.runs.start(opts);
    if (args.open !== false) void SearchPanel.show(run.uri).catch((e) => this.services.log.warn(`panel: ${String(e)}`));
    if (args.wait === false) return { runId: run.id, uri: run.uri.toString() };
    return run.done;
  }

  private async rerunFromNode(a: unknown): Promise<RunSummary | { runId: string; uri: string } | undefined> {
    const args = obj<NodeArgs & RunArgs & { edit?: boolean }>(a);
    const { model, node } = await this.pickNode(a, 'Re-run from which node?');
    this.assertEditable(model.uri);
    if (this.services.runs.forUri(model.uri)) throw new Error('a search is already running on this trace; cancel it first');
    const state = model.current();
    if (!state.ok) throw state.error;
    const trace = state.trace;
    // "Same settings": the run that produced the node, else the latest run, else the settings.
    const origin = trace.runs.find((r) => r.id === node.runId) ?? trace.runs[trace.runs.length - 1];
    let strategy = args.strategy ?? (origin?.config.strategy as StrategyName | undefined);
    let params: Params | undefined = args.params ?? (origin && origin.config.strategy === strategy ? stripCommon(origin.config.params) : undefined);
    const interactive = !isProgrammatic(a);
    if (interactive && (args.edit || !args.strategy)) {
      const same = { label: '$(debug-restart) Same settings', description: strategy ? `${strategy} ${JSON.stringify(params ?? {})}` : 'settings defaults', edit: false };
      const edit = { label: '$(edit) Edit settings…', description: 'choose the strategy and parameters', edit: true };
      const choice = args.edit ? edit : await vscode.window.showQuickPick([same, edit], { title: `Re-run from ${node.id}: ${oneLine(node.text, 40)}` });
      if (!choice) throw new CancelledByUser();
      if (choice.edit) {
        const s = await vscode.window.showQuickPick(STRATEGIES.map((x) => ({ label: x, picked: x === strategy })), { title: 'Strategy' });
        if (!s) throw new CancelledByUser();
        strategy = s.label as StrategyName;
        const defaults = readSearchDefaults(strategy);
        const text = await vscode.window.showInputBox({
          title: `Parameters for ${strategy} (JSON)`,
          value: JSON.stringify(params && origin?.config.strategy === strategy ? params : defaults.params),
          validateInput: (v) => {
            try {
              const p = JSON.parse(v || '{}') as unknown;
              return typeof p === 'object' && p !== null && !Array.isArray(p) ? undefined : 'a JSON object, e.g. {"width": 4}';
            } catch (e) {
              return (e as Error).message;
            }
          },
        });
        if (text === undefined) throw new CancelledByUser();
        params = JSON.parse(text || '{}') as Params;
      }
    }
    const defaults = readSearchDefaults(strategy);
    // The endpoint: as given, else the one the trace used if it is still configured, else the default.
    let endpointSpec = args.endpoint;
    if (!endpointSpec && origin) {
      const name = origin.config.endpoint.name;
      try {
        resolveEndpoint(name);
        endpointSpec = name;
      } catch {
        endpointSpec = undefined;
      }
    }
    if (model.document.isDirty) await model.document.save();
    const run = await this.services.runs.start({
      problem: trace.problem,
      endpoint: resolveEndpoint(endpointSpec),
      strategy: defaults.strategy,
      params: { ...defaults.params, ...(params ?? {}) },
      budgets: { ...defaults.budgets, ...(origin && !args.budgets ? origin.config.budgets : {}), ...(args.budgets ?? {}) },
      verifier: args.verifier ?? (origin ? origin.config.verifier : defaults.verifier),
      uri: model.uri,
      base: { trace, startNodeId: node.id },
    });
    if (args.open ?? !args.quiet) void SearchPanel.show(run.uri, { nodeId: node.id }).catch((e) => this.services.log.warn(`panel: ${String(e)}`));
    if (args.wait === false) return { runId: run.id, uri: run.uri.toString() };
    return run.done;
  }

  private cancel(args: { runId?: string; uri?: string }): { cancelled: string[] } {
    let runs = this.services.runs.list();
    if (args.runId) runs = runs.filter((r) => r.id === args.runId);
    else if (args.uri) runs = runs.filter((r) => r.uri.toString() === vscode.Uri.parse(args.uri!).toString());
    for (const r of runs) r.cancel();
    if (!runs.length) this.services.log.info('cancel: no search is running');
    return { cancelled: runs.map((r) => r.id) };
  }

  // ---------------------------------------------------------------- node edits

  private async editNode(a: unknown): Promise<{ nodeId: string } | undefined> {
    const args = obj<NodeArgs & { text?: string; mode?: 'replace' | 'sibling' }>(a);
    const { model, node } = await this.pickNode(a, 'Edit which node?');
    this.assertEditable(model.uri);
    let text = args.text;
    let mode = args.mode;
    if (text === undefined) {
      text = await vscode.window.showInputBox({ title: `Edit ${node.id}`, value: node.text, prompt: 'New text of the step (the original is kept)', ignoreFocusOut: true });
      if (text === undefined) throw new CancelledByUser();
    }
    if (!mode) {
      if (node.kind === 'root' || isProgrammatic(a)) mode = 'replace';
      else {
        const pick = await vscode.window.showQuickPick(
          [
            { label: 'Replace the text', description: 'keeps the model text as originalText', mode: 'replace' as const },
            { label: 'Save as a sibling', description: 'adds a human-written alternative, the original branch stays', mode: 'sibling' as const },
          ],
          { title: `Edit ${node.id}` },
        );
        if (!pick) throw new CancelledByUser();
        mode = pick.mode;
      }
    }
    const finalText = text;
    const save = args.save ?? !this.shownInEditor(model.uri);
    if (mode === 'sibling') {
      if (node.parentId === null) throw new Error('the root has no siblings; edit it in place');
      const id = await model.mutate((tree) => {
        const sib = tree.addChild(node.parentId!, { kind: node.kind === 'answer' ? 'answer' : 'step', text: finalText, author: 'human', meta: { siblingOf: node.id } });
        tree.logEvent({ type: 'edit', node: sib.id, data: { siblingOf: node.id } });
        return sib.id;
      }, { save });
      this.services.selection.select({ uri: model.uri, nodeId: id, source: 'command' });
      return { nodeId: id };
    }
    await model.mutate((tree) => tree.editText(node.id, finalText), { save });
    return { nodeId: node.id };
  }

  private async pruneBranch(a: unknown): Promise<{ pruned: string[] }> {
    const args = obj<NodeArgs & { reason?: string }>(a);
    const { model, node } = await this.pickNode(a, 'Prune which branch?', (n) => n.kind !== 'root' && n.status !== 'pruned');
    this.assertEditable(model.uri);
    if (node.kind === 'root') throw new Error('the root cannot be pruned');
    let reason = args.reason;
    if (reason === undefined && !isProgrammatic(a)) {
      reason = await vscode.window.showInputBox({ title: `Prune ${node.id} and its subtree`, prompt: 'Why (optional)', value: '' });
      if (reason === undefined) throw new CancelledByUser();
    }
    const ids = await model.mutate((tree) => tree.prune(node.id, { reason: reason || 'pruned by hand', by: 'human' }).map((n) => n.id), {
      save: args.save ?? !this.shownInEditor(model.uri),
    });
    return { pruned: ids };
  }

  private async markNode(a: unknown, label: 'correct' | 'incorrect' | null): Promise<{ nodeId: string; label: string | null }> {
    const args = obj<NodeArgs>(a);
    const { model, node } = await this.pickNode(a, `Mark which node ${label ?? 'unlabeled'}?`);
    this.assertEditable(model.uri);
    await model.mutate(
      (tree) => {
        tree.update(node.id, { label: label ?? undefined });
        tree.logEvent({ type: 'label', node: node.id, data: { label } });
      },
      { save: args.save ?? !this.shownInEditor(model.uri) },
    );
    return { nodeId: node.id, label };
  }

  // ---------------------------------------------------------------- opening

  private async openTrace(a: unknown): Promise<{ uri: string } | undefined> {
    const args = obj<{ uri?: string | vscode.Uri; preview?: boolean }>(a);
    let uri = args.uri ? toUri(args.uri) : a instanceof vscode.Uri ? a : undefined;
    if (!uri) {
      const files = await vscode.workspace.findFiles(`**/*${TRACE_FILE_SUFFIX}`, '**/node_modules/**', 2000);
      const browse = { label: '$(folder-opened) Browse…', uri: undefined as vscode.Uri | undefined };
      const pick = await vscode.window.showQuickPick([...files.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f as vscode.Uri | undefined })), browse], {
        title: 'Meta-CoT: Open Trace',
      });
      if (!pick) throw new CancelledByUser();
      uri = pick.uri;
      if (!uri) {
        const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Meta-CoT traces': ['metacot.json', 'json'] } });
        if (!chosen?.[0]) throw new CancelledByUser();
        uri = chosen[0];
      }
    }
    await vscode.commands.executeCommand('vscode.openWith', uri, TraceEditorProvider.viewType, { preview: args.preview ?? false });
    this.services.active.uri = uri;
    return { uri: uri.toString() };
  }

  private async openAsText(a: unknown): Promise<{ uri: string }> {
    const args = obj<{ uri?: string | vscode.Uri; nodeId?: string }>(a);
    const uri = args.uri ? toUri(args.uri) : a instanceof vscode.Uri ? a : (this.services.active.uri ?? (await this.pickTraceUri()));
    await vscode.commands.executeCommand('vscode.openWith', uri, 'default');
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    if (editor && args.nodeId) {
      // Deterministic serialization: a node object starts with its id line.
      const idx = editor.document.getText().indexOf(`"id": ${JSON.stringify(args.nodeId)},`);
      if (idx >= 0) {
        const pos = editor.document.positionAt(idx);
        editor.selection = new vscode.Selection(pos, pos);
        editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenter);
      }
    }
    return { uri: uri.toString() };
  }

  private async openInTraceEditor(a: unknown): Promise<{ uri: string }> {
    const args = obj<{ uri?: string | vscode.Uri }>(a);
    const uri = args.uri ? toUri(args.uri) : a instanceof vscode.Uri ? a : vscode.window.activeTextEditor?.document.uri;
    if (!uri) throw new Error('no trace file is active');
    await vscode.commands.executeCommand('vscode.openWith', uri, TraceEditorProvider.viewType);
    return { uri: uri.toString() };
  }

  private async revealInPanel(a: unknown): Promise<{ uri: string; nodeId?: string }> {
    const args = obj<{ uri?: string | vscode.Uri; nodeId?: string }>(a);
    let uri: vscode.Uri;
    let nodeId = args.nodeId;
    if (isTreeElement(a) && a.kind === 'node') {
      uri = a.uri;
      nodeId = a.nodeId;
    } else if (isTreeElement(a) && a.kind === 'file') uri = a.uri;
    else uri = args.uri ? toUri(args.uri) : (this.services.active.uri ?? (await this.pickTraceUri()));
    const editors = TraceEditorProvider.hostsFor(uri);
    if (editors.length === 0) await SearchPanel.show(uri, { preserveFocus: false });
    if (nodeId) this.services.selection.select({ uri, nodeId, source: 'command' });
    return { uri: uri.toString(), ...(nodeId ? { nodeId } : {}) };
  }

  private async export(a: unknown): Promise<unknown> {
    const args = obj<ExportArgs>(a);
    const uri = isTreeElement(a) ? a.uri : args.uri ? toUri(args.uri) : (this.services.active.uri ?? (await this.pickTraceUri()));
    const nodeId = isTreeElement(a) && a.kind === 'node' ? a.nodeId : args.nodeId;
    const model = await this.services.models.open(uri);
    const state = model.current();
    if (!state.ok) throw state.error;
    return exportTrace(this.services, uri, state.trace, { ...args, nodeId }, isProgrammatic(a));
  }

  // ---------------------------------------------------------------- helpers

  /** Refuses edits in Restricted Mode and on read-only file systems (the panel already shows why). */
  private assertEditable(uri: vscode.Uri): void {
    if (!isTrusted()) throw new Error('Restricted Mode: traces are read-only until you trust this workspace.');
    if (vscode.workspace.fs.isWritableFileSystem(uri.scheme) === false) throw new Error(`${uri.scheme}: file system is read-only`);
    if (this.services.runs.forUri(uri)) throw new Error('a search is running on this trace; cancel it or wait for it to finish');
  }

  private shownInEditor(uri: vscode.Uri): boolean {
    const key = uri.toString();
    return vscode.window.tabGroups.all.some((g) =>
      g.tabs.some((t) => (t.input instanceof vscode.TabInputCustom || t.input instanceof vscode.TabInputText) && t.input.uri.toString() === key),
    );
  }

  private resolvePath(p: string): vscode.Uri {
    if (/^[a-z][a-z0-9+.-]+:/i.test(p) && !/^[a-z]:[\\/]/i.test(p)) return vscode.Uri.parse(p);
    if (p.startsWith('/')) return vscode.Uri.file(p);
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) throw new Error(`a relative path (${p}) needs an open folder`);
    return vscode.Uri.joinPath(folder.uri, p);
  }

  async newTraceUri(problem: Problem, folder: string): Promise<vscode.Uri> {
    const root = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.joinPath(this.services.context.globalStorageUri, 'traces');
    // Keep traces inside the workspace even if the setting tries to climb out of it.
    const safe = folder.replace(/\\/g, '/').split('/').filter((s) => s && s !== '.' && s !== '..');
    const dir = vscode.Uri.joinPath(root, ...safe);
    await vscode.workspace.fs.createDirectory(dir);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
    const slug = problem.text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'problem';
    for (let i = 0; ; i++) {
      const uri = vscode.Uri.joinPath(dir, `${stamp}-${slug}${i ? `-${i}` : ''}${TRACE_FILE_SUFFIX}`);
      try {
        await vscode.workspace.fs.stat(uri);
      } catch {
        return uri;
      }
    }
  }

  private async pickTraceUri(): Promise<vscode.Uri> {
    const ed = vscode.window.activeTextEditor;
    if (ed && ed.document.uri.path.endsWith(TRACE_FILE_SUFFIX)) return ed.document.uri;
    const files = await vscode.workspace.findFiles(`**/*${TRACE_FILE_SUFFIX}`, '**/node_modules/**', 2000);
    if (files.length === 1) return files[0]!;
    const pick = await vscode.window.showQuickPick(
      files.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })),
      { title: 'Meta-CoT: which trace?' },
    );
    if (!pick) throw new CancelledByUser();
    return pick.uri;
  }

  /** Resolves the trace and node a command works on: explicit ids, a tree element, or quick picks. */
  private async pickNode(a: unknown, title: string, filter: (n: TraceNode) => boolean = () => true) {
    let uri: vscode.Uri | undefined;
    let nodeId: string | undefined;
    if (isTreeElement(a) && a.kind === 'node') {
      uri = a.uri;
      nodeId = a.nodeId;
    } else {
      const args = obj<NodeArgs>(a);
      if (args.uri) uri = toUri(args.uri);
      nodeId = args.nodeId;
    }
    if (!uri) {
      const sel = this.services.selection.current;
      uri = this.services.active.uri ?? sel?.uri ?? (await this.pickTraceUri());
    }
    const model = await this.services.models.open(uri);
    const state = model.current();
    if (!state.ok) throw state.error;
    const trace: Trace = state.trace;
    if (!nodeId) {
      if (isProgrammatic(a)) throw new Error('nodeId is required');
      const selected = this.services.selection.current;
      const items = trace.nodes.filter(filter).map((n) => ({
        label: `${n.id}  ${oneLine(n.text, 70)}`,
        description: [n.kind, n.status, describeNode(n)].filter(Boolean).join(' · '),
        nodeId: n.id,
        picked: false,
      }));
      const active = items.find((i) => selected && selected.uri.toString() === uri!.toString() && i.nodeId === selected.nodeId);
      const qp = vscode.window.createQuickPick<(typeof items)[number]>();
      qp.title = title;
      qp.placeholder = 'Type to filter by id or text';
      qp.matchOnDescription = true;
      qp.items = items;
      if (active) qp.activeItems = [active];
      nodeId = await new Promise<string | undefined>((resolve) => {
        qp.onDidAccept(() => resolve(qp.selectedItems[0]?.nodeId ?? qp.activeItems[0]?.nodeId));
        qp.onDidHide(() => resolve(undefined));
        qp.show();
      });
      qp.dispose();
      if (!nodeId) throw new CancelledByUser();
    }
    const node = trace.nodes.find((n) => n.id === nodeId);
    if (!node) throw new Error(`no node "${nodeId}" in ${vscode.workspace.asRelativePath(uri)}`);
    return { model, node };
  }
}

function obj<T>(a: unknown): T {
  return (typeof a === 'object' && a !== null && !isTreeElement(a) && !(a instanceof vscode.Uri) ? a : {}) as T;
}

function isTreeElement(a: unknown): a is TraceTreeElement & { uri: vscode.Uri } {
  return typeof a === 'object' && a !== null && 'kind' in a && (a as { uri?: unknown }).uri instanceof vscode.Uri;
}

/** Called with an argument object (tests, panel, other extensions) rather than from the palette or a menu. */
function isProgrammatic(a: unknown): boolean {
  return typeof a === 'object' && a !== null && !isTreeElement(a) && !(a instanceof vscode.Uri);
}

function toUri(u: string | vscode.Uri): vscode.Uri {
  return typeof u === 'string' ? (/^[a-z][a-z0-9+.-]+:/i.test(u) ? vscode.Uri.parse(u) : vscode.Uri.file(u)) : u;
}

const COMMON = new Set(['concurrency', 'seed', 'temperature', 'maxTokens', 'maxErrors', 'prior', 'priceIn', 'priceOut']);
/** A run's saved params include the engine's common ones with their defaults; "same settings" re-sends only the strategy's. */
function stripCommon(p: Params): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(p)) if (!COMMON.has(k) || k === 'seed') out[k] = v;
  return out;
}

/** One JSONL line → a problem. Accepts the usual field names of public sets (GSM8K, MATH, Countdown). */
export function problemFromJsonl(raw: string, line: number, file: string): Problem {
  let row: Record<string, unknown>;
  try {
    row = JSON.parse(raw) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}:${line}: not JSON (${(e as Error).message})`);
  }
  let text = [row.problem, row.question, row.prompt, row.text, row.input].find((v) => typeof v === 'string') as string | undefined;
  const meta = typeof row.meta === 'object' && row.meta !== null && !Array.isArray(row.meta) ? (row.meta as Record<string, unknown>) : {};
  const numbers = [row.numbers, row.nums, meta.numbers].find((v) => Array.isArray(v) && v.every((x) => typeof x === 'number')) as number[] | undefined;
  const target = [row.target, meta.target].find((v) => typeof v === 'number') as number | undefined;
  if (!text && numbers && target !== undefined) text = `Use the numbers ${numbers.join(', ')} to reach ${target}. Use + - * / and each number at most once.`;
  if (!text) throw new Error(`${file}:${line}: no "problem", "question" or "prompt" field`);
  const problem: Problem = { text, source: { file, line } };
  // A reference answer only (a Countdown "solution" is a worked example, not the answer to compare with).
  const answer = row.answer ?? row.final_answer;
  if (typeof answer === 'string' || typeof answer === 'number') problem.answer = String(answer);
  if (typeof row.id === 'string' || typeof row.id === 'number') problem.id = String(row.id);
  if (numbers && target !== undefined) problem.meta = { numbers, target };
  return problem;
}
