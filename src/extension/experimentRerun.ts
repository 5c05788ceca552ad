/**
 * "Re-run failures" of the Experiment view: the entries whose run failed (status failed: the endpoint or model
 * broke, not an unsolved problem) run again through the core experiment runner the CLI uses, with a cancellable
 * progress notification, on an endpoint the settings give now (the usual fix of a failure is a settings fix).
 */
import * as vscode from 'vscode';
import type { ExperimentSummary } from '../core/experiment/summary';
import type { EndpointChoice } from '../core/run';
import type { Services } from './services';
import { CancelledByUser } from './services';
import { experimentProblems } from './experimentFolder';
import { capabilityStorageDir } from './searchRunner';
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

async function endpointChoice(services: Services, e: ResolvedEndpoint | 'embedded'): Promise<EndpointChoice> {
  if (e === 'embedded' || e.origin === 'embedded') return { kind: 'embedded' };
  const apiKey = await services.keys.get(e.setting);
  if (e.setting.requiresKey && !apiKey) throw new Error(`endpoint "${e.setting.name}" needs an API key: run "Meta-CoT: Set API Key".`);
  const { endpointConfigFromSetting } = await import('../core/llm/endpointConfig');
  return { kind: 'openai', config: endpointConfigFromSetting(e.setting, { stepDelimiter: readSearchDefaults().stepDelimiter }), ...(apiKey ? { apiKey } : {}) };
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
  // The runner resumes every unfinished entry with the failed ones: with entries not run yet this would be more than
  // the failures (and would race a CLI run still writing this folder), so it is refused, with how to finish it.
  if (summary.totals.missing > 0) {
    throw new Error(
      `${summary.totals.missing} entries have not run yet (the experiment is incomplete, or still running): finish it with \`metacot experiment\` (the same options resume it); Re-run failures runs only failed entries.`,
    );
  }
  const bases = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  const problems = await experimentProblems(req.folder.fsPath, summary, bases);
  const chosen = await rerunEndpoint(summary, req.endpoint, req.interactive);
  const endpoint = await endpointChoice(services, chosen);
  const endpointName = chosen === 'embedded' ? EMBEDDED_ENDPOINT : chosen.setting.name;
  const { runExperiment } = await import('../core/experiment/runner');
  const dir = capabilityStorageDir(services.context);
  services.log.info(`experiment ${req.folder.fsPath}: re-running ${failed} failed entries on ${endpointName}`);
  let ran = 0;
  req.onState({ running: true, done: 0, total: failed, message: `Re-running ${failed} failed entries on ${endpointName}…` });
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Meta-CoT: re-running ${failed} failed experiment entries`, cancellable: true },
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
          signal: ctl.signal,
          run: {
            priceTable: readSearchDefaults().priceTable,
            capabilities: { probe: vscode.workspace.getConfiguration(SECTION).get<boolean>('probeEndpoints', true), ...(dir ? { dir } : {}) },
          },
          onEntry: (e) => {
            if (e.action !== 'ran') return;
            ran++;
            const word = e.entry.result.solved ? 'solved' : e.entry.result.status === 'failed' ? `failed again (${e.entry.result.reason ?? 'no reason given'})` : e.entry.result.status;
            const message = `Re-ran ${ran} of ${failed}: ${e.cell}, problem ${e.ref.index + 1} (${e.ref.problemId}) ${word}`;
            progress.report({ message, increment: 100 / failed });
            req.onState({ running: true, done: ran, total: failed, message });
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
    ? `Cancelled after ${outcome.ran.length} of ${failed} failed entries; ${stillFailed} still failed.${errors}`
    : `Re-ran ${outcome.ran.length} failed entries on ${endpointName}: ${stillFailed === 0 ? 'none failed again' : `${stillFailed} failed again`}.${errors}`;
  services.log.info(`experiment ${req.folder.fsPath}: ${message}`);
  return { ran: outcome.ran.length, stillFailed, cancelled: outcome.interrupted, message };
}
