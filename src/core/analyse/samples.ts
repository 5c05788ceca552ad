/**
 * The answers a tree holds, as samples for pass@k / maj@k: every finished answer node (and, optionally, every
 * rollout). Correct = the node's verdict, else its answer against the problem's reference answer.
 */
import { answerKey, answersEqual } from '../verify/answerEquivalence';
import { referenceAnswer } from '../verify/answerExtraction';
import type { TraceNode } from '../trace/schema';
import type { TraceTree } from '../trace/tree';
import type { VoteSample } from './passAtK';

export interface AnswerSample extends VoteSample {
  nodeId: string;
  answer?: string;
}

export function isCorrect(tree: TraceTree, node: TraceNode): boolean | undefined {
  if (node.verified !== undefined) return node.verified;
  const ref = tree.trace.problem.answer;
  if (node.answer === undefined || ref === undefined) return undefined;
  return answersEqual(node.answer, referenceAnswer(ref));
}

export function answerSamples(tree: TraceTree, opts: { includeRollouts?: boolean } = {}): AnswerSample[] {
  const out: AnswerSample[] = [];
  for (const n of tree.trace.nodes) {
    const isAnswer = n.kind === 'answer' || (opts.includeRollouts === true && n.kind === 'rollout');
    if (!isAnswer) continue;
    const s: AnswerSample = { nodeId: n.id, correct: isCorrect(tree, n) === true };
    if (n.answer !== undefined) {
      s.answer = n.answer;
      s.key = answerKey(n.answer);
    }
    if (n.value !== undefined) s.score = n.value;
    out.push(s);
  }
  return out;
}
