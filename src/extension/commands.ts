/**
 * Registration of every `metacot.*` command: each pairs its argument schema (commandArgs.ts) with its
 * implementation (runCommands, nodeCommands, openCommands, import, endpoint set-up). How a call is read — a
 * person's (palette, menu, tree) or an API call's (an argument object) — is decided once by `normaliseArgs`;
 * errors of a person's call become a notification with "Show Log", an API call gets them thrown back.
 */
import * as vscode from 'vscode';
import type { z } from 'zod';
import type { Services } from './services';
import { CancelledByUser } from './services';
import type { TraceActions } from './traceActions';
import { readSearchDefaults } from './settings';
import { configureEndpoint, setApiKey, testConnection } from './endpointSetup';
import { importTrace } from './importCommand';
import type { Invocation } from './commandArgs';
import {
  CancelArgsSchema,
  ConfigureEndpointArgsSchema,
  EditArgsSchema,
  ExportArgsSchema,
  ImportArgsSchema,
  MarkArgsSchema,
  NoArgsSchema,
  NodeArgsSchema,
  normaliseArgs,
  OpenArgsSchema,
  ProblemFileArgsSchema,
  PruneArgsSchema,
  RerunArgsSchema,
  RunArgsSchema,
  RunSampleArgsSchema,
  SetApiKeyArgsSchema,
  TestConnectionArgsSchema,
} from './commandArgs';
import type { CommandContext } from './commandPickers';
import { cancelSearch, newTraceUri, rerunFromNode, runOnProblemFile, runOnSelection } from './runCommands';
import { editNode, markNode, pruneBranch } from './nodeCommands';
import { exportCommand, openAsText, openInTraceEditor, openTrace, revealInPanel } from './openCommands';
import { openLatestTrace, rerunLatestTrace, runSample } from './walkthrough';
import { registerCompareCommands } from './compareCommands';
import { registerExperimentCommands } from './experimentCommand';
import { ImportanceArgsSchema, MEASURE_IMPORTANCE_COMMAND, measureStepImportanceCommand } from './importanceCommand';

/** Command id → implementation; the light bundle (extension.ts) registers the ids and calls these on first use. */
export type CommandTable = Map<string, (...args: unknown[]) => Promise<unknown>>;

export function registerCommands(services: Services, actions: TraceActions, table: CommandTable): void {
  const ctx: CommandContext = { services, actions };
  /** Only the first argument counts: menus add others (the selected resources, the editor group). */
  const reg = <S extends z.ZodType>(id: string, schema: S, fn: (inv: Invocation<z.output<S>>) => unknown) =>
    table.set(id, async (raw?: unknown) => {
      let inv: Invocation<z.output<S>>;
      try {
        inv = normaliseArgs(schema, raw);
      } catch (err) {
        // Only an argument object can fail to normalise: an API call, so the caller gets the error.
        throw report(services, id, err, false);
      }
      try {
        return await fn(inv);
      } catch (err) {
        report(services, id, err, inv.interactive);
        if (!inv.interactive) throw new Error(messageOf(services, err));
        return undefined;
      }
    });

  reg('metacot.runSearchOnSelection', RunArgsSchema, (inv) => runOnSelection(ctx, inv));
  reg('metacot.runSearchOnProblemFile', ProblemFileArgsSchema, (inv) => runOnProblemFile(ctx, inv));
  reg('metacot.rerunFromNode', RerunArgsSchema, (inv) => rerunFromNode(ctx, inv));
  reg('metacot.cancelSearch', CancelArgsSchema, (inv) => cancelSearch(ctx, inv));
  // The walkthrough's steps and the Traces view's welcome buttons (walkthrough.ts).
  reg('metacot.runSample', RunSampleArgsSchema, (inv) => runSample(ctx, inv));
  reg('metacot.openLatestTrace', NoArgsSchema, () => openLatestTrace(ctx));
  reg('metacot.rerunLatestTrace', RerunArgsSchema, (inv) => rerunLatestTrace(ctx, inv));
  reg('metacot.editNode', EditArgsSchema, (inv) => editNode(ctx, inv));
  reg('metacot.pruneBranch', PruneArgsSchema, (inv) => pruneBranch(ctx, inv));
  reg('metacot.markNodeCorrect', NodeArgsSchema, (inv) => markNode(ctx, inv, 'correct'));
  reg('metacot.markNodeIncorrect', NodeArgsSchema, (inv) => markNode(ctx, inv, 'incorrect'));
  reg('metacot.markNode', MarkArgsSchema, (inv) => markNode(ctx, inv, inv.args.label ?? null));
  reg(MEASURE_IMPORTANCE_COMMAND, ImportanceArgsSchema, (inv) => measureStepImportanceCommand(ctx, inv));
  reg('metacot.openTrace', OpenArgsSchema, (inv) => openTrace(ctx, inv));
  reg('metacot.openAsText', OpenArgsSchema, (inv) => openAsText(ctx, inv));
  reg('metacot.openInTraceEditor', OpenArgsSchema, (inv) => openInTraceEditor(ctx, inv));
  reg('metacot.revealInPanel', OpenArgsSchema, (inv) => revealInPanel(ctx, inv));
  reg('metacot.export', ExportArgsSchema, (inv) => exportCommand(ctx, inv));
  reg('metacot.importTrace', ImportArgsSchema, (inv) => importTrace(services, inv, (p) => newTraceUri(services, p, readSearchDefaults().tracesFolder)));
  reg('metacot.configureEndpoint', ConfigureEndpointArgsSchema, (inv) => configureEndpoint(services, inv.args));
  reg('metacot.testConnection', TestConnectionArgsSchema, (inv) => testConnection(services, inv.args));
  reg('metacot.setApiKey', SetApiKeyArgsSchema, (inv) => setApiKey(services, inv.args));
  // Compare Traces / Compare Runs take the explorer's multi-selection too (compareCommands.ts).
  registerCompareCommands(ctx, table);
  // Open Experiment… takes an explorer folder or summary.json (experimentCommand.ts).
  registerExperimentCommands(ctx, table);
}

function messageOf(services: Services, err: unknown): string {
  return services.keys.redact(err instanceof Error ? err.message : String(err));
}

/** Logs the failure; a person sees a notification (not for a dismissed prompt). Returns the error to rethrow. */
function report(services: Services, id: string, err: unknown, interactive: boolean): Error {
  const message = messageOf(services, err);
  if (err instanceof CancelledByUser) services.log.info(`${id}: cancelled`);
  else services.log.error(`${id}: ${message}`);
  if (interactive && !(err instanceof CancelledByUser)) {
    void vscode.window.showErrorMessage(`Meta-CoT: ${message}`, 'Show Log').then((a) => a && services.log.show(true));
  }
  return new Error(message);
}
