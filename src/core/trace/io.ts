/**
 * Reading and writing trace files. Parsing never trusts the file: JSON syntax, schema, version and tree invariants
 * are all checked, and every problem is reported with the path into the document (`nodes[12].parentId: …`).
 * Writing is deterministic (schema key order, 2-space indent, trailing newline) so re-saving an unchanged trace is
 * byte-identical and git diffs stay small, and atomic (temp file + rename) so a failed write leaves the original.
 */
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { TRACE_FORMAT, TRACE_VERSION, TraceSchema, type Trace } from './schema';
import { migrateToCurrent } from './migrate';
import { MAX_JSON_NESTING, findDeepNesting, findJsonErrorOffset } from './jsonError';
import { journalPathFor, stampOf, writerAlive, type FileStamp, type JournalHeader } from './journal';
import { foldJournal, markStaleRuns, type Recovery } from './journalFold';

export const TRACE_FILE_SUFFIX = '.metacot.json';

export interface TraceIssue {
  /** Path into the document, e.g. `nodes[12].parentId`; empty for the whole file. */
  path: string;
  message: string;
}

export class TraceParseError extends Error {
  constructor(
    readonly issues: TraceIssue[],
    readonly file?: string,
  ) {
    const where = file ? `${file}: ` : '';
    const shown = issues.slice(0, 10).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
    const more = issues.length > 10 ? `\n… and ${issues.length - 10} more problems` : '';
    super(`${where}not a valid Meta-CoT trace:\n${shown.join('\n')}${more}`);
    this.name = 'TraceParseError';
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/** Line and column of a character offset, for JSON syntax errors. */
function lineCol(text: string, offset: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      col = 1;
    } else col++;
  }
  return `line ${line}, column ${col}`;
}

/**
 * Parses and fully validates trace text. Older format versions are migrated in memory; the file is not touched.
 * A leading UTF-8 BOM (some Windows editors add one) is skipped; writing never adds it back.
 */
export function parseTrace(text: string, file?: string): Trace {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return validateTrace(parseJson(text, findDeepNesting(text), file), file);
}

/** JSON.parse with parseTrace's messages; `deep` is findDeepNesting's answer for `text` (parseSteps.ts shares it). */
export function parseJson(text: string, deep: number, file: string | undefined): unknown {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    if (deep >= 0) throw nestingError(text, deep, file);
    const offset = findJsonErrorOffset(text);
    const where = offset >= 0 ? ` at ${lineCol(text, offset)}` : '';
    throw new TraceParseError([{ path: '', message: `invalid JSON${where}: ${(err as Error).message.replace(/\s+/g, ' ')}` }], file);
  }
  // Format v0 stored its tree nested (two levels per tree level), and its migration walks it iteratively, so a deep
  // v0 file is fine; anything else that deep is not a trace. JSON.parse itself is iterative in V8.
  if (deep >= 0 && (raw as { version?: unknown } | null)?.version !== 0) throw nestingError(text, deep, file);
  return raw;
}

function nestingError(text: string, offset: number, file: string | undefined): TraceParseError {
  return new TraceParseError([{ path: '', message: `${lineCol(text, offset)}: JSON nested deeper than ${MAX_JSON_NESTING} levels` }], file);
}

export function validateTrace(raw: unknown, file?: string): Trace {
  return checkTree(checkSchema(checkHead(raw, file), file), file);
}

/** The tree invariants of a schema-valid trace, their issues as a TraceParseError (parseSteps.ts shares it). */
export function checkTree(trace: Trace, file: string | undefined): Trace {
  const issues = checkInvariants(trace);
  if (issues.length) throw new TraceParseError(issues, file);
  return trace;
}

/** Format and version checks, then migration of an older version: the value the schema is to check. */
export function checkHead(raw: unknown, file: string | undefined): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new TraceParseError([{ path: '', message: 'expected a JSON object at the top level' }], file);
  }
  const head = raw as { format?: unknown; version?: unknown };
  if (head.format !== TRACE_FORMAT) {
    throw new TraceParseError(
      [{ path: 'format', message: `expected "${TRACE_FORMAT}", got ${JSON.stringify(head.format) ?? 'nothing'}` }],
      file,
    );
  }
  if (typeof head.version !== 'number' || !Number.isInteger(head.version)) {
    throw new TraceParseError([{ path: 'version', message: 'expected an integer format version' }], file);
  }
  if (head.version > TRACE_VERSION) {
    throw new TraceParseError(
      [
        {
          path: 'version',
          message: `this file uses trace format version ${head.version}, newer than this extension reads (${TRACE_VERSION}); update the Meta-CoT Trace Debugger`,
        },
      ],
      file,
    );
  }
  if (head.version === TRACE_VERSION) return raw;
  try {
    return migrateToCurrent(raw as { version: number });
  } catch (err) {
    throw new TraceParseError([{ path: '', message: `cannot migrate from version ${head.version}: ${(err as Error).message}` }], file);
  }
}

/** The trace schema's check, its issues as a TraceParseError with paths into the document. */
export function checkSchema(current: unknown, file: string | undefined): Trace {
  const result = TraceSchema.safeParse(current);
  if (!result.success) {
    throw new TraceParseError(
      result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
      file,
    );
  }
  return result.data;
}

/** Tree invariants the schema cannot express: one root first, known unique ids, parents before children, references resolve. */
export function checkInvariants(trace: Trace): TraceIssue[] {
  const issues: TraceIssue[] = [];
  const position = new Map<string, number>();
  const runIds = new Set<string>();
  trace.runs.forEach((run, i) => {
    if (runIds.has(run.id)) issues.push({ path: `runs[${i}].id`, message: `duplicate run id "${run.id}"` });
    runIds.add(run.id);
  });
  // Parent links that point forward are a cycle or an order error; telling them apart needs the whole list.
  let links: ParentLinks | undefined;
  trace.nodes.forEach((node, i) => {
    const duplicate = position.has(node.id);
    if (duplicate) issues.push({ path: `nodes[${i}].id`, message: `duplicate node id "${node.id}"` });
    if (i === 0) {
      if (node.parentId !== null) issues.push({ path: 'nodes[0].parentId', message: 'the first node must be the root (parentId null)' });
      if (node.kind !== 'root') issues.push({ path: 'nodes[0].kind', message: `the first node must have kind "root", got "${node.kind}"` });
    } else if (node.parentId === null) issues.push({ path: `nodes[${i}].parentId`, message: 'only the first node may be a root (parentId null)' });
    if (node.parentId !== null && node.parentId === node.id) {
      issues.push({ path: `nodes[${i}].parentId`, message: `node "${node.id}" is its own parent` });
    } else if (node.parentId !== null && i > 0 && !position.has(node.parentId)) {
      // Creation order puts parents before children, which is what rules out cycles.
      links ??= parentLinks(trace.nodes);
      const cycle = links.cycles.get(i);
      issues.push({
        path: `nodes[${i}].parentId`,
        message: cycle
          ? `cycle ${cycle}`
          : links.index.has(node.parentId)
            ? `parent "${node.parentId}" comes after its child (nodes must be in creation order)`
            : `unknown node "${node.parentId}"`,
      });
    }
    if (!duplicate) position.set(node.id, i);
    if (i > 0 && node.kind === 'root') issues.push({ path: `nodes[${i}].kind`, message: 'only the first node may have kind "root"' });
    if (node.runId !== undefined && !runIds.has(node.runId)) issues.push({ path: `nodes[${i}].runId`, message: `unknown run "${node.runId}"` });
    if (node.supersededBy !== undefined && !runIds.has(node.supersededBy)) {
      issues.push({ path: `nodes[${i}].supersededBy`, message: `unknown run "${node.supersededBy}"` });
    }
    if (node.originalText !== undefined && node.originalText === node.text) {
      issues.push({ path: `nodes[${i}].originalText`, message: 'equals text; originalText is kept only for edited nodes' });
    }
  });
  trace.events.forEach((e, i) => {
    if (!position.has(e.node)) issues.push({ path: `events[${i}].node`, message: `unknown node "${e.node}"` });
    if (e.run !== undefined && !runIds.has(e.run)) issues.push({ path: `events[${i}].run`, message: `unknown run "${e.run}"` });
  });
  trace.runs.forEach((run, i) => {
    if (!position.has(run.startNodeId)) issues.push({ path: `runs[${i}].startNodeId`, message: `unknown node "${run.startNodeId}"` });
  });
  if (trace.result?.bestNodeId !== undefined && !position.has(trace.result.bestNodeId)) {
    issues.push({ path: 'result.bestNodeId', message: `unknown node "${trace.result.bestNodeId}"` });
  }
  if (trace.runs.length) {
    // The trace's usage is the sum over its runs; a mismatch means a hand edit or a lost update.
    for (const key of ['requests', 'cachedRequests', 'tokensIn', 'tokensOut'] as const) {
      const sum = trace.runs.reduce((s, r) => s + r.usage[key], 0);
      if (sum !== trace.usage[key]) issues.push({ path: `usage.${key}`, message: `is ${trace.usage[key]} but the runs add up to ${sum}` });
    }
    const cost = trace.runs.reduce((s, r) => s + r.usage.cost, 0);
    if (Math.abs(cost - trace.usage.cost) > 1e-9 * Math.max(1, cost)) {
      issues.push({ path: 'usage.cost', message: `is ${trace.usage.cost} but the runs add up to ${cost}` });
    }
  }
  return issues;
}

interface ParentLinks {
  /** Index of each id's first occurrence. */
  index: Map<string, number>;
  /** Cycles of two or more nodes, keyed by the index of their first node in the list, written from it: `n3 → n5 → n3`. */
  cycles: Map<number, string>;
}

/** Longest cycle written out in full; a longer one is shortened in the middle. */
const CYCLE_SHOWN = 8;

/**
 * Follows every parent link once (iterative colouring: a hostile list costs O(n), however long its chains). A
 * self-parent is reported on its own and ends a walk here; ids resolve to their first occurrence.
 */
function parentLinks(nodes: readonly { id: string; parentId: string | null }[]): ParentLinks {
  const index = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (!index.has(n.id)) index.set(n.id, i);
  });
  const state = new Uint8Array(nodes.length); // 0 unseen, 1 on the current walk, 2 done
  const cycles = new Map<number, string>();
  const walk: number[] = [];
  for (let start = 0; start < nodes.length; start++) {
    let cur: number | undefined = start;
    while (cur !== undefined && state[cur] === 0) {
      state[cur] = 1;
      walk.push(cur);
      const p: string | null = nodes[cur]!.parentId;
      cur = p === null || p === nodes[cur]!.id ? undefined : index.get(p);
    }
    if (cur !== undefined && state[cur] === 1) {
      const members = walk.slice(walk.indexOf(cur));
      let from = 0;
      for (let k = 1; k < members.length; k++) if (members[k]! < members[from]!) from = k;
      const ordered = [...members.slice(from), ...members.slice(0, from)].map((k) => nodes[k]!.id);
      const shown =
        ordered.length <= CYCLE_SHOWN
          ? ordered
          : [...ordered.slice(0, CYCLE_SHOWN / 2), `… ${ordered.length - CYCLE_SHOWN} more`, ...ordered.slice(-CYCLE_SHOWN / 2)];
      cycles.set(members[from]!, [...shown, ordered[0]!].join(' → '));
    }
    for (const k of walk) state[k] = 2;
    walk.length = 0;
  }
  return { index, cycles };
}

/** Deterministic text of a trace. Validates first: an invalid trace is never written. */
export function serializeTrace(trace: Trace): string {
  const result = TraceSchema.safeParse(trace);
  if (!result.success) {
    throw new TraceParseError(result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
  }
  const issues = checkInvariants(result.data);
  if (issues.length) throw new TraceParseError(issues);
  return `${JSON.stringify(result.data, null, 2)}\n`;
}

export interface RecoverOptions {
  /** Whether the process that wrote a journal still runs; default: its pid on this host answers. */
  writerAlive?: (header: JournalHeader) => boolean;
  /** Runs of this trace that this process itself runs (they are not stale, journal or not). */
  ownsRun?: (runId: string) => boolean;
}

export interface OpenedTrace {
  trace: Trace;
  /** Undefined when there was no journal and no run left running: the trace is the file's. */
  recovery: Recovery | undefined;
}

/**
 * The trace as a crash left it: the journal beside the file folded in (whole batches only, and only when the
 * result is still a valid trace), then runs whose process is gone marked cancelled. `journalText`: the journal's
 * content, undefined when there is none; `stamp`: the trace file's identity when its text was read.
 */
export function recoverTrace(trace: Trace, journalText: string | undefined, stamp: FileStamp | undefined, opts: RecoverOptions = {}): OpenedTrace {
  let current = trace;
  let folded = 0;
  const problems: string[] = [];
  let header: JournalHeader | undefined;
  if (journalText !== undefined) {
    const fold = foldJournal(trace, journalText, stamp);
    header = fold.header;
    problems.push(...fold.problems);
    if (fold.folded > 0) {
      try {
        current = validateTrace(fold.trace);
        folded = fold.folded;
      } catch (err) {
        const first = err instanceof TraceParseError ? err.issues[0] : undefined;
        problems.push(`folding the journal in would make the trace invalid (${first ? `${first.path}: ${first.message}` : String(err)}); left alone`);
      }
    }
  }
  const ours = header !== undefined && header.traceId === trace.id;
  const live = ours && (opts.writerAlive ?? writerAlive)(header!);
  const stale = markStaleRuns(current, (runId) => (live && header!.runId === runId) || opts.ownsRun?.(runId) === true);
  if (!folded && !stale.runs.length && !problems.length && !live) return { trace, recovery: undefined };
  return { trace: stale.trace, recovery: { folded, staleRuns: stale.runs, staleNodes: stale.nodes, live, problems } };
}

/** Reads, validates and recovers a trace file (see recoverTrace); the files are not touched. */
export async function openTraceFile(path: string, opts: RecoverOptions = {}): Promise<OpenedTrace> {
  // A live run rewrites its journal after each checkpoint: read the journal first, then the trace (a trace newer
  // than the journal is caught by the journal's file stamp), and read both again if a live writer raced us.
  for (let attempt = 0; ; attempt++) {
    const journalText = await readJournal(path);
    const { text, stamp } = await readWithStamp(path);
    const opened = recoverTrace(parseTrace(text, path), journalText, stamp, opts);
    if (attempt >= 2 || !opened.recovery?.live || opened.recovery.problems.length === 0) return opened;
  }
}

/** The journal's text, undefined when there is none (or it cannot be read: reading the trace then says enough). */
async function readJournal(tracePath: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(journalPathFor(tracePath), 'utf8');
  } catch {
    return undefined;
  }
}

async function readWithStamp(path: string): Promise<{ text: string; stamp: FileStamp }> {
  try {
    const fh = await fsp.open(path, 'r');
    try {
      const stamp = stampOf(await fh.stat());
      return { text: await fh.readFile('utf8'), stamp };
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw new TraceParseError([{ path: '', message: `cannot read file: ${(err as Error).message}` }], path);
  }
}

/**
 * Reads a trace file as `openTraceFile` does (journal folded in, stale runs marked); `onRecovery` hears what was
 * found, for a caller that reports it.
 */
export async function readTraceFile(path: string, opts: RecoverOptions & { onRecovery?: (r: Recovery) => void } = {}): Promise<Trace> {
  const { trace, recovery } = await openTraceFile(path, opts);
  if (recovery) opts.onRecovery?.(recovery);
  return trace;
}

/** File operations used by atomicWrite; replaceable so tests can simulate a failure midway. */
export interface WriteOps {
  writeFile(path: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

const realOps: WriteOps = {
  async writeFile(path, data) {
    const fh = await fsp.open(path, 'wx', 0o644);
    try {
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
  },
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
};

/** Writes beside the target then renames over it, so readers see the old or the new file, never half of one. */
export async function atomicWrite(path: string, data: string, ops: WriteOps = realOps): Promise<void> {
  await fsp.mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await ops.writeFile(tmp, data);
    await ops.rename(tmp, path);
  } catch (err) {
    await ops.unlink(tmp).catch(() => undefined);
    throw err;
  }
}

export async function writeTraceFile(path: string, trace: Trace, ops?: WriteOps): Promise<void> {
  await atomicWrite(path, serializeTrace(trace), ops);
}
