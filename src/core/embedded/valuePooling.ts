/**
 * The embedded value model as a process reward model behind vLLM's pooling API, so the search reaches it through
 * the same PRM adapter (src/core/verify/prm.ts, format `vllm-pooling`) a user points at a vLLM reward model:
 * `POST /pooling {model, input}` → `{data: [{index, object: 'pooling', data: [[p_bad, p_good] per step tag]}]}`.
 *
 * The input is the adapter's text: the Countdown problem, then the steps, each followed by the step tag. A step's
 * score is the value of the state it leads to; the Countdown rules come first (a step that is not legal scores 0 and so
 * does every step after it, a step reaching the target or a verified `Answer:` line scores 1, a wrong answer 0), so
 * the model only ever judges states it was trained on. `embeddedPrmFetch` answers the same requests in process.
 */
import * as z from 'zod';
import { HttpError } from '../server/httpReply';
import { errorBody } from '../server/openaiShapes';
import { checkAnswer, findProblem, isAnswerLine, unreadableProblemMessage, type CountdownProblem } from './countdown';
import { pathStates } from './valueState';
import { EMBEDDED_PRM_URL, EMBEDDED_STEP_TAG, VALUE_MODEL_ID } from './embeddedNames';
import { sharedValueModel, type EmbeddedValueModel } from './valueModel';

/** vLLM's pooling request, the part this server reads (other fields are accepted and ignored, as vLLM does). */
export const PoolingRequestSchema = z
  .object({
    model: z.string().optional(),
    input: z.union([z.string(), z.array(z.string()).min(1)]),
  })
  .passthrough();

export const PoolingResponseSchema = z.object({
  id: z.string(),
  object: z.literal('list'),
  created: z.number(),
  model: z.string(),
  data: z.array(z.object({ index: z.number(), object: z.literal('pooling'), data: z.array(z.tuple([z.number(), z.number()])) })),
  usage: z.object({ prompt_tokens: z.number(), total_tokens: z.number(), completion_tokens: z.number() }),
});
export type PoolingResponse = z.infer<typeof PoolingResponseSchema>;

/** What the pooling server needs of a value model: V(state) per state text (valueState.ts). */
export type StateScorer = Pick<EmbeddedValueModel, 'score'>;

export type StepScore = { kind: 'rule'; value: 0 | 1; why: string } | { kind: 'model'; state: string };

/** What decides each step's score: a Countdown rule, or the model on the state the step leads to. */
export function stepScorePlan(problem: CountdownProblem, steps: readonly string[]): StepScore[] {
  const plan: StepScore[] = [];
  const lines: string[] = [];
  let ended: StepScore | undefined;
  for (const step of steps) {
    if (ended) {
      plan.push(ended);
      continue;
    }
    const own = step.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
    const answer = own.find(isAnswerLine);
    lines.push(...own.filter((l) => !isAnswerLine(l)));
    const walk = pathStates(problem, lines);
    if (walk.brokenAt !== undefined) ended = { kind: 'rule', value: 0, why: 'not a legal step' };
    else if (walk.reached) ended = { kind: 'rule', value: 1, why: 'reaches the target' };
    else if (answer !== undefined) ended = checkAnswer(answer, problem) ? { kind: 'rule', value: 1, why: 'verified answer' } : { kind: 'rule', value: 0, why: 'wrong answer' };
    if (ended) {
      plan.push(ended);
      continue;
    }
    plan.push({ kind: 'model', state: walk.states[walk.states.length - 1]! });
  }
  return plan;
}

/** Problem and steps of one pooling input (the template's `{problem}`, then `{steps}` with a tag after each). */
export function readPoolingInput(input: string, stepTag = EMBEDDED_STEP_TAG): { problem: CountdownProblem; steps: string[] } {
  const found = findProblem(input);
  if (!found) throw new HttpError(400, unreadableProblemMessage('the pooling input holds no Countdown problem'), 'invalid_request_error', 'input', 'invalid_value');
  const parts = input.slice(found.end).split(stepTag);
  // text after the last tag is not a tagged step (vLLM scores tag positions only); no tag at all: one step, the whole text
  const steps = (parts.length > 1 ? parts.slice(0, -1) : [parts[0]!]).map((t) => t.trim());
  if (parts.length === 1 && steps[0] === '') steps.pop();
  return { problem: found.problem, steps };
}

let responses = 0;

/** The pooling response for a request body; HttpError 400 for one it cannot read. */
export async function poolValues(model: StateScorer, body: unknown): Promise<PoolingResponse> {
  const parsed = PoolingRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new HttpError(400, `pooling request: ${issue.path.join('.') || 'body'}: ${issue.message}`, 'invalid_request_error', issue.path.join('.') || null, 'invalid_value');
  }
  const inputs = typeof parsed.data.input === 'string' ? [parsed.data.input] : parsed.data.input;
  const read = inputs.map((text) => readPoolingInput(text));
  const plans = read.map((r) => stepScorePlan(r.problem, r.steps));
  const states = plans.flat().flatMap((s) => (s.kind === 'model' ? [s.state] : []));
  const scores = await model.score(states);
  let k = 0;
  const data = plans.map((plan, index) => ({
    index,
    object: 'pooling' as const,
    data: plan.map((s): [number, number] => {
      const p = s.kind === 'rule' ? s.value : scores[k++]!;
      return [1 - p, p];
    }),
  }));
  const tokens = inputs.reduce((n, t) => n + t.length, 0);
  return {
    id: `pool-${(++responses).toString(16)}`,
    object: 'list',
    created: Math.floor(Date.now() / 1000),
    model: parsed.data.model ?? VALUE_MODEL_ID,
    data,
    usage: { prompt_tokens: tokens, total_tokens: tokens, completion_tokens: 0 },
  };
}

/**
 * A `fetch` answering `POST <EMBEDDED_PRM_URL>` in process, exactly as `metacot serve` answers `POST /pooling`
 * (status, error body and all), so the PRM adapter cannot tell the two apart.
 */
export function embeddedPrmFetch(load: () => Promise<StateScorer> = () => sharedValueModel()): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    init?.signal?.throwIfAborted();
    if (url !== EMBEDDED_PRM_URL) return jsonResponse(404, errorBody(`no in-process pooling model at ${url}`, 'invalid_request_error'));
    try {
      const body: unknown = JSON.parse(typeof init?.body === 'string' ? init.body : '');
      return jsonResponse(200, await poolValues(await load(), body));
    } catch (e) {
      if (e instanceof HttpError) return jsonResponse(e.status, errorBody(e.message, e.type, e.param, e.code));
      if (e instanceof SyntaxError) return jsonResponse(400, errorBody('request body is not valid JSON', 'invalid_request_error'));
      throw e;
    }
  }) as typeof fetch;
}

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
