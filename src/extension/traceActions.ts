/**
 * Every action on a trace — edit a step or add a human sibling, prune, label, re-run from a node, cancel, open as
 * text, export — with fully specified arguments and typed results. The palette commands (after asking a person for
 * what is missing) and the panel host (for its typed requests) both call these; nothing goes through
 * `executeCommand` between our own modules. Whether a trace may be edited is decided here, once.
 */
import * as vscode from 'vscode';
import type { Budgets, Params, StrategyName, Trace, TraceNode, VerifierConfig } from '../core/trace/schema';
import { planRerun, type RerunPlan } from '../core/run';
import { pruneBlocker, pruneByHand, unprune, unpruneBlocker } from '../core/trace/humanPrune';
import { traceVerifierConcern } from '../core/run/rerunVerifier';
import type { PanelResult } from '../protocol/panelRequests';
import type { Services } from './services';
import { CancelledByUser } from './services';
import type { TraceDocumentModel } from './traceModel';
import type { LiveRun, RunSummary } from './searchRunner';
import { embeddedModelIds } from '../core/embedded/embeddedNames';
import type { EndpointSetting, ResolvedEndpoint } from './settings';
import { isTrusted, readSearchDefaults, resolveEndpoint } from './settings';
import type { ExportSpec } from './exportCommand';
import { defaultExportUri, renderExport } from './exportCommand';

/**
 * The endpoint with another model id for one run; the embedded endpoint serves its own models only (the step policy
 * and the reasoners), so it refuses any other.
 */
function withModel(endpoint: ResolvedEndpoint, model: string | undefined): ResolvedEndpoint {
  if (model === undefined || model === endpoint.setting.model) return endpoint;
  if (endpoint.origin === 'embedded') {
    if (embeddedModelIds().includes(model)) return { ...endpoint, setting: { ...endpoint.setting, model } };
    throw new Error(`the ${endpoint.setting.name} endpoint serves its own models (${embeddedModelIds().join(', ')}); pick another endpoint to run "${model}"`);
  }
  return { ...endpoint, setting: { ...endpoint.setting, model } };
}

/** When a mutation writes the file: `true` saves at once, `false` leaves the document dirty. */
export interface SaveOption {
  save?: boolean;
}

/** What a re-run may override; the rest is "same settings" (the origin run) or the settings defaults. */
export interface RerunChoice {
  strategy?: StrategyName;
  params?: Params;
  budgets?: Budgets;
  verifier?: VerifierConfig;
  endpoint?: string | EndpointSetting;
  /** Model id sent to the endpoint instead of its configured one, for this run (its address and key stay). */
  model?: string;
  /**
   * Asked (a person, modal) when the trace's verifier names a URL or an environment variable that the
   * `metacot.verifier` setting does not: 'trace' uses it, 'settings' uses the setting's, undefined cancels. Without
   * it (API calls, panel requests) such a re-run is refused unless `verifier` is passed.
   */
  confirmTraceVerifier?: (concern: string) => Promise<'trace' | 'settings' | undefined>;
}

/** What "same settings" means for a re-run from a node, for a person to see before choosing it. */
export interface RerunPreview {
  plan: RerunPlan | undefined;
  /** The endpoint the re-run would use (the origin run's when still configured, else the default), or why none. */
  endpoint: ResolvedEndpoint | { error: string };
  /** The verifier the re-run would use without a choice: the origin run's, else the settings'. */
  verifier: VerifierConfig | 'auto';
  /** Set when using the trace's verifier needs a person's confirmation: what it would do. */
  verifierConcern?: string;
}

export type RerunStarted = PanelResult<'rerunFromNode'> & { run: LiveRun; done: Promise<RunSummary> };
export type ExportResult = PanelResult<'exportTrace'> & { format: string };

export class TraceActions {
  constructor(private readonly services: Services) {}

  /** Why the trace cannot be edited now (Restricted Mode, a read-only file system, a running search), if so. */
  editBlocker(uri: vscode.Uri): string | undefined {
    if (!isTrusted()) return 'Restricted Mode: traces are read-only until you trust this workspace.';
    if (vscode.workspace.fs.isWritableFileSystem(uri.scheme) === false) return `The ${uri.scheme}: file system is read-only.`;
    if (this.services.runs.forUri(uri)) return 'A search is running on this trace; cancel it or wait for it to finish.';
    return undefined;
  }

  assertEditable(uri: vscode.Uri): void {
    const reason = this.editBlocker(uri);
    if (reason) throw new Error(reason);
  }

  /** The trace's model and parsed content; an invalid file throws its parse error. */
  async load(uri: vscode.Uri): Promise<{ model: TraceDocumentModel; trace: Trace }> {
    const model = await this.services.models.open(uri);
    // A big file parses in steps (the extension host keeps serving meanwhile); a document's text at once.
    const state = await model.load();
    if (!state.ok) throw state.error;
    return { model, trace: state.trace };
  }

  /** A node of the trace, or an error naming the file. */
  findNode(uri: vscode.Uri, trace: Trace, nodeId: string): TraceNode {
    const node = trace.nodes.find((n) => n.id === nodeId);
    if (!node) throw new Error(`no node "${nodeId}" in ${vscode.workspace.asRelativePath(uri)}`);
    return node;
  }

  /** `replace` rewrites the text (the model's kept as originalText); `sibling` adds a human alternative beside it. */
  async editNode(uri: vscode.Uri, nodeId: string, text: string, mode: 'replace' | 'sibling', opts: SaveOption = {}): Promise<PanelResult<'editNode'>> {
    this.assertEditable(uri);
    const { model, trace } = await this.load(uri);
    const node = this.findNode(uri, trace, nodeId);
    const save = this.saveFor(uri, opts);
    if (mode === 'sibling') {
      const parentId = node.parentId;
      if (parentId === null) throw new Error('the root has no siblings; edit it in place');
      const id = await model.mutate((tree) => {
        const sib = tree.addChild(parentId, { kind: node.kind === 'answer' ? 'answer' : 'step', text, author: 'human', meta: { siblingOf: node.id } });
        tree.logEvent({ type: 'edit', node: sib.id, data: { siblingOf: node.id } });
        return sib.id;
      }, { save });
      // Panels and the tree select the new alternative.
      this.services.selection.select({ uri, nodeId: id, source: 'command' });
      return { nodeId: id, message: `added ${id} beside ${node.id}` };
    }
    await model.mutate((tree) => tree.editText(node.id, text), { save });
    return { nodeId: node.id, message: `edited ${node.id}` };
  }

  /**
   * Terminates an attempt (paper §3.3): the node and its subtree are marked pruned by a human, each with the status
   * it had, so unpruneNode can undo it. Nodes already pruned keep their own prune.
   */
  async pruneNode(uri: vscode.Uri, nodeId: string, reason: string | undefined, opts: SaveOption = {}): Promise<PanelResult<'pruneNode'>> {
    this.assertEditable(uri);
    const { model, trace } = await this.load(uri);
    const node = this.findNode(uri, trace, nodeId);
    const why = pruneBlocker(node);
    if (why) throw new Error(why);
    const pruned = await model.mutate((tree) => pruneByHand(tree, node.id, reason || 'pruned by hand').map((n) => n.id), {
      save: this.saveFor(uri, opts),
    });
    return { pruned, message: `pruned ${pruned.length} node${pruned.length === 1 ? '' : 's'} from ${node.id}` };
  }

  /** Undoes a person's prune: the node and the nodes pruned with it get their earlier status back. */
  async unpruneNode(uri: vscode.Uri, nodeId: string, opts: SaveOption = {}): Promise<PanelResult<'unpruneNode'>> {
    this.assertEditable(uri);
    const { model, trace } = await this.load(uri);
    const node = this.findNode(uri, trace, nodeId);
    const why = unpruneBlocker(node);
    if (why) throw new Error(`cannot un-prune: ${why}`);
    const restored = await model.mutate((tree) => unprune(tree, node.id).map((n) => n.id), { save: this.saveFor(uri, opts) });
    return { restored, message: `un-pruned ${restored.length} node${restored.length === 1 ? '' : 's'} from ${node.id}, each back to its earlier status` };
  }

  /** Human label; null clears it. */
  async markNode(uri: vscode.Uri, nodeId: string, label: 'correct' | 'incorrect' | null, opts: SaveOption = {}): Promise<PanelResult<'markNode'>> {
    this.assertEditable(uri);
    const { model, trace } = await this.load(uri);
    const node = this.findNode(uri, trace, nodeId);
    await model.mutate(
      (tree) => {
        tree.update(node.id, { label: label ?? undefined });
        tree.logEvent({ type: 'label', node: node.id, data: { label } });
      },
      { save: this.saveFor(uri, opts) },
    );
    return { nodeId: node.id, label, message: label ? `marked ${node.id} ${label}` : `cleared the label of ${node.id}` };
  }

  /**
   * Resets to an earlier state (paper §3.3): a new search from the node, in the same file. What the choice leaves
   * out is "same settings" (the core's re-run plan), else the settings. Resolves once the run has started.
   */
  async rerunFromNode(uri: vscode.Uri, nodeId: string, choice: RerunChoice = {}): Promise<RerunStarted> {
    this.assertEditable(uri);
    const { model, trace } = await this.load(uri);
    const node = this.findNode(uri, trace, nodeId);
    const plan = trace.runs.length ? planRerun(trace, node.id) : undefined;
    const strategy = choice.strategy ?? plan?.strategy;
    const defaults = readSearchDefaults(strategy);
    const params = choice.params ?? (plan && plan.strategy === defaults.strategy ? plan.params : {});
    // Before anything is saved or started: a refused verifier leaves the file and every server untouched.
    const verifier = await this.rerunVerifier(choice, plan, defaults.verifier);
    const endpoint = withModel(resolveEndpoint(choice.endpoint ?? this.stillConfigured(plan?.endpointName)), choice.model);
    if (model.document.isDirty) await model.document.save();
    const run = await this.services.runs.start({
      problem: trace.problem,
      endpoint,
      strategy: defaults.strategy,
      params: { ...defaults.params, ...params },
      budgets: { ...defaults.budgets, ...(choice.budgets ? {} : plan?.budgets), ...choice.budgets },
      verifier,
      uri,
      base: { trace, startNodeId: node.id },
    });
    return { runId: run.id, startNodeId: node.id, message: `run ${run.id} (${defaults.strategy}) started from ${node.id}`, run, done: run.done };
  }

  /** "Same settings" of a re-run from a node, as rerunFromNode would apply them without a choice. */
  previewRerun(trace: Trace, nodeId: string): RerunPreview {
    const plan = trace.runs.length ? planRerun(trace, nodeId) : undefined;
    const setting = readSearchDefaults(plan?.strategy).verifier;
    let endpoint: RerunPreview['endpoint'];
    try {
      endpoint = resolveEndpoint(this.stillConfigured(plan?.endpointName));
    } catch (e) {
      endpoint = { error: (e as Error).message };
    }
    const verifierConcern = traceVerifierConcern(plan?.verifier, setting);
    return { plan, endpoint, verifier: plan?.verifier ?? setting, ...(verifierConcern ? { verifierConcern } : {}) };
  }

  /**
   * The origin run's verifier is part of "same settings", but a trace is a file anyone can send: a verifier naming a
   * URL or an environment variable the setting does not name is used only once a person confirms it, or when the
   * caller passes a verifier itself; otherwise the re-run is refused with the URL named.
   */
  private async rerunVerifier(choice: RerunChoice, plan: RerunPlan | undefined, setting: VerifierConfig | 'auto'): Promise<VerifierConfig | 'auto'> {
    if (choice.verifier) return choice.verifier;
    if (!plan?.verifier) return setting;
    const concern = traceVerifierConcern(plan.verifier, setting);
    if (!concern) return plan.verifier;
    if (!choice.confirmTraceVerifier) {
      throw new Error(
        `Re-run refused: ${concern}. Pass a verifier with the request (e.g. {"kind": "countdown"}), set metacot.verifier to this one, or re-run from the Command Palette, which shows it and asks.`,
      );
    }
    const answer = await choice.confirmTraceVerifier(concern);
    if (answer === 'trace') {
      this.services.log.info(`re-run: using the trace's verifier after confirmation (${concern})`);
      return plan.verifier;
    }
    if (answer === 'settings') return setting;
    throw new CancelledByUser();
  }

  /** Cancels one run, every run of one trace, or every run. */
  cancel(target: { runId?: string; uri?: vscode.Uri }): PanelResult<'cancelRun'> {
    let runs = this.services.runs.list();
    if (target.runId) runs = runs.filter((r) => r.id === target.runId);
    if (target.uri) runs = runs.filter((r) => r.uri.toString() === target.uri!.toString());
    for (const r of runs) r.cancel();
    const cancelled = runs.map((r) => r.id);
    if (!cancelled.length) this.services.log.info('cancel: no search is running');
    return { cancelled, message: cancelled.length ? `cancelled ${cancelled.join(', ')}` : 'no search is running' };
  }

  /** The trace file in VS Code's text editor, at the node's object when given. */
  async openAsText(uri: vscode.Uri, nodeId?: string): Promise<PanelResult<'openAsText'>> {
    await vscode.commands.executeCommand('vscode.openWith', uri, 'default');
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    if (editor && nodeId) {
      // Deterministic serialization: a node object starts with its id line.
      const idx = editor.document.getText().indexOf(`"id": ${JSON.stringify(nodeId)},`);
      if (idx >= 0) {
        const pos = editor.document.positionAt(idx);
        editor.selection = new vscode.Selection(pos, pos);
        editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenter);
      }
    }
    return { uri: uri.toString(), message: `opened ${vscode.workspace.asRelativePath(uri)} as text` };
  }

  /** Writes an export of the trace to `output` (default: beside the trace). */
  async exportTrace(uri: vscode.Uri, spec: ExportSpec, output?: vscode.Uri): Promise<ExportResult> {
    const { trace } = await this.load(uri);
    if (spec.nodeId) this.findNode(uri, trace, spec.nodeId);
    const text = await renderExport(trace, spec);
    const out = output ?? defaultExportUri(uri, spec);
    const bytes = new TextEncoder().encode(text);
    await vscode.workspace.fs.writeFile(out, bytes);
    const format = spec.format === 'linearized' ? spec.style : spec.format;
    const where = vscode.workspace.asRelativePath(out);
    this.services.log.info(`exported ${vscode.workspace.asRelativePath(uri)} as ${format} to ${where}`);
    return { output: out.toString(), format, bytes: bytes.length, message: `exported ${format} to ${where}` };
  }

  /** Default save: at once unless an editor tab shows the file (there the document stays dirty, as VS Code does). */
  private saveFor(uri: vscode.Uri, opts: SaveOption): boolean {
    if (opts.save !== undefined) return opts.save;
    const key = uri.toString();
    return !vscode.window.tabGroups.all.some((g) =>
      g.tabs.some((t) => (t.input instanceof vscode.TabInputCustom || t.input instanceof vscode.TabInputText) && t.input.uri.toString() === key),
    );
  }

  /** The origin run's endpoint when it is still configured (a renamed or removed one falls back to the default). */
  private stillConfigured(name: string | undefined): string | undefined {
    if (!name) return undefined;
    try {
      resolveEndpoint(name);
      return name;
    } catch {
      return undefined;
    }
  }
}
