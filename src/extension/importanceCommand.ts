/**
 * "Meta-CoT: Measure Step Importance": K continuations resampled from every prefix of the path root → node (the
 * counterfactual resampling of Thought Anchors), with progress and cancel; the result goes into the trace document
 * through the model's own edit path (a minimal WorkspaceEdit, so undo and dirty state come from VS Code), where the
 * panel shows it. From the palette, the Traces view or the panel's "Step importance…" button a person is asked for
 * K and the budget; an API call passes them.
 */
import * as vscode from 'vscode';
import * as z from 'zod';
import type { StepImportance } from '../core/analyse/stepImportanceSchema';
import type { TraceNode } from '../core/trace/schema';
import { resolvePath, type Invocation } from './commandArgs';
import { pickNode, type CommandContext } from './commandPickers';
import { CancelledByUser } from './services';
import { endpointChoiceFor } from './endpointChoice';
import { readSearchDefaults, resolveEndpoint } from './settings';

export const MEASURE_IMPORTANCE_COMMAND = 'metacot.measureStepImportance';

const positive = z.number().int().positive();
export const ImportanceArgsSchema = z.strictObject({
  uri: z.union([z.custom<vscode.Uri>((v) => v instanceof vscode.Uri, 'a Uri'), z.string().min(1)]).transform((p) => resolvePath(p)).optional(),
  nodeId: z.string().min(1).optional(),
  /** Continuations per prefix (default 8). */
  k: positive.optional(),
  /** Tokens (in + out) after which no request starts (default 20000); 0 = no limit. */
  maxTokens: z.number().int().nonnegative().optional(),
  maxRequests: positive.optional(),
  /** Prefixes sampled at once (default 4). */
  parallel: positive.optional(),
  temperature: z.number().nonnegative().optional(),
  /** A configured endpoint's name (default: metacot.defaultEndpoint, else the embedded model). */
  endpoint: z.string().min(1).optional(),
  /** Save the document afterwards; default: only when no editor tab shows it. */
  save: z.boolean().optional(),
});
export type ImportanceArgs = z.output<typeof ImportanceArgsSchema>;

export interface ImportanceOutcome {
  nodeId: string;
  message: string;
  steps: number;
  top: number[];
  usage: StepImportance['usage'];
  stopped?: string;
}

const DEFAULT_K = 8;
const DEFAULT_TOKENS = 20_000;
const K_CHOICES = [2, 4, 8, 16, 32];

/** The command's argument handling: the node (asked when missing), K and budget (asked when a person started it). */
export async function measureStepImportanceCommand(ctx: CommandContext, inv: Invocation<ImportanceArgs>): Promise<ImportanceOutcome> {
  const { uri, node } = await pickNode(ctx, inv.target, inv.interactive, 'Measure the step importance of the path to which node?', (n) => n.kind !== 'root' && n.kind !== 'rollout');
  const args = inv.interactive && inv.args.k === undefined ? { ...inv.args, ...(await askSettings(node)) } : inv.args;
  return measureStepImportanceAt(ctx, uri, node.id, args, inv.interactive);
}

/** A person's K and token budget (quick pick, input box). */
export async function askSettings(node: TraceNode): Promise<{ k: number; maxTokens: number }> {
  const title = `Meta-CoT: Step importance of the path to ${node.id}`;
  const pick = await vscode.window.showQuickPick(
    K_CHOICES.map((k) => ({ label: `K = ${k}`, description: k === DEFAULT_K ? 'continuations per step (default)' : 'continuations per step', k })),
    { title: `${title} (1/2)`, placeHolder: 'Continuations sampled from each prefix, as one request with n = K', ignoreFocusOut: true },
  );
  if (!pick) throw new CancelledByUser();
  const budget = await vscode.window.showInputBox({
    title: `${title} (2/2)`,
    prompt: 'Token budget (in + out): no request starts once it is spent; finished steps are kept. 0 = no limit.',
    value: String(DEFAULT_TOKENS),
    ignoreFocusOut: true,
    validateInput: (v) => (/^\d+$/.test(v.trim()) ? undefined : 'a whole number of tokens'),
  });
  if (budget === undefined) throw new CancelledByUser();
  return { k: pick.k, maxTokens: Number(budget.trim()) };
}

/** Measures and stores; with `interactive`, in a cancellable progress notification. */
export async function measureStepImportanceAt(ctx: CommandContext, uri: vscode.Uri, nodeId: string, args: ImportanceArgs, interactive: boolean): Promise<ImportanceOutcome> {
  const { services, actions } = ctx;
  actions.assertEditable(uri);
  const { model, trace } = await actions.load(uri);
  actions.findNode(uri, trace, nodeId);
  // The named endpoint, else the default one.
  const endpoint = await endpointChoiceFor(ctx.services.keys, resolveEndpoint(args.endpoint), readSearchDefaults().stepDelimiter);
  const { runStepImportance } = await import('../core/analyse/stepImportanceRun');
  const k = args.k ?? DEFAULT_K;
  const maxTokens = args.maxTokens ?? DEFAULT_TOKENS;
  const work = async (report: (done: number, total: number) => void, signal: AbortSignal) => {
    const measured = await runStepImportance(trace, {
      endpoint,
      nodeId,
      k,
      parallel: args.parallel ?? 4,
      ...(maxTokens > 0 ? { maxTokens } : {}),
      ...(args.maxRequests !== undefined ? { maxRequests: args.maxRequests } : {}),
      ...(args.temperature !== undefined ? { temperature: args.temperature } : {}),
      signal,
      onProgress: report,
    });
    return measured.result;
  };
  services.log.info(`step importance: ${nodeId} of ${vscode.workspace.asRelativePath(uri)}, K=${k}, budget ${maxTokens || 'none'} tokens`);
  const result = interactive
    ? await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Meta-CoT: step importance of ${nodeId} (K=${k})`, cancellable: true },
        async (progress, token) => {
          const ctl = new AbortController();
          const sub = token.onCancellationRequested(() => ctl.abort());
          let last = 0;
          try {
            return await work((done, total) => {
              const pct = (100 * done) / total;
              progress.report({ increment: pct - last, message: `${done} of ${total} prefixes sampled` });
              last = pct;
            }, ctl.signal);
          } finally {
            sub.dispose();
          }
        },
      )
    : await work(() => undefined, new AbortController().signal);
  const failed = result.prefixes.filter((p) => p.status === 'failed');
  if (failed.length === result.prefixes.filter((p) => !p.fromPath).length) {
    // Nothing came back: saving would only store an empty result over a useful one.
    throw new Error(`every request failed: ${failed[0]?.error ?? 'no answer'}`);
  }
  const { withImportance } = await import('../core/analyse/stepImportanceSchema');
  await model.mutate((tree) => {
    tree.trace.analyses = withImportance(tree.trace.analyses, result);
  }, { save: args.save ?? !shownInTab(uri) });
  const top = result.steps.filter((s) => s.top).map((s) => s.index);
  const message =
    `step importance of ${nodeId}: ${result.steps.length} steps, ${result.usage.requests} requests, ${result.usage.tokensIn + result.usage.tokensOut} tokens` +
    (top.length ? `; top steps ${top.join(', ')}` : '; no step changed the answers by TV ≥ 0.1') +
    (result.stopped ? ` (stopped: ${result.stopped})` : '') +
    (failed.length ? `; ${failed.length} prefix request(s) failed: ${failed[0]!.error}` : '');
  services.log.info(message);
  if (interactive) {
    const show = failed.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(`Meta-CoT: ${message}`, 'Show Log').then((a) => a && services.log.show(true));
  }
  return { nodeId, message, steps: result.steps.length, top, usage: result.usage, ...(result.stopped ? { stopped: result.stopped } : {}) };
}

/** An editor tab shows the file: the edit stays in the (dirty) document, as the panel's other edits do. */
function shownInTab(uri: vscode.Uri): boolean {
  const key = uri.toString();
  return vscode.window.tabGroups.all.some((g) =>
    g.tabs.some((t) => (t.input instanceof vscode.TabInputCustom || t.input instanceof vscode.TabInputText) && t.input.uri.toString() === key),
  );
}

/**
 * The panel's "Step importance…" button: asks K and the budget, measures with progress, and answers the page. A
 * dismissed question is no error (measured: false); a failure is also a notification with "Show Log", as for the palette.
 */
export async function measureFromPanel(ctx: CommandContext, uri: vscode.Uri, nodeId: string, save: boolean): Promise<{ nodeId: string; measured: boolean; message: string }> {
  try {
    const { trace } = await ctx.actions.load(uri);
    const node = ctx.actions.findNode(uri, trace, nodeId);
    const settings = await askSettings(node);
    const outcome = await measureStepImportanceAt(ctx, uri, nodeId, { ...settings, save }, true);
    return { nodeId, measured: true, message: outcome.message };
  } catch (err) {
    if (err instanceof CancelledByUser) return { nodeId, measured: false, message: 'step importance: not started' };
    const message = ctx.services.keys.redact(err instanceof Error ? err.message : String(err));
    ctx.services.log.error(`step importance: ${message}`);
    void vscode.window.showErrorMessage(`Meta-CoT: step importance failed: ${message}`, 'Show Log').then((a) => a && ctx.services.log.show(true));
    throw err;
  }
}
