/** Engine parameters every strategy accepts; saved in `RunConfig.params` beside the strategy's own. */
import type { ParamSpec } from './params';

export const COMMON_PARAMS: readonly ParamSpec[] = [
  { name: 'concurrency', type: 'integer', default: 8, min: 1, doc: 'model requests in flight at once (the endpoint client may cap further)' },
  { name: 'seed', type: 'integer', default: null, doc: 'base seed; each request gets a seed derived from it, its parent node and purpose (null: no seed sent)' },
  { name: 'temperature', type: 'number', default: null, min: 0, doc: 'sampling temperature for steps and solutions (null: the endpoint default)' },
  { name: 'maxTokens', type: 'integer', default: null, min: 1, doc: 'token limit per step / solution request (null: the endpoint default)' },
  { name: 'maxErrors', type: 'integer', default: 3, min: 1, doc: 'failed requests (after the client\'s retries) before the run ends as failed' },
  { name: 'prior', type: 'number', default: 0.5, min: 0, max: 1, doc: 'value assumed for nodes the verifier cannot value' },
  { name: 'priceIn', type: 'number', default: 0, min: 0, doc: 'cost per million prompt tokens, for the cost meter and maxCost' },
  { name: 'priceOut', type: 'number', default: 0, min: 0, doc: 'cost per million completion tokens' },
];
