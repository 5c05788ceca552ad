/** The toolbar (view tools, colour encoding, find, run status) and the run status it shows. */
import type { ColorBy } from '../src/protocol/hostMessages';
import { h, icon } from './dom';
import { fmtInt } from './format';
import type { PanelStore } from './panelStore';
import { badge, button, dropdown, progressRing } from './toolkit';
import type { ValueControl } from './toolkit';

export interface ToolbarCommands {
  fit(): void;
  zoomBy(f: number): void;
  goBest(): void;
  expandAll(): void;
  setColorBy(v: ColorBy): void;
  cancelRuns(): void;
  /** Reading mode on / off (the reading view sets the button's aria-pressed). */
  toggleReading(): void;
}

export class Toolbar {
  readonly el: HTMLElement;
  readonly colorSelect: ValueControl;
  private readonly runStatus: HTMLElement;

  constructor(
    private readonly store: PanelStore,
    private readonly cmd: ToolbarCommands,
    find: HTMLElement,
  ) {
    this.colorSelect = dropdown<ColorBy>({
      options: [
        { value: 'value', label: 'Colour: value' },
        { value: 'status', label: 'Colour: status' },
        { value: 'author', label: 'Colour: author' },
      ],
      value: store.colorBy,
      ariaLabel: 'Colour nodes by',
      id: 'color-by',
      onChange: (v) => cmd.setColorBy(v),
    });
    this.runStatus = h('div', { class: 'run-status', id: 'run-status' });
    this.el = h(
      'div',
      { class: 'toolbar', role: 'toolbar', attrs: { 'aria-label': 'Tree tools' } },
      h(
        'div',
        { class: 'tool-group' },
        button({ icon: 'screen-full', title: 'Fit the tree (0)', onClick: () => cmd.fit(), id: 'tool-fit' }),
        button({ icon: 'zoom-out', title: 'Zoom out (-)', onClick: () => cmd.zoomBy(1 / 1.5), id: 'tool-zoom-out' }),
        button({ icon: 'zoom-in', title: 'Zoom in (+)', onClick: () => cmd.zoomBy(1.5), id: 'tool-zoom-in' }),
        button({ icon: 'star-full', title: 'Go to the best node (B)', onClick: () => cmd.goBest(), id: 'tool-best' }),
        button({ icon: 'expand-all', title: 'Expand all collapsed nodes', onClick: () => cmd.expandAll(), id: 'tool-expand-all' }),
        button({ icon: 'book', title: 'Reading mode: the selected path as text (M)', onClick: () => cmd.toggleReading(), id: 'tool-reading' }),
      ),
      h('div', { class: 'tool-group' }, this.colorSelect),
      find,
      h('div', { class: 'tool-spacer' }),
      this.runStatus,
    );
  }

  /** Running: progress, strategy, size, tokens and Cancel; finished: size, the last run's status, the answer. */
  updateRunStatus(): void {
    const s = this.store;
    const m = s.model;
    const running = m.runningRuns;
    const parts: Node[] = [];
    if (running.length) {
      const r = running[0];
      parts.push(progressRing('Search running'), h('span', {}, `${r.config.strategy} running · ${fmtInt(m.size)} nodes · ${fmtInt(r.usage.tokensIn + r.usage.tokensOut)} tokens`));
      const cancel = button({ label: 'Cancel', icon: 'debug-stop', title: 'Cancel the running search', onClick: () => this.cmd.cancelRuns(), id: 'cancel-run' });
      if (s.readOnly) cancel.disabled = true;
      parts.push(cancel);
    } else if (s.loaded) {
      const last = m.runs[m.runs.length - 1];
      parts.push(h('span', { class: 'muted' }, `${fmtInt(m.size)} nodes`));
      if (last) {
        // A failed run is loud: its badge in the error colours, its reason (and run) in the title.
        const b = badge(last.status, last.status === 'failed' ? `Run ${last.id} failed: ${last.reason ?? 'no reason recorded'}` : last.reason);
        b.id = 'run-status-badge';
        b.classList.toggle('run-failed', last.status === 'failed');
        parts.push(b);
      }
      if (m.result?.verified) {
        // The last run's badge can say "budget" while an earlier run's verified answer stands: name that run.
        const finder = s.resultRun;
        const by = finder && finder.id !== last?.id ? ` · found by ${finder.id}` : '';
        parts.push(h('span', { class: 'chip ok', title: finder ? `Found by run ${finder.id} (${finder.config.strategy})` : 'Verified answer' }, icon('pass-filled'), ` ${m.result.finalAnswer ?? 'solved'}${by}`));
      }
    }
    this.runStatus.replaceChildren(...parts);
  }
}
