/**
 * The run commands: search the selection (or a typed problem), lines of a JSONL problem file, re-run from a node,
 * cancel. Problems come from the core's one problem-line parser; strategies from the core catalog; "same
 * settings" from the core's re-run plan. Each asks a person only for what an interactive call left out.
 */
import * as vscode from 'vscode';
import type { Problem } from '../core/trace/schema';
import { parseProblemSetText, COUNTDOWN_EXAMPLE } from '../core/problems';
import { traceFileName } from '../core/run';
import type { RunSummary } from './searchRunner';
import type { Services } from './services';
import { CancelledByUser } from './services';
import { readSearchDefaults, resolveEndpoint } from './settings';
import { SearchPanel } from './searchPanel';
import type { CancelArgs, Invocation, ProblemFileArgs, RerunArgs, RunArgs } from './commandArgs';
import type { RerunChoice } from './traceActions';
import type { CommandContext } from './commandPickers';
import { askRerunChoice, askRunStrategy, pickNode } from './commandPickers';
import { oneLine } from './traceTreeView';
import { refusalNotice, shownFailures, showNotice } from './runNotices';
import type { Log } from './secrets';

/** A finished run's summary, or (with `wait: false`) the run as soon as it has started. */
export type RunOutcome = RunSummary | { runId: string; uri: string };

export async function runOnSelection(ctx: CommandContext, inv: Invocation<RunArgs>): Promise<RunOutcome> {
  const { args } = inv;
  let problem: Problem | undefined = typeof args.problem === 'string' ? { text: args.problem } : args.problem;
  if (!problem) problem = fromSelection();
  if (!problem) {
    if (!inv.interactive) throw new Error('problem is required (no editor has a selection)');
    const text = await vscode.window.showInputBox({ title: 'Meta-CoT: Run Search', prompt: 'Problem to solve', placeHolder: COUNTDOWN_EXAMPLE, ignoreFocusOut: true });
    if (!text) throw new CancelledByUser();
    problem = { text };
  }
  return startRun(ctx, problem, await withRunStrategy(ctx, inv));
}

/** A person's run without a strategy argument asks for one (commandPickers.askRunStrategy); API calls never ask. */
async function withRunStrategy<A extends RunArgs | ProblemFileArgs>(ctx: CommandContext, inv: Invocation<A>): Promise<A> {
  if (!inv.interactive || inv.args.strategy) return inv.args;
  const strategy = await askRunStrategy(ctx.services);
  return strategy ? { ...inv.args, strategy } : inv.args;
}

/** The selection of the active editor, else its current line, with where it came from. */
function fromSelection(): Problem | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const sel = editor.selection;
  const range = sel.isEmpty ? editor.document.lineAt(sel.active.line).range : sel;
  const text = editor.document.getText(range).trim();
  if (!text) return undefined;
  const at = (p: vscode.Position) => ({ line: p.line, character: p.character });
  return { text, source: { file: vscode.workspace.asRelativePath(editor.document.uri, false), selection: { start: at(range.start), end: at(range.end) } } };
}

export async function runOnProblemFile(ctx: CommandContext, inv: Invocation<ProblemFileArgs>): Promise<RunOutcome[]> {
  const { args } = inv;
  const uri = args.file ?? inv.target.uri ?? (await pickProblemFile(inv.interactive));
  const file = vscode.workspace.asRelativePath(uri, false);
  const problems = parseProblemSetText(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), file);
  let chosen: Problem[];
  if (args.lines) {
    const lines = args.lines;
    chosen = problems.filter((p) => p.source?.line !== undefined && lines.includes(p.source.line));
  } else if (!inv.interactive) chosen = problems;
  else {
    const picks = await vscode.window.showQuickPick(
      problems.map((p) => ({ label: `${p.source?.line ?? ''}: ${oneLine(p.text, 90)}`, description: p.answer ? `answer ${p.answer}` : '', p })),
      { canPickMany: true, title: `Meta-CoT: problems of ${file}`, placeHolder: 'Pick the lines to search' },
    );
    if (!picks?.length) throw new CancelledByUser();
    chosen = picks.map((x) => x.p);
  }
  if (!chosen.length) throw new Error(`no problems selected in ${file}`);
  const runArgs = await withRunStrategy(ctx, inv);
  // One after the other: each run already uses the endpoint's full concurrency.
  const out: RunOutcome[] = [];
  for (const p of chosen) out.push(await startRun(ctx, p, { ...runArgs, open: args.open ?? chosen.length === 1 }));
  return out;
}

async function pickProblemFile(interactive: boolean): Promise<vscode.Uri> {
  const ed = vscode.window.activeTextEditor;
  if (ed && /\.jsonl$/i.test(ed.document.uri.path)) return ed.document.uri;
  if (!interactive) throw new Error('file is required (no JSONL file is active)');
  const files = await vscode.workspace.findFiles('**/*.jsonl', '**/node_modules/**', 500);
  const pick = await vscode.window.showQuickPick(
    files.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })),
    { title: 'Meta-CoT: Problem file (JSONL)', placeHolder: 'One problem per line: {"problem": "...", "answer": "..."}' },
  );
  if (!pick) throw new CancelledByUser();
  return pick.uri;
}

/** Starts a run with the settings' defaults for what `args` leaves out; shows the panel unless `open: false`. */
export async function startRun(ctx: CommandContext, problem: Problem, args: RunArgs | ProblemFileArgs): Promise<RunOutcome> {
  const { services } = ctx;
  const defaults = readSearchDefaults(args.strategy);
  // A refused run (unknown endpoint, no key, a problem the model cannot read…) says why, with the action that fixes it.
  const run = await withRefusalNotice(services.log, (t) => services.keys.redact(t), async () => {
    const endpoint = resolveEndpoint(args.endpoint);
    const uri = ('traceFile' in args ? args.traceFile : undefined) ?? (await newTraceUri(services, problem, defaults.tracesFolder));
    return services.runs.start({
      problem,
      endpoint,
      strategy: defaults.strategy,
      params: { ...defaults.params, ...args.params },
      budgets: { ...defaults.budgets, ...args.budgets },
      verifier: args.verifier ?? defaults.verifier,
      uri,
    });
  });
  await rememberLatestTrace(services, run.uri);
  if (args.open !== false) showPanel(services, run.uri);
  if (args.wait === false) return { runId: run.id, uri: run.uri.toString() };
  return awaitRun(run.done);
}

/** A run that broke off has shown its notice (searchRunner): the command layer does not show a second one. */
function awaitRun(done: Promise<RunSummary>): Promise<RunSummary> {
  return done.catch((err: unknown) => {
    throw typeof err === 'object' && err !== null && shownFailures.has(err) ? new RefusalShown(err) : err;
  });
}

/**
 * A refused start whose notice was shown: the command layer treats it as handled (no second notification), and an
 * API caller still gets the original message.
 */
export class RefusalShown extends CancelledByUser {
  constructor(readonly refused: unknown) {
    super();
    this.name = 'RefusalShown';
    this.message = refused instanceof Error ? refused.message : String(refused);
  }
}

/**
 * Runs `start`; an error it throws (a refused run: no endpoint, no key, a problem the model cannot read…) is logged
 * and shown with the actions for its cause, then thrown on as RefusalShown. A dismissed prompt passes through as is.
 */
async function withRefusalNotice<T>(log: Log, redact: (s: string) => string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    if (err instanceof CancelledByUser) throw err;
    // RunSetupError keeps what to do apart from what happened; the notice says both.
    const notice = refusalNotice(err, redact);
    log.error(`run refused: ${notice.message.replace(/^Meta-CoT: the run could not start: /, '')}`);
    showNotice(log, notice);
    throw new RefusalShown(err);
  }
}

/** workspaceState key of the trace the last run started from a command wrote (see latestTraceUri in walkthrough.ts). */
export const LATEST_TRACE_KEY = 'metacot.latestTrace';

async function rememberLatestTrace(services: Services, uri: vscode.Uri): Promise<void> {
  await services.context.workspaceState.update(LATEST_TRACE_KEY, uri.toString());
}

function showPanel(services: Services, uri: vscode.Uri, nodeId?: string): void {
  void SearchPanel.show(uri, nodeId ? { nodeId } : {}).catch((e) => services.log.warn(`panel: ${String(e)}`));
}

/** A new file in the traces folder, named by the core's rule (the CLI names its traces the same way). */
export async function newTraceUri(services: Services, problem: Problem, folder: string): Promise<vscode.Uri> {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.joinPath(services.context.globalStorageUri, 'traces');
  // Keep traces inside the workspace even if the setting tries to climb out of it.
  const safe = folder.replace(/\\/g, '/').split('/').filter((s) => s && s !== '.' && s !== '..');
  const dir = vscode.Uri.joinPath(root, ...safe);
  await vscode.workspace.fs.createDirectory(dir);
  const taken = new Set((await vscode.workspace.fs.readDirectory(dir)).map(([name]) => name));
  return vscode.Uri.joinPath(dir, traceFileName(problem, (name) => taken.has(name)));
}

export async function rerunFromNode(ctx: CommandContext, inv: Invocation<RerunArgs>): Promise<RunOutcome> {
  const { args } = inv;
  const { uri, trace, node } = await pickNode(ctx, inv.target, inv.interactive, 'Re-run from which node?');
  ctx.actions.assertEditable(uri);
  const choice: RerunChoice = {
    ...(args.strategy ? { strategy: args.strategy } : {}),
    ...(args.params ? { params: args.params } : {}),
    ...(args.budgets ? { budgets: args.budgets } : {}),
    ...(args.verifier ? { verifier: args.verifier } : {}),
    ...(args.endpoint ? { endpoint: args.endpoint } : {}),
  };
  // A person sees where requests and keys would go ("same settings" shows endpoint and verifier) and is asked.
  const asked = inv.interactive ? await askRerunChoice(ctx, trace, node, choice) : choice;
  const started = await withRefusalNotice(ctx.services.log, (t) => ctx.services.keys.redact(t), () => ctx.actions.rerunFromNode(uri, node.id, asked));
  await rememberLatestTrace(ctx.services, uri);
  if (args.open !== false) showPanel(ctx.services, uri, node.id);
  if (args.wait === false) return { runId: started.runId, uri: uri.toString() };
  return awaitRun(started.done);
}

export function cancelSearch(ctx: CommandContext, inv: Invocation<CancelArgs>): { cancelled: string[] } {
  const { cancelled } = ctx.actions.cancel({ ...(inv.target.runId ? { runId: inv.target.runId } : {}), ...(inv.target.uri ? { uri: inv.target.uri } : {}) });
  return { cancelled };
}
