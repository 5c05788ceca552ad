/**
 * The response shapes the client accepts (zod, loose like the servers we talk to). A body that does not parse
 * is a 'malformed' EndpointError, not a crash deep in the search engine. Normalized into `RawResult`.
 */
import * as z from 'zod';

const TokenLogprobSchema = z.looseObject({ token: z.string(), logprob: z.number() });
const ChatLogprobsSchema = z.looseObject({ content: z.array(TokenLogprobSchema).nullish() }).nullish();
const UsageWireSchema = z
  .looseObject({
    prompt_tokens: z.number().int().nonnegative(),
    completion_tokens: z.number().int().nonnegative(),
    prompt_tokens_details: z.looseObject({ cached_tokens: z.number().int().nonnegative().nullish() }).nullish(),
  })
  .nullish();

export const ChatCompletionWireSchema = z.looseObject({
  choices: z
    .array(
      z.looseObject({
        index: z.number().int().nonnegative(),
        message: z.looseObject({
          content: z.string().nullish(),
          reasoning_content: z.string().nullish(),
          /** Some servers (newer vLLM, OpenRouter) call it `reasoning`. */
          reasoning: z.string().nullish(),
        }),
        finish_reason: z.string().nullish(),
        logprobs: ChatLogprobsSchema,
      }),
    )
    .min(1),
  usage: UsageWireSchema,
});

export const ChatChunkWireSchema = z.looseObject({
  choices: z.array(
    z.looseObject({
      index: z.number().int().nonnegative(),
      delta: z.looseObject({ content: z.string().nullish(), reasoning_content: z.string().nullish(), reasoning: z.string().nullish() }).nullish(),
      finish_reason: z.string().nullish(),
      logprobs: ChatLogprobsSchema,
    }),
  ),
  usage: UsageWireSchema,
});

const CompletionLogprobsSchema = z
  .looseObject({ tokens: z.array(z.string()).nullish(), token_logprobs: z.array(z.number().nullable()).nullish() })
  .nullish();

export const CompletionWireSchema = z.looseObject({
  choices: z.array(
    z.looseObject({
      index: z.number().int().nonnegative(),
      text: z.string(),
      finish_reason: z.string().nullish(),
      logprobs: CompletionLogprobsSchema,
    }),
  ),
  usage: UsageWireSchema,
});

/** One choice as the endpoint returned it (before step cutting / reasoning split). */
export const RawChoiceSchema = z.object({
  content: z.string(),
  reasoning: z.string().optional(),
  finishReason: z.string(),
  logprobs: z.array(z.object({ token: z.string(), logprob: z.number() })).optional(),
});
export type RawChoice = z.infer<typeof RawChoiceSchema>;

/** One HTTP response, normalized; also the replay cache's stored value. */
export const RawResultSchema = z.object({
  choices: z.array(RawChoiceSchema),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  cachedPromptTokens: z.number().int().nonnegative().optional(),
});
export type RawResult = z.infer<typeof RawResultSchema>;

type Usage = z.infer<typeof UsageWireSchema>;

function usageOf(u: Usage, choices: RawChoice[]): Pick<RawResult, 'promptTokens' | 'completionTokens' | 'cachedPromptTokens'> {
  if (u) {
    const out: Pick<RawResult, 'promptTokens' | 'completionTokens' | 'cachedPromptTokens'> = { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens };
    const cached = u.prompt_tokens_details?.cached_tokens;
    if (typeof cached === 'number') out.cachedPromptTokens = cached;
    return out;
  }
  // No usage (some servers omit it when streaming): estimate ~4 chars per token rather than report zero.
  const chars = choices.reduce((s, c) => s + c.content.length + (c.reasoning?.length ?? 0), 0);
  return { promptTokens: 0, completionTokens: Math.ceil(chars / 4) };
}

export function normalizeChat(body: z.infer<typeof ChatCompletionWireSchema>): RawResult {
  const choices = [...body.choices]
    .sort((a, b) => a.index - b.index)
    .map((c): RawChoice => {
      const r: RawChoice = { content: c.message.content ?? '', finishReason: c.finish_reason ?? 'unknown' };
      const reasoning = c.message.reasoning_content ?? c.message.reasoning;
      if (reasoning) r.reasoning = reasoning;
      const lp = c.logprobs?.content;
      if (lp) r.logprobs = lp.map((t) => ({ token: t.token, logprob: t.logprob }));
      return r;
    });
  return { choices, ...usageOf(body.usage, choices) };
}

export function normalizeCompletion(body: z.infer<typeof CompletionWireSchema>): RawResult {
  const choices = [...body.choices]
    .sort((a, b) => a.index - b.index)
    .map((c): RawChoice => {
      const r: RawChoice = { content: c.text, finishReason: c.finish_reason ?? 'unknown' };
      const tokens = c.logprobs?.tokens;
      const lps = c.logprobs?.token_logprobs;
      if (tokens && lps && tokens.length === lps.length) r.logprobs = tokens.map((token, i) => ({ token, logprob: lps[i] ?? Number.NaN }));
      return r;
    });
  return { choices, ...usageOf(body.usage, choices) };
}

/** Accumulates streamed chunks (chat or completions) per choice index. */
export class StreamAccumulator {
  private readonly parts = new Map<number, { content: string; reasoning: string; finish?: string; logprobs: { token: string; logprob: number }[]; sawLogprobs: boolean }>();
  private usage: Usage = undefined;
  chunks = 0;

  private slot(index: number) {
    let s = this.parts.get(index);
    if (!s) {
      s = { content: '', reasoning: '', logprobs: [], sawLogprobs: false };
      this.parts.set(index, s);
    }
    return s;
  }

  addChat(chunk: z.infer<typeof ChatChunkWireSchema>): void {
    this.chunks++;
    if (chunk.usage) this.usage = chunk.usage;
    for (const c of chunk.choices) {
      const s = this.slot(c.index);
      s.content += c.delta?.content ?? '';
      s.reasoning += c.delta?.reasoning_content ?? c.delta?.reasoning ?? '';
      if (c.finish_reason) s.finish = c.finish_reason;
      if (c.logprobs?.content) {
        s.sawLogprobs = true;
        for (const t of c.logprobs.content) s.logprobs.push({ token: t.token, logprob: t.logprob });
      }
    }
  }

  addCompletion(chunk: z.infer<typeof CompletionWireSchema>): void {
    this.chunks++;
    if (chunk.usage) this.usage = chunk.usage;
    for (const c of chunk.choices) {
      const s = this.slot(c.index);
      s.content += c.text;
      if (c.finish_reason) s.finish = c.finish_reason;
      const tokens = c.logprobs?.tokens;
      const lps = c.logprobs?.token_logprobs;
      if (tokens && lps) {
        s.sawLogprobs = true;
        tokens.forEach((token, i) => s.logprobs.push({ token, logprob: lps[i] ?? Number.NaN }));
      }
    }
  }

  /** Choices that never received a finish_reason: the stream ended early. */
  unfinished(expected: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < expected; i++) if (!this.parts.get(i)?.finish) out.push(i);
    return out;
  }

  get choiceCount(): number {
    return this.parts.size;
  }

  /** `unfinished`: the finish reason of choices the stream never finished (a stream cut at the size cap). */
  result(unfinished = 'unknown'): RawResult {
    const choices = [...this.parts.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, s]): RawChoice => {
        const r: RawChoice = { content: s.content, finishReason: s.finish ?? unfinished };
        if (s.reasoning) r.reasoning = s.reasoning;
        if (s.sawLogprobs) r.logprobs = s.logprobs;
        return r;
      });
    return { choices, ...usageOf(this.usage, choices) };
  }
}

/**
 * A JSON body cut at the size cap, closed so that what arrived still parses: an open string is ended (a half escape
 * dropped), a dangling key, colon, comma or half literal removed, and open arrays and objects closed. Non-streamed
 * answers keep the text that fit under the cap this way instead of failing as malformed. Undefined when it cannot
 * be made whole (the cut fell before the first choice's text).
 */
export function closeCutJson(text: string): unknown {
  const stack: string[] = [];
  let inString = false;
  // Where the input can be cut and still form a valid prefix: after a complete value or an opening bracket.
  let safe = 0;
  let safeStack: string[] = [];
  let stringStart = -1;
  let stringIsKey = false;
  /** The last character outside strings that is not white space. */
  let last = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') {
        inString = false;
        last = '"';
        if (!stringIsKey) ((safe = i + 1), (safeStack = [...stack]));
      }
      continue;
    }
    const before = last;
    if (c !== ' ' && c !== '\n' && c !== '\r' && c !== '\t') last = c;
    if (c === '"') {
      inString = true;
      stringStart = i;
      // A string right after `{` or `,` inside an object is a key: cutting inside it drops the key.
      stringIsKey = stack.at(-1) === '{' && (before === '{' || before === ',');
    } else if (c === '{' || c === '[') {
      stack.push(c);
      safe = i + 1;
      safeStack = [...stack];
    } else if (c === '}' || c === ']') {
      stack.pop();
      safe = i + 1;
      safeStack = [...stack];
    } else if (/[\d.eE+\-truefalsn]/.test(c) && /[\s,}\]]/.test(text[i + 1] ?? '')) {
      safe = i + 1;
      safeStack = [...stack];
    }
  }
  let body: string;
  let open: string[];
  if (inString && !stringIsKey) {
    // A value string cut mid-way: keep its text (without a trailing half escape or half surrogate) and close it.
    let s = text.slice(stringStart);
    const escapes = /\\+$/.exec(s)?.[0].length ?? 0;
    if (escapes % 2 === 1) s = s.slice(0, -1);
    s = s.replace(/\\u[0-9a-fA-F]{0,3}$/, '');
    body = text.slice(0, stringStart) + s + '"';
    open = stack;
  } else {
    body = text.slice(0, safe);
    open = safeStack;
  }
  body = body.replace(/[\s,]+$/, '');
  // A key whose value never arrived.
  body = body.replace(/,?\s*"(?:[^"\\]|\\.)*"\s*:\s*$/, '');
  const closers = open.map((b) => (b === '{' ? '}' : ']')).reverse().join('');
  try {
    return JSON.parse(body + closers);
  } catch {
    return undefined;
  }
}
