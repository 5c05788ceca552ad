/**
 * Export: the trace file itself, a linearized Meta-CoT text (Appendix E values, Stream-of-Search, or [BACK] /
 * "Wait," backtracking), or only the winning path. The formats come from the data engineer's core; this file only
 * asks where and writes.
 */
import * as vscode from 'vscode';
import type { Trace } from '../core/trace/schema';
import type { Services } from './services';
import { CancelledByUser } from './services';

/** The panel's three formats plus the data engineer's JSONL training records (src/core/export/exportTraces.ts). */
export type ExportFormat = 'trace' | 'linearized' | 'solution' | 'sft' | 'dpo' | 'prm800k' | 'math-shepherd' | 'linear';
const TRAINING = new Set(['sft', 'dpo', 'prm800k', 'math-shepherd', 'linear']);

export interface ExportArgs {
  uri?: string | vscode.Uri;
  format?: ExportFormat;
  /** Linearization style for 'linearized'. */
  style?: 'appendix-e' | 'sos' | 'backtrack';
  /** Export the path to this node rather than the best one ('solution'), or the search up to it. */
  nodeId?: string;
  /** Output file (workspace-relative or absolute); default: beside the trace, or a save dialog when interactive. */
  output?: string;
}

export async function exportTrace(services: Services, uri: vscode.Uri, trace: Trace, args: ExportArgs, programmatic: boolean): Promise<{ output: string; format: string; bytes: number } | undefined> {
  let format = args.format;
  let style = args.style ?? 'appendix-e';
  if (!format) {
    const pick = await vscode.window.showQuickPick(
      [
        { label: 'Linearized Meta-CoT (Appendix E)', detail: 'every visited step in visit order, each followed by its value, then the Solution block', format: 'linearized' as const, style: 'appendix-e' as const },
        { label: 'Linearized with backtracking phrases', detail: '"Wait," / "Alternatively," at branch switches', format: 'linearized' as const, style: 'backtrack' as const },
        { label: 'Stream of Search text', detail: 'Countdown DFS/BFS as plain text', format: 'linearized' as const, style: 'sos' as const },
        { label: 'Solution only', detail: 'the winning path', format: 'solution' as const, style: 'appendix-e' as const },
        { label: 'Trace file (JSON)', detail: 'a copy of the *.metacot.json', format: 'trace' as const, style: 'appendix-e' as const },
        { label: 'SFT records (JSONL)', detail: 'chat records: Meta-CoT Z + solution S, kept only if S verifies (Meta-STaR)', format: 'sft' as const, style: 'appendix-e' as const },
        { label: 'Linear records (JSONL)', detail: 'linearized text with loss segments for the chosen objective', format: 'linear' as const, style: 'appendix-e' as const },
        { label: 'DPO pairs (JSONL)', detail: 'sibling steps far apart in value: chosen / rejected', format: 'dpo' as const, style: 'appendix-e' as const },
        { label: 'PRM800K-style step labels (JSONL)', detail: 'per-step ratings from values and verdicts', format: 'prm800k' as const, style: 'appendix-e' as const },
        { label: 'Math-Shepherd-style step labels (JSONL)', detail: 'steps tagged + / − from values', format: 'math-shepherd' as const, style: 'appendix-e' as const },
      ],
      { title: 'Meta-CoT: Export' },
    );
    if (!pick) throw new CancelledByUser();
    format = pick.format;
    style = pick.style;
  }
  let text: string;
  let ext: string;
  if (format === 'trace') {
    const { serializeTrace } = await import('../core/trace/io');
    text = serializeTrace(trace);
    ext = '.export.metacot.json';
  } else if (TRAINING.has(format)) {
    const { exportTraces, toJsonl } = await import('../core/export/exportTraces');
    const res = exportTraces([JSON.parse(JSON.stringify(trace)) as Trace], { format: format as 'sft', linearize: { format: style } });
    if (res.records.length === 0) {
      const why = res.skipped.map((s) => s.reason).join('; ') || 'no record';
      throw new Error(`nothing to export as ${format}: ${why}`);
    }
    text = toJsonl(res.records);
    ext = `.${format}.jsonl`;
  } else {
    const [{ TraceTree }, { linearize }] = await Promise.all([import('../core/trace/tree'), import('../core/trace/linearize/linearize')]);
    const tree = TraceTree.from(JSON.parse(JSON.stringify(trace)) as Trace);
    if (args.nodeId) {
      // The chosen node stands in for the result's best node, so the Solution block ends there.
      tree.trace.result = { ...(tree.trace.result ?? { verified: false }), bestNodeId: tree.node(args.nodeId).id };
    }
    const lin = linearize(tree, { format: style, solution: true });
    text = format === 'solution' ? `${lin.s}\n` : `${lin.text}\n`;
    ext = format === 'solution' ? '.solution.txt' : `.${style}.txt`;
  }
  let out: vscode.Uri | undefined;
  const base = uri.path.replace(/\.metacot\.json$/, '').split('/').pop()!;
  if (args.output) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    out = args.output.startsWith('/') || !folder ? vscode.Uri.file(args.output) : vscode.Uri.joinPath(folder, args.output);
  } else if (programmatic) out = vscode.Uri.joinPath(uri, '..', `${base}${ext}`);
  else {
    out = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(uri, '..', `${base}${ext}`), title: 'Meta-CoT: Export to' });
    if (!out) throw new CancelledByUser();
  }
  const bytes = new TextEncoder().encode(text);
  await vscode.workspace.fs.writeFile(out, bytes);
  services.log.info(`exported ${vscode.workspace.asRelativePath(uri)} as ${format}${format === 'linearized' ? ` (${style})` : ''} to ${vscode.workspace.asRelativePath(out)}`);
  if (!programmatic) {
    void vscode.window.showInformationMessage(`Meta-CoT: exported to ${vscode.workspace.asRelativePath(out)}`, 'Open').then((a) => a && vscode.window.showTextDocument(out!));
  }
  return { output: out.toString(), format: format === 'linearized' ? style : format, bytes: bytes.length };
}
