/**
 * "Open Trace as Text" at a node: the trace's JSON in a text editor (not the custom editor that is the default for
 * *.metacot.json) with the cursor on the node's `"id": "<nodeId>"` line, revealed in the centre. The palette
 * command, the Traces view's node menu and the panel's request all come here.
 */
import * as vscode from 'vscode';

/**
 * Where node `nodeId`'s object starts in a trace's text: its `"id"` line inside the `"nodes"` array (the trace's own
 * `"id"` comes before it; parentId / runId keys are spelt with a capital I). -1 when it is not there.
 */
export function nodeIdOffset(text: string, nodeId: string): number {
  const nodes = text.indexOf('"nodes"');
  const key = new RegExp(`"id"\\s*:\\s*${JSON.stringify(nodeId).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*[,}]`, 'g');
  key.lastIndex = Math.max(0, nodes);
  return key.exec(text)?.index ?? -1;
}

export async function openTextAtNode(uri: vscode.Uri, nodeId?: string): Promise<{ uri: string; message: string; line?: number }> {
  // 'default' is the text editor whatever editor association the file has; it opens (or shows) the text tab.
  await vscode.commands.executeCommand('vscode.openWith', uri, 'default', { preview: false });
  const doc = await vscode.workspace.openTextDocument(uri);
  const where = vscode.workspace.asRelativePath(uri);
  if (!nodeId) return { uri: uri.toString(), message: `opened ${where} as text` };
  const at = nodeIdOffset(doc.getText(), nodeId);
  if (at < 0) return { uri: uri.toString(), message: `opened ${where} as text; node ${nodeId} is not in the text (unsaved?)` };
  const line = doc.positionAt(at).line;
  const pos = new vscode.Position(line, doc.lineAt(line).firstNonWhitespaceCharacterIndex);
  // The text tab openWith showed: showTextDocument on it moves its cursor (a tab found by uri, not by focus).
  const open = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  const editor = await vscode.window.showTextDocument(doc, { ...(open?.viewColumn ? { viewColumn: open.viewColumn } : {}), preview: false, selection: new vscode.Range(pos, pos) });
  editor.selection = new vscode.Selection(pos, pos);
  editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenter);
  return { uri: uri.toString(), message: `opened ${where} as text at node ${nodeId} (line ${line + 1})`, line: line + 1 };
}
