/** The iteration scrubber: a range over the search's iterations, replay (play / pause) and the Live toggle. */
import { h } from './dom';
import { fmtInt } from './format';
import type { PanelStore } from './panelStore';
import type { ReplayIndex } from './replayIndex';
import { button, checkbox } from './toolkit';
import type { CheckboxControl } from './toolkit';

export interface ScrubberHost {
  /** The replay index for the current model (built on demand). */
  replay(): ReplayIndex;
  /** The iteration or live mode changed: redraw and save. */
  changed(): void;
}

export class Scrubber {
  readonly el: HTMLElement;
  private readonly range: HTMLInputElement;
  private readonly label: HTMLElement;
  private readonly liveToggle: CheckboxControl;
  private readonly playButton: HTMLElement;
  private playTimer = 0;

  constructor(
    private readonly store: PanelStore,
    private readonly host: ScrubberHost,
  ) {
    this.range = h('input', { class: 'scrub-range', id: 'scrubber', attrs: { type: 'range', min: '0', max: '0', step: '1', 'aria-label': 'Search iteration' } });
    this.range.addEventListener('input', () => this.scrubTo(Number(this.range.value)));
    this.label = h('span', { class: 'scrub-label', id: 'scrub-label' });
    this.liveToggle = checkbox({ label: 'Live', checked: store.live, id: 'live-toggle', title: 'Follow a running search', onChange: (v) => this.setLive(v) });
    this.playButton = button({ icon: 'play', title: 'Replay the search from the start', onClick: () => this.togglePlay(), id: 'scrub-play' });
    this.el = h('div', { class: 'scrubber', role: 'group', attrs: { 'aria-label': 'Replay' } }, this.playButton, this.range, this.label, this.liveToggle);
  }

  scrubTo(it: number): void {
    this.stopPlay();
    const s = this.store;
    s.iteration = it >= s.model.maxIteration ? null : it;
    if (s.iteration !== null && s.live) {
      s.live = false;
      this.liveToggle.checked = false;
    }
    this.update();
    this.host.changed();
  }

  setLive(v: boolean): void {
    const s = this.store;
    s.live = v;
    if (this.liveToggle.checked !== v) this.liveToggle.checked = v;
    if (v) {
      this.stopPlay();
      s.iteration = null;
    }
    this.update();
    this.host.changed();
  }

  togglePlay(): void {
    if (this.playTimer) {
      this.stopPlay();
      return;
    }
    const s = this.store;
    const max = s.model.maxIteration;
    if (max === 0) return;
    if (s.iteration === null) s.iteration = 0;
    s.live = false;
    this.liveToggle.checked = false;
    this.playButton.querySelector('.codicon')?.classList.replace('codicon-play', 'codicon-debug-pause');
    const stepMs = Math.max(16, Math.min(250, 6000 / max));
    this.playTimer = window.setInterval(() => {
      const next = (s.iteration ?? max) + 1;
      if (next >= max) {
        s.iteration = null;
        this.stopPlay();
      } else s.iteration = next;
      this.update();
      this.host.changed();
    }, stepMs);
  }

  private stopPlay(): void {
    if (!this.playTimer) return;
    clearInterval(this.playTimer);
    this.playTimer = 0;
    this.playButton.querySelector('.codicon')?.classList.replace('codicon-debug-pause', 'codicon-play');
  }

  update(): void {
    const s = this.store;
    const max = s.model.maxIteration;
    this.range.max = String(max);
    this.range.value = String(s.iteration ?? max);
    this.range.disabled = max === 0;
    const it = s.iteration ?? max;
    const count = s.iteration !== null ? (this.host.replay().touched.get(it)?.length ?? 0) : 0;
    this.label.textContent = `Iteration ${fmtInt(it)} / ${fmtInt(max)}${s.iteration === null ? '' : ` · ${fmtInt(count)} nodes touched`}`;
    this.range.setAttribute('aria-valuetext', this.label.textContent);
  }
}
