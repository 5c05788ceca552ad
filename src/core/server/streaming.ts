/** The reference server's streamed (SSE) replies, and the mid-response cut that stream faults use. */
import type { ServerResponse } from 'node:http';
import type { FinalChoice } from './choices';
import type { FaultKind } from './faults';
import { sleep } from './httpReply';
import { chatChunkBody, completionBody } from './openaiShapes';
import { REFERENCE_STYLE } from './openaiShapes';
import type { ChunkDelta, ReplyStyle, ResponseMeta, UsageCounts } from './openaiShapes';
import type { Prepared } from './prepareRequest';
import type { LiveKnobs } from './serverOptions';

export interface StreamPacing {
  /** Read at each token step: setKnobs may change `perTokenMs` mid-stream. */
  knobs: LiveKnobs;
  /** From the fault plan; a `stream-cut` fault ends the stream after this many chunks (default 2). */
  cutAfterChunks: number | undefined;
  /** A server profile's reasoning field and usage layout (default: the reference's). */
  style?: ReplyStyle;
}

/**
 * Cuts a response mid-way the way a dying proxy or server does: what was written is flushed first, then the
 * connection ends without the rest (no closing chunk), so the client sees a body that stops.
 */
export async function cut(res: ServerResponse): Promise<void> {
  if (!res.destroyed) await new Promise<void>((r) => res.write('', () => r()));
  res.socket?.end();
  setTimeout(() => res.destroy(), 50).unref();
}

/** Writes an SSE event; resolves false when the client has gone. */
export function sse(res: ServerResponse, data: string): boolean {
  if (res.destroyed || res.writableEnded) return false;
  res.write(`data: ${data}\n\n`);
  return true;
}

/**
 * Streams finished choices as SSE chunks, one token step of all choices at a time, paced by `perTokenMs`;
 * `stream-cut` and `malformed` faults break the stream the way real servers and proxies do.
 */
export async function streamChoices(res: ServerResponse, p: Prepared, meta: ResponseMeta, choices: FinalChoice[], usage: UsageCounts, fault: FaultKind | null, closed: AbortSignal, pacing: StreamPacing): Promise<void> {
  const { knobs } = pacing;
  const style = pacing.style ?? REFERENCE_STYLE;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const cutAfter = fault === 'stream-cut' ? (pacing.cutAfterChunks ?? 2) : Infinity;
  let sent = 0;
  const emit = async (obj: unknown): Promise<boolean> => {
    if (sent >= cutAfter) {
      await cut(res); // mid-stream: no [DONE], no finish_reason
      return false;
    }
    if (fault === 'malformed' && sent === 1) {
      sse(res, '{"id": "broken", "choices": [ {not json');
      sent++;
      return true;
    }
    sent++;
    return sse(res, JSON.stringify(obj));
  };
  const usageField = p.includeUsage ? null : undefined;
  if (p.kind === 'chat') {
    // First chunk carries the role (and reasoning, when the policy gave any), like OpenAI and vLLM.
    for (let i = 0; i < choices.length; i++) {
      const c = choices[i] as FinalChoice;
      const delta: ChunkDelta = { role: 'assistant', content: '' };
      if (c.reasoning !== undefined && !c.reasoningPieces) delta[style.reasoningKey] = c.reasoning;
      if (!(await emit(chatChunkBody(meta, [{ index: i, delta, finishReason: null }], p.logprobs, usageField, style)))) return;
    }
    // Reasoning given piece by piece streams like the text: one piece of every choice per step.
    const thinking = Math.max(0, ...choices.map((c) => c.reasoningPieces?.length ?? 0));
    for (let t = 0; t < thinking; t++) {
      if (t > 0) await sleep(knobs.perTokenMs, closed);
      if (closed.aborted) return;
      for (let i = 0; i < choices.length; i++) {
        const piece = choices[i]!.reasoningPieces?.[t];
        if (piece === undefined) continue;
        if (!(await emit(chatChunkBody(meta, [{ index: i, delta: { [style.reasoningKey]: piece }, finishReason: null }], p.logprobs, usageField, style)))) return;
      }
    }
  }
  const steps = Math.max(0, ...choices.map((c) => c.tokens.length));
  const offsets = choices.map(() => p.promptText.length);
  if (p.kind === 'completion' && p.echo) {
    // echo: the prompt comes back first, as its own chunk per choice.
    for (let i = 0; i < choices.length; i++) {
      if (!(await emit(completionBody(meta, [{ index: i, text: p.promptText, tokens: [], offset: 0, finishReason: null }], false)))) return;
    }
  }
  for (let t = 0; t < steps; t++) {
    if (t > 0) await sleep(knobs.perTokenMs, closed);
    if (closed.aborted) return;
    for (let i = 0; i < choices.length; i++) {
      const c = choices[i] as FinalChoice;
      const tok = c.tokens[t];
      if (!tok) continue;
      const ok = p.kind === 'chat'
        ? await emit(chatChunkBody(meta, [{ index: i, delta: { content: tok.token }, tokens: [tok], finishReason: null }], p.logprobs, usageField, style))
        : await emit(completionBody(meta, [{ index: i, text: tok.token, tokens: [tok], offset: offsets[i] as number, finishReason: null }], p.logprobs));
      offsets[i] = (offsets[i] as number) + tok.token.length;
      if (!ok) return;
    }
  }
  for (let i = 0; i < choices.length; i++) {
    const c = choices[i] as FinalChoice;
    const ok = p.kind === 'chat'
      ? await emit(chatChunkBody(meta, [{ index: i, delta: {}, finishReason: c.finishReason }], p.logprobs, usageField, style))
      : await emit(completionBody(meta, [{ index: i, text: '', tokens: [], offset: offsets[i] as number, finishReason: c.finishReason }], p.logprobs));
    if (!ok) return;
  }
  if (p.includeUsage) {
    const ok = p.kind === 'chat'
      ? await emit(chatChunkBody(meta, [], p.logprobs, usage, style))
      : await emit({ ...completionBody(meta, [], p.logprobs, usage, style) });
    if (!ok) return;
  }
  if (sent >= cutAfter) {
    await cut(res);
    return;
  }
  sse(res, '[DONE]');
  res.end();
}
