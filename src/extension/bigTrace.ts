/**
 * Which trace files skip VS Code's TextDocument: above FILE_BACKED_BYTES a trace opens in the file-backed search panel
 * (read with fs, parsed once, edits saved at once; see FileTraceModel in traceModel.ts). VS Code refuses documents over
 * 50 MB to extensions, and below that opening one costs ~0.1 s per MB before our editor is even called.
 * Light module (vscode and node:fs only): the activation bundle uses it to redirect the explorer's tabs.
 */
import { statSync } from 'node:fs';
import * as vscode from 'vscode';

/** 4 MB is about 3,500 nodes: a document that size opens in ~0.4 s, and every bigger one would cost more. */
export const FILE_BACKED_BYTES = 4 * 1024 * 1024;

const TRACE_EDITOR_VIEW_TYPE = 'metacot.traceEditor';

/** The size of a local file, or undefined (not a file: URI, missing, unreadable). */
export function fileSize(uri: vscode.Uri): number | undefined {
  if (uri.scheme !== 'file') return undefined;
  try {
    return statSync(uri.fsPath).size;
  } catch {
    return undefined;
  }
}

/** Whether `uri` opens file-backed (a local file over the threshold); `bytes` overrides it (tests, the bench). */
export function isFileBacked(uri: vscode.Uri, bytes = FILE_BACKED_BYTES): boolean {
  const size = fileSize(uri);
  return size !== undefined && size > bytes;
}

/**
 * The explorer (or any "open with" the custom editor) on a big trace: VS Code would read it into a TextDocument (or
 * fail above 50 MB with "The editor could not be opened"), so the tab is closed and the file opened file-backed.
 */
export function watchBigTraceTabs(openFileBacked: (uri: vscode.Uri) => void): vscode.Disposable {
  const seen = new WeakSet<vscode.Tab>();
  const check = (tabs: readonly vscode.Tab[]) => {
    for (const tab of tabs) {
      if (seen.has(tab)) continue;
      seen.add(tab);
      const input = tab.input;
      if (!(input instanceof vscode.TabInputCustom) || input.viewType !== TRACE_EDITOR_VIEW_TYPE || !isFileBacked(input.uri)) continue;
      void vscode.window.tabGroups.close(tab).then(
        () => openFileBacked(input.uri),
        () => openFileBacked(input.uri),
      );
    }
  };
  check(vscode.window.tabGroups.all.flatMap((g) => g.tabs));
  return vscode.window.tabGroups.onDidChangeTabs((e) => check(e.opened));
}
