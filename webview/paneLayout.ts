/** Applies paneSizes.ts to the page: the main area's grid and the splitter between the tree and the detail pane. */
import { h } from './dom';
import { MIN_DETAIL_PX, MIN_TREE_PX, SPLITTER_PX, SPLITTER_STEP_PX, clampDetailSize, detailSizeFor, orientationFor } from './paneSizes';
import type { PaneOrientation, PaneSizes } from './paneSizes';

/**
 * The main area's grid (tree, splitter, detail pane): sets `stacked` on it and `--detail-size`, follows its size,
 * and owns the splitter (drag, arrow keys; aria values in px). `changed` runs when a person resized the pane.
 */
export class PaneLayout {
  readonly splitter: HTMLElement;
  private main: HTMLElement | null = null;
  private orientation: PaneOrientation = 'beside';
  private total = 0;
  private applied = 0;
  private readonly saved: PaneSizes;

  constructor(saved: PaneSizes | undefined, private readonly changed: () => void) {
    this.saved = { ...(saved?.detailWidth ? { detailWidth: saved.detailWidth } : {}), ...(saved?.detailHeight ? { detailHeight: saved.detailHeight } : {}) };
    this.splitter = h('div', { class: 'splitter', id: 'splitter', role: 'separator', attrs: { tabindex: '0', 'aria-label': 'Resize details' } });
    this.bindSplitter();
  }

  /** Starts following `main` (the grid holding the tree column, the splitter and the pane). */
  attach(main: HTMLElement): void {
    this.main = main;
    new ResizeObserver(() => this.update()).observe(main);
  }

  get current(): { orientation: PaneOrientation; detailSize: number } {
    return { orientation: this.orientation, detailSize: this.applied };
  }

  /** What the panel state keeps (only sizes a person chose). */
  sizes(): PaneSizes {
    return { ...this.saved };
  }

  /** Re-reads the main area's size and applies orientation and pane size. */
  update(): void {
    const main = this.main;
    if (!main) return;
    const r = main.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return;
    this.orientation = orientationFor(r.width);
    this.total = this.orientation === 'beside' ? r.width : r.height;
    this.apply(detailSizeFor(this.orientation, this.total, this.saved));
  }

  private apply(size: number): void {
    const main = this.main;
    if (!main) return;
    this.applied = size;
    const stacked = this.orientation === 'stacked';
    main.classList.toggle('stacked', stacked);
    main.style.setProperty('--detail-size', `${size}px`);
    // A separator between stacked regions is horizontal (WAI-ARIA); its value is the pane's size in px.
    const s = this.splitter;
    s.setAttribute('aria-orientation', stacked ? 'horizontal' : 'vertical');
    s.setAttribute('aria-valuemin', String(Math.min(MIN_DETAIL_PX, size)));
    s.setAttribute('aria-valuemax', String(Math.max(size, Math.round(this.total - SPLITTER_PX - MIN_TREE_PX))));
    s.setAttribute('aria-valuenow', String(size));
    s.title = stacked ? 'Drag or use Up / Down to resize the details' : 'Drag or use Left / Right to resize the details';
  }

  /** A size a person chose: clamped, applied and remembered for this orientation. */
  private resizeTo(size: number): void {
    if (!this.main || this.total === 0) return;
    const v = clampDetailSize(size, this.total);
    if (this.orientation === 'beside') this.saved.detailWidth = v;
    else this.saved.detailHeight = v;
    this.apply(v);
    this.changed();
  }

  private bindSplitter(): void {
    const s = this.splitter;
    let start: { pos: number; size: number; id: number } | null = null;
    const pos = (ev: PointerEvent) => (this.orientation === 'beside' ? ev.clientX : ev.clientY);
    s.addEventListener('pointerdown', (ev) => {
      if (ev.button !== 0) return;
      start = { pos: pos(ev), size: this.applied, id: ev.pointerId };
      s.setPointerCapture(ev.pointerId);
      s.classList.add('dragging');
      ev.preventDefault();
    });
    s.addEventListener('pointermove', (ev) => {
      // The pane is right of / below the splitter: moving the splitter towards it shrinks it.
      if (start && ev.pointerId === start.id) this.resizeTo(start.size - (pos(ev) - start.pos));
    });
    const end = (ev: PointerEvent) => {
      if (!start || ev.pointerId !== start.id) return;
      start = null;
      s.classList.remove('dragging');
    };
    s.addEventListener('pointerup', end);
    s.addEventListener('pointercancel', end);
    s.addEventListener('keydown', (ev) => {
      const grow = this.orientation === 'beside' ? 'ArrowLeft' : 'ArrowUp';
      const shrink = this.orientation === 'beside' ? 'ArrowRight' : 'ArrowDown';
      if (ev.key === grow) this.resizeTo(this.applied + SPLITTER_STEP_PX);
      else if (ev.key === shrink) this.resizeTo(this.applied - SPLITTER_STEP_PX);
      else return;
      ev.preventDefault();
      ev.stopPropagation();
    });
  }
}
