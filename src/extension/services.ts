/**
 * Shared state of the extension's surfaces, created at activation. Everything here is cheap to construct: the search
 * engine, endpoint clients and the embedded model are loaded by the runner on first use, never here. The runner gets
 * only the parts it needs (RunsDeps), so it does not import this module back.
 */
import * as vscode from 'vscode';
import { TraceModels } from './traceModel';
import { ApiKeys, redactingLog } from './secrets';
import type { Log } from './secrets';
import { Runs } from './searchRunner';

/** A person dismissed a prompt: not an error worth a notification. */
export class CancelledByUser extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledByUser';
  }
}

export interface NodeSelection {
  uri: vscode.Uri;
  nodeId: string;
  /** Which surface made the selection, so it is not echoed back to itself. */
  source: 'tree' | 'panel' | 'command';
  /** Host id of the panel that selected, when source is 'panel'. */
  hostId?: string;
}

/** Selection shared by the tree view and every panel showing a trace: both directions go through here. */
export class SelectionHub implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<NodeSelection>();
  readonly onDidSelect = this.emitter.event;
  private last: NodeSelection | undefined;

  select(sel: NodeSelection): void {
    if (this.last && this.last.uri.toString() === sel.uri.toString() && this.last.nodeId === sel.nodeId) {
      this.last = sel;
      return;
    }
    this.last = sel;
    this.emitter.fire(sel);
  }

  get current(): NodeSelection | undefined {
    return this.last;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

/** Which trace the user is looking at: the last focused trace editor or panel. Commands without arguments use it. */
export class ActiveTrace {
  uri: vscode.Uri | undefined;
}

export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: Log;
  readonly models: TraceModels;
  readonly selection: SelectionHub;
  readonly active: ActiveTrace;
  readonly keys: ApiKeys;
  readonly runs: Runs;
}

export function createServices(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel): Services {
  const keys = new ApiKeys(context.secrets);
  const log = redactingLog(channel, () => keys);
  const models = new TraceModels();
  const selection = new SelectionHub();
  const runs = new Runs({ context, log, models, keys });
  context.subscriptions.push(models, selection, runs);
  return { context, log, models, selection, active: new ActiveTrace(), keys, runs };
}
