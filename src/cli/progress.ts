/**
 * Progress line on stderr: problems done, nodes, tokens, cost, elapsed. Redrawn in place (throttled) on a
 * terminal; elsewhere (CI logs) one line per finished problem only.
 */
export interface ProgressState {
  done: number;
  total: number;
  nodes: number;
  tokens: number;
  cost: number;
  label?: string;
}

export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

export function renderProgress(s: ProgressState, elapsedMs: number, width = 20): string {
  const filled = s.total === 0 ? 0 : Math.round((s.done / s.total) * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  const cost = s.cost > 0 ? ` | $${s.cost.toFixed(4)}` : '';
  return `[${bar}] ${s.done}/${s.total} | nodes ${formatCount(s.nodes)} | tokens ${formatCount(s.tokens)}${cost} | ${(elapsedMs / 1000).toFixed(1)}s${s.label ? ` | ${s.label}` : ''}`;
}

export class ProgressBar {
  private last = 0;
  private readonly t0 = Date.now();

  constructor(
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
    private readonly intervalMs = 100,
  ) {}

  update(s: ProgressState, force = false): void {
    if (!this.tty) return;
    const now = Date.now();
    if (!force && now - this.last < this.intervalMs) return;
    this.last = now;
    this.write(`\r\x1b[K${renderProgress(s, now - this.t0)}`);
  }

  /** A finished problem: on a terminal the bar is redrawn; elsewhere a plain line is written. */
  line(s: ProgressState): void {
    if (this.tty) this.update(s, true);
    else this.write(`${renderProgress(s, Date.now() - this.t0)}\n`);
  }

  end(): void {
    if (this.tty) this.write('\n');
  }
}
