/** Keyboard, pointer and wheel input, turned into panel commands (the splitter is paneLayout.ts's). No state of its own beyond a drag. */
import { wheelAction } from './camera';
import { hitTest } from './hitTest';
import type { NavKey } from './navigation';
import type { PanelStore } from './panelStore';
import { TreeRenderer } from './treeRenderer';
import type { TreeView } from './treeView';

/** What input can ask the panel to do (implemented by PanelApp). */
export interface PanelCommands {
  move(key: NavKey): void;
  select(i: number, reveal?: boolean): void;
  openDetails(i: number): void;
  toggleCollapse(i: number): void;
  zoomBy(f: number): void;
  fit(): void;
  zoomToNode(i: number): void;
  goBest(): void;
  startEdit(i: number): void;
  startRerun(i: number): void;
  /** Prune where it means something; elsewhere say why (the same rules as the detail pane's button). */
  prune(i: number): void;
  unprune(i: number): void;
  toggleMark(i: number, label: 'correct' | 'incorrect'): void;
  focusFind(): void;
  stepMatch(dir: number): void;
}

const NAV_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End']);

/** Zoom steps of the + / − keys. */
export const KEY_ZOOM = 1.5;

/**
 * Tree keys (see the tree's help text), plus Ctrl+F and Escape from the detail pane anywhere on the page. Keys other
 * modules bind on the tree (reading mode, diff) are left alone: only the keys below are handled and stopped here.
 */
export function bindKeyboard(view: TreeView, store: PanelStore, cmd: PanelCommands, detail: { el: HTMLElement; editing: boolean }): void {
  const tree = view.el;
  tree.addEventListener('keydown', (ev) => {
    const i = store.focused;
    const k = ev.key;
    let handled = true;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) handled = false;
    else if (NAV_KEYS.has(k)) cmd.move(k as NavKey);
    else if (k === 'Enter') {
      if (i >= 0) cmd.openDetails(i);
    } else if (k === ' ') cmd.toggleCollapse(i);
    else if (k === '+' || k === '=') cmd.zoomBy(KEY_ZOOM);
    else if (k === '-' || k === '_') cmd.zoomBy(1 / KEY_ZOOM);
    else if (k === '0') cmd.fit();
    else if (k === '.') {
      if (i >= 0) cmd.zoomToNode(i);
    } else if (k === 'b' || k === 'B') cmd.goBest();
    else if (k === 'e' || k === 'E') cmd.startEdit(i);
    else if (k === 'r' || k === 'R') cmd.startRerun(i);
    else if (k === 'Delete') cmd.prune(i);
    else if (k === 'u' || k === 'U') cmd.unprune(i);
    else if (k === 'c' || k === 'C') cmd.toggleMark(i, 'correct');
    else if (k === 'x' || k === 'X') cmd.toggleMark(i, 'incorrect');
    else if (k === '/') cmd.focusFind();
    else if (k === 'n' || k === 'F3') cmd.stepMatch(ev.shiftKey ? -1 : 1);
    else if (k === 'N') cmd.stepMatch(-1);
    else if (k === 'Escape') {
      if (store.selected >= 0) cmd.select(-1);
    } else handled = false;
    if (handled) {
      ev.preventDefault();
      ev.stopPropagation();
    }
  });
  tree.addEventListener('blur', () => {
    view.hasFocus = false;
    view.invalidate();
  });
  tree.addEventListener('focus', () => {
    view.hasFocus = true;
    if (store.focused < 0 && store.model.size) store.focused = 0;
    view.updateActiveItem();
    view.invalidate();
  });
  document.addEventListener('keydown', (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === 'f') {
      ev.preventDefault();
      cmd.focusFind();
    } else if (ev.key === 'Escape' && detail.el.contains(document.activeElement) && !detail.editing) tree.focus();
  });
}

/** Click selects, Alt+click or the hidden-count badge collapses, drag pans, double-click zooms, wheel zooms at the cursor. */
export function bindPointer(view: TreeView, store: PanelStore, cmd: PanelCommands): void {
  const c = view.el;
  const cam = view.camera;
  let drag: { x: number; y: number; moved: boolean; id: number } | null = null;
  const local = (ev: MouseEvent) => {
    const r = view.canvas.getBoundingClientRect();
    return { x: ev.clientX - r.left, y: ev.clientY - r.top };
  };
  const hit = (ev: MouseEvent) => {
    if (!view.layout) return -1;
    const p = local(ev);
    return hitTest(view.layout, cam, p.x, p.y, store.shown);
  };
  c.addEventListener('pointerdown', (ev) => {
    if (ev.button !== 0 || ev.target !== view.canvas) return;
    c.focus({ preventScroll: true });
    drag = { x: ev.clientX, y: ev.clientY, moved: false, id: ev.pointerId };
    c.setPointerCapture(ev.pointerId);
  });
  c.addEventListener('pointermove', (ev) => {
    if (drag && ev.pointerId === drag.id) {
      const dx = ev.clientX - drag.x;
      const dy = ev.clientY - drag.y;
      if (drag.moved || Math.abs(dx) + Math.abs(dy) > 3) {
        drag.moved = true;
        drag.x = ev.clientX;
        drag.y = ev.clientY;
        cam.panBy(dx, dy);
        view.userMovedCamera = true;
        c.classList.add('panning');
        view.hideTooltip();
        view.invalidate();
      }
      return;
    }
    const i = hit(ev);
    if (i !== view.hovered) {
      view.hovered = i;
      view.invalidate();
    }
    if (i >= 0 && TreeRenderer.lodFor(cam.k) !== 'text') view.showTooltip(i, local(ev));
    else view.hideTooltip();
  });
  c.addEventListener('pointerup', (ev) => {
    if (!drag || ev.pointerId !== drag.id) return;
    const wasDrag = drag.moved;
    drag = null;
    c.classList.remove('panning');
    if (wasDrag) return;
    const i = hit(ev);
    if (i >= 0 && (ev.altKey || view.onCollapseBadge(i, local(ev)))) cmd.toggleCollapse(i);
    else if (i >= 0) cmd.select(i, false);
    else if (store.selected >= 0) cmd.select(-1);
  });
  c.addEventListener('pointerleave', () => {
    view.hovered = -1;
    view.hideTooltip();
    view.invalidate();
  });
  c.addEventListener('dblclick', (ev) => {
    const i = hit(ev);
    if (i >= 0) cmd.zoomToNode(i);
  });
  c.addEventListener(
    'wheel',
    (ev) => {
      ev.preventDefault();
      const p = local(ev);
      // The convention and its reasons are with wheelAction (camera.ts).
      const a = wheelAction(ev, cam.height);
      if (a.kind === 'none') return;
      if (a.kind === 'zoom') cam.zoomAt(a.factor, p.x, p.y);
      else cam.panBy(a.dx, a.dy);
      view.userMovedCamera = true;
      view.hideTooltip();
      view.invalidate();
    },
    { passive: false },
  );
}
