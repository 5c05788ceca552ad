/**
 * The Experiment view's page: a header (what was run, totals, "Re-run failures"), the plots, the table of cells
 * and the problem × cell grid, rebuilt from each summary the host sends (the host resends on every change of the
 * folder). A probe on `window.__metacotExperiment` and a `rendered` message tell tests what was drawn.
 */
import { EXPERIMENT_PROTOCOL_VERSION } from '../../src/protocol/experimentMessages';
import type { ExperimentHostMessage, ExperimentLoadMessage, ExperimentReply, ExperimentSummary, RerunState } from '../../src/protocol/experimentMessages';
import { button } from '../toolkit';
import type { ButtonControl } from '../toolkit';
import type { ExperimentBridge } from './experimentBridge';
import { cellGrid, cellTable, el, icon, plotsSection } from './experimentSections';
import { fmtCost, fmtSeconds, fmtTokens } from './experimentFormat';

export interface ExperimentProbe {
  folder: string | undefined;
  error: string | undefined;
  updatedAt: string | undefined;
  cells: number;
  gridCells: number;
  plots: number;
  plotsLoaded: number;
  status: string;
  /** Resolves after the next render has settled (plots decoded). */
  settled(): Promise<void>;
}

function endpointText(s: ExperimentSummary): string {
  const e = s.spec.endpoint;
  return e.kind === 'embedded' ? 'the embedded model' : `${e.model} at ${e.baseUrl} (${e.mode})`;
}

export class ExperimentApp {
  private readonly header = el('header', 'x-header');
  private readonly status = el('p', 'x-status');
  private readonly body = el('div', 'x-body');
  private readonly rerunButton: ButtonControl;
  private readonly cancelButton: ButtonControl;
  private failed = 0;
  private missing = 0;
  private readonly rerunNote = el('span', 'x-note x-rerun-note');
  private rerun: RerunState = { running: false, done: 0, total: 0, message: '' };
  private settledWaiters: (() => void)[] = [];
  private readonly probe: ExperimentProbe;

  constructor(
    private readonly bridge: ExperimentBridge,
    mount: HTMLElement,
  ) {
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-live', 'polite');
    this.status.id = 'x-status';
    this.rerunButton = button({ label: 'Re-run failures', icon: 'debug-restart', title: 'Run again only the entries whose run failed', appearance: 'primary', id: 'x-rerun', onClick: () => void this.rerunFailures() });
    this.cancelButton = button({ label: 'Cancel', icon: 'debug-stop', title: 'Cancel the re-run', appearance: 'secondary', id: 'x-cancel', onClick: () => void this.cancelRerun() });
    mount.append(this.header, this.status, this.body);
    const app = this;
    this.probe = {
      folder: undefined,
      error: undefined,
      updatedAt: undefined,
      cells: 0,
      gridCells: 0,
      plots: 0,
      plotsLoaded: 0,
      get status() {
        return app.status.textContent ?? '';
      },
      settled: () => new Promise((resolve) => app.settledWaiters.push(resolve)),
    };
    (window as unknown as { __metacotExperiment: ExperimentProbe }).__metacotExperiment = this.probe;
    bridge.listen((m) => this.onMessage(m));
    bridge.notify({ type: 'ready', protocolVersion: EXPERIMENT_PROTOCOL_VERSION });
  }

  private onMessage(m: Exclude<ExperimentHostMessage, ExperimentReply>): void {
    switch (m.type) {
      case 'experiment':
        this.show(m);
        return;
      case 'experimentError':
        this.showError(m.folder, m.message);
        return;
      case 'rerunState':
        this.rerun = m.state;
        this.updateButtons();
        if (m.state.message) this.setStatus(m.state.message);
        return;
    }
  }

  private setStatus(text: string, error = false): void {
    this.status.textContent = text;
    this.status.classList.toggle('x-status-error', error);
  }

  private showError(folder: string, message: string): void {
    this.probe.folder = folder;
    this.probe.error = message;
    this.header.replaceChildren(el('h1', 'x-title', `Experiment: ${folder}`));
    const box = el('div', 'x-error');
    box.setAttribute('role', 'alert');
    box.append(icon('error'), el('span', undefined, ` ${message}`));
    this.body.replaceChildren(box);
    this.setStatus('');
    this.finishRender(0, 0);
  }

  private show(m: ExperimentLoadMessage): void {
    const s = m.summary;
    this.probe.folder = m.folder;
    this.probe.error = undefined;
    this.probe.updatedAt = s.updatedAt;
    this.failed = s.totals.failed;
    this.missing = s.totals.missing;
    const title = el('h1', 'x-title', `Experiment: ${m.folder}`);
    const t = s.totals;
    const spec = el(
      'p',
      'x-spec',
      `${s.spec.problems.count} problems from ${s.spec.problems.source}${s.spec.problems.select ? ` (${s.spec.problems.select})` : ''} × ${s.cells.length} cells on ${endpointText(s)}, seed ${s.spec.seed}` +
        `${s.spec.verifier ? `, verifier ${s.spec.verifier.kind}` : ''}.`,
    );
    const totals = el(
      'p',
      'x-totals',
      `${t.solved} solved, ${t.failed} failed, ${t.missing} not run of ${t.entries} entries · ${fmtTokens(t.tokens)} tokens · ${fmtCost(t.cost)} · ${fmtSeconds(t.seconds)}` +
        ` · ${s.complete ? 'complete' : 'incomplete'} · updated ${s.updatedAt}`,
    );
    const actions = el('div', 'x-actions');
    actions.append(this.rerunButton, this.cancelButton, this.rerunNote);
    this.header.replaceChildren(title, spec, totals, actions);
    this.updateButtons();
    const plots = plotsSection(s, m.plotUris);
    const grid = cellGrid(s, (cellId, index, b) => void this.openCell(cellId, index, b));
    this.body.replaceChildren(plots.node, cellTable(s), grid.node);
    this.probe.cells = s.cells.length;
    this.probe.gridCells = grid.count;
    this.probe.plots = plots.images;
    const problems = new Set(s.cells.flatMap((c) => c.results.map((r) => r.index))).size;
    void plots.loaded.then((loaded) => {
      // A newer summary may have replaced this one while its images decoded.
      if (this.probe.updatedAt !== s.updatedAt) return;
      this.probe.plotsLoaded = loaded;
      this.bridge.notify({ type: 'rendered', updatedAt: s.updatedAt, cells: s.cells.length, problems, gridCells: grid.count, plots: plots.images, plotsLoaded: loaded });
      this.finishRender(plots.images, loaded);
    });
  }

  private finishRender(plots: number, loaded: number): void {
    this.probe.plots = plots;
    this.probe.plotsLoaded = loaded;
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const w of waiters) w();
  }

  /**
   * Only the failed entries run again (the runner's `failuresOnly`); entries not run yet (a killed or cancelled
   * experiment) are left for a resume, and the note says so rather than leaving them silently undone.
   */
  private updateButtons(): void {
    this.rerunButton.disabled = this.rerun.running || this.failed === 0;
    this.rerunButton.setAttribute('title', this.failed === 0 ? 'No entry failed: nothing to re-run' : `Run again only the ${this.failed} entries whose run failed`);
    const one = this.missing === 1;
    this.rerunNote.textContent = this.missing > 0
      ? `${this.missing} ${one ? 'entry is' : 'entries are'} not run yet: ${one ? 'it stays' : 'they stay'} so (resume the experiment with \`metacot experiment\` and the same options to run ${one ? 'it' : 'them'}).`
      : '';
    this.cancelButton.hidden = !this.rerun.running;
  }

  private async openCell(cellId: string, index: number, b: HTMLButtonElement): Promise<void> {
    b.setAttribute('aria-busy', 'true');
    try {
      const r = await this.bridge.request('openCell', { cellId, index });
      this.setStatus(r.message);
    } catch (err) {
      this.setStatus(err instanceof Error ? err.message : String(err), true);
    } finally {
      b.removeAttribute('aria-busy');
    }
  }

  private async rerunFailures(): Promise<void> {
    this.rerun = { running: true, done: 0, total: this.failed, message: `Re-running ${this.failed} failed entries…` };
    this.updateButtons();
    this.setStatus(this.rerun.message);
    try {
      const r = await this.bridge.request('rerunFailures', {});
      this.setStatus(r.message);
    } catch (err) {
      this.setStatus(err instanceof Error ? err.message : String(err), true);
    } finally {
      this.rerun = { ...this.rerun, running: false };
      this.updateButtons();
    }
  }

  private async cancelRerun(): Promise<void> {
    try {
      const r = await this.bridge.request('cancelRerun', {});
      this.setStatus(r.message);
    } catch (err) {
      this.setStatus(err instanceof Error ? err.message : String(err), true);
    }
  }
}
