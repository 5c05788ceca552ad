/**
 * What each `metacot.*` command accepts, decided once: one zod schema per command's argument object, and one
 * function (`normaliseArgs`) that turns whatever VS Code passes — a Traces-view element, a Uri from a menu, an
 * argument object from tests or other extensions, nothing from the palette — into `{ target, args, interactive }`.
 * Only an argument object makes a call programmatic: those never prompt and get their errors thrown back.
 */
import * as vscode from 'vscode';
import * as z from 'zod';
import { BudgetsSchema, ContinuationModeSchema, ParamsSchema, ProblemSchema, StrategyNameSchema, VerifierConfigSchema } from '../core/trace/schema';
import { PanelExportFormatSchema } from '../protocol/panelRequests';
import { EXPORT_FORMATS } from '../core/export/exportTraces';
import { SOURCE_KINDS } from '../core/trace/import/sources';
import type { EndpointSetting } from './settings';

/** A URI string (`file:///…`), an absolute path, a workspace-relative path, or a Uri. */
export function resolvePath(p: string | vscode.Uri): vscode.Uri {
  if (typeof p !== 'string') return p;
  if (/^[a-z]:[\\/]/i.test(p) || p.startsWith('/')) return vscode.Uri.file(p);
  if (/^[a-z][a-z0-9+.-]+:/i.test(p)) return vscode.Uri.parse(p);
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error(`a relative path (${p}) needs an open folder`);
  return vscode.Uri.joinPath(folder.uri, p);
}

const UriArg = z.union([z.custom<vscode.Uri>((v) => v instanceof vscode.Uri, 'a Uri'), z.string().min(1)]).transform((p) => resolvePath(p));
const nodeId = z.string().min(1);
/** An endpoint by name, or an inline setting (checked by the endpoint layer when the run starts). */
const EndpointArg = z.union([
  z.string().min(1),
  z.custom<EndpointSetting>((v) => typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string', 'an endpoint name or an endpoint setting object with a name'),
]);

/** Run settings a caller may give; anything missing comes from the settings (or, for a re-run, the origin run). */
const RunSettings = {
  endpoint: EndpointArg.optional(),
  strategy: StrategyNameSchema.optional(),
  params: ParamsSchema.optional(),
  budgets: BudgetsSchema.optional(),
  verifier: VerifierConfigSchema.optional(),
  /** Show the search panel for the run (default true). */
  open: z.boolean().optional(),
  /** Resolve when the run ends (default) or as soon as it has started. */
  wait: z.boolean().optional(),
};

export const RunArgsSchema = z.strictObject({
  problem: z.union([z.string().min(1), ProblemSchema]).optional(),
  /** Where to write the trace; default: a new file in metacot.tracesFolder. */
  traceFile: UriArg.optional(),
  ...RunSettings,
});

export const ProblemFileArgsSchema = z.strictObject({
  file: UriArg.optional(),
  /** 1-based lines of the file to run; without them a person picks. */
  lines: z.array(z.number().int().positive()).optional(),
  ...RunSettings,
});

/** The walkthrough's sample run: always the embedded model and the settings' strategy; only how it shows. */
export const RunSampleArgsSchema = z.strictObject({ open: RunSettings.open, wait: RunSettings.wait, strategy: StrategyNameSchema.optional() });
/** Commands that take no arguments (an empty object is still an API call: it never prompts). */
export const NoArgsSchema = z.strictObject({});

const NodeTarget = { uri: UriArg.optional(), nodeId: nodeId.optional() };
/** Save the document after the edit; default: only when no editor tab shows it (the custom editor keeps it dirty). */
const save = z.boolean().optional();

export const NodeArgsSchema = z.strictObject({ ...NodeTarget, save });
export const EditArgsSchema = z.strictObject({ ...NodeTarget, save, text: z.string().optional(), mode: z.enum(['replace', 'sibling']).optional() });
export const PruneArgsSchema = z.strictObject({ ...NodeTarget, save, reason: z.string().optional() });
export const MarkArgsSchema = z.strictObject({ ...NodeTarget, save, label: z.enum(['correct', 'incorrect']).nullable().optional() });
export const RerunArgsSchema = z.strictObject({ ...NodeTarget, ...RunSettings });

export const CancelArgsSchema = z.strictObject({ runId: z.string().min(1).optional(), uri: UriArg.optional() });
export const OpenArgsSchema = z.strictObject({ uri: UriArg.optional(), nodeId: nodeId.optional(), preview: z.boolean().optional() });

/** The panel's formats plus the JSONL training records of src/core/export/exportTraces.ts. */
export const ExportFormatSchema = z.enum([...PanelExportFormatSchema.options, ...EXPORT_FORMATS]);
export const LinearizeStyleSchema = z.enum(['appendix-e', 'sos', 'backtrack']);
export const ExportArgsSchema = z.strictObject({
  ...NodeTarget,
  format: ExportFormatSchema.optional(),
  /** Linearization style for 'linearized' (and the training records' text). */
  style: LinearizeStyleSchema.optional(),
  /** Output file; default: beside the trace, or a save dialog when interactive. */
  output: UriArg.optional(),
});

export const ImportArgsSchema = z.strictObject({
  /** The text to import; else `file`; else `folder`; else the selection / active editor. */
  text: z.string().optional(),
  /** A text, JSON or JSONL file (a folder here is read as a Thought Anchors folder). */
  file: UriArg.optional(),
  /** A Thought Anchors folder: problem.json, base_solution.json, chunks_labeled.json. */
  folder: UriArg.optional(),
  /** 1-based line of a JSONL file (needed when it holds more than one record). */
  line: z.number().int().positive().optional(),
  /** 'auto' (default): a folder is Thought Anchors; a library's JSON (llm-reasoners, OpenR, search-and-learn, PRM800K) by its shape; Stream of Search when the text has "Current State:" lines; long CoT otherwise. */
  kind: z.enum(['auto', ...SOURCE_KINDS]).optional(),
  /** llm-reasoners TreeLog: which log (0-based; default the last). */
  log: z.number().int().nonnegative().optional(),
  /** Problem the long CoT answers, when the input does not carry it (chat JSON's user message, problem.json). */
  problem: z.string().optional(),
  answer: z.string().optional(),
  output: UriArg.optional(),
  /** Show the segmentation and wait for "Write trace" (default: only when a person started the import). */
  preview: z.boolean().optional(),
  /** Open the new trace in the trace editor (default true). */
  open: z.boolean().optional(),
});

export const ConfigureEndpointArgsSchema = z.strictObject({
  preset: z.enum(['openai', 'vllm', 'sglang', 'ollama', 'llamacpp', 'custom']).optional(),
  name: z.string().min(1).optional(),
  baseUrl: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  mode: ContinuationModeSchema.optional(),
  apiKey: z.string().optional(),
  target: z.enum(['user', 'workspace']).optional(),
  test: z.boolean().optional(),
  setDefault: z.boolean().optional(),
  requiresKey: z.boolean().optional(),
});
export const TestConnectionArgsSchema = z.strictObject({ endpoint: EndpointArg.optional(), apiKey: z.string().optional() });
export const SetApiKeyArgsSchema = z.strictObject({ endpoint: z.string().min(1).optional(), key: z.string().optional() });

export type RunArgs = z.output<typeof RunArgsSchema>;
export type ProblemFileArgs = z.output<typeof ProblemFileArgsSchema>;
export type RerunArgs = z.output<typeof RerunArgsSchema>;
export type RunSampleArgs = z.output<typeof RunSampleArgsSchema>;
export type CancelArgs = z.output<typeof CancelArgsSchema>;
export type ExportArgs = z.output<typeof ExportArgsSchema>;
export type ExportFormat = z.output<typeof ExportFormatSchema>;
export type LinearizeStyle = z.output<typeof LinearizeStyleSchema>;
export type ImportArgs = z.output<typeof ImportArgsSchema>;

/** What a command works on, from a menu, a tree element or the argument object's uri / nodeId / runId. */
export interface CommandTarget {
  uri?: vscode.Uri;
  nodeId?: string;
  runId?: string;
}

export interface Invocation<A> {
  target: CommandTarget;
  args: A;
  /** A person started it (palette, menu, tree): prompt for what is missing, report errors as notifications. */
  interactive: boolean;
}

const TREE_KINDS = new Set(['run', 'file', 'node', 'message']);

/** A Traces-view element (see traceTreeView.ts): `kind` plus a Uri, or a running search's id. */
function treeTarget(a: object): CommandTarget | undefined {
  const el = a as { kind?: unknown; uri?: unknown; nodeId?: unknown; runId?: unknown };
  if (typeof el.kind !== 'string' || !TREE_KINDS.has(el.kind)) return undefined;
  if (el.kind === 'run') return typeof el.runId === 'string' ? { runId: el.runId } : undefined;
  if (!(el.uri instanceof vscode.Uri)) return undefined;
  return el.kind === 'node' && typeof el.nodeId === 'string' ? { uri: el.uri, nodeId: el.nodeId } : { uri: el.uri };
}

/** Thrown for an argument object that does not match the command's schema. */
export class CommandArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandArgsError';
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 6)
    .map((i) => `${i.path.length ? i.path.join('.') : '(arguments)'}: ${i.message}`)
    .join('; ');
}

/** The one place that tells a person's invocation from an API call, and checks an API call's arguments. */
export function normaliseArgs<S extends z.ZodType>(schema: S, raw: unknown): Invocation<z.output<S>> {
  const none = (target: CommandTarget): Invocation<z.output<S>> => ({ target, args: schema.parse({}), interactive: true });
  if (raw === undefined || raw === null) return none({});
  if (raw instanceof vscode.Uri) return none({ uri: raw });
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new CommandArgsError(`expected an argument object, got ${Array.isArray(raw) ? 'an array' : typeof raw}`);
  const tree = treeTarget(raw);
  if (tree) return none(tree);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new CommandArgsError(`invalid arguments: ${describeIssues(parsed.error)}`);
  const data = parsed.data as { uri?: unknown; nodeId?: unknown; runId?: unknown };
  const target: CommandTarget = {};
  if (data.uri instanceof vscode.Uri) target.uri = data.uri;
  if (typeof data.nodeId === 'string') target.nodeId = data.nodeId;
  if (typeof data.runId === 'string') target.runId = data.runId;
  return { target, args: parsed.data, interactive: false };
}
