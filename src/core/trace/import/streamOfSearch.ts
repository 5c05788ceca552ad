/**
 * Stream-of-Search text → the tree it describes (format in ../linearize/streamOfSearch.ts and
 * ../shared/data/README.md). Every `Exploring Operation` becomes a step node under the node the search is at; a
 * `Generated Node #id` line names it (kept in `meta.sosId`), a leaf line ends it, and an operation the search did
 * not keep is marked pruned. Model-written traces are messy (wrong arithmetic, lines glued together, moves to
 * unknown nodes, search after `Goal Reached`, cut-off last lines): the importer keeps going and lists each
 * problem as an issue with its line number.
 */
import type { Author, Problem, TraceNode } from '../schema';
import { TraceTree } from '../tree';
import { expressionOf, formatOpStep, parseCompactOp, parsePyNumberList, type CountdownOp } from '../linearize/countdownText';
import { ImportError, type ImportIssue } from './importError';

export interface SosImportOptions {
  /** The problem the trace solves (default: built from the first state line in our Countdown wording). */
  problem?: Problem;
  id?: string;
  createdAt?: string;
  author?: Author;
}

export interface SosImport {
  tree: TraceTree;
  issues: ImportIssue[];
  /** Node of the first `Goal Reached`, if any. */
  goalNodeId?: string;
  /** `Exploring Operation` lines read (SoS counts nodes explored as this + 1). */
  explored: number;
}

const STATE_RE = /^Current State: (-?\d+(?:\.\d+)?):(\[[^\]]*\]), Operations: (\[.*\])$/;
const EXPLORE_RE = /^Exploring Operation: (.+?), Resulting Numbers: (\[[^\]]*\])$/;
const GENERATED_RE = /^Generated Node #([\d,]+): (-?\d+(?:\.\d+)?):(\[[^\]]*\]) Operation: (.+)$/;
const MOVE_RE = /^Moving to Node #([\d,]+)$/;
const LEAF_RE = /^(.+?),(-?\d+(?:\.\d+)?) (equal|unequal): (Goal Reached|No Solution)/;
/** Where a glued-on line starts inside another one. */
const LINE_START = /(?=Current State: |Exploring Operation: |Generated Node #|Moving to Node #)/;

export function countdownProblemText(numbers: readonly string[], target: string): string {
  return `Use the numbers ${numbers.join(', ')} to reach ${target}. Use + - * / and each number at most once.`;
}

function numberParam(s: string): number | string {
  const n = Number(s);
  return Number.isFinite(n) ? n : s;
}

export function importSos(text: string, opts: SosImportOptions = {}): SosImport {
  const rawLines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const start = rawLines.findIndex((l) => l.startsWith('Current State:'));
  if (start < 0) throw new ImportError('no "Current State:" line: not a Stream-of-Search trace');
  const first = STATE_RE.exec(rawLines[start]!);
  if (!first) throw new ImportError(`line ${start + 1}: cannot read the first state line`);
  const target = first[1]!;
  const numbers = parsePyNumberList(first[2]!)!;
  const base = opts.problem ?? { text: countdownProblemText(numbers, target) };
  const problem: Problem = { ...base, meta: { ...base.meta, numbers: numbers.map(numberParam), target: numberParam(target) } };
  const tree = TraceTree.create(problem, { id: opts.id, createdAt: opts.createdAt });
  const author = opts.author ?? 'imported';
  const issues: ImportIssue[] = [];
  const root = tree.root();
  tree.update(root.id, { meta: { sosId: '0' } });

  const byId = new Map<string, TraceNode>([['0', root]]);
  const numbersOf = new Map<string, string[]>([[root.id, numbers]]);
  const opsOf = new Map<string, CountdownOp[]>([[root.id, []]]);
  let cur: TraceNode = root;
  /** The last explored operation, until a Generated Node or leaf line says what became of it. */
  let pending: TraceNode | undefined;
  let pendingDone = false;
  let explored = 0;
  let goalNodeId: string | undefined;

  /** The next operation or move shows that an operation neither generated a node nor reached a leaf. */
  const settle = () => {
    if (pending && !pendingDone) tree.update(pending.id, { status: 'pruned', prune: { reason: 'not kept by the search', by: 'engine' } });
    pending = undefined;
  };

  for (let i = start; i < rawLines.length; i++) {
    const lineNo = i + 1;
    const parts = rawLines[i]!.split(LINE_START).filter((p) => p.trim() !== '');
    if (parts.length > 1) issues.push({ line: lineNo, message: `${parts.length} lines glued together` });
    for (const part of parts) {
      const line = part.trimEnd();
      let m: RegExpExecArray | null;
      if ((m = STATE_RE.exec(line))) {
        if (i === start) continue;
        const nums = parsePyNumberList(m[2]!)!;
        const have = numbersOf.get(cur.id);
        if (!have || have.join(',') !== nums.join(',')) {
          issues.push({ line: lineNo, message: `state ${m[2]} does not match node #${String(cur.meta?.sosId ?? cur.id)} (${have ? `[${have.join(', ')}]` : 'unknown'})` });
        }
      } else if ((m = EXPLORE_RE.exec(line))) {
        settle();
        explored++;
        const left = parsePyNumberList(m[2]!)!;
        const op = parseCompactOp(m[1]!);
        if (!op) issues.push({ line: lineNo, message: `cannot read operation "${m[1]}"` });
        tree.iteration = explored;
        const node = tree.addChild(cur.id, {
          kind: left.length === 1 ? 'answer' : 'step',
          author,
          text: op ? formatOpStep(op, left) : `${m[1]} (left: ${left.join(', ')})`,
          status: 'open',
          iteration: explored,
          // The model's own spelling, so the linearizer can write the line back unchanged.
          ...(op ? {} : { meta: { sosOp: m[1]! } }),
        });
        numbersOf.set(node.id, left);
        opsOf.set(node.id, op ? [...opsOf.get(cur.id)!, op] : opsOf.get(cur.id)!);
        if (cur.status === 'open') tree.update(cur.id, { status: 'expanded' });
        pending = node;
        pendingDone = false;
      } else if ((m = GENERATED_RE.exec(line))) {
        if (!pending || pendingDone) {
          issues.push({ line: lineNo, message: 'Generated Node line without an operation explored before it' });
          continue;
        }
        const id = m[1]!;
        if (byId.has(id)) issues.push({ line: lineNo, message: `node #${id} generated twice; the later one is used` });
        byId.set(id, pending);
        tree.update(pending.id, { meta: { ...pending.meta, sosId: id } });
        pendingDone = true;
      } else if ((m = MOVE_RE.exec(line))) {
        settle();
        const target = byId.get(m[1]!);
        if (!target) issues.push({ line: lineNo, message: `move to unknown node #${m[1]}; staying at #${String(cur.meta?.sosId)}` });
        else cur = target;
      } else if ((m = LEAF_RE.exec(line))) {
        if (!pending || pendingDone) {
          issues.push({ line: lineNo, message: 'leaf line without an operation explored before it' });
          continue;
        }
        const goal = m[3] === 'equal';
        const value = numbersOf.get(pending.id)![0] ?? m[1]!;
        const canonical = `${value},${target} ${goal ? 'equal: Goal Reached' : 'unequal: No Solution'}`;
        const patch: Partial<TraceNode> = { kind: 'answer', status: 'terminal', verified: goal, value: goal ? 1 : 0, answer: value };
        if (line !== canonical) {
          patch.meta = { ...pending.meta, sosLeaf: line };
          issues.push({ line: lineNo, message: `leaf line differs from "${canonical}"` });
        }
        if (numbersOf.get(pending.id)!.length !== 1) issues.push({ line: lineNo, message: 'leaf line after an operation that leaves more than one number' });
        tree.update(pending.id, patch);
        if (goal && goalNodeId === undefined) goalNodeId = pending.id;
        pendingDone = true;
      } else {
        issues.push({ line: lineNo, message: `unrecognised line "${line.length > 60 ? `${line.slice(0, 60)}…` : line}"` });
      }
    }
  }
  if (pending && !pendingDone) issues.push({ message: 'the trace ends right after an explored operation (cut off?)' });
  for (const n of tree.trace.nodes) {
    if (n.kind === 'root' || n.status === 'pruned' || n.status === 'terminal') continue;
    if (n.status === 'open' && tree.childIdsOf(n.id).length > 0) tree.update(n.id, { status: 'expanded' });
  }
  if (goalNodeId !== undefined) {
    const expr = expressionOf(numbers, opsOf.get(goalNodeId)!);
    tree.trace.result = expr === undefined ? { bestNodeId: goalNodeId, verified: true } : { bestNodeId: goalNodeId, finalAnswer: expr, verified: true };
  }
  return { tree, issues, goalNodeId, explored };
}
