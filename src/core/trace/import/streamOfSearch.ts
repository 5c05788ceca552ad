/**
 * Stream-of-Search text → the tree it describes (format in ../linearize/streamOfSearch.ts and
 * ../shared/data/README.md). Every `Exploring Operation` becomes a step node under the node the search is at; a
 * `Generated Node #id` line names it (kept in `meta.sosId`), a leaf line ends it, and an operation the search did
 * not keep is marked pruned. Model-written traces are messy (wrong arithmetic, lines glued together, moves to
 * unknown nodes, search after `Goal Reached`, cut-off last lines): the importer keeps going and lists each
 * problem as an issue with its line number.
 *
 * The importer is incremental (`SosImporter`): text can be pushed as it streams and the tree grows line by line, the
 * same tree whatever the chunking. `Moving to Node #id` returns to that node, so a backtrack becomes a branch. Each
 * node keeps the text it was read from (`meta.sosText`, the lines since the previous node) and that previous node
 * (`meta.sosPrev`), so the thinking up to any step can be given back to the model exactly (`sosPrefix`).
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

export interface SosStreamOptions {
  author?: Author;
  runId?: string;
}

/** Node of a Stream-of-Search tree (or of an in-context run) that the importer wrote. */
export function isSosNode(node: TraceNode): boolean {
  return typeof node.meta?.sosText === 'string';
}

/** The thinking up to and including a step's lines, exactly as read (the chain of `meta.sosText` back to the start). */
export function sosPrefix(tree: TraceTree, nodeId: string): string {
  const parts: string[] = [];
  const seen = new Set<string>();
  let id: string | undefined = nodeId;
  while (id !== undefined && !seen.has(id)) {
    seen.add(id);
    const n = tree.node(id);
    if (typeof n.meta?.sosText !== 'string') break;
    parts.push(n.meta.sosText);
    id = typeof n.meta.sosPrev === 'string' ? n.meta.sosPrev : undefined;
  }
  return parts.reverse().join('');
}

/**
 * Reads Stream-of-Search text line by line into a tree. Built on a problem (`importSos`) it makes the tree; on an
 * existing tree (the in-context strategy) it hangs the search under the root, or, with `from`, continues after that
 * step: the thinking up to it is read again without adding nodes, so the search knows where it is.
 */
export class SosImporter {
  readonly issues: ImportIssue[] = [];
  /** Node of the first `Goal Reached`, if any. */
  goalNodeId?: string;
  explored = 0;
  private target = '';
  private numbers: string[] = [];
  private started = false;
  private lineNo = 0;
  private partial = '';
  private readonly byId = new Map<string, TraceNode>();
  private readonly numbersOf = new Map<string, string[]>();
  private readonly opsOf = new Map<string, CountdownOp[]>();
  private cur: TraceNode;
  /** The last explored operation, until a Generated Node or leaf line says what became of it. */
  private pending: TraceNode | undefined;
  private pendingDone = false;
  /** The node text goes to (its `sosText`), and the text read since it that belongs to the next one. */
  private last: TraceNode | undefined;
  private unowned = '';
  /** Fork: the nodes whose lines are read again, in text order (their explorations map to them, nothing is added). */
  private replay: TraceNode[] = [];
  /** true: the importer makes the tree from the first state line (`importSos`); false: it adds to a given one */
  private readonly ownTree: boolean;
  private readonly importOpts: SosImportOptions;
  private replaying = false;
  private made: TraceTree | undefined;

  constructor(
    target: TraceTree | SosImportOptions,
    private readonly opts: SosStreamOptions = {},
    from?: { nodeId: string },
  ) {
    this.ownTree = !(target instanceof TraceTree);
    this.importOpts = target instanceof TraceTree ? {} : target;
    if (target instanceof TraceTree) this.made = target;
    // a made tree's root replaces this at the first state line
    this.cur = target instanceof TraceTree ? target.root() : ({ id: '' } as TraceNode);
    if (target instanceof TraceTree && from) {
      const chain: TraceNode[] = [];
      const seen = new Set<string>();
      for (let id: string | undefined = from.nodeId; id !== undefined && !seen.has(id); ) {
        seen.add(id);
        const n = target.node(id);
        if (!isSosNode(n)) break;
        chain.push(n);
        id = typeof n.meta?.sosPrev === 'string' ? n.meta.sosPrev : undefined;
      }
      this.replay = chain.reverse();
      const text = sosPrefix(target, from.nodeId);
      this.replaying = true;
      this.push(text);
      if (this.partial !== '') this.flushPartial();
      this.replaying = false;
      this.replay = [];
      // the continuation's first node follows the fork step in the text
      this.last = target.node(from.nodeId);
      this.unowned = '';
    }
  }

  /** The tree (made at the first state line when the importer builds its own). */
  get tree(): TraceTree {
    if (!this.made) throw new ImportError('no "Current State:" line yet: not a Stream-of-Search trace');
    return this.made;
  }

  /** Feeds streamed text; complete lines are read now, the last unfinished one waits for more. */
  push(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop()!;
    for (const l of lines) this.readLine(l, true);
  }

  private flushPartial(): void {
    const l = this.partial;
    this.partial = '';
    this.readLine(l, false);
  }

  /** Reads what is left and settles the tree; returns the import. */
  finish(): SosImport {
    if (this.partial !== '') this.flushPartial();
    if (!this.started) throw new ImportError('no "Current State:" line: not a Stream-of-Search trace');
    const tree = this.tree;
    if (this.pending && !this.pendingDone) this.issues.push({ message: 'the trace ends right after an explored operation (cut off?)' });
    for (const n of tree.trace.nodes) {
      if (n.kind === 'root' || n.status === 'pruned' || n.status === 'terminal') continue;
      if (n.status === 'open' && tree.childIdsOf(n.id).length > 0) tree.update(n.id, { status: 'expanded' });
    }
    if (this.goalNodeId !== undefined && this.ownTree) {
      const expr = expressionOf(this.numbers, this.opsOf.get(this.goalNodeId)!);
      tree.trace.result = expr === undefined ? { bestNodeId: this.goalNodeId, verified: true } : { bestNodeId: this.goalNodeId, finalAnswer: expr, verified: true };
    }
    return { tree, issues: this.issues, ...(this.goalNodeId !== undefined ? { goalNodeId: this.goalNodeId } : {}), explored: this.explored };
  }

  /** The goal's expression over the starting numbers (`(6 + 4) * 3`), once a goal line was read. */
  goalExpression(): string | undefined {
    return this.goalNodeId === undefined ? undefined : expressionOf(this.numbers, this.opsOf.get(this.goalNodeId)!);
  }

  /** The last node the text added (where a continuation's first node follows). */
  get lastNodeId(): string | undefined {
    return this.last?.id;
  }

  /** Text to a node's `sosText`: the line, with its newline when one followed. */
  private own(node: TraceNode | undefined, text: string): void {
    if (this.replaying) return;
    if (!node) {
      this.unowned += text;
      return;
    }
    const tree = this.tree;
    const fresh = tree.node(node.id);
    tree.update(node.id, { meta: { ...fresh.meta, sosText: `${String(fresh.meta?.sosText ?? '')}${text}` } });
  }

  private readLine(raw: string, newline: boolean): void {
    this.lineNo++;
    const lineText = raw + (newline ? '\n' : '');
    let rawLine = raw.replace(/\r$/, '');
    if (!this.started) {
      // thinking in the content may open with a think tag
      rawLine = rawLine.replace(/^\s*<think>\s*/, '');
      if (!rawLine.startsWith('Current State:')) {
        this.unowned += lineText;
        return;
      }
      const first = STATE_RE.exec(rawLine);
      if (!first) throw new ImportError(`line ${this.lineNo}: cannot read the first state line`);
      this.started = true;
      this.target = first[1]!;
      this.numbers = parsePyNumberList(first[2]!)!;
      if (this.ownTree) {
        const base = this.importOpts.problem ?? { text: countdownProblemText(this.numbers, this.target) };
        const problem: Problem = { ...base, meta: { ...base.meta, numbers: this.numbers.map(numberParam), target: numberParam(this.target) } };
        this.made = TraceTree.create(problem, { id: this.importOpts.id, createdAt: this.importOpts.createdAt });
        this.cur = this.made.root();
        this.made.update(this.cur.id, { meta: { sosId: '0' } });
      }
      this.byId.set('0', this.cur);
      this.numbersOf.set(this.cur.id, this.numbers);
      this.opsOf.set(this.cur.id, []);
      this.unowned += lineText;
      return;
    }
    const tree = this.tree;
    const issues = this.issues;
    const lineNo = this.lineNo;
    const parts = rawLine.split(LINE_START).filter((p) => p.trim() !== '');
    if (parts.length > 1) issues.push({ line: lineNo, message: `${parts.length} lines glued together` });
    // the line's text goes to the node it completes (its exploration, Generated Node or leaf), else to the next one
    let owner: TraceNode | undefined;
    const author = this.opts.author ?? this.importOpts.author ?? 'imported';
    for (const part of parts) {
      const line = part.trimEnd();
      let m: RegExpExecArray | null;
      if ((m = STATE_RE.exec(line))) {
        const nums = parsePyNumberList(m[2]!)!;
        const have = this.numbersOf.get(this.cur.id);
        if (!have || have.join(',') !== nums.join(',')) {
          issues.push({ line: lineNo, message: `state ${m[2]} does not match node #${String(this.cur.meta?.sosId ?? this.cur.id)} (${have ? `[${have.join(', ')}]` : 'unknown'})` });
        }
      } else if ((m = EXPLORE_RE.exec(line))) {
        this.settle();
        this.explored++;
        const left = parsePyNumberList(m[2]!)!;
        const op = parseCompactOp(m[1]!);
        if (!op) issues.push({ line: lineNo, message: `cannot read operation "${m[1]}"` });
        let node: TraceNode;
        if (this.replaying) {
          node = this.replay.shift() ?? this.cur;
        } else {
          if (this.ownTree) tree.iteration = this.explored;
          const meta: Record<string, string> = { sosText: this.unowned };
          // The model's own spelling, so the linearizer can write the line back unchanged.
          if (!op) meta['sosOp'] = m[1]!;
          if (this.last) meta['sosPrev'] = this.last.id;
          this.unowned = '';
          const fields: Parameters<TraceTree['addChild']>[1] = {
            kind: left.length === 1 ? 'answer' : 'step',
            author,
            text: op ? formatOpStep(op, left) : `${m[1]} (left: ${left.join(', ')})`,
            status: 'open',
            ...(this.ownTree ? { iteration: this.explored } : {}),
            meta,
          };
          if (this.opts.runId !== undefined) fields.runId = this.opts.runId;
          node = tree.addChild(this.cur.id, fields);
          if (tree.node(this.cur.id).status === 'open') tree.update(this.cur.id, { status: 'expanded' });
          this.last = node;
        }
        this.numbersOf.set(node.id, left);
        this.opsOf.set(node.id, op ? [...this.opsOf.get(this.cur.id)!, op] : this.opsOf.get(this.cur.id)!);
        this.pending = node;
        this.pendingDone = false;
        owner = node;
      } else if ((m = GENERATED_RE.exec(line))) {
        if (!this.pending || this.pendingDone) {
          issues.push({ line: lineNo, message: 'Generated Node line without an operation explored before it' });
          continue;
        }
        const id = m[1]!;
        if (this.byId.has(id)) issues.push({ line: lineNo, message: `node #${id} generated twice; the later one is used` });
        this.byId.set(id, this.pending);
        if (!this.replaying) {
          const fresh = tree.node(this.pending.id);
          tree.update(this.pending.id, { meta: { ...fresh.meta, sosId: id } });
        }
        this.pendingDone = true;
        owner = this.pending;
      } else if ((m = MOVE_RE.exec(line))) {
        this.settle();
        const target = this.byId.get(m[1]!);
        if (!target) issues.push({ line: lineNo, message: `move to unknown node #${m[1]}; staying at #${String(this.cur.meta?.sosId ?? '0')}` });
        else this.cur = target;
      } else if ((m = LEAF_RE.exec(line))) {
        if (!this.pending || this.pendingDone) {
          issues.push({ line: lineNo, message: 'leaf line without an operation explored before it' });
          continue;
        }
        const goal = m[3] === 'equal';
        const pending = this.pending;
        // A goal with numbers left over (`goalAtTarget`: our Countdown uses each number at most once) is the
        // operation's result, the last of its resulting numbers; otherwise the leaf's one number.
        const left = this.numbersOf.get(pending.id)!;
        const result = left[left.length - 1];
        const atTarget = goal && left.length > 1 && result !== undefined && Number(result) === Number(this.target);
        const value = (atTarget ? result : left[0]) ?? m[1]!;
        const canonical = `${value},${this.target} ${goal ? 'equal: Goal Reached' : 'unequal: No Solution'}`;
        if (!this.replaying) {
          const patch: Partial<TraceNode> = { kind: 'answer', status: 'terminal', verified: goal, value: goal ? 1 : 0, answer: value };
          if (line !== canonical) patch.meta = { ...tree.node(pending.id).meta, sosLeaf: line };
          tree.update(pending.id, patch);
        }
        if (line !== canonical) issues.push({ line: lineNo, message: `leaf line differs from "${canonical}"` });
        if (left.length !== 1 && !atTarget) issues.push({ line: lineNo, message: 'leaf line after an operation that leaves more than one number' });
        if (goal && this.goalNodeId === undefined) this.goalNodeId = pending.id;
        this.pendingDone = true;
        owner = pending;
      } else {
        issues.push({ line: lineNo, message: `unrecognised line "${line.length > 60 ? `${line.slice(0, 60)}…` : line}"` });
      }
    }
    if (owner && owner === this.last) this.own(owner, this.unowned + lineText);
    else this.unowned += lineText;
    if (owner && owner === this.last) this.unowned = '';
  }

  /** The next operation or move shows that an operation neither generated a node nor reached a leaf. */
  private settle(): void {
    if (this.pending && !this.pendingDone && !this.replaying) {
      this.tree.update(this.pending.id, { status: 'pruned', prune: { reason: 'not kept by the search', by: 'engine' } });
    }
    this.pending = undefined;
  }
}

export function importSos(text: string, opts: SosImportOptions = {}): SosImport {
  const importer = new SosImporter(opts, opts.author ? { author: opts.author } : {});
  importer.push(text);
  return importer.finish();
}
