/**
 * The one owner of the panel's state: what the host sent (trace model, read-only, config, strategy catalog) and
 * what the user chose (selection, collapsed nodes, scrubber position). Other modules read it; PanelApp writes it.
 */
import type { StrategyCatalog } from '../src/protocol/fromCore';
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

  /** Whether node `i` exists at the scrubber's iteration. */
  readonly shown = (i: number): boolean => this.iteration === null || this.model.nodes[i].iteration <= this.iteration;
}
