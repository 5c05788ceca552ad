/**
 * The one owner of the panel's state: what the host sent (trace model, read-only, config, strategy catalog) and
 * what the user chose (selection, collapsed nodes, scrubber position). Other modules read it; PanelApp writes it.
 */
import type { Run, StrategyCatalog } from '../src/protocol/fromCore';
import type { ColorBy } from '../src/protocol/hostMessages';
import type { RerunDefaults } from './rerunFormModel';
import { TraceModel } from './traceModel';

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
  detailWidth: number | undefined;

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
