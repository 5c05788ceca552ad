// Shared helpers of the extension-surface integration tests (commands, tree view, panel, custom editor, trust,
// secrets). They reach the extension only through its commands and the test API that activate() returns in
// extension test mode.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { harness, waitFor } from '../harness';
import type { TestApi } from '../../../src/extension/testApi';
import type { Trace } from '../../../src/core/trace/schema';
import type { ReferenceServer, ReferenceServerOptions } from '../../../src/core/server';
import { parseReplyResult, ReplyMessageSchema } from '../../../src/protocol/panelRequests';
import type { PanelMethod, ReplyMessage } from '../../../src/protocol/panelRequests';

export const COUNTDOWN = 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.';

export async function testApi(): Promise<TestApi> {
  const ext = vscode.extensions.getExtension<{ testing?: TestApi }>(harness().extensionId);
  if (!ext) throw new Error('extension not found');
  const exports = await ext.activate();
  if (!exports?.testing) throw new Error('activate() returned no test API (is the extension host in test mode?)');
  return exports.testing;
}

export function workspaceRoot(): vscode.Uri {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('no workspace folder');
  return f.uri;
}

export function wsPath(...parts: string[]): string {
  return path.join(workspaceRoot().fsPath, ...parts);
}

export async function startServer(opts: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const { startReferenceServer } = await import('../../../src/core/server');
  return startReferenceServer({ host: '127.0.0.1', ...opts });
}

/** Adds (or replaces) a user-level endpoint pointing at a reference server, without prompts. */
export async function configureEndpoint(name: string, server: ReferenceServer, extra: Record<string, unknown> = {}): Promise<void> {
  await vscode.commands.executeCommand('metacot.configureEndpoint', {
    preset: 'custom',
    name,
    baseUrl: server.url,
    model: 'sim-countdown',
    mode: 'chat',
    target: 'user',
    test: false,
    ...extra,
  });
}

export function readTrace(uri: string | vscode.Uri): Trace {
  const p = typeof uri === 'string' ? vscode.Uri.parse(uri).fsPath : uri.fsPath;
  return JSON.parse(fs.readFileSync(p, 'utf8')) as Trace;
}

export function readBytes(uri: string | vscode.Uri): Buffer {
  return fs.readFileSync(typeof uri === 'string' ? vscode.Uri.parse(uri).fsPath : uri.fsPath);
}

/** Every file under a folder (skipping node_modules), for the secret scan. */
export function allFiles(dir: string): string[] {
  const out: string[] = [];
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...allFiles(p));
    } else if (entry.isFile()) out.push(p);
  }
  return out;
}

/** The custom editor tab for a file is open and its host exists. */
export async function openInTraceEditor(api: TestApi, uri: vscode.Uri): Promise<void> {
  await vscode.commands.executeCommand('metacot.openTrace', { uri: uri.toString() });
  await waitFor('the trace editor host', () => (api.hosts(uri).length > 0 ? true : undefined), 10_000);
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor').then(undefined, () => undefined);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** A trace file written by the test (deterministic serialization). */
export async function writeTraceFixture(name: string, trace: Trace): Promise<vscode.Uri> {
  const { serializeTrace } = await import('../../../src/core/trace/io');
  const file = wsPath('fixtures-it', `${name}.metacot.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, serializeTrace(trace));
  return vscode.Uri.file(file);
}

/** A small hand-made trace: root, two steps under it, one answer under the first step. */
export async function smallTrace(): Promise<Trace> {
  const { TraceTree } = await import('../../../src/core/trace/tree');
  const tree = TraceTree.create({ text: COUNTDOWN }, { id: 'fixture-small', createdAt: '2025-01-01T00:00:00.000Z' });
  const a = tree.addChild('n0', { kind: 'step', text: '5 * 3 = 15 (left: 7, 2, 15)', author: 'model', value: 0.75 });
  tree.addChild('n0', { kind: 'step', text: '7 - 2 = 5 (left: 3, 5, 5)', author: 'model', value: 0.25 });
  tree.addChild(a.id, { kind: 'answer', text: 'Answer: (5 * 3) + 7 + 2 = 24', author: 'model', value: 1, verified: true, status: 'terminal' });
  return tree.toJSON();
}

export function isTrustedRun(): boolean {
  return harness().config.expectTrusted !== false;
}

let nextRequest = 1;

/**
 * Sends a typed panel request as the page would (same parse and handler path) and returns the host's reply to it,
 * checked with the protocol's reply schema; a successful reply's result is checked against the method's schema.
 */
export async function panelRequest<M extends PanelMethod>(api: TestApi, uri: vscode.Uri, method: M, params: unknown): Promise<ReplyMessage> {
  const requestId = `it-${method}-${nextRequest++}`;
  await api.postFromWebview(uri, { type: 'request', requestId, method, params });
  const reply = api.sentToWebview(uri).find((m) => (m as { type?: string; requestId?: string }).type === 'reply' && (m as { requestId: string }).requestId === requestId);
  if (!reply) throw new Error(`no reply to ${method} (${requestId})`);
  const parsed = ReplyMessageSchema.parse(reply);
  if (parsed.method !== method) throw new Error(`the reply to ${requestId} names ${parsed.method}`);
  if (parsed.ok) {
    const r = parseReplyResult(method, parsed.result);
    if (!r.ok) throw new Error(r.error);
  }
  return parsed;
}

/** A local port nothing listens on: the unit tier's helper, one for every tier. */
export { closedPort } from '../../unit/helpers/closedPort';
