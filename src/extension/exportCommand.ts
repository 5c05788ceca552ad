/**
 * Export: the trace file itself, a linearized Meta-CoT text (Appendix E values, Stream-of-Search, or [BACK] /
 * "Wait," backtracking), only the winning path, or JSONL training records. The formats come from the data core;
 * this file renders one and offers the choice to a person. Writing is TraceActions.exportTrace.
 */
import * as vscode from 'vscode';
import type { Trace } from '../core/trace/schema';
import { EXPORT_FORMAT_INFO, EXPORT_FORMATS, exportTraces, isExportFormat, toJsonl } from '../core/export/exportTraces';
import { CancelledByUser } from './services';
import type { ExportFormat, LinearizeStyle } from './commandArgs';

export interface ExportSpec {
  format: ExportFormat;
  style: LinearizeStyle;
  /** Export the path to this node rather than the best one ('solution'), or the search up to it. */
  nodeId?: string;
}

const TEXT_PICKS: { label: string; detail: string; format: ExportFormat; style: LinearizeStyle }[] = [
  { label: 'Linearized Meta-CoT (Appendix E)', detail: 'every visited step in visit order, each followed by its value, then the Solution block', format: 'linearized', style: 'appendix-e' },
  { label: 'Linearized with backtracking phrases', detail: '"Wait," / "Alternatively," at branch switches', format: 'linearized', style: 'backtrack' },
  { label: 'Stream of Search text', detail: 'Countdown DFS/BFS as plain text', format: 'linearized', style: 'sos' },
  { label: 'Solution only', detail: 'the winning path', format: 'solution', style: 'appendix-e' },
  { label: 'Trace file (JSON)', detail: 'a copy of the *.metacot.json', format: 'trace', style: 'appendix-e' },
];

// Training-data layouts come from the data core's list, so a format added there shows up here.
export const EXPORT_PICKS: readonly { label: string; detail: string; format: ExportFormat; style: LinearizeStyle }[] = [
  ...TEXT_PICKS,
  ...EXPORT_FORMATS.map((format) => ({ label: `${EXPORT_FORMAT_INFO[format].label} (JSONL)`, detail: EXPORT_FORMAT_INFO[format].detail, format, style: 'appendix-e' as LinearizeStyle })),
];

/** The palette's format picker. */
export async function pickExportFormat(): Promise<{ format: ExportFormat; style: LinearizeStyle }> {
  const pick = await vscode.window.showQuickPick([...EXPORT_PICKS], { title: 'Meta-CoT: Export' });
  if (!pick) throw new CancelledByUser();
  return { format: pick.format, style: pick.style };
}

/** The file name ending of an export, so the default name tells the formats apart. */
export function exportExtension(spec: ExportSpec): string {
  if (spec.format === 'trace') return '.export.metacot.json';
  if (isExportFormat(spec.format)) return `.${spec.format}.jsonl`;
  return spec.format === 'solution' ? '.solution.txt' : `.${spec.style}.txt`;
}

/** Beside the trace: `<name><extension>`. */
export function defaultExportUri(traceUri: vscode.Uri, spec: ExportSpec): vscode.Uri {
  const base = traceUri.path.replace(/\.metacot\.json$/, '').split('/').pop()!;
  return vscode.Uri.joinPath(traceUri, '..', `${base}${exportExtension(spec)}`);
}

/** The exported text. */
export async function renderExport(trace: Trace, spec: ExportSpec): Promise<string> {
  if (spec.format === 'trace') {
    const { serializeTrace } = await import('../core/trace/io');
    return serializeTrace(trace);
  }
  const copy = JSON.parse(JSON.stringify(trace)) as Trace;
  if (isExportFormat(spec.format)) {
    const res = exportTraces([copy], { format: spec.format, linearize: { format: spec.style } });
    if (res.records.length === 0) {
      const why = res.skipped.map((s) => s.reason).join('; ') || 'no record';
      throw new Error(`nothing to export as ${spec.format}: ${why}`);
    }
    return toJsonl(res.records);
  }
  const [{ TraceTree }, { linearize }] = await Promise.all([import('../core/trace/tree'), import('../core/trace/linearize/linearize')]);
  const tree = TraceTree.from(copy);
  if (spec.nodeId) {
    // The chosen node stands in for the result's best node, so the Solution block ends there.
    tree.trace.result = { ...(tree.trace.result ?? { verified: false }), bestNodeId: tree.node(spec.nodeId).id };
  }
  const lin = linearize(tree, { format: spec.style, solution: true });
  return spec.format === 'solution' ? `${lin.s}\n` : `${lin.text}\n`;
}
