/**
 * parseTrace in steps, for a host that must keep its event loop turning while it reads a big trace: the extension
 * host, where VS Code cannot start a webview's page while the host is blocked (a 100k-node file's synchronous parse
 * held the panel's document back ~3 s; docs/panel.md). Same trace and same errors as parseTrace.
 */
import { checkHead, checkSchema, checkTree, parseJson } from './io';
import { scanNesting, type NestingScan, type TopArray } from './jsonError';
import { TraceSchema, type Trace } from './schema';

/** Characters of nesting scan between two pauses (~30 ms here). */
const NESTING_SLICE = 8 * 1024 * 1024;
/** Nodes (or events) checked by the schema between two pauses (~50 ms here); smaller traces are checked in one go. */
export const SCHEMA_SLICE = 5000;
/**
 * Elements of a top-level array (nodes, events) given to one JSON.parse (~50 ms here). A 116 MB trace in one
 * JSON.parse held the host ~1 s, and a webview start that fell inside it waited (docs/panel.md).
 */
export const PARSE_SLICE = 5000;

const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Steps, each followed by `pause`: the nesting scan in slices (which also finds the big top-level arrays), JSON.parse
 * (the rest of the trace, then each big array in slices of `parseSlice` elements; anything unusual, in one go), the
 * schema (the trace's fields, then its nodes and events in slices of SCHEMA_SLICE, each by the trace schema's own
 * element schema), the tree invariants. `pause` and `parseSlice` are injectable for tests.
 */
export async function parseTraceAsync(text: string, file?: string, pause: () => Promise<void> = nextTurn, parseSlice = PARSE_SLICE): Promise<Trace> {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const scan: NestingScan = { pos: 0, depth: 0, arrays: { min: 2 * parseSlice, found: [], current: null } };
  let deep = -1;
  while (deep < 0 && scan.pos < text.length) {
    deep = scanNesting(text, scan, scan.pos + NESTING_SLICE);
    await pause();
  }
  const found = scan.arrays!.found;
  const raw = (deep < 0 && found.length ? await parseInSlices(text, found, parseSlice, pause) : undefined) ?? parseJson(text, deep, file);
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

/**
 * JSON.parse of `text` with its big top-level arrays parsed in slices, or undefined when that cannot give exactly
 * JSON.parse's value (then the caller parses it whole, which also words any error). The rest is parsed with each
 * array replaced by a marker string no file can hold (random per call); each marker must come back as exactly one
 * top-level value, and each slice must hold as many elements as the commas the scan counted (so `[1,2,]` is refused).
 */
async function parseInSlices(text: string, arrays: TopArray[], slice: number, pause: () => Promise<void>): Promise<unknown> {
  const mark = `\u0000metacot:${Math.random()}:`;
  let rest = '';
  let from = 0;
  arrays.forEach((a, k) => {
    rest += text.slice(from, a.open) + JSON.stringify(mark + k);
    from = a.close + 1;
  });
  rest += text.slice(from);
  let head: unknown;
  try {
    head = JSON.parse(rest);
  } catch {
    return undefined;
  }
  if (head === null || typeof head !== 'object' || Array.isArray(head)) return undefined;
  const obj = head as Record<string, unknown>;
  const keys: string[] = [];
  for (let k = 0; k < arrays.length; k++) {
    const at = Object.keys(obj).filter((key) => obj[key] === mark + k);
    if (at.length !== 1) return undefined;
    keys.push(at[0]!);
  }
  await pause();
  for (let k = 0; k < arrays.length; k++) {
    const a = arrays[k]!;
    // Element j lies between bounds[j] and bounds[j + 1].
    const bounds = [a.open, ...a.commas, a.close];
    const items: unknown[] = [];
    for (let j = 0; j < bounds.length - 1; j += slice) {
      const end = Math.min(bounds.length - 1, j + slice);
      let part: unknown;
      try {
        part = JSON.parse(`[${text.slice(bounds[j]! + 1, bounds[end])}]`);
      } catch {
        return undefined;
      }
      if (!Array.isArray(part) || part.length !== end - j) return undefined;
      for (const x of part) items.push(x);
      await pause();
    }
    // defineProperty: a key named __proto__ is an own property in JSON.parse's value, and must stay one.
    Object.defineProperty(obj, keys[k]!, { value: items, writable: true, enumerable: true, configurable: true });
  }
  return obj;
}
