/**
 * Guided endpoint setup (OpenAI, vLLM, SGLang, Ollama, llama.cpp, custom), "test connection" (lists the server's
 * models and probes what it does with n, logprobs, stop, … — remembered for runs — and shows the table), and the API
 * key command. Keys go to SecretStorage only; the endpoint entry in settings never holds one.
 */
import * as vscode from 'vscode';
import type { Capabilities, ContinuationMode } from '../core/trace/schema';
import { endpointConfigFromSetting, type EndpointConfigInput } from '../core/llm/endpointConfig';
import type { Services } from './services';
import { CancelledByUser } from './services';
import { ApiKeys } from './secrets';
import { capabilityStorageDir } from './searchRunner';
import { EMBEDDED_ENDPOINT, listEndpoints, readSearchDefaults, resolveEndpoint, SECTION } from './settings';
import type { EndpointSetting, Provider, ResolvedEndpoint } from './settings';

interface Preset {
  provider: Provider;
  label: string;
  baseUrl: string;
  mode: ContinuationMode;
  requiresKey: boolean;
  detail: string;
}

export const PRESETS: readonly Preset[] = [
  { provider: 'openai', label: 'OpenAI', baseUrl: 'https://api.openai.com/v1', mode: 'chat', requiresKey: true, detail: 'hosted; needs an API key; partial solutions go in the prompt (chat)' },
  { provider: 'vllm', label: 'vLLM', baseUrl: 'http://127.0.0.1:8000/v1', mode: 'chat-continue', requiresKey: false, detail: 'continue_final_message for step-by-step generation' },
  { provider: 'sglang', label: 'SGLang', baseUrl: 'http://127.0.0.1:30000/v1', mode: 'chat-continue', requiresKey: false, detail: 'continue_final_message for step-by-step generation' },
  { provider: 'ollama', label: 'Ollama', baseUrl: 'http://127.0.0.1:11434/v1', mode: 'chat', requiresKey: false, detail: 'OpenAI-compatible API of a local Ollama' },
  { provider: 'llamacpp', label: 'llama.cpp server', baseUrl: 'http://127.0.0.1:8080/v1', mode: 'completions', requiresKey: false, detail: 'raw /v1/completions with a prompt template' },
  { provider: 'custom', label: 'Custom OpenAI-compatible server', baseUrl: 'http://127.0.0.1:8000/v1', mode: 'chat', requiresKey: false, detail: 'any server speaking the OpenAI API' },
];

export interface ConfigureEndpointArgs {
  preset?: Provider;
  name?: string;
  baseUrl?: string;
  model?: string;
  mode?: ContinuationMode;
  /** Stored in SecretStorage for the endpoint's origin and name, never in settings. */
  apiKey?: string;
  /** Where the entry is saved (default: user settings, which Restricted Mode still honours). */
  target?: 'user' | 'workspace';
  /** List the server's models before saving (default: yes when interactive). */
  test?: boolean;
  /** Make it `metacot.defaultEndpoint`. */
  setDefault?: boolean;
  /** Refuse runs until a key is stored (default: the preset's, i.e. OpenAI). */
  requiresKey?: boolean;
}

export async function configureEndpoint(services: Services, args: ConfigureEndpointArgs): Promise<{ endpoint: EndpointSetting; models?: string[]; savedTo: string } | undefined> {
  const programmatic = Object.keys(args).length > 0;
  let preset = PRESETS.find((p) => p.provider === args.preset);
  if (!preset) {
    if (programmatic) preset = PRESETS[PRESETS.length - 1]!;
    else {
      const pick = await vscode.window.showQuickPick(
        PRESETS.map((p) => ({ label: p.label, description: p.baseUrl, detail: p.detail, p })),
        { title: 'Meta-CoT: Configure Endpoint (1/5) — server', ignoreFocusOut: true },
      );
      if (!pick) return undefined;
      preset = pick.p;
    }
  }
  const baseUrl = args.baseUrl ?? (await ask({ title: 'Meta-CoT: Configure Endpoint (2/5) — base URL', value: preset.baseUrl, validateInput: validUrl }));
  const existingNames = new Set(listEndpoints().map((e) => e.setting.name));
  const suggested = uniqueName(preset.provider, existingNames);
  const name = args.name ?? (await ask({ title: 'Meta-CoT: Configure Endpoint (3/5) — name', value: suggested, prompt: 'Used in settings, traces and the key store', validateInput: (v) => (v.trim() && v !== EMBEDDED_ENDPOINT ? undefined : 'a name other than "embedded"') }));
  let apiKey = args.apiKey;
  if (apiKey === undefined && !programmatic) {
    const existing = await services.keys.get({ name, baseUrl });
    const entered = await vscode.window.showInputBox({
      title: 'Meta-CoT: Configure Endpoint (4/5) — API key',
      prompt: preset.requiresKey ? 'API key (kept in VS Code secret storage, never in settings)' : 'API key, if the server needs one (leave empty otherwise)',
      password: true,
      ignoreFocusOut: true,
      placeHolder: existing ? 'a key is stored; leave empty to keep it' : '',
    });
    if (entered === undefined) return undefined;
    apiKey = entered || existing;
  }
  // Bound to this base URL's origin: the same name with another URL (a workspace entry, a later edit) gets no key.
  if (apiKey) await services.keys.set({ name, baseUrl }, apiKey);

  let models: string[] | undefined;
  const shouldTest = args.test ?? !programmatic;
  if (shouldTest) {
    const probe: EndpointSetting = { name, baseUrl, model: args.model ?? 'probe', mode: args.mode ?? preset.mode };
    try {
      models = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Meta-CoT: connecting to ${baseUrl}…` }, () => listModels(services, probe, apiKey));
      services.log.info(`endpoint ${name}: ${baseUrl} serves ${models.length} model(s): ${models.join(', ')}`);
    } catch (err) {
      const message = services.keys.redact(err instanceof Error ? err.message : String(err));
      if (programmatic) throw new Error(message);
      const go = await vscode.window.showWarningMessage(`Meta-CoT: test connection failed: ${message}`, 'Save Anyway', 'Cancel');
      if (go !== 'Save Anyway') return undefined;
    }
  }
  let model = args.model;
  if (!model) {
    if (programmatic) {
      if (!models?.length) throw new Error('model is required (the server listed none)');
      model = models[0]!;
    } else if (models?.length) {
      const pick = await vscode.window.showQuickPick([...models.map((m) => ({ label: m })), { label: '$(edit) Enter a model id…' }], { title: 'Meta-CoT: Configure Endpoint (5/5) — model', ignoreFocusOut: true });
      if (!pick) return undefined;
      model = pick.label.startsWith('$(edit)') ? await ask({ title: 'Model id' }) : pick.label;
    } else model = await ask({ title: 'Meta-CoT: Configure Endpoint (5/5) — model id', placeHolder: 'e.g. Qwen/Qwen2.5-Math-7B-Instruct' });
  }
  let mode = args.mode ?? preset.mode;
  if (!programmatic && !args.mode) {
    const modes: { label: ContinuationMode; detail: string }[] = [
      { label: 'chat', detail: 'partial solution in the prompt; works everywhere (OpenAI included)' },
      { label: 'chat-continue', detail: 'vLLM / SGLang: continue the last assistant message' },
      { label: 'completions', detail: 'raw /v1/completions with a prompt template' },
    ];
    const pick = await vscode.window.showQuickPick(
      modes.map((m) => ({ ...m, picked: m.label === mode, description: m.label === preset!.mode ? 'recommended' : '' })),
      { title: 'How should partial solutions be continued?', ignoreFocusOut: true },
    );
    if (!pick) return undefined;
    mode = pick.label;
  }
  const requiresKey = args.requiresKey ?? preset.requiresKey;
  const setting: EndpointSetting = { name, provider: preset.provider, baseUrl, model, mode, ...(requiresKey ? { requiresKey: true } : {}) };
  let target = args.target;
  if (!target && !programmatic && vscode.workspace.workspaceFolders?.length) {
    const pick = await vscode.window.showQuickPick(
      [
        { label: 'User settings', description: 'recommended: honoured in Restricted Mode too', t: 'user' as const },
        { label: 'Workspace settings', description: 'shared with the repository; ignored while the workspace is untrusted', t: 'workspace' as const },
      ],
      { title: 'Save the endpoint to…' },
    );
    if (!pick) return undefined;
    target = pick.t;
  }
  target ??= 'user';
  const cfgTarget = target === 'workspace' ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  const cfg = vscode.workspace.getConfiguration(SECTION);
  const inspected = cfg.inspect<EndpointSetting[]>('endpoints');
  const current = (target === 'workspace' ? inspected?.workspaceValue : inspected?.globalValue) ?? [];
  await cfg.update('endpoints', [...current.filter((e) => e.name !== name), setting], cfgTarget);
  if (args.setDefault ?? (!programmatic && !cfg.get<string>('defaultEndpoint'))) await cfg.update('defaultEndpoint', name, cfgTarget);
  services.log.info(`endpoint ${name} saved to ${target} settings (${baseUrl}, model ${model}, ${mode})`);
  if (!programmatic) void vscode.window.showInformationMessage(`Meta-CoT: endpoint "${name}" saved${models ? ` (${models.length} model(s) available)` : ''}.`);
  return { endpoint: setting, ...(models ? { models } : {}), savedTo: target };

  async function ask(o: vscode.InputBoxOptions): Promise<string> {
    if (programmatic) throw new Error(`${o.title ?? 'a value'} is required`);
    const v = await vscode.window.showInputBox({ ignoreFocusOut: true, ...o });
    if (v === undefined) throw new CancelledByUser();
    return v.trim();
  }
}

/**
 * "Test connection": the models the server lists and a fresh capability probe of the endpoint's model (a handful of
 * tiny completions), remembered for its runs, using the stored key. A failure of either throws, in the server's words.
 */
export async function testConnection(services: Services, args: { endpoint?: string | EndpointSetting; apiKey?: string }): Promise<{ endpoint: string; models: string[]; capabilities?: Capabilities } | undefined> {
  let resolved: ResolvedEndpoint;
  if (args.endpoint === undefined && Object.keys(args).length === 0) {
    const items = listEndpoints().map((e) => ({ label: e.setting.name, description: `${e.setting.baseUrl} · ${e.origin} settings`, e }));
    if (!items.length) {
      void vscode.window.showInformationMessage('Meta-CoT: no endpoint configured yet.', 'Configure Endpoint').then((a) => a && vscode.commands.executeCommand('metacot.configureEndpoint'));
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(items, { title: 'Meta-CoT: Test Connection' });
    if (!pick) return undefined;
    resolved = pick.e;
  } else resolved = resolveEndpoint(args.endpoint);
  if (resolved.origin === 'embedded') return { endpoint: EMBEDDED_ENDPOINT, models: [resolved.setting.model] };
  const key = args.apiKey ?? (await services.keys.get(resolved.setting));
  const { setting } = resolved;
  const interactive = Object.keys(args).length === 0;
  const work = async () => {
    const models = await listModels(services, setting, key);
    return { models, capabilities: await probe(services, setting, key) };
  };
  const { models, capabilities } = interactive ? await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Meta-CoT: testing ${setting.name}…` }, work) : await work();
  const { capabilitySummary } = await import('../core/run/capabilityTable');
  const summary = `endpoint ${setting.name} (model ${setting.model}) answered: ${capabilitySummary(capabilities)}`;
  services.log.info(`${summary}; serves ${models.length} model(s): ${models.join(', ')}`);
  for (const note of capabilities.notes ?? []) services.log.info(`endpoint ${setting.name}: ${note}`);
  if (interactive) {
    void vscode.window.showInformationMessage(`Meta-CoT: ${summary}`, 'Show Capabilities').then((a) => a && showCapabilities(services, setting, capabilities));
  }
  return { endpoint: setting.name, models, capabilities };
}

const CAPABILITY_SCHEME = 'metacot-capabilities';
const capabilityDocs = new Map<string, string>();
let capabilityProvider: vscode.Disposable | undefined;

/**
 * Opens the capability table as a read-only markdown preview: one line per capability and what the client does
 * about it. Returns the document's URI (its text stays readable through the provider for the window's lifetime).
 */
export async function showCapabilities(services: Pick<Services, 'context'>, setting: EndpointSetting, capabilities: Capabilities): Promise<vscode.Uri> {
  const { capabilityMarkdown } = await import('../core/run/capabilityTable');
  if (!capabilityProvider) {
    capabilityProvider = vscode.workspace.registerTextDocumentContentProvider(CAPABILITY_SCHEME, { provideTextDocumentContent: (uri) => capabilityDocs.get(uri.toString()) ?? '' });
    services.context.subscriptions.push(capabilityProvider, { dispose: () => ((capabilityProvider = undefined), capabilityDocs.clear()) });
  }
  const uri = vscode.Uri.from({ scheme: CAPABILITY_SCHEME, path: `/${encodeURIComponent(setting.name)} capabilities.md` });
  capabilityDocs.set(uri.toString(), capabilityMarkdown(`Endpoint ${setting.name} (model ${setting.model}, ${setting.mode ?? 'chat'} mode)`, capabilities, setting.mode));
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    // No markdown preview (a minimal editor): the text itself, read-only.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
  }
  return uri;
}

/** A fresh probe of the endpoint (Test Connection asks now, not from memory), remembered in global storage. */
async function probe(services: Services, setting: EndpointSetting, apiKey: string | undefined): Promise<Capabilities> {
  const [{ EndpointConfigSchema }, { endpointCapabilities }] = await Promise.all([import('../core/llm/endpointConfig'), import('../core/run/capabilities')]);
  const parsed = EndpointConfigSchema.safeParse(toEndpointConfig(setting));
  if (!parsed.success) throw new Error(`invalid endpoint: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const dir = capabilityStorageDir(services.context);
  try {
    const found = await endpointCapabilities(parsed.data, { probe: true, refresh: true, ...(dir ? { dir } : {}), ...(apiKey ? { apiKey } : {}) });
    return found!.capabilities;
  } catch (err) {
    throw new Error(services.keys.redact(err instanceof Error ? err.message : String(err)));
  }
}

/**
 * Stores (or, given an empty key, deletes) the key of a configured endpoint, bound to the origin of its base URL as
 * settings give it now (user settings, plus the workspace's when trusted). A name no endpoint has is refused: a key
 * is always stored for a place, never for a name alone.
 */
export async function setApiKey(services: Services, args: { endpoint?: string; key?: string }): Promise<{ endpoint: string; origin: string; stored: boolean } | undefined> {
  let resolved: ResolvedEndpoint;
  if (!args.endpoint) {
    const items = listEndpoints().map((e) => ({ label: e.setting.name, description: `${ApiKeys.originOf(e.setting) ?? e.setting.baseUrl} · ${e.origin} settings`, e }));
    if (!items.length) {
      void vscode.window.showInformationMessage('Meta-CoT: no endpoint configured yet; Configure Endpoint stores its key too.', 'Configure Endpoint').then((a) => a && vscode.commands.executeCommand('metacot.configureEndpoint'));
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(items, { title: 'Meta-CoT: Set API Key — for which endpoint? (the key is sent only to that origin)' });
    if (!pick) return undefined;
    resolved = pick.e;
  } else resolved = resolveEndpoint(args.endpoint);
  const { name } = resolved.setting;
  const origin = resolved.origin === 'embedded' ? undefined : ApiKeys.originOf(resolved.setting);
  if (!origin) throw new Error(`endpoint "${name}" takes no API key${resolved.origin === 'embedded' ? ' (the embedded model runs in process)' : ': its base URL is not an http(s) URL'}`);
  let key = args.key;
  if (key === undefined) {
    key = await vscode.window.showInputBox({ title: `Meta-CoT: API key for "${name}" (sent only to ${origin})`, password: true, ignoreFocusOut: true, prompt: 'Kept in VS Code secret storage. Leave empty to delete the stored key.' });
    if (key === undefined) return undefined;
  }
  if (key) await services.keys.set(resolved.setting, key);
  else await services.keys.delete(resolved.setting);
  services.log.info(`API key for ${name} (${origin}) ${key ? 'stored' : 'deleted'} (secret storage)`);
  return { endpoint: name, origin, stored: !!key };
}

/** Settings entry → the endpoint layer's config (the mapping itself is settings-free, in core; price: see src/core/run). */
export function toEndpointConfig(setting: EndpointSetting): EndpointConfigInput {
  return endpointConfigFromSetting(setting, { stepDelimiter: readSearchDefaults().stepDelimiter });
}

async function listModels(services: Services, setting: EndpointSetting, apiKey: string | undefined): Promise<string[]> {
  const [{ EndpointConfigSchema }, { EndpointClient }] = await Promise.all([import('../core/llm/endpointConfig'), import('../core/llm/endpointClient')]);
  const parsed = EndpointConfigSchema.safeParse(toEndpointConfig(setting));
  if (!parsed.success) throw new Error(`invalid endpoint: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const client = new EndpointClient(parsed.data, { apiKey });
  try {
    return await client.listModels(AbortSignal.timeout(10_000));
  } catch (err) {
    throw new Error(services.keys.redact(err instanceof Error ? err.message : String(err)));
  }
}

function validUrl(v: string): string | undefined {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : 'http(s) URL, e.g. http://127.0.0.1:8000/v1';
  } catch {
    return 'http(s) URL, e.g. http://127.0.0.1:8000/v1';
  }
}

function uniqueName(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}
