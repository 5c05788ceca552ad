/**
 * The commands behind the "Get started" walkthrough and the Traces view's welcome buttons: run the sample Countdown
 * problem with the embedded model, open the latest trace in the search panel, re-run from a node of it. Each is the
 * ordinary run / panel path with its question answered: the sample is a real editor selection, so the trace records
 * where the problem came from exactly as a person's run would.
 */
import * as vscode from 'vscode';
import { COUNTDOWN_EXAMPLE } from '../core/problems';
import { TRACE_FILE_SUFFIX } from '../core/trace/io';
import type { Services } from './services';
import { SearchPanel } from './searchPanel';
import { EMBEDDED_ENDPOINT } from './settings';
import type { Invocation, RerunArgs, RunSampleArgs } from './commandArgs';
import type { CommandContext } from './commandPickers';
import { DEFAULT_STRATEGY } from '../core/search/catalog';
import type { RunOutcome } from './runCommands';
import { LATEST_TRACE_KEY, rerunFromNode, runOnSelection } from './runCommands';

/** Where the sample problem goes in an open folder (beside the default traces folder). */
export const SAMPLE_PATH = ['.metacot', 'sample-problem.txt'] as const;

export const SAMPLE_TEXT = `${COUNTDOWN_EXAMPLE}\n\nSelect a problem line and run "Meta-CoT: Run Search on Selection"; change the numbers to try another puzzle.\n`;

/**
 * Opens the sample problem (the workspace's sample file, created once and then left to the person's edits, or an
 * untitled document when no folder is open), selects its first line and searches it with the embedded model and the
 * catalog's default strategy (A*, which solves it there), whatever `metacot.search.strategy` says: the first run has
 * to show a verified answer. A `strategy` argument picks another.
 */
export async function runSample(ctx: CommandContext, inv: Invocation<RunSampleArgs>): Promise<RunOutcome> {
  const doc = await sampleDocument();
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  const line = firstProblemLine(doc);
  editor.selection = new vscode.Selection(line.range.start, line.range.end);
  editor.revealRange(line.range);
  const { open, wait, strategy } = inv.args;
  // An API-style call of the ordinary run path: no questions, the selection as the problem.
  return runOnSelection(ctx, {
    target: {},
    args: { endpoint: EMBEDDED_ENDPOINT, strategy: strategy ?? DEFAULT_STRATEGY, ...(open !== undefined ? { open } : {}), ...(wait !== undefined ? { wait } : {}) },
    interactive: false,
  });
}

async function sampleDocument(): Promise<vscode.TextDocument> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return vscode.workspace.openTextDocument({ language: 'plaintext', content: SAMPLE_TEXT });
  const uri = vscode.Uri.joinPath(folder.uri, ...SAMPLE_PATH);
  const exists = await vscode.workspace.fs.stat(uri).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(uri, '..'));
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(SAMPLE_TEXT));
  }
  return vscode.workspace.openTextDocument(uri);
}

function firstProblemLine(doc: vscode.TextDocument): vscode.TextLine {
  for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.trim()) return doc.lineAt(i);
  throw new Error(`${vscode.workspace.asRelativePath(doc.uri)} holds no problem: write one on its first line, e.g. "${COUNTDOWN_EXAMPLE}"`);
}

/**
 * The trace of the last run: a search running now, else the trace the last run command wrote (if it still exists),
 * else the workspace's most recently modified trace file.
 */
export async function latestTraceUri(services: Services): Promise<vscode.Uri | undefined> {
  const running = services.runs.list().at(-1);
  if (running) return running.uri;
  const exists = (u: vscode.Uri) => vscode.workspace.fs.stat(u).then((s) => s, () => undefined);
  const remembered = services.context.workspaceState.get<string>(LATEST_TRACE_KEY);
  if (remembered && (await exists(vscode.Uri.parse(remembered)))) return vscode.Uri.parse(remembered);
  if (!vscode.workspace.workspaceFolders?.length) return undefined;
  const files = await vscode.workspace.findFiles(`**/*${TRACE_FILE_SUFFIX}`, '**/node_modules/**', 2000);
  let best: { uri: vscode.Uri; mtime: number } | undefined;
  for (const uri of files) {
    const s = await exists(uri);
    if (s && (!best || s.mtime > best.mtime)) best = { uri, mtime: s.mtime };
  }
  return best?.uri;
}

async function requireLatest(services: Services): Promise<vscode.Uri> {
  const uri = await latestTraceUri(services);
  if (!uri) throw new Error('no trace yet: run the sample problem first ("Meta-CoT: Run the Sample Problem")');
  return uri;
}

/** The search panel on the latest trace, focused. */
export async function openLatestTrace(ctx: CommandContext): Promise<{ uri: string }> {
  const uri = await requireLatest(ctx.services);
  await SearchPanel.show(uri, { preserveFocus: false });
  ctx.services.active.uri = uri;
  return { uri: uri.toString() };
}

/** Re-run From Node on the latest trace (a given `uri` wins), shown in the panel while the person picks the node. */
export async function rerunLatestTrace(ctx: CommandContext, inv: Invocation<RerunArgs>): Promise<RunOutcome> {
  const uri = inv.target.uri ?? (await requireLatest(ctx.services));
  if (inv.interactive) await SearchPanel.show(uri, { preserveFocus: true });
  return rerunFromNode(ctx, { ...inv, target: { ...inv.target, uri } });
}
