/**
 * `metacot show TRACE`: the tree as indented text with values — status marks, value and its source, N / Q,
 * beam rank, prune reason, answers — and a header with the problem, the runs and the result.
 */
import { resultOrigin, runResultOf } from '../../core/analyse/runResults';
import { escapeControlChars } from '../../core/trace/controlChars';
import { readTraceFile } from '../../core/trace/io';
import type { Trace, TraceNode } from '../../core/trace/schema';
import { startCommand, type CommandOutput } from '../commandArgs';

/** Default `--depth`: far below what a real search reaches, so only a hostile or degenerate chain is cut. */
export const DEFAULT_SHOW_DEPTH = 1000;
/** Past this depth the indentation stops growing and each line names its depth: lines stay short, output linear. */
export const SHOW_INDENT_LEVELS = 64;

export const SHOW_USAGE = `metacot show TRACE [options]

Prints a trace file's tree as indented text with values. Control characters in trace text are printed as
escapes (\\x1b, \\r, …). Below depth ${SHOW_INDENT_LEVELS} the indentation stops growing and lines show [depth N].

Options:
  --depth N        show nodes down to this depth only (default ${DEFAULT_SHOW_DEPTH})
  --width N        characters of step text per line (default 72; 0 = whole first line)
  --superseded     also show subtrees replaced by a later re-run (hidden by default)
`;

const num = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(3).replace(/0+$/, '').replace(/\.$/, ''));

/** The details printed after a node's text. */
export function nodeDetails(n: TraceNode): string {
  const parts: string[] = [];
  if (n.value !== undefined) {
    const src = n.valueSource;
    const how = src?.kind === 'rollouts' ? ` (${src.k}/${src.K} rollouts)` : src ? ` (${src.kind})` : '';
    parts.push(`v=${num(n.value)}${how}`);
  }
  if (n.visits !== undefined) parts.push(`N=${n.visits}`);
  if (n.q !== undefined) parts.push(`Q=${num(n.q)}`);
  if (n.selection?.beam) parts.push(`rank ${n.selection.beam.rank}/${n.selection.beam.width}`);
  if (n.selection?.priority !== undefined && !n.selection.beam) parts.push(`p=${num(n.selection.priority)}`);
  if (n.answer !== undefined) parts.push(`answer ${n.answer}${n.verified === true ? ' ✓' : n.verified === false ? ' ✗' : ''}`);
  if (n.status === 'pruned' && n.prune) parts.push(`pruned: ${n.prune.reason}`);
  if (n.error) parts.push(`error: ${n.error}`);
  if (n.originalText !== undefined) parts.push('edited');
  return parts.join('  ');
}

const MARK: Record<TraceNode['status'], string> = { open: '', running: '…', expanded: '', terminal: '■', pruned: '✂', failed: '✗', cancelled: '⊘' };

export interface TreeOptions {
  depth?: number;
  width?: number;
  superseded?: boolean;
}

/** Characters collected before a chunk is handed on: a deep tree's text is never one huge string. */
const CHUNK = 1 << 16;

/**
 * Writes the tree in chunks of whole lines to `emit`; returns whether `depth` cut anything off. Iterative preorder
 * with a bounded indentation, so time and memory are linear in the nodes printed however deep the tree is. Every
 * line has its control characters escaped (node text is JSON-quoted, which leaves DEL and C1 alone).
 */
export function writeTree(trace: Trace, opts: TreeOptions, emit: (text: string) => void): { cut: boolean } {
  const width = opts.width ?? 72;
  const kids = new Map<string, TraceNode[]>();
  for (const n of trace.nodes) {
    if (n.parentId === null) continue;
    if (!opts.superseded && n.supersededBy !== undefined) continue;
    const list = kids.get(n.parentId);
    if (list) list.push(n);
    else kids.set(n.parentId, [n]);
  }
  let buf = '';
  const line = (l: string) => {
    buf += `${escapeControlChars(l)}\n`;
    if (buf.length >= CHUNK) {
      emit(buf);
      buf = '';
    }
  };
  let cut = false;
  const bestId = trace.result?.bestNodeId;
  const text = (n: TraceNode): string => {
    if (n.kind === 'root') return 'problem';
    const first = firstLine(n.text);
    const more = n.text.trim().includes('\n') || (width > 0 && first.length > width);
    const shown = width > 0 && first.length > width ? first.slice(0, width - 1) : first;
    return `${shown}${more ? '…' : ''}`;
  };
  const stack: { n: TraceNode; prefix: string; last: boolean; depth: number }[] = [{ n: trace.nodes[0]!, prefix: '', last: true, depth: 0 }];
  while (stack.length) {
    const { n, prefix, last, depth } = stack.pop()!;
    const branch = depth === 0 ? '' : last ? '└─ ' : '├─ ';
    const deep = depth > SHOW_INDENT_LEVELS ? `[depth ${depth}] ` : '';
    const mark = MARK[n.status] ? `${MARK[n.status]} ` : '';
    const details = nodeDetails(n);
    const best = n.id === bestId ? '  ★ best' : '';
    const superseded = n.supersededBy !== undefined ? `  (superseded by ${n.supersededBy})` : '';
    line(`${prefix}${branch}${deep}${n.id} ${mark}${JSON.stringify(text(n))}${details ? `  ${details}` : ''}${best}${superseded}`);
    const children = kids.get(n.id) ?? [];
    const childPrefix = depth === 0 ? '' : depth >= SHOW_INDENT_LEVELS ? prefix : prefix + (last ? '   ' : '│  ');
    if (opts.depth !== undefined && depth >= opts.depth) {
      if (children.length) {
        line(`${childPrefix}└─ … ${children.length} more below`);
        cut = true;
      }
      continue;
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push({ n: children[i]!, prefix: childPrefix, last: i === children.length - 1, depth: depth + 1 });
  }
  if (buf) emit(buf);
  return { cut };
}

/** The first non-blank line, trimmed, found without splitting the whole text (steps can be megabytes). */
function firstLine(text: string): string {
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const l = text.slice(start, end).trim();
    if (l !== '') return l;
    start = end + 1;
  }
  return '';
}

export function renderTree(trace: Trace, opts: TreeOptions = {}): string {
  const parts: string[] = [];
  writeTree(trace, opts, (t) => parts.push(t));
  return parts.join('');
}

export function renderHeader(trace: Trace): string {
  const out: string[] = [];
  out.push(`problem: ${trace.problem.text.split('\n')[0]}${trace.problem.answer !== undefined ? `   (reference answer ${trace.problem.answer})` : ''}`);
  for (const r of trace.runs) {
    const u = r.usage;
    const params = Object.entries(r.config.params)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : v}`)
      .join(' ');
    out.push(`run ${r.id}: ${r.config.strategy} from ${r.startNodeId}, ${r.status}${r.reason ? ` — ${r.reason}` : ''}`);
    out.push(`  ${params}`);
    out.push(`  verifier ${r.config.verifier.kind}; model ${r.config.endpoint.model} at ${r.config.endpoint.baseUrl}; ${u.requests} requests, ${u.tokensIn + u.tokensOut} tokens${u.cost > 0 ? `, cost ${u.cost.toFixed(4)}` : ''}`);
    const own = runResultOf(trace, r);
    if (own?.bestNodeId === undefined && own?.finalAnswer === undefined) {
      if (own) out.push('  found: nothing');
    } else {
      // A replacing re-run can delete the node a run chose; its answer and verdict stay on record.
      const at = own.bestNodeId !== undefined ? `node ${own.bestNodeId}` : 'its node was removed by a re-run';
      out.push(`  found: ${own.finalAnswer !== undefined ? `answer ${own.finalAnswer}` : 'no answer'} (${at}), ${own.verified ? 'verified' : 'not verified'}`);
    }
  }
  const res = trace.result;
  if (res) {
    const origin = resultOrigin(trace);
    const found = origin ? `, found by ${origin.text}` : '';
    // The best node can sit in a subtree a later re-run replaced: the tree below hides it unless asked.
    const hidden = origin?.supersededBy !== undefined ? ` (its subtree was superseded by run ${origin.supersededBy}; --superseded shows it)` : '';
    out.push(`result: ${res.finalAnswer !== undefined ? `answer ${res.finalAnswer}` : 'no answer'}${res.bestNodeId ? ` (node ${res.bestNodeId})` : ''}, ${res.verified ? 'verified' : 'not verified'}${found}${hidden}`);
  }
  out.push(`${trace.nodes.length} nodes, ${trace.events.length} events`);
  // Problem text, reasons, params, model and URL come from the file: control characters are shown, not sent.
  return out.map((l) => escapeControlChars(l)).join('\n') + '\n\n';
}

export async function runShowCommand(argv: string[], options: CommandOutput = {}): Promise<number> {
  const cmd = startCommand('show', SHOW_USAGE, argv, options, {
    allowPositionals: true,
    options: { depth: { type: 'string' }, width: { type: 'string' }, superseded: { type: 'boolean' }, help: { type: 'boolean' } },
    strict: true,
  });
  if (typeof cmd === 'number') return cmd;
  const { values, positionals, out, err, bad, badWithUsage } = cmd;
  if (positionals.length !== 1) return badWithUsage('give one trace file');
  const depth = values.depth === undefined ? DEFAULT_SHOW_DEPTH : Number(values.depth);
  const width = values.width === undefined ? undefined : Number(values.width);
  if (!(depth >= 0) || (width !== undefined && !(width >= 0))) return bad('--depth and --width take non-negative numbers');
  let trace: Trace;
  try {
    trace = await readTraceFile(positionals[0]!);
  } catch (e) {
    err(`${escapeControlChars(`metacot show: ${(e as Error).message}`, { keepNewlines: true })}\n`);
    return 1;
  }
  out(renderHeader(trace));
  const { cut } = writeTree(trace, { depth, ...(width !== undefined ? { width } : {}), superseded: values.superseded === true }, out);
  if (cut && values.depth === undefined) out(`(nodes below depth ${DEFAULT_SHOW_DEPTH} not shown: give --depth N for more)\n`);
  return 0;
}
