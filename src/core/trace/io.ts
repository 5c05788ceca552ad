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
import { findJsonErrorOffset } from './jsonError';

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

/** Parses and fully validates trace text. Older format versions are migrated in memory; the file is not touched. */
export function parseTrace(text: string, file?: string): Trace {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const offset = findJsonErrorOffset(text);
    const where = offset >= 0 ? ` at ${lineCol(text, offset)}` : '';
    throw new TraceParseError([{ path: '', message: `invalid JSON${where}: ${(err as Error).message.replace(/\s+/g, ' ')}` }], file);
  }
  return validateTrace(raw, file);
}

export function validateTrace(raw: unknown, file?: string): Trace {
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
  let current: unknown = raw;
  if (head.version < TRACE_VERSION) {
    try {
      current = migrateToCurrent(raw as { version: number });
    } catch (err) {
      throw new TraceParseError([{ path: '', message: `cannot migrate from version ${head.version}: ${(err as Error).message}` }], file);
    }
  }
  const result = TraceSchema.safeParse(current);
  if (!result.success) {
    throw new TraceParseError(
      result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
      file,
    );
  }
  const issues = checkInvariants(result.data);
  if (issues.length) throw new TraceParseError(issues, file);
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
  trace.nodes.forEach((node, i) => {
    if (position.has(node.id)) issues.push({ path: `nodes[${i}].id`, message: `duplicate node id "${node.id}"` });
    else position.set(node.id, i);
    if (i === 0) {
      if (node.parentId !== null) issues.push({ path: 'nodes[0].parentId', message: 'the first node must be the root (parentId null)' });
      if (node.kind !== 'root') issues.push({ path: 'nodes[0].kind', message: `the first node must have kind "root", got "${node.kind}"` });
    } else {
      if (node.parentId === null) issues.push({ path: `nodes[${i}].parentId`, message: 'only the first node may be a root (parentId null)' });
      else {
        const p = position.get(node.parentId);
        // Creation order puts parents before children; a later parent would allow cycles.
        if (p === undefined) {
          const exists = trace.nodes.some((n) => n.id === node.parentId);
          issues.push({
            path: `nodes[${i}].parentId`,
            message: exists
              ? `parent "${node.parentId}" comes after its child (nodes must be in creation order)`
              : `unknown node "${node.parentId}"`,
          });
        }
      }
      if (node.kind === 'root') issues.push({ path: `nodes[${i}].kind`, message: 'only the first node may have kind "root"' });
    }
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

export async function readTraceFile(path: string): Promise<Trace> {
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (err) {
    throw new TraceParseError([{ path: '', message: `cannot read file: ${(err as Error).message}` }], path);
  }
  return parseTrace(text, path);
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
