/**
 * What a webview panel without a document needs to come back after a window reload, kept in workspace state under
 * `key` as { id → value }: the newest last, the oldest forgotten past `max` (panels closed long ago must not pile up).
 */
import type * as vscode from 'vscode';

export class RestoreState<T> {
  constructor(
    private readonly state: vscode.Memento,
    private readonly key: string,
    private readonly max = 20,
  ) {}

  get(id: string): unknown {
    return this.state.get<Record<string, unknown>>(this.key, {})[id];
  }

  async remember(id: string, value: T): Promise<void> {
    const known = { ...this.state.get<Record<string, unknown>>(this.key, {}) };
    delete known[id];
    known[id] = value;
    const ids = Object.keys(known);
    for (const old of ids.slice(0, Math.max(0, ids.length - this.max))) delete known[old];
    await this.state.update(this.key, known);
  }
}
