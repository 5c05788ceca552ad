/**
 * "Re-run failures" of the Experiment view: the entries whose run failed (status failed: the endpoint or model
 * broke, not an unsolved problem) run again through the core experiment runner the CLI uses, with a cancellable
 * progress notification, on an endpoint the settings give now (the usual fix of a failure is a settings fix).
 */
import * as vscode from 'vscode';
import type { ExperimentSummary } from '../core/experiment/summary';
import { JOURNAL_SUFFIX } from '../core/trace/journal';
import type { Services } from './services';
import { CancelledByUser } from './services';
import { experimentProblems } from './experimentFolder';
import { capabilityStorageDir } from './searchRunner';
import { endpointChoiceFor } from './endpointChoice';
import { EMBEDDED_ENDPOINT, isTrusted, listEndpoints, readSearchDefaults, resolveEndpoint, SECTION } from './settings';
import type { ResolvedEndpoint } from './settings';
import type { RerunState } from '../protocol/experimentMessages';

export interface RerunOutcome {
  ran: number;
  stillFailed: number;
  cancelled: boolean;
  message: string;
}

/**
 * The endpoint a re-run uses. An embedded experiment reruns on the embedded model. Otherwise a configured endpoint
 * serving the experiment's model: `name` when given, else the one at the experiment's address, else the default
 * endpoint when it serves that model, else the only one that does; several: the person picks. A model other than
 * the experiment's is refused (its cells would mix two models).
 */
async function rerunEndpoint(summary: ExperimentSummary, name: string | undefined, interactive: boolean): Promise<ResolvedEndpoint | 'embedded'> {
  const want = summary.spec.endpoint;
  if (want.kind === 'embedded') {
    if (name && name !== EMBEDDED_ENDPOINT) throw new Error(`this experiment ran on the embedded model; endpoint "${name}" would mix models in its cells`);
    return 'embedded';
  }
  if (name) {
    const e = resolveEndpoint(name);
    if (e.setting.model !== want.model) throw new Error(`endpoint "${name}" serves ${e.setting.model}, this experiment ran ${want.model}: its cells would mix two models`);
    return e;
  }
  const serving = listEndpoints().filter((e) => e.setting.model === want.model);
  const same = serving.find((e) => e.setting.baseUrl === want.baseUrl);
  if (same) return same;
  let def: ResolvedEndpoint | undefined;
  try {
    def = resolveEndpoint(undefined);
  } catch {
    def = undefined;
  }
  if (def && def.setting.model === want.model) return def;
  if (serving.length === 1) return serving[0]!;
  if (serving.length === 0) {
    throw new Error(`no configured endpoint serves ${want.model} (the experiment ran it at ${want.baseUrl}): run "Meta-CoT: Configure Endpoint" with that model, then re-run`);
  }
  if (!interactive) throw new Error(`several endpoints serve ${want.model} (${serving.map((e) => e.setting.name).join(', ')}): name one`);
  const pick = await vscode.window.showQuickPick(
    serving.map((e) => ({ label: e.setting.name, description: `${e.setting.model} at ${e.setting.baseUrl}`, e })),
    { title: `Meta-CoT: Re-run failures on which endpoint? (the experiment ran ${want.model} at ${want.baseUrl})` },
  );
  if (!pick) throw new CancelledByUser();
  return pick.e;
}

/** A crash journal under traces/ written to in the last 15 s (a run appends to it every step): the path and age. */
async function liveJournal(folder: string): Promise<string | undefined> {
  const { readdir, stat } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const root = join(folder, 'traces');
  let cells: string[];
  try {
    cells = await readdir(root);
  } catch {
    return undefined;
  }
  for (const cell of cells) {
    let files: string[];
    try {
      files = await readdir(join(root, cell));
    } catch {
      continue;
    }
    for (const f of files.filter((n) => n.endsWith(JOURNAL_SUFFIX))) {
      const age = Date.now() - (await stat(join(root, cell, f))).mtimeMs;
      if (age < 15_000) return `traces/${cell}/${f} was written ${Math.round(age / 1000)} s ago`;
    }
  }
  return undefined;
}

export interface RerunRequest {
  folder: vscode.Uri;
  summary: ExperimentSummary;
  /** A configured endpoint's name; absent: chosen as `rerunEndpoint` says. */
  endpoint?: string;
  interactive: boolean;
  signal: AbortSignal;
  onState(state: RerunState): void;
}

/** Runs the failed entries again and answers what happened; throws (with the reason) when it could not start. */
export async function rerunFailures(services: Services, req: RerunRequest): Promise<RerunOutcome> {
  const { summary } = req;
  const failed = summary.totals.failed;
  if (failed === 0) return { ran: 0, stillFailed: 0, cancelled: false, message: 'No entry failed: nothing to re-run.' };
  if (!isTrusted()) throw new Error('Restricted Mode: re-running writes traces into the experiment folder and sends requests; trust the workspace first.');
  // Only the failed entries (and any a cancelled re-run cut off) run (`failuresOnly`): entries never run stay missing,
  // for a resume to finish. A CLI run still writing this folder must not be raced.
  const live = await liveJournal(req.folder.fsPath);
  if (live) throw new Error(`an experiment run is writing this folder now (${live}); wait for it to end, then re-run the failures`);
  const total = failed;
  const what = `${failed} failed ${failed === 1 ? 'entry' : 'entries'}`;
  const bases = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  const problems = await experimentProblems(req.folder.fsPath, summary, bases);
  const chosen = await rerunEndpoint(summary, req.endpoint, req.interactive);
  const endpoint = chosen === 'embedded' ? ({ kind: 'embedded' } as const) : await endpointChoiceFor(services.keys, chosen, readSearchDefaults().stepDelimiter);
  const endpointName = chosen === 'embedded' ? EMBEDDED_ENDPOINT : chosen.setting.name;
  const { runExperiment } = await import('../core/experiment/runner');
  const dir = capabilityStorageDir(services.context);
  services.log.info(`experiment ${req.folder.fsPath}: re-running ${what} on ${endpointName}`);
  let ran = 0;
  req.onState({ running: true, done: 0, total, message: `Re-running ${what} on ${endpointName}…` });
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Meta-CoT: re-running ${what} of the experiment`, cancellable: true },
    async (progress, token) => {
      // Cancelled from the notification or from the view's Cancel button (req.signal).
      const ctl = new AbortController();
      const sub = token.onCancellationRequested(() => ctl.abort());
      req.signal.addEventListener('abort', () => ctl.abort(), { once: true });
      try {
        return await runExperiment({
          dir: req.folder.fsPath,
          spec: summary.spec,
          problems,
          endpoint,
          rerunFailures: true,
          failuresOnly: true,
          signal: ctl.signal,
          run: {
            priceTable: readSearchDefaults().priceTable,
            capabilities: { probe: vscode.workspace.getConfiguration(SECTION).get<boolean>('probeEndpoints', true), ...(dir ? { dir } : {}) },
          },
          onEntry: (e) => {
            if (e.action !== 'ran') return;
            ran++;
            const word = e.entry.result.solved ? 'solved' : e.entry.result.status === 'failed' ? `failed again (${e.entry.result.reason ?? 'no reason given'})` : e.entry.result.status;
            const message = `Re-ran ${ran} of ${total}: ${e.cell}, problem ${e.ref.index + 1} (${e.ref.problemId}) ${word}`;
            progress.report({ message, increment: 100 / total });
            req.onState({ running: true, done: ran, total, message });
          },
        });
      } finally {
        sub.dispose();
      }
    },
  );
  const stillFailed = outcome.summary.totals.failed;
  const errors = outcome.errors.length ? ` ${outcome.errors.length} could not run: ${outcome.errors.map((x) => `${x.cell} problem ${x.ref.index + 1}: ${x.message}`).join('; ')}.` : '';
  const message = outcome.interrupted
    ? `Cancelled after ${outcome.ran.length} of ${total} entries; ${stillFailed} failed, ${outcome.summary.totals.missing} not run.${errors}`
    : `Re-ran ${outcome.ran.length} entries on ${endpointName}: ${stillFailed === 0 ? 'none failed' : `${stillFailed} failed again`}.${errors}`;
  services.log.info(`experiment ${req.folder.fsPath}: ${message}`);
  return { ran: outcome.ran.length, stillFailed, cancelled: outcome.interrupted, message };
}
