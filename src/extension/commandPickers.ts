/**
 * The questions commands ask a person: which trace, which node, which strategy and parameters. Each is asked only
 * for an interactive invocation; an API call that leaves a piece out gets an error naming it.
 */
import * as vscode from 'vscode';
import type { Params, StrategyName, Trace, TraceNode } from '../core/trace/schema';
import { ParamsSchema, StrategyNameSchema } from '../core/trace/schema';
import { TRACE_FILE_SUFFIX } from '../core/trace/io';
import { strategyDefaults, strategyPickItems } from '../core/search/catalog';
import type { Services } from './services';
import { CancelledByUser } from './services';
import type { RerunChoice, RerunPreview, TraceActions } from './traceActions';
import { describeVerifier } from '../core/run/rerunVerifier';
import { stripUrlCredentials } from '../core/llm/endpointConfig';
import type { CommandTarget } from './commandArgs';
import { describeNode, oneLine } from './traceTreeView';
import { readSearchDefaults, SECTION } from './settings';
import type { StrategyChoiceItem } from './strategyChoice';
import { ASK_STRATEGY_SETTING, LAST_STRATEGY_KEY, preselectedItem, readRemembered, rememberAnswer, strategyChoiceItems, strategyOfAnswer } from './strategyChoice';

/** What every command module works with. */
export interface CommandContext {
  services: Services;
  actions: TraceActions;
}

/** The active trace (editor or panel), else the only one, else a pick. */
export async function pickTraceUri(services: Services, interactive: boolean): Promise<vscode.Uri> {
  if (services.active.uri) return services.active.uri;
  const ed = vscode.window.activeTextEditor;
  if (ed && ed.document.uri.path.endsWith(TRACE_FILE_SUFFIX)) return ed.document.uri;
  if (!interactive) throw new Error('uri is required (no trace is active)');
  const files = await vscode.workspace.findFiles(`**/*${TRACE_FILE_SUFFIX}`, '**/node_modules/**', 2000);
  if (files.length === 1) return files[0]!;
  const pick = await vscode.window.showQuickPick(
    files.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })),
    { title: 'Meta-CoT: which trace?' },
  );
  if (!pick) throw new CancelledByUser();
  return pick.uri;
}

/** The trace and node a node command works on: the target's, else the current selection's trace and a pick. */
export async function pickNode(
  ctx: CommandContext,
  target: CommandTarget,
  interactive: boolean,
  title: string,
  filter: (n: TraceNode) => boolean = () => true,
): Promise<{ uri: vscode.Uri; trace: Trace; node: TraceNode }> {
  const { services, actions } = ctx;
  const selected = services.selection.current;
  const uri = target.uri ?? services.active.uri ?? selected?.uri ?? (await pickTraceUri(services, interactive));
  const { trace } = await actions.load(uri);
  let nodeId = target.nodeId;
  if (!nodeId) {
    if (!interactive) throw new Error('nodeId is required');
    const items = trace.nodes.filter(filter).map((n) => ({
      label: `${n.id}  ${oneLine(n.text, 70)}`,
      description: [n.kind, n.status, describeNode(n)].filter(Boolean).join(' · '),
      nodeId: n.id,
    }));
    const active = items.find((i) => selected && selected.uri.toString() === uri.toString() && i.nodeId === selected.nodeId);
    const qp = vscode.window.createQuickPick<(typeof items)[number]>();
    qp.title = title;
    qp.placeholder = 'Type to filter by id or text';
    qp.matchOnDescription = true;
    qp.items = items;
    if (active) qp.activeItems = [active];
    nodeId = await showPick(qp, (item) => item.nodeId);
    if (!nodeId) throw new CancelledByUser();
  }
  return { uri, trace, node: actions.findNode(uri, trace, nodeId) };
}

/** A strategy from the catalog (every strategy the engine runs, in-context included); the current one is marked. */
export async function pickStrategy(current: string | undefined): Promise<StrategyName> {
  const items = strategyPickItems().map((i) => (i.name === current ? { ...i, description: `${i.description} · current` } : i));
  const pick = await vscode.window.showQuickPick(items, { title: 'Meta-CoT: Strategy', matchOnDescription: true, ignoreFocusOut: true });
  if (!pick) throw new CancelledByUser();
  return StrategyNameSchema.parse(pick.name);
}

/**
 * The strategy of a run a person starts (Run Search on Selection / on Problem File): a pick of "Use settings", every
 * catalog strategy and "Always use settings", the last answer preselected. Undefined: the settings' strategy —
 * also, without asking, once `metacot.search.askStrategy` is false.
 */
export async function askRunStrategy(services: Services): Promise<StrategyName | undefined> {
  const config = vscode.workspace.getConfiguration(SECTION);
  if (config.get<boolean>(ASK_STRATEGY_SETTING, true) === false) return undefined;
  const remembered = readRemembered(services.context.globalState.get(LAST_STRATEGY_KEY));
  const items = strategyChoiceItems(readSearchDefaults().strategy, remembered);
  type Row = vscode.QuickPickItem & { choice?: StrategyChoiceItem };
  const row = (i: StrategyChoiceItem): Row => ({ label: i.label, description: i.description, ...(i.detail ? { detail: i.detail } : {}), choice: i });
  const sep = (label: string): Row => ({ label, kind: vscode.QuickPickItemKind.Separator });
  const rows = [row(items[0]!), sep('strategies'), ...items.slice(1, -1).map(row), sep(''), row(items[items.length - 1]!)];
  const qp = vscode.window.createQuickPick<Row>();
  qp.title = 'Meta-CoT: Strategy for this run';
  qp.placeholder = 'Pick a strategy, or use the one in settings';
  qp.matchOnDescription = true;
  qp.items = rows;
  const active = preselectedItem(items, remembered);
  qp.activeItems = rows.filter((r) => r.choice === active);
  const picked = await showPick(qp, (row) => row.choice);
  if (!picked) throw new CancelledByUser();
  await services.context.globalState.update(LAST_STRATEGY_KEY, rememberAnswer(picked.answer));
  if (picked.answer.kind === 'alwaysSettings') {
    // Written where the effective value comes from, so a workspace `true` does not shadow the user's answer.
    const i = config.inspect<boolean>(ASK_STRATEGY_SETTING);
    const inWorkspace = i?.workspaceFolderValue !== undefined || i?.workspaceValue !== undefined;
    await config.update(ASK_STRATEGY_SETTING, false, inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
    void vscode.window.showInformationMessage(`Meta-CoT: runs now use the strategy in settings without asking. Set metacot.${ASK_STRATEGY_SETTING} to true to get the choice back.`);
  }
  return strategyOfAnswer(picked.answer);
}

/** The strategy's parameters as JSON, prefilled with `start` (else its defaults and the settings' values). */
export async function askParams(strategy: StrategyName, start?: Params): Promise<Params> {
  const value = start ?? { ...strategyDefaults(strategy), ...readSearchDefaults(strategy).params };
  const text = await vscode.window.showInputBox({
    title: `Meta-CoT: Parameters for ${strategy} (JSON)`,
    value: JSON.stringify(value),
    validateInput: (v) => {
      try {
        return ParamsSchema.safeParse(JSON.parse(v || '{}')).success ? undefined : 'a JSON object of scalars, e.g. {"width": 4}';
      } catch (e) {
        return (e as Error).message;
      }
    },
  });
  if (text === undefined) throw new CancelledByUser();
  return ParamsSchema.parse(JSON.parse(text || '{}'));
}

/** "endpoint openai (https://api.openai.com/v1) · verifier prm, http://host/pooling, token from $PRM_KEY": what a re-run sends where. */
export function describeRerunTargets(preview: RerunPreview): string {
  const e = preview.endpoint;
  const endpoint = 'error' in e ? `endpoint: none (${e.error})` : e.origin === 'embedded' ? 'endpoint embedded (in process)' : `endpoint ${e.setting.name} (${stripUrlCredentials(e.setting.baseUrl)})`;
  return `${endpoint} · verifier ${describeVerifier(preview.verifier)}${preview.verifierConcern ? ' · $(warning) the verifier comes from the trace: you will be asked' : ''}`;
}

/**
 * A person's re-run: "Same settings" (strategy, parameters, and where requests and keys would go: the endpoint and
 * the verifier with its URL) or "Edit settings…" (strategy and parameters). Returns the choice to pass on, with the
 * modal confirmation for a verifier that comes from the trace.
 */
export async function askRerunChoice(ctx: CommandContext, trace: Trace, node: TraceNode, choice: RerunChoice): Promise<RerunChoice> {
  const preview = ctx.actions.previewRerun(trace, node.id);
  const { plan } = preview;
  const same = {
    label: '$(debug-restart) Same settings',
    description: plan ? `${plan.strategy} ${JSON.stringify(plan.params)}` : 'settings defaults',
    detail: describeRerunTargets(preview),
    edit: false,
  };
  const edit = { label: '$(edit) Edit settings…', description: 'choose the strategy and parameters', edit: true };
  // Through showPick like the node pick before it: an Enter before the list is ready must not cancel the re-run.
  const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { edit: boolean }>();
  qp.title = `Re-run from ${node.id}: ${oneLine(node.text, 40)}`;
  qp.items = [same, edit];
  const pick = await showPick(qp, (row) => row);
  if (!pick) throw new CancelledByUser();
  const out: RerunChoice = { ...choice, confirmTraceVerifier: confirmTraceVerifier };
  if (pick.edit) {
    out.strategy = await pickStrategy(plan?.strategy);
    out.params = await askParams(out.strategy, plan && plan.strategy === out.strategy ? plan.params : undefined);
  }
  return out;
}

/** The modal question before a re-run uses a verifier whose URL or key variable only the trace names. */
export async function confirmTraceVerifier(concern: string): Promise<'trace' | 'settings' | undefined> {
  const useTrace = "Use the Trace's Verifier";
  const useSettings = 'Use My Verifier Setting';
  const answer = await vscode.window.showWarningMessage(
    `Meta-CoT: ${concern}.`,
    { modal: true, detail: 'A trace file can come from anyone. Use its verifier only if you trust that server with your steps and that variable\'s value.' },
    useTrace,
    useSettings,
  );
  return answer === useTrace ? 'trace' : answer === useSettings ? 'settings' : undefined;
}

/**
 * Shows a quick pick and resolves with what `read` takes from the accepted row, or undefined when it is hidden.
 * Enter before the list has an active row (still rendering, or filtered to nothing) picks nothing: it keeps waiting.
 */
function showPick<T extends vscode.QuickPickItem, R>(qp: vscode.QuickPick<T>, read: (item: T) => R | undefined): Promise<R | undefined> {
  // These picks are steps of one flow (node, then settings, then strategy): a panel or notification taking focus
  // mid-way (the trace panel finishing its load) must not cancel the flow. Escape still does.
  qp.ignoreFocusOut = true;
  return new Promise<R | undefined>((resolve) => {
    qp.onDidAccept(() => {
      const [selected] = qp.selectedItems;
      const [active] = qp.activeItems;
      const value = (selected && read(selected)) ?? (active && read(active));
      if (value !== undefined) resolve(value);
    });
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  }).finally(() => qp.dispose());
}
