/**
 * When the tree is laid out, and whether at once or in slices across frames (treeLayout.ts, layoutSteps). A layout of
 * 100k nodes is ~30 ms here and 60–130 ms inside VS Code; done at once it held the page that long. So:
 * - streamed deltas into a tree whose last layout cost over `slicedAboveMs` (6) lay out in slices of `sliceMs` (8) a
 *   frame (their nodes show when it ends; deltas that come meanwhile start the next one);
 * - a fold or unfold (`request(true)`) in a tree whose layout cost over `actionSlicedAboveMs` (20) lays out in slices
 *   of `actionSliceMs` (24) (bigger: it is awaited), showing 2–5 frames later while the page answers every frame;
 * - any other action, a small tree, or the first layout: at once.
 * A sliced layout covers the model as it was when it started; it is dropped when the model's indices are rebuilt
 * (`model.loads`), the model is replaced, or another action asks for a layout.
 */
import { layoutSteps, layoutTree } from './treeLayout';
import type { TreeLayout } from './treeLayout';
import type { TraceModel } from './traceModel';

/** The thresholds and budgets above, in ms (tests pass budgets of 0: one pause-to-pause step per frame). */
export interface SliceBudgets {
  slicedAboveMs: number;
  sliceMs: number;
  actionSlicedAboveMs: number;
  actionSliceMs: number;
}

export const SLICE_BUDGETS: SliceBudgets = { slicedAboveMs: 6, sliceMs: 8, actionSlicedAboveMs: 20, actionSliceMs: 24 };

interface Slicing {
  steps: Generator<void, TreeLayout, void>;
  model: TraceModel;
  loads: number;
  spent: number;
  frames: number;
  budget: number;
}

export class LayoutScheduler {
  /** Main-thread ms of the last completed layout (all its slices). */
  layoutMs = 0;
  /** Frames the last completed layout took (1: at once). */
  layoutFrames = 0;
  private needed = false;
  private streamed = false;
  private sliceAction = false;
  private slicing: Slicing | null = null;

  constructor(private budgets: SliceBudgets = SLICE_BUDGETS) {}

  /** Tests (through the page's probe) make slicing certain and slow: thresholds and budgets of 0. */
  setBudgets(b: SliceBudgets): void {
    this.budgets = b;
  }

  /** Streamed deltas changed the tree's shape. */
  deltasChangedShape(): void {
    if (this.needed) return;
    this.needed = true;
    this.streamed = true;
  }

  /** An action changed what is laid out; `sliced`: a fold or unfold, which may run in slices when the tree is big. */
  request(sliced = false): void {
    this.needed = true;
    this.streamed = false;
    this.sliceAction = sliced;
  }

  /** Whether a fold's layout (`request(true)`) will run in slices, given whether a layout is drawn now. */
  actionWouldSlice(drawn: boolean): boolean {
    return drawn && this.layoutMs > this.budgets.actionSlicedAboveMs;
  }

  get inSlices(): boolean {
    return this.slicing !== null;
  }

  /** A relayout is asked for or running. */
  get pending(): boolean {
    return this.needed || this.slicing !== null;
  }

  /** A new model: nothing of the old one is laid out any more. */
  reset(): void {
    this.slicing = null;
  }

  /**
   * This frame's layout work. `layout`: a finished layout to draw from now on (null: keep the one drawn); `again`:
   * more work is left, ask for another frame. `drawn`: a layout is drawn now (else one is made at once).
   */
  run(model: TraceModel, collapsed: ReadonlySet<number>, drawn: boolean): { layout: TreeLayout | null; again: boolean } {
    const action = this.needed && !this.streamed;
    const bigAction = action && this.sliceAction && this.actionWouldSlice(drawn);
    if (action) this.slicing = null;
    if (this.slicing && (this.slicing.model !== model || this.slicing.loads !== model.loads)) this.slicing = null;
    const bigStream = this.needed && this.streamed && drawn && this.layoutMs > this.budgets.slicedAboveMs;
    if (!this.slicing && (bigAction || bigStream)) {
      // The collapsed set is copied: it may change before the last slice (that change asks for a new layout).
      this.slicing = { steps: layoutSteps(model, new Set(collapsed)), model, loads: model.loads, spent: 0, frames: 0, budget: bigAction ? this.budgets.actionSliceMs : this.budgets.sliceMs };
      this.clear();
    }
    if (this.slicing) {
      const sl = this.slicing;
      const t0 = performance.now();
      let r = sl.steps.next();
      while (!r.done && performance.now() - t0 < sl.budget) r = sl.steps.next();
      sl.spent += performance.now() - t0;
      sl.frames++;
      if (!r.done) return { layout: null, again: true };
      this.slicing = null;
      return { layout: this.done(r.value, sl.spent, sl.frames), again: this.needed };
    }
    if (!this.needed && drawn) return { layout: null, again: false };
    const t0 = performance.now();
    const layout = layoutTree(model, collapsed);
    this.clear();
    return { layout: this.done(layout, performance.now() - t0, 1), again: false };
  }

  private clear(): void {
    this.needed = false;
    this.streamed = false;
    this.sliceAction = false;
  }

  private done(layout: TreeLayout, ms: number, frames: number): TreeLayout {
    this.layoutMs = ms;
    this.layoutFrames = frames;
    return layout;
  }
}
