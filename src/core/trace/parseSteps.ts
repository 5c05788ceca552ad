/**
 * parseTrace in steps, for a host that must keep its event loop turning while it reads a big trace: the extension
 * host, where VS Code cannot start a webview's page while the host is blocked (a 100k-node file's synchronous parse
 * held the panel's document back ~3 s; docs/panel.md). Same trace and same errors as parseTrace.
 */
import { checkHead, checkSchema, checkTree, parseJson } from './io';
import { scanNesting, type NestingScan } from './jsonError';
import { TraceSchema, type Trace } from './schema';

/** Characters of nesting scan between two pauses (~30 ms here). */
const NESTING_SLICE = 8 * 1024 * 1024;
/** Nodes (or events) checked by the schema between two pauses (~50 ms here); smaller traces are checked in one go. */
export const SCHEMA_SLICE = 5000;

const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Steps, each followed by `pause`: the nesting scan in slices, JSON.parse (one step: V8 cannot split it), the
 * schema (the trace's fields, then its nodes and events in slices of SCHEMA_SLICE, each by the trace schema's own
 * element schema), the tree invariants. `pause` is injectable for tests.
 */
export async function parseTraceAsync(text: string, file?: string, pause: () => Promise<void> = nextTurn): Promise<Trace> {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const scan: NestingScan = { pos: 0, depth: 0 };
  let deep = -1;
  while (deep < 0 && scan.pos < text.length) {
    deep = scanNesting(text, scan, scan.pos + NESTING_SLICE);
    await pause();
  }
  const raw = parseJson(text, deep, file);
  await pause();
  const data = await checkSchemaInSlices(checkHead(raw, file), file, pause);
  await pause();
  return checkTree(data, file);
}

const RestSchema = TraceSchema.omit({ nodes: true, events: true });
const NodeElement = TraceSchema.shape.nodes.element;
const EventElement = TraceSchema.shape.events.element;

async function checkSchemaInSlices(current: unknown, file: string | undefined, pause: () => Promise<void>): Promise<Trace> {
  const t = current as { nodes?: unknown; events?: unknown };
  const { nodes, events } = t;
  // Small, or not even arrays: the one-step check (its messages for a wrong shape are the ones to give).
  if (!Array.isArray(nodes) || !Array.isArray(events) || nodes.length === 0 || nodes.length + events.length <= 2 * SCHEMA_SLICE) {
    return checkSchema(current, file);
  }
  const rest = RestSchema.safeParse(current);
  const slices = async (items: unknown[], element: typeof NodeElement | typeof EventElement) => {
    const out: unknown[] = new Array(items.length);
    for (let from = 0; from < items.length; from += SCHEMA_SLICE) {
      for (let i = from; i < Math.min(items.length, from + SCHEMA_SLICE); i++) {
        const r = element.safeParse(items[i]);
        if (!r.success) return undefined;
        out[i] = r.data;
      }
      await pause();
    }
    return out;
  };
  const nodesOut = rest.success ? await slices(nodes, NodeElement) : undefined;
  const eventsOut = nodesOut ? await slices(events, EventElement) : undefined;
  // Anything wrong: the one-step check reports it, every issue in the schema's order, exactly as parseTrace does.
  if (!rest.success || !nodesOut || !eventsOut) return checkSchema(current, file);
  // The trace's keys in the schema's order, as TraceSchema's own output has them.
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(TraceSchema.shape)) {
    if (key === 'nodes') out.nodes = nodesOut;
    else if (key === 'events') out.events = eventsOut;
    else if (key in rest.data) out[key] = (rest.data as Record<string, unknown>)[key];
  }
  return out as Trace;
}
