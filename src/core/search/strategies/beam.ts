/**
 * `beam` (paper Fig. 17): step-level beam search. Each live beam asks for N next-step candidates (one request,
 * n = N, all beams at once); candidates are valued as they arrive; all candidates are ranked together by the
 * aggregated path score (last / min / prod / mean) and the top `width` are kept. The rest stay in the tree,
 * pruned with their rank, score and the cutoff score that cut them. Finished candidates leave the beam.
 * Resample (`resample`, default on): when a step leaves no live beam (every candidate finished, dead or pruned)
 * and budget remains, the beams that step expanded are sampled again (new seeds, new candidates) instead of
 * ending; beams resampled `resampleLimit` times hand over to the step above (its beams sampled again, the search
 * goes down from there with new beams, which get their own `resampleLimit`). The start node's beam is resampled at
 * most `resampleLimit` times too, so a run ends without a budget (at most (L+1)^depth − 1 resamples), and a larger
 * budget keeps exploring: new beams rather than the same dead ends again. Off: the beam ends there.
 */
import type { TraceNode } from '../../trace/schema';
import type { Aggregation } from '../../verify/aggregate';
import { num, str } from '../params';
import { pathScore, pathScores } from '../pathScore';
import type { StrategyRun } from '../strategy';

interface Beam {
  node: TraceNode;
  steps: string[];
  scores: number[];
  score: number;
}

const idNum = (id: string): number => Number(id.slice(1));

export const runBeam: StrategyRun = async (ctx) => {
  const N = num(ctx.params, 'N');
  const width = num(ctx.params, 'width');
  const maxDepth = num(ctx.params, 'maxDepth');
  const how = str(ctx.params, 'aggregation') as Aggregation;
  const resample = ctx.params.resample !== false;
  const resampleLimit = num(ctx.params, 'resampleLimit');
  const start = ctx.tree.node(ctx.startId);
  let active: Beam[] = [{ node: start, steps: [...ctx.prefix], scores: [], score: ctx.prior }];
  const finished: Beam[] = [];

  const better = (a: Beam, b: Beam) => b.score - a.score || idNum(a.node.id) - idNum(b.node.id);
  const ranked = (c: Beam) => c.node.status === 'open' || c.node.status === 'terminal';

  // By depth: the beams that step expanded, and how often these beams were resampled (reset when a step above is
  // resampled: the beams below are then new).
  const beamsAt: Beam[][] = [];
  const resamplesAt: number[] = [];
  // > 0: this step is that resample of its depth.
  let resampling = 0;
  for (let depth = 1; depth <= maxDepth && active.length > 0 && !ctx.stopped; depth++) {
    ctx.iteration = depth;
    beamsAt[depth] = active;
    const again = resampling > 0 ? `; resample ${resampling} of depth ${depth}: the last step left no live beam` : '';
    // Scheduling only (the ranking below and every node and event are unchanged): once every expansion of this
    // step has answered, a candidate is sure to be kept when fewer than `width` others could still rank above it
    // (the better scored ones plus all still being scored). While the last candidates are scored the cap has
    // idle places; the next step's request for such a beam goes out in one of them (ctx.prefetchExpand: only
    // into idle places, never queued ahead, so at concurrency 1 nothing changes), and the next step's expand
    // takes its answer.
    let expanding = active.length;
    const errorsBefore = ctx.errors;
    let created = 0;
    const scored: Beam[] = [];
    const sentAhead = new Set<string>();
    const ahead = () => {
      if (depth >= maxDepth || expanding > 0 || ctx.stopped || !ctx.prefetchExpand) return;
      const open = created - scored.length;
      if (open >= width) return;
      const sure = scored.filter(ranked).sort(better).slice(0, width - open);
      for (const c of sure) {
        if (c.node.status !== 'open' || sentAhead.has(c.node.id)) continue;
        if (!ctx.prefetchExpand(c.node.id, { purpose: 'step', n: N, steps: c.steps })) return; // no idle place
        sentAhead.add(c.node.id);
      }
    };
    const perBeam = await Promise.all(
      active.map(async (beam) => {
        const kids = await ctx.expand(beam.node.id, { purpose: 'step', n: N, steps: beam.steps });
        expanding--;
        created += kids.length;
        return Promise.all(
          kids.map(async (k): Promise<Beam> => {
            await ctx.evaluate(k, [...beam.steps, k.text]);
            const scores = pathScores(k, beam.scores, ctx.prior);
            const c: Beam = { node: k, steps: [...beam.steps, k.text], scores, score: pathScore(scores, how, ctx.prior) };
            scored.push(c);
            ahead();
            return c;
          }),
        );
      }),
    );
    if (ctx.stopped) break;
    const cands = perBeam.flat().filter(ranked);
    // Highest score first; equal scores keep creation order so runs are reproducible.
    cands.sort(better);
    const cutoff = cands.length > width ? cands[width - 1]!.score : undefined;
    const next: Beam[] = [];
    cands.forEach((c, i) => {
      const rank = i + 1;
      if (rank <= width) {
        ctx.select(
          c.node.id,
          { reason: `beam: rank ${rank} of ${cands.length}, kept (top ${width})${again}`, beam: { rank, width, score: c.score, ...(cutoff !== undefined ? { cutoff } : {}) } },
          { rank, score: c.score },
        );
        (c.node.status === 'terminal' ? finished : next).push(c);
      } else {
        ctx.prune(c.node.id, { reason: `beam: rank ${rank} of ${cands.length}, below the top ${width} (score ${c.score.toFixed(4)}, cutoff ${cutoff!.toFixed(4)})`, rank, score: c.score, cutoff });
      }
    });
    active = next;
    resampling = 0;
    // No candidate because requests or valuations failed is not an exhausted step: the beam ends (maxErrors
    // decides about the run). No candidate without a failure is: in a resample every sample repeated a candidate
    // these beams already had (merged into it).
    const failed = cands.length === 0 && ctx.errors > errorsBefore;
    if (next.length > 0 || failed || !resample || ctx.stopped) continue;
    // Every candidate finished or was cut: this step's beams again, or those of the deepest step above with
    // resamples left.
    let e = depth;
    while (e >= 1 && (resamplesAt[e] ?? 0) >= resampleLimit) e--;
    if (e < 1) break;
    resampling = resamplesAt[e] = (resamplesAt[e] ?? 0) + 1;
    resamplesAt.length = e + 1;
    const why = e === depth ? 'every candidate of this step was finished or pruned' : `every candidate of step ${depth} was finished or pruned and its beams were resampled ${resampleLimit} times`;
    for (const p of beamsAt[e]!) ctx.log('select', p.node.id, { reason: `beam: resampled (${resampling} of at most ${resampleLimit} at depth ${e}): ${why}`, resample: resampling });
    active = beamsAt[e]!;
    depth = e - 1;
  }

  const verified = ctx.verifiedNodes[0];
  if (verified) return { bestNodeId: verified };
  const pool = finished.length > 0 ? finished : active;
  let best: Beam | undefined;
  for (const b of pool) if (!best || b.score > best.score) best = b;
  return best ? { bestNodeId: best.node.id } : {};
};
