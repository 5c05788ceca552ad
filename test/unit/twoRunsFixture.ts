/**
 * A trace with two real runs (not a test file itself): a beam search from the root, then an MCTS re-run from the
 * first step that has children, which supersedes that step's old subtree. Made by the engine with the in-process
 * branch policy and a fixed clock, so the run list and the fading are checked against what a search writes.
 */
import { runSearch } from '../../src/core/search/engine';
import type { Trace } from '../../src/core/trace/schema';
import { branchPolicy, fixedClock, freshTree, makeGenerator } from './searchFixtures';

export async function twoRunTrace(): Promise<Trace> {
  const tree = freshTree();
  const now = fixedClock();
  await runSearch({
    tree,
    config: { strategy: 'beam', params: { N: 2, width: 2, maxDepth: 3, concurrency: 1, seed: 1, priceIn: 1, priceOut: 2 }, verifier: { kind: 'rollout', params: { K: 4 } } },
    generator: makeGenerator(branchPolicy({ terminalAt: 3 })),
    now,
  });
  const start = tree.trace.nodes.find((n) => n.kind === 'step' && tree.childIdsOf(n.id).length > 0);
  if (!start) throw new Error('the beam run left no step with children');
  await runSearch({
    tree,
    config: { strategy: 'mcts', params: { simulations: 4, b: 2, concurrency: 1, seed: 2, priceIn: 1, priceOut: 2 }, verifier: { kind: 'rollout', params: { K: 2 } }, budgets: { maxNodes: 6 } },
    generator: makeGenerator(branchPolicy({ pA: 0.5 })),
    startNodeId: start.id,
    now,
  });
  return structuredClone(tree.trace);
}
