/**
 * What the message bar says about how the trace's runs went (issue 17, "honest signals"): a failed last run is an
 * error with its cause and what to do in the extension; a value-guided run (the last one, and the run that found the
 * answer) that had no value signal is a warning naming the verifiers that give one. Computed on the page from the
 * trace, once per change of the runs' ends (not per streamed delta); a message the user dismissed stays dismissed
 * until what it says changes.
 */
import { causeFix, failureCause, valueSignal } from '../src/protocol/fromCore';
import type { Run } from '../src/protocol/fromCore';
import type { MessageBar } from './messageBar';
import type { PanelStore } from './panelStore';
import './runSignals.css';

export interface RunMessages {
  /** The last run failed: what happened and what to do. */
  failed: string | undefined;
  /** Runs that ranked by value with none to rank by, one sentence each. */
  noSignal: string | undefined;
}

/** What to do about a failure, by what fixes its cause (the palette commands the notification's actions run). */
const FIX: Record<ReturnType<typeof causeFix>, string> = {
  endpoint: 'Check the endpoint’s URL, model and mode with “Meta-CoT: Configure Endpoint”, then re-run from a node.',
  key: 'Set the endpoint’s key with “Meta-CoT: Set API Key”, then re-run from a node.',
  limits: 'Raise timeoutMs or maxRetries, or lower maxConcurrency, for this endpoint in the metacot.endpoints setting, then re-run.',
  other: 'Failed nodes show their error in the detail pane; “Meta-CoT: Show Log” has the requests.',
};

export function runMessages(store: PanelStore): RunMessages {
  const m = store.model;
  const last: Run | undefined = m.runs[m.runs.length - 1];
  let failed: string | undefined;
  if (last?.status === 'failed') {
    const fix = FIX[causeFix(failureCause(m, last.id, last.reason))];
    failed = `Run ${last.id} (${last.config.strategy}) failed: ${(last.reason ?? 'no reason recorded').replace(/[.\s]+$/, '')}. ${fix}`;
  }
  // The last finished run and the one that found the answer: what the user looks at.
  const runs = [last, store.resultRun].filter((r, i, all): r is Run => r !== undefined && r !== null && r.status !== 'running' && all.indexOf(r) === i);
  const said = runs.map((r) => ({ r, s: valueSignal(m, r.id) })).filter((x) => x.s.none && x.s.message);
  const noSignal = said.length ? said.map((x) => `Run ${x.r.id}: ${x.s.message}.`).join(' ') : undefined;
  return { failed, noSignal };
}

export class RunSignals {
  private key = '';
  private size = -1;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private shown: RunMessages = { failed: undefined, noSignal: undefined };

  constructor(
    private readonly store: PanelStore,
    private readonly bar: MessageBar,
  ) {}

  /**
   * After a load or a batch of deltas: recomputed when a run started or ended or the trace changed; nodes added with
   * no run running (edits, imports) are counted at most every 250 ms, since valueSignal walks the whole trace (~8 ms
   * at 100k nodes) and deltas come once a frame.
   */
  update(): void {
    const [key, size] = this.state();
    if (key !== this.key) return this.recompute(key, size);
    if (size === this.size || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.recompute(...this.state());
    }, 250);
  }

  /** What the messages depend on: the trace, its runs' ends and answer; and its size while no run is running. */
  private state(): [string, number] {
    const m = this.store.model;
    const running = m.runs.some((r) => r.status === 'running');
    return [`${m.id}|${m.runs.map((r) => `${r.id}:${r.status}`).join(',')}|${m.result?.runId ?? ''}`, running ? -1 : m.size];
  }

  private recompute(key: string, size: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.key = key;
    this.size = size;
    const next = runMessages(this.store);
    if (next.failed !== this.shown.failed) {
      if (next.failed) this.bar.show(next.failed, 'error', 'run-failed');
      else this.bar.clear('run-failed');
    }
    if (next.noSignal !== this.shown.noSignal) {
      if (next.noSignal) this.bar.show(next.noSignal, 'warning', 'value-signal');
      else this.bar.clear('value-signal');
    }
    this.shown = next;
  }
}
