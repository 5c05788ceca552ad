/**
 * What a person is told when a run ends or is refused: a run that failed (or could not start) is an error
 * notification naming the cause, with the actions that fix that cause (Configure Endpoint for a wrong URL, model or
 * an unreachable server; Set API Key for a refused key; Open Settings for limits; Show Log always); a run that
 * finished without a verified answer is an information message; a value-guided run that had no value signal says so
 * (a warning with Set Verifier when nothing else is said). The notices shown are kept for the test API.
 * Imports nothing of the extension but types: the runner uses it, and services import the runner.
 */
import * as vscode from 'vscode';
import { causeFix, failureCause } from '../core/analyse/runOutcome';
import type { ValueSignal } from '../core/analyse/valueSignal';
import type { RunReport } from '../core/run';
import type { Adaptation, Trace } from '../core/trace/schema';
import type { Log } from './secrets';

export { failureCause };

export type NoticeAction = 'Show Log' | 'Configure Endpoint' | 'Set API Key' | 'Open Settings' | 'Set Verifier';

export interface RunNotice {
  severity: 'error' | 'warning' | 'info';
  message: string;
  actions: NoticeAction[];
}

/** The actions that fit a cause: an endpoint error kind or a run set-up error kind. */
export function actionsFor(cause: string | undefined): NoticeAction[] {
  const fix = causeFix(cause);
  if (fix === 'key') return ['Set API Key', 'Show Log'];
  if (fix === 'endpoint') return ['Configure Endpoint', 'Show Log'];
  if (fix === 'limits') return ['Open Settings', 'Show Log'];
  return ['Show Log'];
}

/**
 * The notice for a run that ended: an error for a failed run, information for one without a verified answer; a run
 * with no value signal (`signal.none`) says so in it, or in a warning of its own when the run was solved.
 */
export function endNotice(strategy: string, report: RunReport, trace: Trace, signal?: ValueSignal): RunNotice | undefined {
  const nodes = `${report.nodesAdded} node${report.nodesAdded === 1 ? '' : 's'}`;
  const noSignal = signal?.none && signal.message ? signal.message : undefined;
  if (report.status === 'failed') {
    return { severity: 'error', message: `Meta-CoT: ${strategy} search failed (${nodes}): ${report.reason ?? 'no reason recorded'}`, actions: actionsFor(failureCause(trace, report.runId, report.reason)) };
  }
  // This run's own result: a re-run that found nothing says so even when the trace keeps an earlier verified answer.
  const own = report.runResult ?? (report.result?.runId === report.runId ? report.result : undefined);
  const withSignal = (n: RunNotice): RunNotice => (noSignal ? { ...n, message: `${n.message}. Note: ${noSignal}`, actions: ['Set Verifier', ...n.actions] } : n);
  if ((report.status === 'completed' || report.status === 'budget') && own?.verified !== true) {
    const kept = report.result?.verified && report.result.runId !== report.runId ? ` (the trace keeps the verified answer ${report.result.finalAnswer ?? ''} of run ${report.result.runId})` : '';
    return withSignal({ severity: 'info', message: `Meta-CoT: ${strategy} search ${report.status} without a verified answer (${nodes})${kept}: ${report.reason ?? ''}`.replace(/: $/, ''), actions: ['Show Log'] });
  }
  if (noSignal) {
    const found = own?.verified ? ` found ${own.finalAnswer ?? 'a verified answer'}` : ` ${report.status}`;
    return { severity: 'warning', message: `Meta-CoT: ${strategy} search${found} (${nodes}), but ${noSignal}`, actions: ['Set Verifier', 'Show Log'] };
  }
  return undefined;
}

/** The warning for one way the client adapted to its server during a run (shown once per kind per run). */
export function adaptationNotice(endpoint: string, adaptation: Adaptation): RunNotice {
  return { severity: 'warning', message: `Meta-CoT: endpoint "${endpoint}": ${adaptation.message}`, actions: ['Show Log'] };
}

/** The cause kind of an error thrown before a run started (RunSetupError, EndpointError, a settings error). */
export function refusalCause(err: unknown): string | undefined {
  const kind = (err as { kind?: unknown } | undefined)?.kind;
  if (typeof kind === 'string') return kind;
  const message = err instanceof Error ? err.message : String(err);
  if (/Set API Key/.test(message)) return 'api-key';
  if (/Configure Endpoint/.test(message)) return 'endpoint';
  return undefined;
}

/** Errors a run's end already showed a notice for: a command awaiting that run does not show a second one. */
export const shownFailures = new WeakSet<object>();

/**
 * The notice for a run refused before it started (no endpoint, no key, a problem the model cannot read, a verifier
 * from the trace): what happened and, from RunSetupError's `advice`, what to do, with the actions for its cause.
 */
export function refusalNotice(err: unknown, redact: (s: string) => string): RunNotice {
  const message = redact(err instanceof Error ? err.message : String(err));
  const advice = (err as { advice?: unknown } | undefined)?.advice;
  const text = typeof advice === 'string' && !message.toLowerCase().includes(advice.toLowerCase()) ? `${message} ${redact(advice)}` : message;
  return { severity: 'error', message: `Meta-CoT: the run could not start: ${text}`, actions: actionsFor(refusalCause(err)) };
}

const RECENT = 20;
/** A shown notice with its number since activation (the list keeps the last RECENT; numbers keep counting). */
export type ShownNotice = RunNotice & { seq: number };
const shown: ShownNotice[] = [];
let seq = 0;

/** The notices shown most recently (newest last), for the integration tests: wait for `seq` past the last seen. */
export function recentNotices(): ShownNotice[] {
  return [...shown];
}

/** Shows a notice (not awaited: a notification stays until dismissed); the action picked runs. */
export function showNotice(log: Log, notice: RunNotice): void {
  shown.push({ ...notice, seq: ++seq });
  if (shown.length > RECENT) shown.shift();
  const show = notice.severity === 'error' ? vscode.window.showErrorMessage : notice.severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  const shownNow = show(notice.message, ...notice.actions);
  void shownNow.then((action) => {
    if (action === 'Show Log') log.show(true);
    else if (action === 'Configure Endpoint') void vscode.commands.executeCommand('metacot.configureEndpoint');
    else if (action === 'Set API Key') void vscode.commands.executeCommand('metacot.setApiKey');
    else if (action === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'metacot.endpoints');
    else if (action === 'Set Verifier') void vscode.commands.executeCommand('workbench.action.openSettings', 'metacot.verifier');
  });
}
