/**
 * `metacot.*` settings, read with Workspace Trust in mind: in Restricted Mode a value that comes from workspace
 * settings must not decide where a request (carrying the user's API key) goes, so endpoint settings are read through
 * `inspect()` and workspace-level values are refused, with a message, instead of silently used or dropped.
 */
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import type { Budgets, Params, StrategyName, VerifierConfig } from '../core/trace/schema';
import { DEFAULT_STRATEGY, STRATEGY_CATALOG } from '../core/search/catalog';
import { endpointOrigin, type EndpointConfigInput } from '../core/llm/endpointConfig';
import type { ConfigMessage } from '../protocol/hostMessages';

export const SECTION = 'metacot';

export type Provider = 'openai' | 'vllm' | 'sglang' | 'ollama' | 'llamacpp' | 'custom';

/**
 * One entry of `metacot.endpoints`: the endpoint layer's config plus where it came from in the setup wizard.
 * Never holds a key: keys live in SecretStorage under the endpoint's origin and name (src/extension/secrets.ts).
 */
export type EndpointSetting = EndpointConfigInput & {
  provider?: Provider;
  /** Whether the endpoint needs an API key (OpenAI: yes; local servers usually not). */
  requiresKey?: boolean;
};

export type SettingOrigin = 'user' | 'workspace' | 'workspaceFolder' | 'default' | 'argument' | 'embedded';

export interface ResolvedEndpoint {
  setting: EndpointSetting;
  origin: SettingOrigin;
}

/** Thrown when Restricted Mode refuses a workspace-provided value. */
export class RestrictedModeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestrictedModeError';
  }
}

let trustOverride: boolean | undefined;

/** Workspace Trust, with a test-only override (set through the test API, which exists only in extension test mode). */
export function isTrusted(): boolean {
  return trustOverride ?? vscode.workspace.isTrusted;
}

export function setTrustOverride(value: boolean | undefined): void {
  trustOverride = value;
}

function cfg(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

/** A setting's value, ignoring workspace-level values when the workspace is not trusted. */
function trustedGet<T>(key: string, fallback: T): { value: T; origin: SettingOrigin } {
  const i = cfg().inspect<T>(key);
  if (!i) return { value: fallback, origin: 'default' };
  if (isTrusted()) {
    if (i.workspaceFolderValue !== undefined) return { value: i.workspaceFolderValue, origin: 'workspaceFolder' };
    if (i.workspaceValue !== undefined) return { value: i.workspaceValue, origin: 'workspace' };
  }
  if (i.globalValue !== undefined) return { value: i.globalValue, origin: 'user' };
  return { value: i.defaultValue ?? fallback, origin: 'default' };
}

/** Endpoint names defined only in workspace settings (what Restricted Mode hides). */
function workspaceOnlyEndpoints(): EndpointSetting[] {
  const i = cfg().inspect<EndpointSetting[]>('endpoints');
  return [...(i?.workspaceFolderValue ?? []), ...(i?.workspaceValue ?? [])];
}

/**
 * Raw text of the workspace's settings files. In real Restricted Mode VS Code hides restricted workspace values even
 * from inspect(), so this is the only way to tell the user *why* their repository's endpoint is not used. Read only
 * to word the refusal; nothing in it is ever used to send a request.
 */
function workspaceSettingsText(): string {
  const files: vscode.Uri[] = [];
  for (const f of vscode.workspace.workspaceFolders ?? []) if (f.uri.scheme === 'file') files.push(vscode.Uri.joinPath(f.uri, '.vscode', 'settings.json'));
  const wsFile = vscode.workspace.workspaceFile;
  if (wsFile?.scheme === 'file') files.push(wsFile);
  let text = '';
  for (const f of files) {
    try {
      text += readFileSync(f.fsPath, 'utf8');
    } catch {
      // no settings file there
    }
  }
  return text;
}

function workspaceDefaultEndpoint(): string | undefined {
  const def = cfg().inspect<string>('defaultEndpoint');
  const fromApi = def?.workspaceFolderValue ?? def?.workspaceValue;
  if (fromApi) return fromApi;
  const m = /"metacot\.defaultEndpoint"\s*:\s*"((?:[^"\\]|\\.)+)"/.exec(workspaceSettingsText());
  return m?.[1];
}

function workspaceDefinesEndpoint(name: string): boolean {
  if (workspaceOnlyEndpoints().some((e) => e.name === name)) return true;
  const text = workspaceSettingsText();
  const quoted = JSON.stringify(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.includes('"metacot.endpoints"') && new RegExp(`"name"\\s*:\\s*${quoted}`).test(text);
}

/** Endpoints the user may send requests to now; workspace-level lists shadow user-level entries of the same name. */
export function listEndpoints(): ResolvedEndpoint[] {
  const i = cfg().inspect<EndpointSetting[]>('endpoints');
  const out = new Map<string, ResolvedEndpoint>();
  const add = (list: EndpointSetting[] | undefined, origin: SettingOrigin) => {
    for (const e of list ?? []) if (e && typeof e.name === 'string') out.set(e.name, { setting: e, origin });
  };
  add(i?.globalValue, 'user');
  if (isTrusted()) {
    add(i?.workspaceValue, 'workspace');
    add(i?.workspaceFolderValue, 'workspaceFolder');
  }
  return [...out.values()];
}

/**
 * The origin that the user's own settings give an endpoint name, or undefined. Only user settings count: a
 * workspace's settings come with a repository, so a name there says nothing about where the user meant a key to go.
 * A key stored by name only (before keys were bound to origins) moves to this origin and to no other.
 */
export function userEndpointOrigin(name: string): string | undefined {
  const entry = cfg()
    .inspect<EndpointSetting[]>('endpoints')
    ?.globalValue?.find((e) => e && e.name === name);
  return typeof entry?.baseUrl === 'string' ? endpointOrigin(entry.baseUrl) : undefined;
}

/** Name of the built-in endpoint: the embedded Countdown model behind a local reference server, started on demand. */
export const EMBEDDED_ENDPOINT = 'embedded';

/**
 * The endpoint a run uses: a name, an inline setting (command argument), or the default. Refuses, with the reason,
 * an endpoint that only workspace settings define while the workspace is not trusted.
 */
export function resolveEndpoint(spec: string | EndpointSetting | undefined): ResolvedEndpoint {
  if (spec && typeof spec === 'object') return { setting: spec, origin: 'argument' };
  let name = spec;
  if (!name) {
    const wsDefault = isTrusted() ? undefined : workspaceDefaultEndpoint();
    if (wsDefault) {
      throw new RestrictedModeError(
        `Restricted Mode: the default endpoint "${wsDefault}" is set in this workspace's settings, which are not trusted. ` +
          'Trust the workspace (Manage Workspace Trust) or choose an endpoint in your user settings.',
      );
    }
    name = trustedGet<string>('defaultEndpoint', '').value;
  }
  if (!name || name === EMBEDDED_ENDPOINT) return embeddedEndpoint();
  const found = listEndpoints().find((e) => e.setting.name === name);
  if (found) return found;
  if (!isTrusted() && workspaceDefinesEndpoint(name)) {
    throw new RestrictedModeError(
      `Restricted Mode: endpoint "${name}" is defined in this workspace's settings, which are not trusted, so no request is sent to it. ` +
        'Trust the workspace (Manage Workspace Trust) or define the endpoint in your user settings.',
    );
  }
  const known = listEndpoints().map((e) => e.setting.name);
  throw new Error(`No endpoint named "${name}" in metacot.endpoints (known: ${[EMBEDDED_ENDPOINT, ...known].join(', ')}). Run "Meta-CoT: Configure Endpoint".`);
}

export function embeddedEndpoint(): ResolvedEndpoint {
  return { setting: { name: EMBEDDED_ENDPOINT, provider: 'custom', baseUrl: '', model: 'countdown-embedded', mode: 'chat' }, origin: 'embedded' };
}

export interface SearchDefaults {
  strategy: StrategyName;
  params: Params;
  budgets: Budgets;
  verifier: VerifierConfig | 'auto';
  stepDelimiter: string;
  checkpointIntervalMs: number;
  tracesFolder: string;
  priceTable: Record<string, { input: number; output: number }>;
}

export function readSearchDefaults(strategyOverride?: StrategyName): SearchDefaults {
  const c = cfg();
  const strategy = strategyOverride ?? c.get<StrategyName>('search.strategy', DEFAULT_STRATEGY);
  const perStrategy = c.get<Record<string, Params>>('search.params', {}) ?? {};
  const verifier = trustedGet<VerifierConfig | { kind: 'auto' }>('verifier', { kind: 'auto' }).value;
  return {
    strategy,
    params: { ...(perStrategy[strategy] ?? {}) },
    budgets: { ...(c.get<Budgets>('budgets', {}) ?? {}) },
    verifier: !verifier || verifier.kind === 'auto' ? 'auto' : { kind: verifier.kind, params: (verifier as VerifierConfig).params ?? {} },
    stepDelimiter: trustedGet<string>('stepDelimiter', '').value,
    checkpointIntervalMs: c.get<number>('checkpointIntervalMs', 2000),
    tracesFolder: trustedGet<string>('tracesFolder', '.metacot/traces').value || '.metacot/traces',
    priceTable: c.get<Record<string, { input: number; output: number }>>('priceTable', {}) ?? {},
  };
}

export function readPanelConfig(): Omit<ConfigMessage, 'type'> {
  const c = cfg();
  const kind = vscode.window.activeColorTheme.kind;
  const themeKind =
    kind === vscode.ColorThemeKind.Light
      ? 'light'
      : kind === vscode.ColorThemeKind.HighContrast
        ? 'high-contrast'
        : kind === vscode.ColorThemeKind.HighContrastLight
          ? 'high-contrast-light'
          : 'dark';
  const strategy = c.get<StrategyName>('search.strategy', DEFAULT_STRATEGY);
  const perStrategy = c.get<Record<string, Params>>('search.params', {}) ?? {};
  return {
    // The panel's re-run form is built from the core catalog, never re-typed in the page.
    strategies: STRATEGY_CATALOG,
    colorBy: c.get<'value' | 'status' | 'author'>('panel.colorBy', 'value'),
    themeKind,
    labelChars: c.get<number>('panel.labelChars', 60),
    followLive: c.get<boolean>('panel.followLive', true),
    rerunDefaults: { strategy, params: perStrategy[strategy] ?? {} },
  };
}
