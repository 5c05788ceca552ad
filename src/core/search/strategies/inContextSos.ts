/**
 * The `in-context` strategy's two readers of a streamed chain of thought, behind one interface: the long-CoT importer
 * (prose thinking: markers and restatements make the branches) and the Stream-of-Search importer (the embedded
 * reasoners' search text: `Moving to Node #id` returns to that node, so every backtrack is a branch). With
 * `importer: auto` the first characters decide: thinking that starts with `Current State:` is Stream-of-Search.
 */
import { LongCotImporter, thinkingPrefix } from '../../trace/import/longCot';
import { isSosNode, SosImporter, sosPrefix } from '../../trace/import/streamOfSearch';
import type { TraceNode } from '../../trace/schema';
import type { TraceTree } from '../../trace/tree';

const SOS_START = 'Current State:';

export interface CotReader {
  push(text: string, channel: 'reasoning' | 'content'): void;
  /** Ends the text; the answer node (when the text gave one), the last step, and a goal leaf the text claimed. */
  finish(): { answerNodeId?: string; lastId?: string; goalId?: string };
}

export interface ReaderOptions {
  tree: TraceTree;
  runId: string;
  /** the step a fork continues from (undefined: a fresh generation from the root) */
  from?: TraceNode;
  importer: 'auto' | 'long-cot' | 'stream-of-search';
  segment: 'sentence' | 'paragraph';
  threshold: number;
}

/** The thinking up to a fork's step, as the model wrote it: Stream-of-Search nodes keep their lines. */
export function forkThinking(tree: TraceTree, node: TraceNode): string {
  return isSosNode(node) ? sosPrefix(tree, node.id) : thinkingPrefix(tree, node.id);
}

class LongCotReader implements CotReader {
  private readonly imp: LongCotImporter;
  constructor(o: ReaderOptions) {
    this.imp = new LongCotImporter(o.tree, { author: 'model', runId: o.runId, segment: o.segment, threshold: o.threshold }, o.from ? { nodeId: o.from.id } : undefined);
  }
  push(text: string, channel: 'reasoning' | 'content'): void {
    this.imp.push(text, channel);
  }
  finish() {
    const r = this.imp.finish();
    return { ...(r.answerNodeId !== undefined ? { answerNodeId: r.answerNodeId } : {}), ...(r.stepIds.length > 0 ? { lastId: r.stepIds[r.stepIds.length - 1]! } : {}) };
  }
}

const ANSWER_LINE = /^\s*(?:Answer:|No solution found)/i;

class SosReader implements CotReader {
  private readonly imp: SosImporter;
  private answer = '';
  private content = '';
  constructor(private readonly o: ReaderOptions) {
    this.imp = new SosImporter(o.tree, { author: 'model', runId: o.runId }, o.from ? { nodeId: o.from.id } : undefined);
  }
  push(text: string, channel: 'reasoning' | 'content'): void {
    if (channel === 'reasoning') return this.imp.push(text);
    // Content is the answer line; servers without a reasoning field (completions) send the search there too.
    this.content += text;
    let nl: number;
    while ((nl = this.content.indexOf('\n')) >= 0) {
      this.contentLine(this.content.slice(0, nl + 1));
      this.content = this.content.slice(nl + 1);
    }
  }
  private contentLine(line: string): void {
    if (ANSWER_LINE.test(line) || this.answer !== '') this.answer += line;
    else this.imp.push(line);
  }
  finish() {
    if (this.content !== '') this.contentLine(this.content);
    const r = this.imp.finish();
    const lastId = this.imp.lastNodeId;
    const answer = this.answer.trim();
    // The final answer hangs under the goal it was read from; without a goal the answer line is only the model's word.
    const ids = { ...(lastId !== undefined ? { lastId } : {}), ...(r.goalNodeId !== undefined ? { goalId: r.goalNodeId } : {}) };
    if (r.goalNodeId === undefined || !/^Answer:/i.test(answer)) return ids;
    const tree = this.o.tree;
    const fields: Parameters<TraceTree['addChild']>[1] = { kind: 'answer', author: 'model', text: answer, status: 'terminal', runId: this.o.runId };
    const answerNodeId = tree.addChild(r.goalNodeId, fields).id;
    if (tree.node(r.goalNodeId).status === 'terminal') tree.update(r.goalNodeId, { status: 'expanded' });
    return { answerNodeId, ...ids };
  }
}

/**
 * Picks the reader: a fork of a Stream-of-Search step, `importer: stream-of-search`, or (auto) thinking that starts
 * with `Current State:` reads as Stream-of-Search; anything else as long CoT. Text waits until it decides.
 */
export class CotRouter implements CotReader {
  private reader: CotReader | undefined;
  private held: { text: string; channel: 'reasoning' | 'content' }[] = [];
  private seen = '';

  constructor(private readonly o: ReaderOptions) {
    if (o.importer === 'long-cot') this.reader = new LongCotReader(o);
    else if (o.importer === 'stream-of-search' || (o.from && isSosNode(o.from))) this.reader = new SosReader(o);
    else if (o.from) this.reader = new LongCotReader(o);
  }

  push(text: string, channel: 'reasoning' | 'content'): void {
    if (this.reader) return this.reader.push(text, channel);
    this.held.push({ text, channel });
    // The thinking decides; without a reasoning field the content starts it (`<think>` tags allowed).
    this.heard ??= channel;
    if (channel !== this.heard) return this.decide(this.head());
    this.seen += text;
    const head = this.head();
    const opening = this.seen.trimStart();
    if (opening.length < '<think>'.length && '<think>'.startsWith(opening)) return;
    if (head.length >= SOS_START.length || !SOS_START.startsWith(head)) this.decide(head);
  }

  /** The first channel text came on. */
  private heard: 'reasoning' | 'content' | undefined;

  /** The thinking so far without leading blank space and think tag. */
  private head(): string {
    return this.seen.replace(/^\s*(?:<think>\s*)?/, '');
  }

  private decide(head: string): void {
    this.reader = head.startsWith(SOS_START) ? new SosReader(this.o) : new LongCotReader(this.o);
    const held = this.held;
    this.held = [];
    for (const h of held) this.reader.push(h.text, h.channel);
  }

  /** The reader chosen so far ('undecided' before enough text arrived). */
  get kind(): 'long-cot' | 'stream-of-search' | 'undecided' {
    return this.reader instanceof SosReader ? 'stream-of-search' : this.reader ? 'long-cot' : 'undecided';
  }

  finish() {
    if (!this.reader) this.decide(this.head());
    return this.reader!.finish();
  }
}
