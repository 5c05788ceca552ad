/** Open Trace, Open as Text, Open in Trace Editor, Reveal in Search Panel, Export. */
import * as vscode from 'vscode';
import type { z } from 'zod';
import { TRACE_FILE_SUFFIX } from '../core/trace/io';
import { CancelledByUser } from './services';
import { TraceEditorProvider } from './traceEditor';
import { SearchPanel } from './searchPanel';
import { openTextAtNode } from './openAtNode';
import type { ExportArgs, Invocation, OpenArgsSchema } from './commandArgs';
import { ExportFormatSchema } from './commandArgs';
import type { CommandContext } from './commandPickers';
import { pickTraceUri } from './commandPickers';
import { defaultExportUri, pickExportFormat } from './exportCommand';
import type { ExportResult } from './traceActions';

type OpenArgs = z.output<typeof OpenArgsSchema>;

export async function openTrace(ctx: CommandContext, inv: Invocation<OpenArgs>): Promise<{ uri: string }> {
  let uri = inv.target.uri;
  if (!uri) {
    if (!inv.interactive) throw new Error('uri is required');
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
  await openTraceUri(ctx, uri, inv.args.preview ?? false);
  ctx.services.active.uri = uri;
  return { uri: uri.toString() };
}

/**
 * The trace editor for a file under the big-file threshold; above it the file-backed panel, in place (VS Code would
 * first read the file into a TextDocument, ~0.1 s a MB, and refuses one over 50 MB; see bigTrace.ts).
 */
async function openTraceUri(ctx: CommandContext, uri: vscode.Uri, preview: boolean): Promise<void> {
  if (ctx.services.models.isFileBacked(uri)) await SearchPanel.show(uri, { preserveFocus: false, inPlace: true });
  else await vscode.commands.executeCommand('vscode.openWith', uri, TraceEditorProvider.viewType, { preview });
}

export async function openAsText(ctx: CommandContext, inv: Invocation<OpenArgs>): Promise<{ uri: string; line?: number }> {
  const uri = inv.target.uri ?? (await pickTraceUri(ctx.services, inv.interactive));
  const { uri: opened, line } = await openTextAtNode(uri, inv.target.nodeId);
  return { uri: opened, ...(line !== undefined ? { line } : {}) };
}

export async function openInTraceEditor(ctx: CommandContext, inv: Invocation<OpenArgs>): Promise<{ uri: string }> {
  const uri = inv.target.uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!uri) throw new Error('no trace file is active');
  await openTraceUri(ctx, uri, false);
  return { uri: uri.toString() };
}

/** A node, a file or a running search of the Traces view, or `{ uri, nodeId }`: shown in the search panel. */
export async function revealInPanel(ctx: CommandContext, inv: Invocation<OpenArgs>): Promise<{ uri: string; nodeId?: string }> {
  const { services } = ctx;
  const runUri = inv.target.runId ? services.runs.get(inv.target.runId)?.uri : undefined;
  const uri = inv.target.uri ?? runUri ?? (await pickTraceUri(services, inv.interactive));
  const nodeId = inv.target.nodeId;
  if (TraceEditorProvider.hostsFor(uri).length === 0) await SearchPanel.show(uri, { preserveFocus: false });
  if (nodeId) services.selection.select({ uri, nodeId, source: 'command' });
  return { uri: uri.toString(), ...(nodeId ? { nodeId } : {}) };
}

export async function exportCommand(ctx: CommandContext, inv: Invocation<ExportArgs>): Promise<ExportResult> {
  const { args } = inv;
  const uri = inv.target.uri ?? (await pickTraceUri(ctx.services, inv.interactive));
  let format = args.format;
  let style = args.style ?? 'appendix-e';
  if (!format) {
    if (!inv.interactive) throw new Error(`format is required (one of ${ExportFormatSchema.options.join(', ')})`);
    ({ format, style } = await pickExportFormat());
  }
  const spec = { format, style, ...(inv.target.nodeId ? { nodeId: inv.target.nodeId } : {}) };
  let output = args.output;
  if (!output && inv.interactive) {
    output = await vscode.window.showSaveDialog({ defaultUri: defaultExportUri(uri, spec), title: 'Meta-CoT: Export to' });
    if (!output) throw new CancelledByUser();
  }
  const result = await ctx.actions.exportTrace(uri, spec, output);
  if (inv.interactive) {
    const out = vscode.Uri.parse(result.output);
    void vscode.window.showInformationMessage(`Meta-CoT: exported to ${vscode.workspace.asRelativePath(out)}`, 'Open').then((a) => a && vscode.window.showTextDocument(out));
  }
  return result;
}
