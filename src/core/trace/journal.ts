/**
 * The crash journal of a running search: an append-only JSONL file beside the trace (`<trace>.journal.jsonl`) that
 * holds every node, event, run and totals change since the trace file was last written. Checkpoints rewrite the
 * whole trace every few seconds; the journal covers the gap, so a killed process loses only what was in flight.
 *
 * Writing: changes are collected from the tree's change feed and appended once per event-loop turn (one write
 * call per batch, so a process death never splits a batch), then fsync'd at most every `syncMs` in the background.
 * Each batch ends with a `commit` line; a reader applies whole batches only. A checkpoint first appends a `cut`
 * line, then writes the trace, then rewrites the journal to hold only what came after the cut (header first,
 * stamped with the new trace file's identity), so the journal stays small and never re-applies stale states.
 */
import { closeSync, fstatSync, fsync, openSync, renameSync, statSync, unlinkSync, writeSync, close as closeFd, type Stats } from 'node:fs';
import { hostname } from 'node:os';
import * as z from 'zod';
import { EventSchema, NodeSchema, ResultSchema, RunSchema, UsageSchema, type Trace, type TraceNode } from './schema';
import type { TraceTree } from './tree';

export const JOURNAL_SUFFIX = '.journal.jsonl';

/** The journal of a trace file. */
export function journalPathFor(tracePath: string): string {
  return `${tracePath}${JOURNAL_SUFFIX}`;
}

const count = z.number().int().nonnegative();

/** Identity of the trace file a journal continues: a rewrite (new inode), a longer or a touched file differs. */
export const FileStampSchema = z.object({ ino: count, size: count, mtimeMs: z.number() }).strict();
export type FileStamp = z.infer<typeof FileStampSchema>;

export function stampOf(stats: Pick<Stats, 'ino' | 'size' | 'mtimeMs'>): FileStamp {
  return { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs };
}

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

export const JournalHeaderSchema = z
  .object({
    t: z.literal('journal'),
    v: z.literal(1),
    traceId: z.string().min(1),
    runId: z.string().min(1),
    /** The writing process, so a reader can tell a live run from one whose process died. */
    pid: count,
    host: z.string(),
    startedAt: z.string(),
    /** The trace file this journal continues (as it was after the last checkpoint). */
    base: FileStampSchema,
  })
  .strict();

export const JournalLineSchema = z.discriminatedUnion('t', [
  JournalHeaderSchema,
  z.object({ t: z.literal('node'), node: NodeSchema }).strict(),
  /** `k`: the event's index in the trace's event list (events are append-only during a run). */
  z.object({ t: z.literal('event'), k: count, event: EventSchema }).strict(),
  z.object({ t: z.literal('run'), run: RunSchema }).strict(),
  z.object({ t: z.literal('totals'), usage: UsageSchema, result: ResultSchema.nullable() }).strict(),
  /** Ends a batch of `lines` lines: a reader applies a batch only when its commit line is there. */
  z.object({ t: z.literal('commit'), lines: count }).strict(),
  /** A checkpoint holding everything above was being written. */
  z.object({ t: z.literal('cut') }).strict(),
]);

export type JournalHeader = z.infer<typeof JournalHeaderSchema>;
export type JournalLine = z.infer<typeof JournalLineSchema>;

export interface JournalOptions {
  /** Least time between two fsyncs of the journal (they run in the background). Default 200 ms. */
  syncMs?: number;
}

export const DEFAULT_JOURNAL_SYNC_MS = 200;

/** Counters, for benchmarks and reports. */
export interface JournalStats {
  batches: number;
  lines: number;
  bytes: number;
  syncs: number;
  rotations: number;
}

/** Appends a run's changes to the journal beside its trace file. Never throws into the run: see `error`. */
export class TraceJournal {
  private fd: number | undefined;
  private readonly dirty = new Map<string, TraceNode>();
  private eventsWritten: number;
  private readonly runsWritten = new Map<string, string>();
  private totalsWritten = '';
  private scheduled: ReturnType<typeof setImmediate> | undefined;
  /** Lines written since the last cut: what the journal keeps once that checkpoint has landed. */
  private sinceCut: string[] = [];
  private syncTimer: ReturnType<typeof setTimeout> | undefined;
  private syncing: Promise<void> | undefined;
  private syncWanted = false;
  private lastSync = 0;
  private readonly syncMs: number;
  private readonly stopListening: () => void;
  private readonly startedAt = new Date().toISOString();
  /** The first write or sync failure; the journal stops then (checkpoints go on). */
  error: Error | undefined;
  readonly stats: JournalStats = { batches: 0, lines: 0, bytes: 0, syncs: 0, rotations: 0 };

  private constructor(
    readonly path: string,
    readonly tracePath: string,
    private readonly tree: TraceTree,
    readonly runId: string,
    opts: JournalOptions,
  ) {
    this.syncMs = opts.syncMs ?? DEFAULT_JOURNAL_SYNC_MS;
    const trace = tree.trace;
    // What the trace file already holds is not repeated.
    this.eventsWritten = trace.events.length;
    for (const r of trace.runs) this.runsWritten.set(r.id, JSON.stringify(r));
    this.totalsWritten = totalsText(trace);
    this.stopListening = tree.onChange((c) => {
      if (c.type !== 'event') this.dirty.set(c.node.id, c.node);
      this.schedule();
    });
  }

  /**
   * Starts the journal of a run on `tracePath` (which must exist: the trace is written before the journal starts).
   * Replaces a journal left there before. Throws when the file cannot be created.
   */
  static open(tracePath: string, tree: TraceTree, runId: string, opts: JournalOptions = {}): TraceJournal {
    const journal = new TraceJournal(journalPathFor(tracePath), tracePath, tree, runId, opts);
    try {
      journal.rewrite([]);
    } catch (err) {
      journal.stopListening();
      throw err;
    }
    return journal;
  }

  private header(): string {
    const header: JournalHeader = {
      t: 'journal',
      v: 1,
      traceId: this.tree.trace.id,
      runId: this.runId,
      pid: process.pid,
      host: hostname(),
      startedAt: this.startedAt,
      base: stampOf(statSync(this.tracePath)),
    };
    return `${JSON.stringify(header)}\n`;
  }

  /** Atomically replaces the journal file with a header and `lines`, and appends to the new file from then on. */
  private rewrite(lines: readonly string[]): void {
    const tmp = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o644);
    try {
      const text = this.header() + lines.join('');
      writeSync(fd, text);
      renameSync(tmp, this.path);
    } catch (err) {
      closeSync(fd);
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
      throw err;
    }
    const old = this.fd;
    this.fd = fd;
    // An fsync may still be running on the old file: close it after that.
    if (old !== undefined) void (this.syncing ?? Promise.resolve()).then(() => closeFd(old, () => undefined));
    this.requestSync();
  }

  private schedule(): void {
    if (this.scheduled === undefined && this.fd !== undefined) this.scheduled = setImmediate(() => this.flush());
  }

  /** Appends every change made since the last batch, now, as one write. */
  flush(): void {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.fd === undefined) {
      this.dirty.clear();
      return;
    }
    const trace = this.tree.trace;
    let text = '';
    let lines = 0;
    for (const node of this.dirty.values()) {
      text += `{"t":"node","node":${JSON.stringify(node)}}\n`;
      lines++;
    }
    this.dirty.clear();
    const events = trace.events;
    // Fewer events than written: something removed events (not a run's doing); the next checkpoint has them right.
    if (events.length < this.eventsWritten) this.eventsWritten = events.length;
    for (let k = this.eventsWritten; k < events.length; k++) {
      text += `{"t":"event","k":${k},"event":${JSON.stringify(events[k])}}\n`;
      lines++;
    }
    this.eventsWritten = events.length;
    for (const run of trace.runs) {
      const json = JSON.stringify(run);
      if (this.runsWritten.get(run.id) === json) continue;
      this.runsWritten.set(run.id, json);
      text += `{"t":"run","run":${json}}\n`;
      lines++;
    }
    const totals = totalsText(trace);
    if (totals !== this.totalsWritten) {
      this.totalsWritten = totals;
      text += `{"t":"totals",${totals}}\n`;
      lines++;
    }
    if (lines === 0) return;
    text += `{"t":"commit","lines":${lines}}\n`;
    this.append(text, lines + 1);
    this.stats.batches++;
  }

  private append(text: string, lines: number): void {
    try {
      writeSync(this.fd!, text);
    } catch (err) {
      this.fail(err);
      return;
    }
    this.sinceCut.push(text);
    this.stats.lines += lines;
    this.stats.bytes += Buffer.byteLength(text);
    this.requestSync();
  }

  private fail(err: unknown): void {
    this.error ??= err instanceof Error ? err : new Error(String(err));
    this.stopListening();
    if (this.fd !== undefined) closeFd(this.fd, () => undefined);
    this.fd = undefined;
  }

  private requestSync(): void {
    if (this.syncing || this.syncTimer) {
      this.syncWanted = true;
      return;
    }
    const wait = Math.max(0, this.lastSync + this.syncMs - Date.now());
    this.syncTimer = setTimeout(() => this.syncNow(), wait);
    this.syncTimer.unref?.();
  }

  private syncNow(): Promise<void> {
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    this.syncWanted = false;
    const fd = this.fd;
    if (fd === undefined) return Promise.resolve();
    const done = new Promise<void>((resolve) => {
      fsync(fd, (err) => {
        if (err && this.fd === fd) this.fail(err);
        resolve();
      });
    }).then(() => {
      this.stats.syncs++;
      this.lastSync = Date.now();
      this.syncing = undefined;
      if (this.syncWanted) this.requestSync();
    });
    this.syncing = done;
    return done;
  }

  /**
   * Wraps a checkpoint: `write` must take its snapshot of the trace synchronously when called (serialize, then do
   * I/O), which is the moment of the cut. Once it has landed, the journal keeps only what came after the cut.
   */
  async checkpoint(write: () => Promise<void> | void): Promise<void> {
    this.flush();
    if (this.fd !== undefined) this.append('{"t":"cut"}\n', 1);
    this.sinceCut = [];
    await write();
    if (this.fd === undefined) return;
    try {
      this.rewrite(this.sinceCut);
      this.stats.rotations++;
    } catch (err) {
      this.fail(err);
    }
  }

  /**
   * Ends the journal: writes what is pending and syncs it; `remove` deletes it when it holds nothing the trace file
   * lacks (nothing changed since the last checkpoint), which is the case after a run's final checkpoint.
   */
  async close(opts: { remove: boolean }): Promise<void> {
    this.flush();
    this.stopListening();
    if (this.fd === undefined) return;
    while (this.syncing) await this.syncing;
    await this.syncNow();
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) closeSync(fd);
    if (opts.remove && this.sinceCut.length === 0) {
      try {
        unlinkSync(this.path);
      } catch (err) {
        this.error ??= err as Error;
      }
    }
  }
}

function totalsText(trace: Trace): string {
  return `"usage":${JSON.stringify(trace.usage)},"result":${JSON.stringify(trace.result)}`;
}

/** Whether the process that wrote a journal still runs (another host: assumed so; its processes cannot be seen). */
export function writerAlive(header: Pick<JournalHeader, 'pid' | 'host'>): boolean {
  if (header.host !== hostname()) return true;
  try {
    process.kill(header.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The stamp of an open file, for readers that stat what they read. */
export function stampOfFd(fd: number): FileStamp {
  return stampOf(fstatSync(fd));
}
