/** A trace read and written with fs, for files too big for a TextDocument (bigTrace.ts): parsed once, edits on disk at once. */
import { existsSync, promises as fsp, readFileSync, statSync, unlinkSync } from 'node:fs';
import * as vscode from 'vscode';
import { atomicWrite, parseTrace, recoverTrace, serializeTrace, TraceParseError } from '../core/trace/io';
import { parseTraceAsync } from '../core/trace/parseSteps';
import { journalPathFor, sameStamp, stampOf } from '../core/trace/journal';
import type { FileStamp } from '../core/trace/journal';
import type { Recovery } from '../core/trace/journalFold';
import type { TraceTree } from '../core/trace/tree';
import type { Trace } from '../core/trace/schema';
import { isTrusted } from './settings';
import { editCopy } from './traceEditCopy';
import type { ModelChange, RunningHere, TraceState } from './traceEditCopy';

/** What FileTraceModel offers where the text model has its TextDocument (the members views and actions read). */
export interface FileBackedDocument {
  readonly uri: vscode.Uri;
  /** Bumped on every change (our edits, the file changing on disk): the Traces view's cache key. */
  readonly version: number;
  /** Edits are on disk when they resolve: never dirty. */
  readonly isDirty: false;
  readonly isClosed: boolean;
  /** Estimated from the size (a trace's pretty-printed JSON has ~200 bytes a line): the host's "checking" threshold. */
  readonly lineCount: number;
  save(): Promise<boolean>;
}

/** Re-reading after the file changed on disk waits for the writer to finish (a run's checkpoint, a git checkout). */
const FILE_RELOAD_MS = 150;

/**
 * A big trace file without a TextDocument (see bigTrace.ts): read with fs and parsed once, lazily and synchronously
 * like the text model (the host tells the page "checking" first); every mutation is written to disk at once (atomic
 * rename, the same serializer, so the file stays the pretty-printed JSON that diffs well); a file watcher reloads on
 * outside changes; a file that does not parse is shown as an error and never written.
 */
export class FileTraceModel implements vscode.Disposable {
  private state: TraceState | undefined;
  private readonly emitter = new vscode.EventEmitter<ModelChange>();
  readonly onDidChange = this.emitter.event;
  private queue: Promise<unknown> = Promise.resolve();
  private version = 1;
  private closed = false;
  /** The file as we last read or wrote it: a watcher event with the same stamp is our own write. */
  private stamp: FileStamp | undefined;
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly watcher: vscode.Disposable;
  private persisting = false;
  /** The stepwise load in progress (load()), if any. */
  private loading: Promise<TraceState> | undefined;
  parseMs: number | undefined;
  readonly document: FileBackedDocument;

  constructor(
    readonly uri: vscode.Uri,
    private readonly runningHere: RunningHere = () => undefined,
  ) {
    const model = this;
    this.document = {
      uri,
      get version() {
        return model.version;
      },
      isDirty: false,
      get isClosed() {
        return model.closed;
      },
      get lineCount() {
        return Math.round((fileStamp(uri.fsPath)?.size ?? 0) / 200);
      },
      save: async () => true,
    };
    const folder = vscode.Uri.joinPath(uri, '..');
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, uri.path.split('/').pop()!));
    const onDisk = () => this.fileChanged();
    this.watcher = vscode.Disposable.from(w, w.onDidChange(onDisk), w.onDidCreate(onDisk), w.onDidDelete(onDisk));
  }

  get parsed(): boolean {
    return this.state !== undefined;
  }

  /** Parsed state of the file (reads and parses synchronously when not yet done). */
  current(): TraceState {
    if (this.state) return this.state;
    const t0 = performance.now();
    const where = vscode.workspace.asRelativePath(this.uri);
    try {
      this.stamp = fileStamp(this.uri.fsPath);
      const text = readFileSync(this.uri.fsPath, 'utf8');
      const trace = parseTrace(text, where);
      this.parseMs = performance.now() - t0;
      this.state = { ok: true, version: this.version, ...this.recover(trace) };
    } catch (err) {
      this.state = { ok: false, error: readError(err, where), version: this.version };
    }
    return this.state;
  }

  /**
   * The parsed state without blocking the extension host for the whole parse: the file is read asynchronously and
   * parsed in steps (parseTraceAsync). A panel opening the file awaits this, so VS Code can start the panel's page
   * meanwhile (a synchronous parse of 100k nodes held it back ~3 s). Same state as current(); one load at a time.
   */
  load(): Promise<TraceState> {
    if (this.state) return Promise.resolve(this.state);
    this.loading ??= this.loadAsync().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async loadAsync(): Promise<TraceState> {
    const version = this.version;
    const t0 = performance.now();
    const where = vscode.workspace.asRelativePath(this.uri);
    const stamp = fileStamp(this.uri.fsPath);
    let next: TraceState;
    try {
      const text = await fsp.readFile(this.uri.fsPath, 'utf8');
      const trace = await parseTraceAsync(text, where);
      // Someone needed the state at once meanwhile (current() parsed it), or the file changed: theirs, or read again.
      if (this.state) return this.state;
      if (this.version !== version) return this.loadAsync();
      this.stamp = stamp;
      this.parseMs = performance.now() - t0;
      next = { ok: true, version: this.version, ...this.recover(trace) };
    } catch (err) {
      if (this.state) return this.state;
      if (this.version !== version) return this.loadAsync();
      next = { ok: false, error: readError(err, where), version: this.version };
    }
    this.state = next;
    return next;
  }

  private recover(trace: Trace): { trace: Trace; recovery?: Recovery } {
    if (this.persisting) return { trace };
    const opened = recoverFromJournal(this.uri, trace, this.stamp, this.runningHere(this.uri));
    const recovery = opened.recovery;
    if (recovery && (recovery.folded > 0 || recovery.staleRuns.length > 0) && !recovery.live && isTrusted()) {
      const journalFile = recovery.folded > 0 ? journalPathFor(this.uri.fsPath) : undefined;
      this.persisting = true;
      void this.replaceWith(opened.trace)
        .then(() => journalFile && unlinkSync(journalFile))
        .catch(() => undefined) // stays in memory; the next open tries again
        .finally(() => (this.persisting = false));
    }
    return opened;
  }

  private fileChanged(): void {
    const now = fileStamp(this.uri.fsPath);
    if (now && this.stamp && sameStamp(now, this.stamp)) return; // our own write (or nothing changed)
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.state = undefined;
      this.version++;
      this.emitter.fire({ kind: 'reload' });
    }, FILE_RELOAD_MS);
  }

  /** Runs `fn` on a copy of the trace and writes the result to the file before resolving (`save` is implied). */
  mutate<R>(fn: (tree: TraceTree) => R, _opts: { save?: boolean } = {}): Promise<R> {
    const run = this.queue.then(async () => {
      const state = this.current();
      if (!state.ok) throw new Error(`cannot edit: ${state.error.message}`);
      const edit = editCopy(state.trace, fn);
      await this.write(serializeTrace(edit.trace));
      this.state = { ok: true, trace: edit.trace, version: ++this.version };
      this.emitter.fire(edit.change);
      return edit.result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** A running search's checkpoint (or a recovered trace): written at once; the trace object is not kept. */
  replaceWith(trace: Trace, _opts: { save?: boolean } = {}): Promise<void> {
    const text = serializeTrace(trace); // the snapshot is taken now: the run goes on changing the trace
    const run = this.queue.then(async () => {
      await this.write(text);
      this.state = undefined;
      this.version++;
      this.emitter.fire({ kind: 'reload' });
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(text: string): Promise<void> {
    await atomicWrite(this.uri.fsPath, text);
    this.stamp = fileStamp(this.uri.fsPath);
  }

  dispose(): void {
    this.closed = true;
    clearTimeout(this.reloadTimer);
    this.watcher.dispose();
    this.emitter.dispose();
  }
}

/** What reading or parsing the file threw, as the parse error the panel shows. */
function readError(err: unknown, where: string): TraceParseError {
  return err instanceof TraceParseError ? err : new TraceParseError([{ path: '', message: `cannot read ${where}: ${err instanceof Error ? err.message : String(err)}` }]);
}

function fileStamp(path: string): FileStamp | undefined {
  try {
    return stampOf(statSync(path));
  } catch {
    return undefined;
  }
}

/** The journal of a crashed run folded in, stale runs marked (see core/trace/journalFold.ts); `stamp`: the file's, if clean. */
function recoverFromJournal(uri: vscode.Uri, trace: Trace, stamp: FileStamp | undefined, ours: string | undefined): { trace: Trace; recovery?: Recovery } {
  if (uri.scheme !== 'file') return { trace };
  let journalText: string | undefined;
  try {
    const journalFile = journalPathFor(uri.fsPath);
    if (existsSync(journalFile)) journalText = readFileSync(journalFile, 'utf8');
  } catch {
    // Unreadable journal: shown as the file has it.
  }
  const opened = recoverTrace(trace, journalText, stamp, { ownsRun: (runId) => runId === ours });
  return opened.recovery ? { trace: opened.trace, recovery: opened.recovery } : { trace };
}
