/**
 * Long chain of thought (R1-style `<think>` text, `reasoning_content`, or plain text) → a search tree.
 * Steps come from the segmenter (or pre-chunked data); each is classified by marker phrases as progress,
 * backtrack, verification or regret. Progress and verification continue the current branch. A backtrack or regret
 * opens a sibling branch at the step it returns to: the earlier step on the current path it restates (Dice
 * similarity of content words), else the previous branch point, else the root. `[BACK]` tokens undo one step each,
 * exactly (our token linearization). Answers stated inside the thinking that differ from the final one are flagged.
 *
 * The importer is incremental: `push` text as it streams and the tree grows step by step; the finished tree is
 * the same whatever the chunking, because the splitter and segmenter decide nothing before they have seen enough.
 */
import { answersEqual } from '../../verify/answerEquivalence';
import { extractAnswer, referenceAnswer } from '../../verify/answerExtraction';
import type { Author, Params, Problem, TraceNode } from '../schema';
import { TraceTree } from '../tree';
import { DEFAULT_MARKERS, classifyStep, withoutMarker, type Classification, type MarkerLists, type StepType } from './markers';
import { contentTokens, dice } from './similarity';
import { StepSegmenter, type RawStep, type SegmentMode } from './stepSegmenter';
import { ThinkSplitter } from './thinkSplitter';

export interface LongCotOptions {
  /** Marker phrase lists; a list given here replaces the default one of its kind. */
  markers?: Partial<MarkerLists>;
  /** Markers count only when they start within this many characters of the step (default 60). */
  markerWindow?: number;
  segment?: SegmentMode;
  /** Dice similarity at which a backtrack counts as restating an earlier step (default 0.6). */
  threshold?: number;
  /** Content words a backtrack needs (its marker removed) before similarity is tried (default 4). */
  minTokens?: number;
  backToken?: string;
  /** Strings that end the thinking (default `</think>`). */
  closeTags?: readonly string[];
  author?: Author;
  runId?: string;
  /** Label for imported values (`valueSource.source`). */
  valueSource?: string;
  /** Tree id / creation time when the importer creates the tree. */
  id?: string;
  createdAt?: string;
}

/** A step handed over already cut (pre-chunked data sets), with an optional value and extra meta. */
export interface ImportedStep {
  text: string;
  sep?: string;
  value?: number;
  meta?: Params;
}

export interface AnswerInconsistency {
  nodeId: string;
  answer: string;
  finalAnswer: string;
}

export interface LongCotResult {
  tree: TraceTree;
  /** Step nodes in text order (a step restated after `[BACK]` is listed at each mention). */
  stepIds: string[];
  answerNodeId?: string;
  finalAnswer?: string;
  /** The final answer against `problem.answer`, when both exist. */
  verified?: boolean;
  inconsistencies: AnswerInconsistency[];
  counts: Record<StepType, number>;
  thinking: string;
  content: string;
}

export type Channel = 'text' | 'reasoning' | 'content';

const ANSWER_WILL_BE = /\banswer\s+(?:should|would|must|will)\s+be\s*:?\s*([^\n]+)/i;

/** An answer a step states: `\boxed{}`, "the answer is …", "Answer: …", or "the answer should be …". */
export function answerInStep(text: string): string | undefined {
  const found = extractAnswer(text);
  if (found) return found.answer;
  const m = ANSWER_WILL_BE.exec(text);
  if (!m) return undefined;
  const a = m[1]!
    .trim()
    .replace(/[.\s]+$/, '')
    .replace(/^\\\(\s*|\s*\\\)$/g, '')
    .replace(/^\$|\$$/g, '')
    .trim();
  return a === '' ? undefined : a;
}

export class LongCotImporter {
  readonly tree: TraceTree;
  private readonly markers: MarkerLists;
  private readonly splitter: ThinkSplitter;
  /** Content after a separate reasoning field: all answer, but stray think tags are still dropped. */
  private readonly contentSplitter: ThinkSplitter;
  private readonly segmenter: StepSegmenter;
  private cursor: string;
  private prev: string | undefined;
  private replay = false;
  private pendingBack = 0;
  private pendingLead = '';
  private pendingSep: string | undefined;
  private sawReasoning = false;
  private segmenterDone = false;
  private thinking = '';
  private content = '';
  private readonly stepIds: string[] = [];
  private readonly created = new Set<string>();
  private readonly tokens = new Map<string, { text: string; tokens: string[] }>();
  private readonly counts: Record<StepType, number> = { progress: 0, backtrack: 0, verification: 0, regret: 0 };
  private readonly backRe: RegExp;

  /**
   * `target`: a problem (a new tree is made) or an existing tree. `from`: continue after this node (a fork of a
   * long CoT); its thinking up to that node is the context, new steps hang below it.
   */
  constructor(
    target: TraceTree | Problem,
    private readonly opts: LongCotOptions = {},
    from?: { nodeId: string },
  ) {
    this.tree = target instanceof TraceTree ? target : TraceTree.create(target, { id: opts.id, createdAt: opts.createdAt });
    this.markers = { ...DEFAULT_MARKERS, ...opts.markers };
    this.splitter = new ThinkSplitter('<think>', opts.closeTags ?? ['</think>']);
    this.contentSplitter = new ThinkSplitter('<think>', opts.closeTags ?? ['</think>'], false);
    const token = opts.backToken ?? '[BACK]';
    this.segmenter = new StepSegmenter(opts.segment ?? 'sentence', token);
    this.backRe = new RegExp(`^(?:${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*)+`);
    this.cursor = from?.nodeId ?? this.tree.root().id;
    this.prev = from?.nodeId;
    this.floor = this.cursor;
  }

  /** A fork's steps stay below the step it continues from (the engine's rule for re-runs): no return above it. */
  private readonly floor: string;

  /** Feeds streamed text; returns the step nodes this chunk completed. */
  push(chunk: string, channel: Channel = 'text'): TraceNode[] {
    let thinking = '';
    let content = '';
    if (channel === 'reasoning') {
      this.sawReasoning = true;
      thinking = chunk;
    } else if (channel === 'content' && this.sawReasoning) {
      content = this.contentSplitter.push(chunk).content;
    } else {
      ({ thinking, content } = this.splitter.push(chunk));
    }
    return [...this.addThinking(thinking), ...this.addContent(content)];
  }

  private addThinking(text: string): TraceNode[] {
    if (text === '') return [];
    this.thinking += text;
    return this.segmenter.push(text).map((s) => this.addStep(s));
  }

  /** Final-answer text (after the thinking), bypassing the tag splitter. */
  pushContent(text: string): TraceNode[] {
    return this.addContent(text);
  }

  private addContent(text: string): TraceNode[] {
    if (text === '') return [];
    this.content += text;
    // The thinking is over once the answer starts: its last step is complete now, not only at the end.
    return this.closeThinking();
  }

  private closeThinking(): TraceNode[] {
    if (this.segmenterDone) return [];
    this.segmenterDone = true;
    return this.segmenter.flush().steps.map((s) => this.addStep(s));
  }

  /** Adds one complete step (from the segmenter or a pre-chunked data set). */
  addStep(step: RawStep | ImportedStep): TraceNode {
    const sep = step.sep ?? '';
    let text = step.text;
    const backs = this.backRe.exec(text);
    let lead = '';
    let back = 0;
    if (backs) {
      lead = backs[0];
      back = lead.split(this.opts.backToken ?? '[BACK]').length - 1;
      text = text.slice(lead.length);
    }
    if (text.trim() === '' && back > 0) {
      // Tokens alone: they apply to the next step.
      this.pendingBack += back;
      this.pendingSep ??= sep;
      this.pendingLead += (this.pendingLead === '' ? '' : sep) + lead;
      return this.tree.node(this.cursor);
    }
    let stepSep = sep;
    if (this.pendingBack > 0) {
      back += this.pendingBack;
      lead = this.pendingLead + sep + lead;
      stepSep = this.pendingSep ?? '';
      this.pendingBack = 0;
      this.pendingLead = '';
      this.pendingSep = undefined;
    }

    const c: Classification = back > 0 ? { type: 'backtrack', marker: this.opts.backToken ?? '[BACK]', at: 0 } : classifyStep(text, this.markers, this.opts.markerWindow);
    this.counts[c.type]++;
    const meta: Params = { ...('meta' in step ? step.meta : undefined), stepType: c.type, sep: stepSep };
    if (c.marker !== undefined) meta.marker = c.marker;
    if (lead !== '') meta.lead = lead;
    if (back > 0) meta.back = back;
    if (this.prev !== undefined) meta.prev = this.prev;

    let parentId = this.cursor;
    if (back > 0) {
      for (let k = 0; k < back && parentId !== this.floor; k++) parentId = this.tree.node(parentId).parentId ?? parentId;
      this.replay = true;
    } else if (c.type === 'backtrack' || c.type === 'regret') {
      this.replay = false;
      const ret = this.returnPoint(text, c);
      parentId = ret.parentId;
      if (ret.restates !== undefined) {
        meta.restates = ret.restates;
        meta.similarity = Number(ret.similarity!.toFixed(4));
      } else meta.returnedTo = ret.fallback!;
    }
    if (this.replay) {
      // After [BACK], a restated step is the existing node, entered again.
      const again = this.tree.children(parentId).find((ch) => ch.text === text);
      if (again) {
        this.cursor = again.id;
        this.prev = again.id;
        this.stepIds.push(again.id);
        return again;
      }
      this.replay = false;
    }

    const fields: Parameters<TraceTree['addChild']>[1] = { kind: 'step', author: this.opts.author ?? 'imported', text, status: 'open', meta };
    if (this.opts.runId !== undefined) fields.runId = this.opts.runId;
    if ('value' in step && step.value !== undefined) {
      fields.value = Math.min(1, Math.max(0, step.value));
      fields.valueSource = { kind: 'imported', source: this.opts.valueSource ?? 'imported' };
    }
    const answer = answerInStep(text);
    if (answer !== undefined) fields.answer = answer;
    const parent = this.tree.node(parentId);
    const node = this.tree.addChild(parentId, fields);
    if (parent.status === 'open') this.tree.update(parent.id, { status: 'expanded' });
    this.created.add(node.id);
    this.stepIds.push(node.id);
    this.cursor = node.id;
    this.prev = node.id;
    return node;
  }

  private tokensOf(node: TraceNode): string[] {
    const hit = this.tokens.get(node.id);
    if (hit && hit.text === node.text) return hit.tokens;
    const tokens = contentTokens(node.text);
    this.tokens.set(node.id, { text: node.text, tokens });
    return tokens;
  }

  /**
   * Where a backtrack goes: beside the restated step, else below the previous branch point, else the root (for a
   * fork: the step it continues from, labelled `start`).
   */
  private returnPoint(text: string, c: Classification): { parentId: string; restates?: string; similarity?: number; fallback?: string } {
    const full = this.tree.pathToRoot(this.cursor);
    const path = full.slice(full.findIndex((n) => n.id === this.floor));
    const rootId = this.floor;
    const base = path[0]!.kind === 'root' ? 'root' : 'start';
    const toks = contentTokens(withoutMarker(text, c));
    if (toks.length >= (this.opts.minTokens ?? 4)) {
      let best: { node: TraceNode; s: number } | undefined;
      for (const node of path) {
        // Beside the fork step would be outside the fork: only the problem itself (the real root) may be restated there.
        if (node.id === rootId && node.kind !== 'root') continue;
        const s = dice(toks, this.tokensOf(node));
        // `>=`: on a tie the deeper (more recent) step wins.
        if (s >= (this.opts.threshold ?? 0.6) && (!best || s >= best.s)) best = { node, s };
      }
      if (best) return { parentId: best.node.parentId ?? rootId, restates: best.node.id, similarity: best.s };
    }
    // "Wait, no. Let me think again." is one move in two sentences: a second marker step on a branch that has
    // nothing else yet continues it.
    const cur = path[path.length - 1]!;
    const curType = cur.meta?.stepType;
    if ((curType === 'backtrack' || curType === 'regret') && this.created.has(cur.id) && this.tree.childIdsOf(cur.id).length === 0) {
      return { parentId: cur.id, fallback: 'same-backtrack' };
    }
    for (let i = path.length - 1; i >= 0; i--) {
      if (this.tree.childIdsOf(path[i]!.id).length >= 2) return { parentId: path[i]!.id, fallback: i === 0 ? base : 'branch-point' };
    }
    return { parentId: rootId, fallback: base };
  }

  /** Ends the import: last step, final answer node, answer-consistency flags, statuses. */
  finish(): LongCotResult {
    const held = this.splitter.flush();
    this.addThinking(held.thinking);
    this.content += held.content + this.contentSplitter.flush().content;
    this.closeThinking();
    const tree = this.tree;
    const content = this.content.trim();
    let answerNodeId: string | undefined;
    let finalAnswer: string | undefined;
    if (content !== '') {
      finalAnswer = extractAnswer(content, { lenient: true })?.answer;
      const fields: Parameters<TraceTree['addChild']>[1] = {
        kind: 'answer',
        author: this.opts.author ?? 'imported',
        text: content,
        status: 'terminal',
        meta: { stepType: 'progress', sep: this.content.slice(0, this.content.length - this.content.trimStart().length) },
      };
      if (this.prev !== undefined) fields.meta!.prev = this.prev;
      if (this.opts.runId !== undefined) fields.runId = this.opts.runId;
      if (finalAnswer !== undefined) fields.answer = finalAnswer;
      const parent = tree.node(this.cursor);
      answerNodeId = tree.addChild(this.cursor, fields).id;
      if (parent.status === 'open') tree.update(parent.id, { status: 'expanded' });
    } else {
      for (let i = this.stepIds.length - 1; i >= 0 && finalAnswer === undefined; i--) finalAnswer = tree.node(this.stepIds[i]!).answer;
    }
    const inconsistencies: AnswerInconsistency[] = [];
    if (finalAnswer !== undefined) {
      for (const id of new Set(this.stepIds)) {
        const n = tree.node(id);
        if (n.answer !== undefined && !answersEqual(n.answer, finalAnswer)) {
          tree.update(id, { meta: { ...n.meta, answerMismatch: true } });
          inconsistencies.push({ nodeId: id, answer: n.answer, finalAnswer });
        }
      }
    }
    const reference = tree.trace.problem.answer;
    const verified = finalAnswer !== undefined && reference !== undefined ? answersEqual(finalAnswer, referenceAnswer(reference)) : undefined;
    if (answerNodeId !== undefined && verified !== undefined) tree.update(answerNodeId, { verified });
    for (const id of this.created) {
      tree.update(id, { status: tree.childIdsOf(id).length === 0 ? 'terminal' : 'expanded' });
    }
    const lastId = answerNodeId ?? this.stepIds[this.stepIds.length - 1];
    if (lastId !== undefined && tree.trace.result === null) {
      tree.trace.result = { bestNodeId: lastId, verified: verified ?? false };
      if (finalAnswer !== undefined) tree.trace.result.finalAnswer = finalAnswer;
    }
    return {
      tree,
      stepIds: [...this.stepIds],
      answerNodeId,
      finalAnswer,
      verified,
      inconsistencies,
      counts: { ...this.counts },
      thinking: this.thinking,
      content: this.content,
    };
  }
}

/** Whole text (or reasoning + content) at once: exactly what streaming it would build. */
export function importLongCot(target: TraceTree | Problem, input: string | { reasoning?: string; content?: string }, opts: LongCotOptions = {}): LongCotResult {
  const imp = new LongCotImporter(target, opts);
  if (typeof input === 'string') imp.push(input);
  else {
    if (input.reasoning !== undefined) imp.push(input.reasoning, 'reasoning');
    if (input.content !== undefined) imp.push(input.content, input.reasoning !== undefined ? 'content' : 'text');
  }
  return imp.finish();
}

/** Pre-chunked steps (e.g. a data set that already split the CoT), plus the final answer text if any. */
export function importLongCotSteps(target: TraceTree | Problem, steps: readonly ImportedStep[], content = '', opts: LongCotOptions = {}): LongCotResult {
  const imp = new LongCotImporter(target, opts);
  for (const s of steps) imp.addStep(s);
  if (content !== '') imp.pushContent(content);
  return imp.finish();
}

/**
 * The thinking text up to and including a step, exactly as the model saw it when it wrote the next one (edited
 * steps with their edited text): the prefix a fork continues from. Follows the text order (`meta.prev`), not the
 * tree path, since a long CoT's context includes its abandoned branches.
 */
export function thinkingPrefix(tree: TraceTree, nodeId: string): string {
  const chain: TraceNode[] = [];
  const seen = new Set<string>();
  let id: string | undefined = nodeId;
  while (id !== undefined && !seen.has(id)) {
    seen.add(id);
    const n = tree.node(id);
    if (n.kind === 'root') break;
    chain.push(n);
    id = typeof n.meta?.prev === 'string' ? n.meta.prev : undefined;
  }
  let out = '';
  for (let i = chain.length - 1; i >= 0; i--) {
    const n = chain[i]!;
    out += `${typeof n.meta?.sep === 'string' ? n.meta.sep : ''}${typeof n.meta?.lead === 'string' ? n.meta.lead : ''}${n.text}`;
  }
  return out;
}
