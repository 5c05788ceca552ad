/**
 * Import: a long chain of thought (R1-style `<think>` text) or a Stream-of-Search Countdown text becomes a trace file
 * (importers from the data engineer's core, src/core/trace/import). The text comes from the argument, a file, the
 * selection or the active editor; the new trace opens in the trace editor.
 */
import * as vscode from 'vscode';
import type { Problem, Trace } from '../core/trace/schema';
import type { Services } from './services';
import { CancelledByUser } from './services';
import type { ImportArgs, Invocation } from './commandArgs';

export interface ImportResult {
  uri: string;
  kind: 'long-cot' | 'sos';
  nodes: number;
  issues: string[];
}

/** A long CoT needs its problem, asked only of a person (an API call gets an error). */
export async function importTrace(services: Services, inv: Invocation<ImportArgs>, newTraceUri: (problem: Problem) => Promise<vscode.Uri>): Promise<ImportResult> {
  const { args } = inv;
  let text = args.text;
  let source: string | undefined;
  // The editor's context menu passes its file: the selection in it is what the person meant, not the whole file.
  const ed = vscode.window.activeTextEditor;
  const menuOnSelection = ed && !ed.selection.isEmpty && inv.target.uri?.toString() === ed.document.uri.toString();
  const file = args.file ?? (menuOnSelection ? undefined : inv.target.uri);
  if (text === undefined && file) {
    const uri = file;
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    source = vscode.workspace.asRelativePath(uri, false);
  }
  if (text === undefined) {
    if (!ed) throw new Error('nothing to import: select text in an editor or pass { text } / { file }');
    text = ed.selection.isEmpty ? ed.document.getText() : ed.document.getText(ed.selection);
    source = vscode.workspace.asRelativePath(ed.document.uri, false);
  }
  if (!text.trim()) throw new Error('nothing to import: the text is empty');
  let kind = args.kind ?? 'auto';
  if (kind === 'auto') kind = /^Current State: /m.test(text) ? 'sos' : 'long-cot';

  let trace: Trace;
  const issues: string[] = [];
  if (kind === 'sos') {
    const { importSos } = await import('../core/trace/import/streamOfSearch');
    const r = importSos(text, args.problem ? { problem: { text: args.problem } } : {});
    trace = r.tree.toJSON();
    for (const i of r.issues) issues.push(`${i.line !== undefined ? `line ${i.line}: ` : ''}${i.message}`);
  } else {
    let problemText = args.problem;
    if (problemText === undefined) {
      if (!inv.interactive) throw new Error('importing a long chain of thought needs { problem }');
      problemText = await vscode.window.showInputBox({ title: 'Meta-CoT: Import — the problem this chain of thought answers', ignoreFocusOut: true });
      if (!problemText) throw new CancelledByUser();
    }
    const problem: Problem = { text: problemText, ...(args.answer ? { answer: args.answer } : {}), ...(source ? { source: { file: source } } : {}) };
    const { importLongCot } = await import('../core/trace/import/longCot');
    const r = importLongCot(problem, text);
    trace = r.tree.toJSON();
    for (const inc of r.inconsistencies) issues.push(`node ${inc.nodeId} states ${inc.answer} but the final answer is ${inc.finalAnswer}`);
  }
  const out = args.output ?? (await newTraceUri(trace.problem));
  const { serializeTrace } = await import('../core/trace/io');
  await vscode.workspace.fs.writeFile(out, new TextEncoder().encode(serializeTrace(trace)));
  services.log.info(`imported ${source ?? 'text'} as ${kind}: ${trace.nodes.length} nodes → ${vscode.workspace.asRelativePath(out)}${issues.length ? ` (${issues.length} issue(s))` : ''}`);
  for (const i of issues.slice(0, 20)) services.log.warn(`import: ${i}`);
  if (args.open ?? true) await vscode.commands.executeCommand('vscode.openWith', out, 'metacot.traceEditor');
  return { uri: out.toString(), kind, nodes: trace.nodes.length, issues };
}
