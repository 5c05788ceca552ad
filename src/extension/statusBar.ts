/** Status bar item for running searches: nodes, tokens and cost, so a runaway search is visible at a glance. */
import * as vscode from 'vscode';
import type { Services } from './services';
import type { LiveRun } from './searchRunner';
import { formatTokens } from './traceTreeView';

export class RunStatusBar implements vscode.Disposable {
  static register(services: Services): void {
    services.context.subscriptions.push(new RunStatusBar(services));
  }

  private item: vscode.StatusBarItem | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private hideTimer: ReturnType<typeof setTimeout> | undefined;
  private lastUpdate = 0;

  private constructor(private readonly services: Services) {
    this.disposables.push(
      services.runs.onDidChange(() => this.update()),
      services.runs.onDidProgress(() => {
        // Progress arrives per engine event; a few updates a second are enough for the eye.
        if (Date.now() - this.lastUpdate > 250) this.update();
      }),
      services.runs.onDidEnd((run) => this.showFinished(run)),
    );
  }

  /** Created on first use: nothing in the status bar until a search runs. */
  private get bar(): vscode.StatusBarItem {
    if (!this.item) {
      this.item = vscode.window.createStatusBarItem('metacot.run', vscode.StatusBarAlignment.Left, 50);
      this.item.name = 'Meta-CoT Search';
    }
    return this.item;
  }

  private update(): void {
    this.lastUpdate = Date.now();
    const runs = this.services.runs.list();
    if (!runs.length) return;
    clearTimeout(this.hideTimer);
    this.bar.backgroundColor = undefined;
    const nodes = runs.reduce((s, r) => s + r.progress.nodes, 0);
    const tokens = runs.reduce((s, r) => s + r.progress.tokens, 0);
    const cost = runs.reduce((s, r) => s + r.progress.cost, 0);
    const bar = this.bar;
    bar.text = `$(loading~spin) ${runs.length > 1 ? `${runs.length} searches · ` : ''}${nodes} nodes · ${formatTokens(tokens)} tok${cost > 0 ? ` · $${cost.toFixed(4)}` : ''}`;
    bar.tooltip = `Meta-CoT: ${runs.map((r) => `${r.strategy} on ${vscode.workspace.asRelativePath(r.uri)}`).join('\n')}\nClick to cancel.`;
    bar.command = { command: 'metacot.cancelSearch', title: 'Cancel Search', arguments: [{ runId: runs.length === 1 ? runs[0]!.id : undefined }] };
    bar.show();
  }

  /** The last run's end for 15 s: a failed one in the status bar's error colours (it is in the Traces view too). */
  private showFinished(run: LiveRun): void {
    if (this.services.runs.list().length) return this.update();
    const bar = this.bar;
    const failed = run.status === 'failed';
    bar.text = `$(${failed ? 'error' : run.status === 'solved' ? 'pass' : 'search'}) ${run.summary()}`;
    bar.tooltip = `Meta-CoT: last search${failed ? ' failed' : ''}. Click to show the log.`;
    bar.backgroundColor = failed ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    bar.command = 'metacot.showLog';
    bar.show();
    clearTimeout(this.hideTimer);
    this.hideTimer = setTimeout(() => this.item?.hide(), 15000);
  }

  dispose(): void {
    clearTimeout(this.hideTimer);
    this.item?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
