/**
 * The experiment's plots as SVG (the CLI also draws PNGs of them): solve rate vs token budget per strategy with
 * 95 % Wilson bars; accuracy vs N from one tree per problem (the largest budget's); tokens (and cost, when priced)
 * per solved problem vs budget.
 */
import { lineChartSvg, type ChartSeries } from '../analyse/lineChart';
import type { ExperimentCell, ExperimentPlot, ExperimentSummary } from './summary';
import { userParams } from './spec';
import { STRATEGIES } from '../search/catalog/info';

/** Sampling baselines (no value-guided tree search) are drawn dashed. */
const BASELINE = new Set(STRATEGIES.filter((s) => !s.valueGuided).map((s) => s.name as string));

export const ACCURACY_VS_N_METHOD =
  'from one tree per problem: the answers of the largest-budget trace of each strategy, subsampled to N (pass@N unbiased estimator, maj@N and best-of-N as expectations over N-subsets); a tree with fewer than N answers counts with all it has, one with none as 0; averaged over every problem of the cell';

export interface PlotFile {
  kind: ExperimentPlot['kind'];
  title: string;
  /** File name under plots/ without extension. */
  name: string;
  svg: string;
}

/** Cells grouped by strategy and the settings the user gave it (one line per group), budgets ascending. */
function groups(cells: readonly ExperimentCell[]): { name: string; cells: ExperimentCell[] }[] {
  const out = new Map<string, ExperimentCell[]>();
  for (const c of cells) {
    const own = userParams({ strategy: c.strategy, params: c.params });
    const keys = Object.keys(own).sort();
    const name = keys.length ? `${c.strategy} (${keys.map((k) => `${k}=${String(own[k])}`).join(', ')})` : c.strategy;
    out.set(name, [...(out.get(name) ?? []), c]);
  }
  return [...out].map(([name, cs]) => ({ name, cells: cs.sort((a, b) => a.budget - b.budget) }));
}

/** The plot keeps N = 1, 2, 4, …: each tree's own largest N would crowd the axis with ticks (the summary has them). */
const isPowerOfTwo = (k: number) => (k & (k - 1)) === 0;

const kTokens = (x: number) => (x >= 1000 ? `${x / 1000}k` : String(x));

export function experimentPlots(summary: Pick<ExperimentSummary, 'cells' | 'spec'>): PlotFile[] {
  const gs = groups(summary.cells);
  const n = summary.spec.problems.count;
  const entries = summary.cells.reduce((a, c) => a + c.problems, 0);
  const finished = summary.cells.reduce((a, c) => a + c.finished, 0);
  // A partial experiment says so on every plot: its missing entries count as unsolved.
  const partial = finished < entries ? `; partial: ${finished} of ${entries} runs finished, the rest count unsolved` : '';
  const what = `${n} problem${n === 1 ? '' : 's'} of ${summary.spec.problems.source}${partial}`;
  const plots: PlotFile[] = [];

  const rateSeries: ChartSeries[] = gs.map((g) => ({
    name: g.name,
    dashed: BASELINE.has(g.cells[0]!.strategy),
    points: g.cells.map((c) => ({ x: c.budget, y: 100 * c.solveRate, low: 100 * c.ci.low, high: 100 * c.ci.high })),
  }));
  const rateTitle = `Solve rate vs token budget (${what}, 95 % Wilson intervals)`;
  plots.push({
    kind: 'solve-rate',
    title: rateTitle,
    name: 'solve-rate',
    svg: lineChartSvg({ title: rateTitle, xLabel: 'token budget per problem (prompt + completion)', yLabel: 'solved (%)', panels: [{ title: 'solve rate', series: rateSeries }], panelWidth: 740, panelHeight: 360, xScale: 'log2', yMin: 0, yMax: 100, xFormat: kTokens, yFormat: (y) => `${y}` }),
  });

  const largest = gs.map((g) => ({ name: g.name, cell: g.cells[g.cells.length - 1]! })).filter((g) => g.cell.atK.length > 0);
  if (largest.length > 0) {
    const metric = (pick: 'passAtK' | 'majAtK' | 'bestOfK'): ChartSeries[] => largest.map((g) => ({ name: g.name, dashed: BASELINE.has(g.cell.strategy), points: g.cell.atK.filter((r) => isPowerOfTwo(r.k)).map((r) => ({ x: r.k, y: 100 * r[pick] })) }));
    const title = `Accuracy vs N from one tree (${what}, the largest budget's trace)`;
    plots.push({
      kind: 'accuracy-vs-n',
      title,
      name: 'accuracy-vs-n',
      svg: lineChartSvg({
        title,
        xLabel: 'N answers from the tree',
        yLabel: 'accuracy (%)',
        panels: [
          { title: 'pass@N', series: metric('passAtK') },
          { title: 'maj@N', series: metric('majAtK') },
          { title: 'best-of-N (by value)', series: metric('bestOfK') },
        ],
        xScale: 'log2',
        yMin: 0,
        yMax: 100,
        yFormat: (y) => `${y}`,
      }),
    });
  }

  const perSolved = (pick: (c: ExperimentCell) => number | null): ChartSeries[] =>
    gs.map((g) => ({ name: g.name, dashed: BASELINE.has(g.cells[0]!.strategy), points: g.cells.flatMap((c) => (pick(c) === null ? [] : [{ x: c.budget, y: pick(c)! }])) })).filter((s) => s.points.length > 0);
  // Unpriced models (the embedded one) cost nothing: what a solved problem costs is then its tokens.
  const priced = summary.cells.some((c) => c.cost.total > 0);
  const costSeries = priced ? perSolved((c) => c.cost.perSolved) : perSolved((c) => c.tokensPerSolved);
  if (costSeries.length > 0) {
    const title = `${priced ? 'Cost' : 'Tokens'} per solved problem (${what}${priced ? '' : ', unpriced model'})`;
    const label = priced ? 'cost per solved problem' : 'tokens per solved problem';
    plots.push({
      kind: 'cost-per-solved',
      title,
      name: 'cost-per-solved',
      svg: lineChartSvg({ title, xLabel: 'token budget per problem', yLabel: label, panels: [{ title: label, series: costSeries }], panelWidth: 740, panelHeight: 360, xScale: 'log2', yMin: 0, xFormat: kTokens, ...(priced ? {} : { yFormat: kTokens }) }),
    });
  }
  return plots;
}
