/**
 * The import command's questions to a person: where to import from (a file — a chain of thought or a search library's
 * TreeLog / tree / rows —, a Thought Anchors folder, the editor),
 * which line of a JSONL file, and the preview of the segmentation with "Write trace" / "Cancel". Each resolves
 * `undefined` (or false) when dismissed; the command then writes nothing.
 */
import * as vscode from 'vscode';
import type { JsonlLine } from '../core/trace/import/sources';
import type { ImportPreview } from './importPreview';

export type SourceChoice = { kind: 'file'; uri: vscode.Uri } | { kind: 'folder'; uri: vscode.Uri } | { kind: 'editor' };

const defaultUri = (): vscode.Uri | undefined => vscode.workspace.workspaceFolders?.[0]?.uri;

export async function pickFile(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Meta-CoT: Import a chain of thought or a search library file',
    openLabel: 'Import',
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: false,
    defaultUri: defaultUri(),
    filters: { 'Chain of thought or search tree (text, JSON, JSONL)': ['txt', 'md', 'json', 'jsonl', 'ndjson'], 'All files': ['*'] },
  });
  return picked?.[0];
}

export async function pickFolder(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Meta-CoT: Import a Thought Anchors folder (problem.json, base_solution.json, chunks_labeled.json)',
    openLabel: 'Import Folder',
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: defaultUri(),
  });
  return picked?.[0];
}

/** Palette without arguments: a file (the default), a Thought Anchors folder, or the open editor's text. */
export async function pickSource(editor: vscode.TextEditor | undefined): Promise<SourceChoice | undefined> {
  type Item = vscode.QuickPickItem & { choice: 'file' | 'folder' | 'editor' };
  const items: Item[] = [
    { choice: 'file', label: '$(file) Chain of thought file…', description: 'text, OpenAI chat JSON, JSONL; llm-reasoners, OpenR, search-and-learn, PRM800K files' },
    { choice: 'folder', label: '$(folder) Thought Anchors folder…', description: 'problem.json, base_solution.json, chunks_labeled.json' },
  ];
  if (editor) {
    const what = editor.selection.isEmpty ? 'whole file' : 'selection';
    items.push({ choice: 'editor', label: `$(edit) ${vscode.workspace.asRelativePath(editor.document.uri, false)}`, description: `the open editor's ${what}` });
  }
  const picked = await vscode.window.showQuickPick(items, { title: 'Meta-CoT: Import Chain of Thought — from', ignoreFocusOut: true });
  if (!picked) return undefined;
  if (picked.choice === 'editor') return { kind: 'editor' };
  const uri = picked.choice === 'file' ? await pickFile() : await pickFolder();
  return uri ? { kind: picked.choice, uri } : undefined;
}

/** One item per JSONL record; a line that cannot be imported is listed with its reason (choosing it reports it). */
export async function pickJsonlLine(lines: readonly JsonlLine[], where: string): Promise<JsonlLine | undefined> {
  type Item = vscode.QuickPickItem & { line: JsonlLine };
  const items: Item[] = lines.map((l) => ({
    line: l,
    label: `${l.error ? '$(error) ' : ''}line ${l.line}`,
    description: l.summary,
  }));
  const bad = lines.filter((l) => l.error).length;
  const picked = await vscode.window.showQuickPick(items, {
    title: `Meta-CoT: Import — which record of ${where}? (${lines.length} lines${bad ? `, ${bad} unreadable` : ''})`,
    matchOnDescription: true,
    ignoreFocusOut: true,
  });
  return picked?.line;
}

/**
 * The preview: "Write trace" (active, so Enter writes) and "Cancel" above one item per step. Choosing a step shows
 * its full text under it instead of closing. Resolves true only for "Write trace".
 */
export function confirmPreview(preview: ImportPreview, target: string): Promise<boolean> {
  type Item = vscode.QuickPickItem & { action?: 'write' | 'cancel'; step?: number };
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = preview.title;
  qp.placeholder = preview.subtitle;
  qp.ignoreFocusOut = true;
  qp.matchOnDescription = true;
  const write: Item = { action: 'write', label: '$(check) Write trace', description: target, alwaysShow: true };
  const cancel: Item = { action: 'cancel', label: '$(close) Cancel', description: 'nothing is written', alwaysShow: true };
  const stepItems: Item[] = preview.steps.map((s) => ({
    step: s.index,
    label: `${s.index}. ${s.text}`,
    description: s.marks.join(' · '),
  }));
  qp.items = [write, cancel, { label: `${preview.steps.length} nodes to write`, kind: vscode.QuickPickItemKind.Separator }, ...stepItems];
  qp.activeItems = [write];
  return new Promise<boolean>((resolve) => {
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      resolve(ok);
      qp.dispose();
    };
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      if (item?.action) return finish(item.action === 'write');
      if (item?.step !== undefined) {
        const full = preview.steps[item.step - 1]!.fullText;
        qp.items = qp.items.map((it) => (it === item ? { ...it, detail: full.length > 600 ? `${full.slice(0, 599)}…` : full } : it));
        qp.activeItems = qp.items.filter((it) => it.step === item.step);
      }
    });
    qp.onDidHide(() => finish(false));
    qp.show();
  });
}
