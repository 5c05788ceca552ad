/**
 * The one owner of the panel's state: what the host sent (trace model, read-only, config, strategy catalog) and
 * what the user chose (selection, collapsed nodes, scrubber position). Other modules read it; PanelApp writes it.
 */
import type { Run, StrategyCatalog } from '../src/protocol/fromCore';
import type { ColorBy } from '../src/protocol/hostMessages';
import type { RerunDefaults } from './rerunFormModel';
import { TraceModel } from './traceModel';

/** Values of PanelStore.diffMarks. */
export const DIFF_MARK = { same: 0, added: 1, removed: 2, changed: 3 } as const;

export class PanelStore {
  model = new TraceModel();
  /** A trace has arrived (the empty model before it is not a trace). */
  loaded = false;
  selected = -1;
  /** Keyboard focus in the tree (the proxy item describes it); follows selection. */
  focused = -1;
  collapsed = new Set<number>();
  /** Scrubber position; null = the latest iteration. */
  iteration: number | null = null;
  /** Follow a running search. */
  live = true;
  readOnly = false;
  readOnlyReason = '';
  colorBy: ColorBy = 'value';
  /** Characters of node text drawn on cards (0: as many as fit). */
  labelChars = 0;
  /** The host's strategy catalog; null until the first config that carries it. */
  catalog: StrategyCatalog | null = null;
  rerunDefaults: RerunDefaults = {};
  /**
   * Per-node fading, indexed like model.nodes (1 = draw faded: a subtree superseded by a later re-run, or a node
   * outside the run the run list filters to). Null: nothing faded. Written by the run list; drawn by the renderer.
   */
  faded: Uint8Array | null = null;
  /** The run the run list filters the tree to (its nodes and their ancestors stay bright); null = every run. */
  runFilter: string | null = null;
  /**
   * Tree diff marks, indexed like model.nodes: 0 unchanged, 1 added, 2 removed, 3 changed (DIFF_MARK). Null: no diff
   * shown. Written by the diff view; drawn by the renderer (outline colour) and listed in the legend.
   */
  diffMarks: Uint8Array | null = null;
  /** What the diff compares, for the legend and the message bar ("run-2 vs run-1"); empty when no diff is shown. */
  diffLabel = '';

  idOf(i: number): string | null {
    return i >= 0 && i < this.model.size ? this.model.nodes[i].id : null;
  }

  get selectedId(): string | null {
    return this.idOf(this.selected);
  }

  /**
   * The run that found the trace's result: `result.runId`, else the run that created the best node (traces written
   * before runs kept their results); null for an imported answer or no answer. Same rule as core's resultRunId.
   */
  get resultRun(): Run | null {
    const r = this.model.result;
    if (r?.bestNodeId === undefined) return null;
    const i = this.model.index.get(r.bestNodeId);
    const id = r.runId ?? (i === undefined ? undefined : this.model.nodes[i].runId);
    return id === undefined ? null : (this.model.runs.find((x) => x.id === id) ?? null);
  }

  /** Whether node `i` exists at the scrubber's iteration. */
  readonly shown = (i: number): boolean => this.iteration === null || this.model.nodes[i].iteration <= this.iteration;
}
