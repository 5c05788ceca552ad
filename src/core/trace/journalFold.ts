/**
 * Reading a crash journal back (see journal.ts): folds its whole batches into the trace it continues, and marks
 * runs that a dead process left `running` as cancelled. Pure: the caller reads the files and validates the result
 * (io.ts keeps the trace as it was when the folded one breaks an invariant), so a journal can never make a valid
 * trace invalid. A torn last line or batch is ignored; a journal of another trace, or one the trace file has moved
 * past, is left alone and reported.
 */
import type { Run, Trace, TraceEvent, TraceNode } from './schema';
import { JournalHeaderSchema, JournalLineSchema, sameStamp, type FileStamp, type JournalHeader, type JournalLine } from './journal';

export const STALE_RUN_REASON = 'the process ended while this run was going on (found on open)';

/** What opening a trace found and did about a journal and runs left running. */
export interface Recovery {
  /** Journal lines folded into the trace. */
  folded: number;
  /** Runs marked cancelled because the process running them is gone. */
  staleRuns: string[];
  /** Nodes of those runs marked cancelled (they were waiting for an answer). */
  staleNodes: number;
  /** The journal's process still runs: its run is going on (nothing was marked). */
  live: boolean;
  /** Why a journal, or part of it, was not folded in. */
  problems: string[];
}

export interface FoldResult {
  trace: Trace;
  header: JournalHeader | undefined;
  folded: number;
  problems: string[];
}

interface ParsedJournal {
  header: JournalHeader | undefined;
  /** Whole batches (and cut markers, as one-line batches), in order. */
  batches: JournalLine[][];
  problems: string[];
}

/** Splits a journal's text into whole batches; stops at the first line that is not a valid journal line. */
export function parseJournal(text: string): ParsedJournal {
  const problems: string[] = [];
  const lines = text.split('\n');
  // The text after the last newline is a line still being written (or torn by a crash): never read.
  const complete = lines.length - 1;
  if (complete < 1) return { header: undefined, batches: [], problems: text.length ? ['the journal has no complete line'] : [] };
  const first = parseLine(lines[0]!);
  const header = first.ok ? JournalHeaderSchema.safeParse(first.value) : undefined;
  if (!header?.success) return { header: undefined, batches: [], problems: ['line 1 is not a journal header'] };
  const batches: JournalLine[][] = [];
  let batch: JournalLine[] = [];
  for (let i = 1; i < complete; i++) {
    const raw = lines[i]!;
    const parsed = parseLine(raw);
    const line = parsed.ok ? JournalLineSchema.safeParse(parsed.value) : undefined;
    if (!line?.success) {
      const why = parsed.ok ? line!.error!.issues[0]?.message ?? 'invalid' : parsed.error;
      problems.push(`line ${i + 1} is not a valid journal line (${why}); the lines from there on were not read`);
      break;
    }
    const l = line.data;
    if (l.t === 'journal') {
      problems.push(`line ${i + 1}: a second header; the lines from there on were not read`);
      break;
    }
    if (l.t === 'cut') {
      if (batch.length) {
        problems.push(`line ${i + 1}: a checkpoint mark inside a batch; the lines from there on were not read`);
        break;
      }
      batches.push([l]);
      continue;
    }
    if (l.t === 'commit') {
      if (l.lines !== batch.length) {
        problems.push(`line ${i + 1}: a batch of ${batch.length} lines says it has ${l.lines}; the lines from there on were not read`);
        break;
      }
      batches.push(batch);
      batch = [];
      continue;
    }
    batch.push(l);
  }
  // An unfinished batch at the end is a write a crash cut short: silently left out.
  return { header: header.data, batches, problems };
}

function parseLine(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/**
 * Folds a journal into the trace file's trace. `stamp`: the trace file's identity as read. A journal applies from
 * its start when it continues this very file, or from its last checkpoint mark when the trace file is that
 * checkpoint (written, then the process died before the journal was rewritten).
 */
export function foldJournal(trace: Trace, text: string, stamp: FileStamp | undefined): FoldResult {
  const parsed = parseJournal(text);
  const { header } = parsed;
  const problems = [...parsed.problems];
  const unchanged = (why?: string): FoldResult => ({ trace, header, folded: 0, problems: why ? [...problems, why] : problems });
  if (!header) return unchanged();
  if (header.traceId !== trace.id) return unchanged(`the journal belongs to trace ${header.traceId}, not ${trace.id}; left alone`);
  let from = 0;
  if (!stamp || !sameStamp(stamp, header.base)) {
    let cut = parsed.batches.length - 1;
    while (cut >= 0 && parsed.batches[cut]![0]!.t !== 'cut') cut--;
    if (cut < 0) return unchanged('the trace file was written after the journal was (by something else); the journal was left alone');
    from = cut + 1;
  }

  const nodes = [...trace.nodes];
  const events = [...trace.events];
  const runs = [...trace.runs];
  const at = new Map<string, number>();
  nodes.forEach((n, i) => at.set(n.id, i));
  let usage = trace.usage;
  let result = trace.result;
  let folded = 0;
  for (let b = from; b < parsed.batches.length; b++) {
    const batch = parsed.batches[b]!;
    const mark = { nodes: nodes.length, events: events.length, runs: runs.length };
    const replaced: [number, TraceNode][] = [];
    const replacedRuns: [number, Run][] = [];
    const why = applyBatch(batch, { nodes, events, runs, at, replaced, replacedRuns });
    if (why !== undefined) {
      // Undo this batch: the trace keeps every whole batch before it.
      for (const n of nodes.slice(mark.nodes)) at.delete(n.id);
      nodes.length = mark.nodes;
      events.length = mark.events;
      runs.length = mark.runs;
      for (const [i, n] of replaced.reverse()) nodes[i] = n;
      for (const [i, r] of replacedRuns.reverse()) runs[i] = r;
      problems.push(`${why}; the journal was folded in up to there`);
      break;
    }
    for (const l of batch) {
      if (l.t === 'totals') {
        usage = l.usage;
        result = l.result;
      }
      if (l.t !== 'cut') folded++;
    }
  }
  return { trace: { ...trace, runs, nodes, events, usage, result }, header, folded, problems };
}

interface FoldState {
  nodes: TraceNode[];
  events: TraceEvent[];
  runs: Run[];
  at: Map<string, number>;
  replaced: [number, TraceNode][];
  replacedRuns: [number, Run][];
}

/** Applies one batch; the reason it cannot be applied, or undefined. */
function applyBatch(batch: readonly JournalLine[], s: FoldState): string | undefined {
  for (const l of batch) {
    if (l.t === 'node') {
      const i = s.at.get(l.node.id);
      if (i !== undefined) {
        if (s.nodes[i]!.parentId !== l.node.parentId) return `node ${l.node.id} changes its parent`;
        s.replaced.push([i, s.nodes[i]!]);
        s.nodes[i] = l.node;
      } else {
        if (l.node.parentId === null || !s.at.has(l.node.parentId)) return `node ${l.node.id} has no parent in the trace`;
        s.at.set(l.node.id, s.nodes.length);
        s.nodes.push(l.node);
      }
    } else if (l.t === 'event') {
      // Events the trace file already holds (it is a later checkpoint than the line) are skipped.
      if (l.k > s.events.length) return `event ${l.k} comes after a gap (the trace has ${s.events.length})`;
      if (l.k === s.events.length) s.events.push(l.event);
    } else if (l.t === 'run') {
      const i = s.runs.findIndex((r) => r.id === l.run.id);
      if (i >= 0) {
        s.replacedRuns.push([i, s.runs[i]!]);
        s.runs[i] = l.run;
      } else s.runs.push(l.run);
    }
  }
  return undefined;
}

/**
 * Marks runs still `running` whose process is gone as cancelled, with their nodes that were waiting for an answer.
 * `live(runId)`: whether a process still runs that run. Returns the trace unchanged when nothing is stale.
 */
export function markStaleRuns(trace: Trace, live: (runId: string) => boolean): { trace: Trace; runs: string[]; nodes: number } {
  const stale = new Set(trace.runs.filter((r) => r.status === 'running' && !live(r.id)).map((r) => r.id));
  if (stale.size === 0) return { trace, runs: [], nodes: 0 };
  let count = 0;
  const nodes = trace.nodes.map((n) => {
    if (n.status !== 'running' || n.runId === undefined || !stale.has(n.runId)) return n;
    count++;
    return { ...n, status: 'cancelled' as const };
  });
  const runs = trace.runs.map((r) => (stale.has(r.id) ? { ...r, status: 'cancelled' as const, reason: STALE_RUN_REASON } : r));
  return { trace: { ...trace, runs, nodes }, runs: [...stale], nodes: count };
}
