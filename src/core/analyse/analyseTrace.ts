/** Everything `metacot analyse` prints about one trace, as data (for the panel) and as text (for the CLI). */
import { escapeControlChars } from '../trace/controlChars';
import type { TraceTree } from '../trace/tree';
import { accuracyVsN, passAtK, type AccuracyRow, type SubsetOptions } from './passAtK';
import { answerSamples } from './samples';
import { treeStats, type TreeStats } from './treeStats';

export interface TraceAnalysis {
  traceId: string;
  samples: number;
  correct: number;
  /** pass@k for k = 1, 2, 4, … n. */
  passAtK: { k: number; value: number }[];
  accuracyVsN: AccuracyRow[];
  stats: TreeStats;
  result: { bestNodeId?: string; finalAnswer?: string; verified?: boolean };
}

export function analyseTrace(tree: TraceTree, opts: SubsetOptions & { includeRollouts?: boolean } = {}): TraceAnalysis {
  const samples = answerSamples(tree, { includeRollouts: opts.includeRollouts });
  const n = samples.length;
  const c = samples.filter((s) => s.correct).length;
  const ks: number[] = [];
  for (let k = 1; k < n; k *= 2) ks.push(k);
  if (n > 0) ks.push(n);
  const r = tree.trace.result;
  const result: TraceAnalysis['result'] = {};
  if (r?.bestNodeId !== undefined) result.bestNodeId = r.bestNodeId;
  if (r?.finalAnswer !== undefined) result.finalAnswer = r.finalAnswer;
  if (r) result.verified = r.verified;
  return {
    traceId: tree.trace.id,
    samples: n,
    correct: c,
    passAtK: ks.map((k) => ({ k, value: passAtK(n, c, k) })),
    accuracyVsN: accuracyVsN(samples, opts),
    stats: treeStats(tree),
    result,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function formatAnalysis(a: TraceAnalysis): string {
  const s = a.stats;
  const lines = [
    `trace ${a.traceId}`,
    `  nodes ${s.nodes}, steps ${s.steps}, leaves ${s.leaves}, max depth ${s.maxDepth}, mean leaf depth ${s.meanLeafDepth.toFixed(2)}`,
    `  branch switches ${s.branchSwitches}${Object.keys(s.stepTypes).length ? `, step types ${Object.entries(s.stepTypes).map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}`,
    `  repeated steps ${s.repeatedSteps}${s.topRepeated.length ? ` (most: "${s.topRepeated[0]!.text.slice(0, 60)}" ×${s.topRepeated[0]!.count})` : ''}`,
    `  tokens: final path ${s.tokens.finalPath} (${s.finalPathLength} steps), everything else ${s.tokens.rest}${s.tokens.estimated ? ' (estimated where not recorded)' : ''}`,
    `  result: ${a.result.finalAnswer ?? '(no answer)'}${a.result.verified === undefined ? '' : a.result.verified ? ' verified' : ' not verified'}`,
    `  answers ${a.samples}, correct ${a.correct}`,
  ];
  if (a.accuracyVsN.length) {
    lines.push('  N      pass@N   maj@N    best-of-N');
    for (const r of a.accuracyVsN) lines.push(`  ${String(r.n).padEnd(6)} ${pct(r.passAtN).padEnd(8)} ${pct(r.majAtN).padEnd(8)} ${pct(r.bestOfN)}`);
  }
  // Step texts and answers come from the file: control characters are shown, never sent to the terminal.
  return `${lines.map((l) => escapeControlChars(l)).join('\n')}\n`;
}
