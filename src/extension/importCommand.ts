/**
 * Import: a long chain of thought (text, OpenAI chat JSON, a JSONL record), a Stream-of-Search text, a Thought
 * Anchors folder, or another search library's file (llm-reasoners TreeLog, OpenR tree, search-and-learn or PRM800K
 * rows, known by their shape) becomes a trace file. The input comes from the argument object, a menu's file or folder, or — from
 * the palette — a file / folder picker or the open editor. It is read by the core's one reader (the CLI's too:
 * src/core/trace/import/sources.ts); a person sees the segmentation and writes it with "Write trace", or cancels and
 * nothing is written. The new trace opens in the trace editor.
 */
import * as vscode from 'vscode';
import type { Problem, ProblemSource } from '../core/trace/schema';
import type { ImportSource, SourceKind, SourceShape } from '../core/trace/import/sources';
import type { Services } from './services';
import { CancelledByUser } from './services';
import type { ImportArgs, Invocation } from './commandArgs';
import { confirmPreview, pickJsonlLine, pickSource } from './importPrompts';

export interface ImportResult {
  uri: string;
  kind: SourceKind;
  /** How the input was recognised (see SHAPE_LABELS in sources.ts). */
  shape: SourceShape;
  nodes: number;
  /** Nodes below the root: the steps (and the final answer) the importer created. */
  steps: number;
  issues: string[];
}

type Input = { type: 'text'; text: string; name?: string; where: string; file?: string } | { type: 'folder'; uri: vscode.Uri; where: string };

const rel = (uri: vscode.Uri): string => vscode.workspace.asRelativePath(uri, false);

async function isFolder(uri: vscode.Uri): Promise<boolean> {
  try {
    return ((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.Directory) !== 0;
  } catch {
    throw new Error(`${rel(uri)} does not exist`);
  }
}

async function fromUri(uri: vscode.Uri, forceFolder = false): Promise<Input> {
  if (forceFolder || (await isFolder(uri))) return { type: 'folder', uri, where: rel(uri) };
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  return { type: 'text', text, name: uri.path, where: rel(uri), file: rel(uri) };
}

function fromEditor(ed: vscode.TextEditor): Input {
  const where = rel(ed.document.uri);
  // A selection is read by its content; the whole document also by its file name (.json / .jsonl).
  if (!ed.selection.isEmpty) return { type: 'text', text: ed.document.getText(ed.selection), where: `the selection in ${where}`, file: where };
  return { type: 'text', text: ed.document.getText(), name: ed.document.uri.path, where, file: where };
}

/** What to read: the argument object's text / file / folder, a menu's resource, or what a person picks. */
async function resolveInput(inv: Invocation<ImportArgs>): Promise<Input> {
  const { args } = inv;
  if (args.text !== undefined) return { type: 'text', text: args.text, where: 'the text' };
  if (args.folder) return fromUri(args.folder, true);
  if (args.file) return fromUri(args.file);
  const ed = vscode.window.activeTextEditor;
  // The editor's context menu passes its file: the selection in it is what the person meant, not the whole file.
  const menuOnSelection = ed && !ed.selection.isEmpty && inv.target.uri?.toString() === ed.document.uri.toString();
  if (menuOnSelection) return fromEditor(ed);
  if (inv.target.uri) return fromUri(inv.target.uri);
  if (!inv.interactive) {
    if (!ed) throw new Error('nothing to import: pass { text }, { file } or { folder }, or select text in an editor');
    return fromEditor(ed);
  }
  const choice = await pickSource(ed);
  if (!choice) throw new CancelledByUser();
  if (choice.kind === 'editor') return fromEditor(ed!);
  return fromUri(choice.uri, choice.kind === 'folder');
}

async function readSource(inv: Invocation<ImportArgs>, input: Input): Promise<{ src: ImportSource; line?: number }> {
  const S = await import('../core/trace/import/sources');
  const kind = inv.args.kind ?? 'auto';
  if (input.type === 'folder') {
    if (kind !== 'auto' && kind !== 'thought-anchors') throw new Error(`${input.where} is a folder: only a Thought Anchors import (kind "thought-anchors") reads a folder`);
    const read = async (name: string): Promise<string | undefined> => {
      const uri = vscode.Uri.joinPath(input.uri, name);
      try {
        return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      } catch (e) {
        if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') return undefined;
        throw e;
      }
    };
    return { src: await S.readThoughtAnchorsFolder(read, input.where) };
  }
  let line = inv.args.line;
  if (line === undefined && input.text.trim() !== '' && S.fileFormat(input.name, input.text) === 'jsonl') {
    const lines = S.jsonlLines(input.text, input.where, kind);
    if (lines.length > 1) {
      if (!inv.interactive) throw new Error(`${input.where} holds ${lines.length} JSONL records: pass { line } (1-based)`);
      const picked = await pickJsonlLine(lines, input.where);
      if (!picked) throw new CancelledByUser();
      if (picked.error) throw new Error(picked.error);
      line = picked.line;
    }
  }
  const src = S.readSourceText(input.text, { where: input.where, kind, ...(input.name !== undefined ? { name: input.name } : {}), ...(line !== undefined ? { line } : {}) });
  return line !== undefined ? { src, line } : { src };
}

/** A long CoT whose input does not carry its problem asks a person for it (an API call gets an error). */
export async function importTrace(services: Services, inv: Invocation<ImportArgs>, newTraceUri: (problem: Problem) => Promise<vscode.Uri>): Promise<ImportResult> {
  const { args } = inv;
  const input = await resolveInput(inv);
  const { src, line } = await readSource(inv, input);
  const S = await import('../core/trace/import/sources');
  let problem = args.problem;
  if (problem === undefined && S.needsProblem(src)) {
    const library = S.isLibrarySource(src);
    if (!inv.interactive) {
      throw new Error(
        library
          ? `importing this ${S.SHAPE_LABELS[src.shape]} needs { problem }: ${src.where} does not say the problem it searched`
          : `importing a long chain of thought needs { problem }: ${src.where} does not say it (a chat's user message or a record's problem field would)`,
      );
    }
    const title = library ? `Meta-CoT: Import — the problem this ${S.SHAPE_LABELS[src.shape]} searched` : 'Meta-CoT: Import — the problem this chain of thought answers';
    problem = await vscode.window.showInputBox({ title, ignoreFocusOut: true });
    if (!problem) throw new CancelledByUser();
  }
  const problemSource: ProblemSource | undefined = input.type === 'folder' ? { file: input.where } : input.file !== undefined ? { file: input.file, ...(line !== undefined ? { line } : {}) } : undefined;
  const build = S.buildImport(src, {
    ...(problem !== undefined ? { problem } : {}),
    ...(args.answer !== undefined ? { answer: args.answer } : {}),
    ...(problemSource ? { problemSource } : {}),
    ...(args.log !== undefined ? { log: args.log } : {}),
    createdAt: new Date().toISOString(),
  });
  const trace = build.tree.toJSON();
  if (args.preview ?? inv.interactive) {
    const { importPreview } = await import('./importPreview');
    const preview = importPreview(build, src);
    // Logged so a reader of the log (and the integration tests) see what was shown.
    services.log.info(`import preview of ${src.where}: ${preview.title}`);
    if (!(await confirmPreview(preview, args.output ? rel(args.output) : 'a new trace file'))) throw new CancelledByUser();
  }
  const out = args.output ?? (await newTraceUri(trace.problem));
  const { serializeTrace } = await import('../core/trace/io');
  await vscode.workspace.fs.writeFile(out, new TextEncoder().encode(serializeTrace(trace)));
  const issues = build.issues;
  services.log.info(`imported ${src.where} (${S.SHAPE_LABELS[src.shape]}) as ${build.kind}: ${trace.nodes.length} nodes → ${rel(out)}${issues.length ? ` (${issues.length} issue(s))` : ''}`);
  for (const i of issues.slice(0, 20)) services.log.warn(`import: ${i}`);
  if (args.open ?? true) await vscode.commands.executeCommand('vscode.openWith', out, 'metacot.traceEditor');
  return { uri: out.toString(), kind: build.kind, shape: src.shape, nodes: trace.nodes.length, steps: trace.nodes.length - 1, issues };
}
