/**
 * `beam` (paper Fig. 17): step-level beam search. Each live beam asks for N next-step candidates (one request,
 * n = N, all beams at once); candidates are valued as they arrive; all candidates are ranked together by the
 * aggregated path score (last / min / prod / mean) and the top `width` are kept. The rest stay in the tree,
 * pruned with their rank, score and the cutoff score that cut them. Finished candidates leave the beam.
 */
import type { TraceNode } from '../../trace/schema';
import type { Aggregation } from '../../verify/aggregate';
import { bool, num, str } from '../params';
import { pathScore, pathScores } from '../pathScore';
import type { SearchContext, Strategy } from '../strategy';

interface Beam {
  node: TraceNode;
  steps: string[];
  scores: number[];
  score: number;
}

const idNum = (id: string): number => Number(id.slice(1));

export const beamStrategy: Strategy = {
  name: 'beam',
  summary: 'step-level beam search: N candidates per beam, keep the top width by aggregated score',
  params: [
    { name: 'N', type: 'integer', default: 4, min: 1, doc: 'candidates per beam and step (one request with n = N)' },
    { name: 'width', type: 'integer', default: 4, min: 1, doc: 'beams kept after each step' },
    { name: 'maxDepth', type: 'integer', default: 10, min: 1, doc: 'steps below the start node' },
    { name: 'aggregation', type: 'string', default: 'last', choices: ['last', 'min', 'prod', 'mean'], doc: 'how step scores make a path score' },
    { name: 'stopOnSolve', type: 'boolean', default: true, doc: 'stop when a candidate verifies' },
  ],
  async run(ctx: SearchContext) {
    const N = num(ctx.params, 'N');
    const width = num(ctx.params, 'width');
    const maxDepth = num(ctx.params, 'maxDepth');
    const how = str(ctx.params, 'aggregation') as Aggregation;
    const start = ctx.tree.node(ctx.startId);
    let active: Beam[] = [{ node: start, steps: [...ctx.prefix], scores: [], score: ctx.prior }];
    const finished: Beam[] = [];

    for (let depth = 1; depth <= maxDepth && active.length > 0 && !ctx.stopped; depth++) {
      ctx.iteration = depth;
      const perBeam = await Promise.all(
        active.map(async (beam) => {
          const kids = await ctx.expand(beam.node.id, { purpose: 'step', n: N, steps: beam.steps });
          await Promise.all(kids.map((k) => ctx.evaluate(k, [...beam.steps, k.text])));
          return kids.map((k): Beam => {
            const scores = pathScores(k, beam.scores, ctx.prior);
            return { node: k, steps: [...beam.steps, k.text], scores, score: pathScore(scores, how, ctx.prior) };
          });
        }),
      );
      if (ctx.stopped) break;
      const cands = perBeam.flat().filter((c) => c.node.status === 'open' || c.node.status === 'terminal');
      // Highest score first; equal scores keep creation order so runs are reproducible.
      cands.sort((a, b) => b.score - a.score || idNum(a.node.id) - idNum(b.node.id));
      const cutoff = cands.length > width ? cands[width - 1]!.score : undefined;
      const next: Beam[] = [];
      cands.forEach((c, i) => {
        const rank = i + 1;
        if (rank <= width) {
          ctx.select(
            c.node.id,
            { reason: `beam: rank ${rank} of ${cands.length}, kept (top ${width})`, beam: { rank, width, score: c.score, ...(cutoff !== undefined ? { cutoff } : {}) } },
            { rank, score: c.score },
          );
          (c.node.status === 'terminal' ? finished : next).push(c);
        } else {
          ctx.prune(c.node.id, { reason: `beam: rank ${rank} of ${cands.length}, below the top ${width} (score ${c.score.toFixed(4)}, cutoff ${cutoff!.toFixed(4)})`, rank, score: c.score, cutoff });
        }
      });
      active = next;
    }

    const verified = ctx.verifiedNodes[0];
    if (verified) return { bestNodeId: verified };
    const pool = finished.length > 0 ? finished : active;
    let best: Beam | undefined;
    for (const b of pool) if (!best || b.score > best.score) best = b;
    return best ? { bestNodeId: best.node.id } : {};
  },
};
