/**
 * The TextDocument of a `*.metacot.json` file is the model: this class parses it (lazily, once per version), and owns
 * every mutation, which it applies as a minimal WorkspaceEdit so undo / redo / dirty / save / revert stay VS Code's.
 * Views subscribe to `onDidChange`: a `delta` for our own edits (cheap to apply), a `reload` for anything else.
 */
import { existsSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import * as vscode from 'vscode';
import { parseTrace, recoverTrace, serializeTrace, TraceParseError } from '../core/trace/io';
import { journalPathFor, stampOf } from '../core/trace/journal';
import type { Recovery } from '../core/trace/journalFold';
import { TraceTree } from '../core/trace/tree';
import type { Trace } from '../core/trace/schema';
import { minimalEdits } from '../core/trace/minimalEdits';
import { isTrusted } from './settings';
import { isFileBacked } from './bigTrace';
import { editCopy } from './traceEditCopy';
import type { ModelChange, RunningHere, TraceState } from './traceEditCopy';
import { FileTraceModel } from './fileTraceModel';

export type { ModelChange, RunningHere, TraceDelta, TraceState } from './traceEditCopy';
export { FileTraceModel, type FileBackedDocument } from './fileTraceModel';

/** Debounce for re-parsing after edits we did not make (typing in the text editor, undo, external writes). */
const REPARSE_MS = 150;

/** A trace backed by VS Code's TextDocument (the custom text editor's files, up to FILE_BACKED_BYTES). */
export class TextTraceModel implements vscode.Disposable {
  private state: TraceState | undefined;
  /** Text we produced with our last edit, and the trace it serializes: lets us skip re-parsing our own edits. */
  private expected: { text: string; trace: Trace } | undefined;
  private readonly emitter = new vscode.EventEmitter<ModelChange>();
  readonly onDidChange = this.emitter.event;
  private reparseTimer: ReturnType<typeof setTimeout> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** How long the last full parse of the document took (ms); the panel's load timing reports it. */
  parseMs: number | undefined;
  /** Writing a recovered trace back: no second recovery until it is saved and its journal gone. */
  private persisting = false;

  constructor(
    private doc: vscode.TextDocument,
    private readonly runningHere: RunningHere = () => undefined,
  ) {}

  /** The document behind the model; rebound when VS Code closes a hidden document and it is opened again. */
  get document(): vscode.TextDocument {
    return this.doc;
  }

  rebind(doc: vscode.TextDocument): void {
    if (doc === this.doc) return;
    this.doc = doc;
    this.state = undefined;
    this.expected = undefined;
    this.emitter.fire({ kind: 'reload' });
  }

  get uri(): vscode.Uri {
    return this.document.uri;
  }

  /** Whether current() would answer without parsing. */
  get parsed(): boolean {
    return this.state !== undefined && this.state.version === this.document.version;
  }

  /** current() for callers that can wait: a document's text is parsed at once (FileTraceModel's parses in steps). */
  load(): Promise<TraceState> {
    return Promise.resolve(this.current());
  }

  /** Parsed state of the current document version (parses synchronously if stale). */
  current(): TraceState {
    if (this.state && this.state.version === this.document.version) return this.state;
    const text = this.document.getText();
    if (this.expected && this.expected.text === text) {
      this.state = { ok: true, trace: this.expected.trace, version: this.document.version };
      return this.state;
    }
    const t0 = performance.now();
    try {
      const trace = parseTrace(text, vscode.workspace.asRelativePath(this.document.uri));
      this.parseMs = performance.now() - t0;
      this.state = { ok: true, version: this.document.version, ...this.recover(trace) };
    } catch (err) {
      // A file that does not parse is shown as an error and never written over: no recovery either.
      const error = err instanceof TraceParseError ? err : new TraceParseError([{ path: '', message: String(err) }]);
      this.state = { ok: false, error, version: this.document.version };
    }
    this.expected = undefined;
    return this.state;
  }

  /**
   * A file on disk whose run crashed: its journal folded in and runs a dead process left running marked cancelled
   * (see core/trace/journalFold.ts). In a trusted workspace the result is written back and the journal removed.
   */
  private recover(trace: Trace): { trace: Trace; recovery?: Recovery } {
    const uri = this.document.uri;
    if (uri.scheme !== 'file' || this.persisting) return { trace };
    const journalFile = journalPathFor(uri.fsPath);
    let journalText: string | undefined;
    let stamp;
    try {
      if (existsSync(journalFile)) journalText = readFileSync(journalFile, 'utf8');
      // The document is the file as last read; a dirty one is not, and a journal cannot continue it.
      if (!this.document.isDirty) stamp = stampOf(statSync(uri.fsPath));
    } catch {
      // Unreadable journal or file: shown as the document has it.
    }
    const ours = this.runningHere(uri);
    const opened = recoverTrace(trace, journalText, stamp, { ownsRun: (runId) => runId === ours });
    const recovery = opened.recovery;
    if (!recovery) return { trace };
    const changed = recovery.folded > 0 || recovery.staleRuns.length > 0;
    if (changed && !recovery.live && isTrusted()) void this.persistRecovery(opened.trace, recovery.folded > 0 ? journalFile : undefined);
    return { trace: opened.trace, recovery };
  }

  private async persistRecovery(trace: Trace, journalFile: string | undefined): Promise<void> {
    this.persisting = true;
    try {
      await this.replaceWith(trace, { save: true });
      // Only once the file holds what the journal had.
      if (journalFile && !this.document.isDirty) unlinkSync(journalFile);
    } catch {
      // Stays in memory; the next open tries again.
    } finally {
      this.persisting = false;
    }
  }

  /** Called by the registry for every change of our document. */
  handleDocumentChange(): void {
    if (this.expected && this.document.getText() === this.expected.text) return; // our own edit; mutate() already notified
    this.state = undefined;
    this.expected = undefined;
    clearTimeout(this.reparseTimer);
    this.reparseTimer = setTimeout(() => this.emitter.fire({ kind: 'reload' }), REPARSE_MS);
  }

  /**
   * Runs `fn` on a copy of the current trace and writes the result back as a minimal WorkspaceEdit. Mutations are
   * serialized so two quick edits never diff against the same base. `save` also writes the file to disk.
   */
  mutate<R>(fn: (tree: TraceTree) => R, opts: { save?: boolean } = {}): Promise<R> {
    const run = this.queue.then(() => this.mutateNow(fn, opts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async mutateNow<R>(fn: (tree: TraceTree) => R, opts: { save?: boolean }): Promise<R> {
    const state = this.current();
    if (!state.ok) throw new Error(`cannot edit: ${state.error.message}`);
    const oldText = this.document.getText();
    const edit = editCopy(state.trace, fn);
    const { trace } = edit;
    const newText = serializeTrace(trace);
    const edits = minimalEdits(oldText, newText);
    if (edits.length) {
      const we = new vscode.WorkspaceEdit();
      for (const e of edits) we.replace(this.document.uri, new vscode.Range(this.document.positionAt(e.start), this.document.positionAt(e.end)), e.text);
      this.expected = { text: newText, trace };
      const ok = await vscode.workspace.applyEdit(we);
      if (!ok || this.document.getText() !== newText) {
        this.expected = undefined;
        this.state = undefined;
        throw new Error('VS Code refused the edit (is the file read-only?)');
      }
      this.state = { ok: true, trace, version: this.document.version };
      this.emitter.fire(edit.change);
    }
    if (opts.save && this.document.isDirty) await this.document.save();
    return edit.result;
  }

  /**
   * Replaces the document's trace with `trace` (a running search's checkpoint), still as minimal edits, so an open
   * editor follows the run without a reload from disk. The trace object is not kept: the run goes on mutating it.
   */
  replaceWith(trace: Trace, opts: { save?: boolean } = {}): Promise<void> {
    // The snapshot is taken now, not when the queue gets to it: the run goes on changing the trace meanwhile.
    const newText = serializeTrace(trace);
    const run = this.queue.then(async () => {
      const edits = minimalEdits(this.document.getText(), newText);
      if (edits.length) {
        const we = new vscode.WorkspaceEdit();
        for (const e of edits) we.replace(this.document.uri, new vscode.Range(this.document.positionAt(e.start), this.document.positionAt(e.end)), e.text);
        this.expected = { text: newText, trace: JSON.parse(newText) as Trace };
        const ok = await vscode.workspace.applyEdit(we);
        if (!ok) {
          this.expected = undefined;
          throw new Error('VS Code refused the edit (is the file read-only?)');
        }
        this.state = undefined;
        this.emitter.fire({ kind: 'reload' });
      }
      if (opts.save && this.document.isDirty) await this.document.save();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  dispose(): void {
    clearTimeout(this.reparseTimer);
    this.emitter.dispose();
  }
}

/** Either kind of model: views, actions and panels use only what both have. */
export type TraceDocumentModel = TextTraceModel | FileTraceModel;

/**
 * One model per open trace: text models for documents (the custom editor, the panel, the tree view and the commands
 * share them), file models for big files (bigTrace.ts) that no document holds.
 */
export class TraceModels implements vscode.Disposable {
  private readonly models = new Map<string, TextTraceModel>();
  private readonly files = new Map<string, FileTraceModel>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  /** Any model changed (after its debounce): the tree view refreshes that file. */
  readonly onDidChangeModel = this.changeEmitter.event;
  private runningHere: RunningHere = () => undefined;
  /** Above this many bytes a file opens file-backed (tests lower it to reach that path with small files). */
  fileBackedBytes: number | undefined;

  /** The search runner says which run it has going on a file (it is created after the models). */
  setRunningHere(fn: RunningHere): void {
    this.runningHere = fn;
  }

  constructor() {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length === 0) return;
        this.models.get(e.document.uri.toString())?.handleDocumentChange();
      }),
      // A model outlives its document (VS Code closes hidden documents it opened for us): panels keep their
      // subscription, and the model is rebound to the document when it is opened again.
      vscode.workspace.onDidOpenTextDocument((doc) => this.models.get(doc.uri.toString())?.rebind(doc)),
    );
  }

  /** Whether `uri` opens file-backed: a local file over the threshold (see bigTrace.ts). */
  isFileBacked(uri: vscode.Uri): boolean {
    return isFileBacked(uri, this.fileBackedBytes);
  }

  /** The model of a trace that is open now (no I/O): its open document's, else its file model's. */
  peek(uri: vscode.Uri): TraceDocumentModel | undefined {
    const m = this.models.get(uri.toString());
    if (m && !m.document.isClosed) return m;
    return this.files.get(uri.toString());
  }

  forDocument(document: vscode.TextDocument): TextTraceModel {
    const key = document.uri.toString();
    let m = this.models.get(key);
    if (m) m.rebind(document);
    else {
      const model = new TextTraceModel(document, (uri) => this.runningHere(uri));
      model.onDidChange(() => this.changeEmitter.fire(model.uri));
      this.models.set(key, model);
      m = model;
    }
    return m;
  }

  /** The model of a file: an open one, a file model for a big file, else its (re-)opened document's. */
  async open(uri: vscode.Uri): Promise<TraceDocumentModel> {
    const existing = this.peek(uri);
    if (existing) return existing;
    if (this.isFileBacked(uri)) return this.forFile(uri);
    return this.forDocument(await vscode.workspace.openTextDocument(uri));
  }

  /** The file model of `uri` (created unparsed: current() reads it). */
  forFile(uri: vscode.Uri): FileTraceModel {
    const key = uri.toString();
    let m = this.files.get(key);
    if (!m) {
      const model = new FileTraceModel(uri, (u) => this.runningHere(u));
      model.onDidChange(() => this.changeEmitter.fire(model.uri));
      this.files.set(key, (m = model));
    }
    return m;
  }

  /** No panel shows the file any more: its parsed trace (hundreds of MB at 100k nodes) is let go. */
  releaseFile(uri: vscode.Uri): void {
    const key = uri.toString();
    this.files.get(key)?.dispose();
    this.files.delete(key);
  }

  dispose(): void {
    for (const m of this.models.values()) m.dispose();
    for (const m of this.files.values()) m.dispose();
    this.models.clear();
    this.files.clear();
    this.changeEmitter.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
