/**
 * The cause behind a refusal, read from the server's own words whatever the status: servers answer an unknown model
 * with 400, 404, 422 or even 500, and an unsupported field with 400 or 422 in many phrasings. The cause, not the
 * status, decides the error kind, the retry and the advice.
 */

/** "The model `x` does not exist", "model 'x' not found, try pulling it first", code model_not_found, … */
export function isUnknownModel(message: string, code: string | undefined, model?: string): boolean {
  if (code === 'model_not_found' || /\bmodel_not_found\b/.test(message)) return true;
  if (/\b(?:unknown|invalid|unsupported|no such) model\b/i.test(message)) return true;
  // "model" then, within the same sentence, a statement that it is not there.
  // ("not loaded" / "not available" are left out: servers say so while a model loads, which passes.)
  if (/\bmodels?\b[^.;]{0,160}?(?:does not exist|doesn't exist|not found|is not served)/i.test(message)) return true;
  if (model && model.length >= 2 && message.includes(model) && /does not exist|doesn't exist|not found|\bunknown\b/i.test(message)) return true;
  return false;
}

/** Words of a server refusing a field it does not know or take (not one whose value is merely out of range). */
const FIELD_REFUSAL = /unsupported|not supported|unknown|unrecognized|unexpected|extra (?:inputs|fields)|not permitted|not allowed|forbidden|only one (?:completion )?choice|only no \w+ is supported/i;

/** Fields whose refusal means the same change whatever the words (a value limit on `n` is a refusal of n > 1). */
const ALWAYS_REFUSED = new Set(['n', 'continue_final_message', 'add_generation_prompt', 'logprobs', 'top_logprobs']);

/** Whether `message` (with the body's code) refuses `field` outright, so fieldAdvice applies. */
export function refusesField(message: string, field?: string): boolean {
  return FIELD_REFUSAL.test(message) || (field !== undefined && ALWAYS_REFUSED.has(topField(field)));
}

/** Wire field → the endpoint's sampling setting that sends it. */
export const SAMPLING_SETTING: Readonly<Record<string, string>> = {
  temperature: 'temperature',
  top_p: 'topP',
  max_tokens: 'maxTokens',
  max_completion_tokens: 'maxTokens',
  stop: 'stop',
  seed: 'seed',
  logprobs: 'logprobs',
  top_logprobs: 'logprobs',
};

export const CONTINUATION_FIELDS = new Set(['continue_final_message', 'add_generation_prompt']);

/** The top-level request field of a path ("messages.0.content" → "messages"). */
export const topField = (field: string): string => field.split('.')[0] ?? field;

/** What to change in the endpoint's settings when the server refuses `field`. */
export function fieldAdvice(field: string): string {
  const f = topField(field);
  const head = `The server does not accept the request field "${f}"`;
  if (CONTINUATION_FIELDS.has(f)) return `${head} (this server cannot continue an assistant message): use mode completions (when it serves /v1/completions) or chat.`;
  if (f === 'n') return `${head}: set the endpoint's nStrategy to "separate" (one request per sibling).`;
  if (f === 'logprobs' || f === 'top_logprobs') return `${head}: set the endpoint's sampling.logprobs to false.`;
  if (f === 'stream' || f === 'stream_options') return `${head}: turn streaming off for this endpoint.`;
  const setting = SAMPLING_SETTING[f];
  if (setting) return `${head}: remove the sampling setting ${setting} from this endpoint.`;
  return `${head}: remove the endpoint setting that sends it, or use another continuation mode.`;
}
