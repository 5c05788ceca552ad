/**
 * `metacot show TRACE`: the tree as indented text with values — status marks, value and its source, N / Q,
 * beam rank, prune reason, answers — and a header with the problem, the runs and the result.
 */
import { readTraceFile } from '../../core/trace/io';
import type { Trace, TraceNode } from '../../core/trace/schema';
import { startCommand, type CommandOutput } from '../commandArgs';

export const SHOW_USAGE = `metacot show TRACE [options]

Prints a trace file's tree as indented text with values.

Options:
  --depth N        show nodes down to this depth only
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

export function renderTree(trace: Trace, opts: { depth?: number; width?: number; superseded?: boolean } = {}): string {
  const width = opts.width ?? 72;
  const kids = new Map<string, TraceNode[]>();
  for (const n of trace.nodes) {
    if (n.parentId === null) continue;
    if (!opts.superseded && n.supersededBy !== undefined) continue;
    const list = kids.get(n.parentId);
    if (list) list.push(n);
    else kids.set(n.parentId, [n]);
  }
  const lines: string[] = [];
  const bestId = trace.result?.bestNodeId;
  const text = (n: TraceNode): string => {
    const first = n.kind === 'root' ? 'problem' : (n.text.split('\n').find((l) => l.trim() !== '') ?? '').trim();
    const more = n.kind !== 'root' && (n.text.trim().includes('\n') || (width > 0 && first.length > width));
    const cut = width > 0 && first.length > width ? first.slice(0, width - 1) : first;
    return `${cut}${more ? '…' : ''}`;
  };
  // Iterative preorder: traces can be deep.
  const stack: { n: TraceNode; prefix: string; last: boolean; depth: number }[] = [{ n: trace.nodes[0]!, prefix: '', last: true, depth: 0 }];
  while (stack.length) {
    const { n, prefix, last, depth } = stack.pop()!;
    const branch = depth === 0 ? '' : last ? '└─ ' : '├─ ';
    const mark = MARK[n.status] ? `${MARK[n.status]} ` : '';
    const details = nodeDetails(n);
    const best = n.id === bestId ? '  ★ best' : '';
    const superseded = n.supersededBy !== undefined ? `  (superseded by ${n.supersededBy})` : '';
    lines.push(`${prefix}${branch}${n.id} ${mark}${JSON.stringify(text(n))}${details ? `  ${details}` : ''}${best}${superseded}`);
    const children = kids.get(n.id) ?? [];
    if (opts.depth !== undefined && depth >= opts.depth) {
      if (children.length) lines.push(`${prefix}${depth === 0 ? '' : last ? '   ' : '│  '}└─ … ${children.length} more below`);
      continue;
    }
    const childPrefix = depth === 0 ? '' : prefix + (last ? '   ' : '│  ');
    for (let i = children.length - 1; i >= 0; i--) stack.push({ n: children[i]!, prefix: childPrefix, last: i === children.length - 1, depth: depth + 1 });
  }
  return lines.join('\n') + '\n';
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
  }
  const res = trace.result;
  if (res) out.push(`result: ${res.finalAnswer !== undefined ? `answer ${res.finalAnswer}` : 'no answer'}${res.bestNodeId ? ` (node ${res.bestNodeId})` : ''}, ${res.verified ? 'verified' : 'not verified'}`);
  out.push(`${trace.nodes.length} nodes, ${trace.events.length} events`);
  return out.join('\n') + '\n\n';
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
  const depth = values.depth === undefined ? undefined : Number(values.depth);
  const width = values.width === undefined ? undefined : Number(values.width);
  if ((depth !== undefined && !(depth >= 0)) || (width !== undefined && !(width >= 0))) return bad('--depth and --width take non-negative numbers');
  let trace: Trace;
  try {
    trace = await readTraceFile(positionals[0]!);
  } catch (e) {
    err(`metacot show: ${(e as Error).message}\n`);
    return 1;
  }
  out(renderHeader(trace));
  out(renderTree(trace, { ...(depth !== undefined ? { depth } : {}), ...(width !== undefined ? { width } : {}), superseded: values.superseded === true }));
  return 0;
}
