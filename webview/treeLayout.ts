/**
 * Tidy tree layout (Reingold–Tilford in Buchheim, Jünger & Leipert's linear-time form — the algorithm behind
 * d3-hierarchy's `tree()`), written over typed arrays: d3's object-per-node version took ~380 ms at 100k nodes on this
 * machine, this one a small fraction of that, which is what lets the panel relayout once per animation frame while a
 * search streams nodes in. Depth runs left → right (x), siblings top → bottom (y), so node text reads horizontally.
 */
import type { TraceModel } from './traceModel';

/**
 * World units: distance between depth columns, between sibling rows, and the card drawn for a node. A card holds two
 * lines of text at the zoom a trace opens on (lod.ts: k ≥ 0.75, 11 px text, ~45 characters on a 165 px card); 28 units
 * tall and 196 wide it held one line of ~15 characters there.
 */
export const LEVEL_GAP = 264;
export const ROW_GAP = 54;
export const CARD_W = 220;
export const CARD_H = 44;
/** Extra space between subtrees of different parents, in rows. */
const COUSIN_SEPARATION = 1.3;

export interface TreeLayout {
  /** World coordinates of each model node (left-centre of its card); NaN when hidden by a collapsed ancestor. */
  x: Float64Array;
  y: Float64Array;
  visible: Uint8Array;
  /** Visible node indices per depth, sorted by y: the spatial index for culling and hit-testing. */
  levels: Int32Array[];
  /** y of each entry of `levels`, same order (binary search without indirection). */
  levelY: Float64Array[];
  /** Position of each visible node in its level array. */
  levelPos: Int32Array;
  /** First / last visible child of each node (-1 when none); children are contiguous in the next level. */
  firstKid: Int32Array;
  lastKid: Int32Array;
  /**
   * Per level, the nodes with visible children and the y-span covering them and their children. Spans are sorted
   * in both ends, so edges crossing a viewport band are found by binary search even when neither end is in view.
   */
  parentLevels: Int32Array[];
  spanLo: Float64Array[];
  spanHi: Float64Array[];
  /** For collapsed nodes: number of hidden descendants. */
  hiddenCount: Map<number, number>;
  /** For collapsed nodes: what their summary card says about the hidden descendants. */
  hiddenSummary: Map<number, HiddenSummary>;
  /**
   * Per depth, the collapsed nodes (sorted by y, with their y): each has a summary card one column to its right, at
   * its own y, in a slot the layout reserves so no other card overlaps it.
   */
  summaryLevels: Int32Array[];
  summaryLevelY: Float64Array[];
  visibleCount: number;
  minY: number;
  maxY: number;
  maxDepth: number;
  structureVersion: number;
}

export interface HiddenSummary {
  count: number;
  /** Highest value among the hidden nodes; NaN when none has a value. */
  best: number;
  verified: number;
  failed: number;
}

/** Lays out the visible part of the model: descendants of collapsed nodes are skipped. */
export function layoutTree(model: TraceModel, collapsed: ReadonlySet<number>): TreeLayout {
  const steps = layoutSteps(model, collapsed);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Units of work (nodes visited) between two pauses of `layoutSteps`: ~0.05–0.3 ms here, ~1 ms in VS Code under load (a slice overshoots its budget by at most one of these). */
const SLICE = 1024;

/**
 * The same layout, pausing (yield) every SLICE nodes so a caller can spread it over frames (layoutScheduler.ts): a
 * streamed delta or a fold in a 100k-node tree would otherwise block one frame for the whole layout (30–130 ms here). It lays out the
 * first `model.size` nodes as they were when it started; it stays right while the model only appends nodes (new
 * nodes and their edges to old parents are left out: they have higher indices and are pushed last), and must be
 * dropped when the model's indices are rebuilt (`model.loads` changes) or `collapsed` changes.
 */
export function* layoutSteps(model: TraceModel, collapsed: ReadonlySet<number>): Generator<void, TreeLayout, void> {
  const n = model.size;
  let work = 0;
  // Slot n is a virtual super-root above all roots (forests, orphans); slots after it are the summary cards of
  // collapsed nodes (laid out as their only child, so the tidy layout keeps their row free).
  const SUPER = n;
  const V = n + 1 + collapsed.size;
  let slots = 0;
  const slotOwner: number[] = [];
  // Visible children in CSR form (kidStart/kidEnd per node, filled in traversal order) and a pre-order walk that
  // visits children right-to-left, so its reverse is a left-to-right post-order.
  const kidStart = new Int32Array(V);
  const kidEnd = new Int32Array(V);
  const kids = new Int32Array(Math.max(1, n + collapsed.size));
  const par = new Int32Array(V).fill(-1);
  const number = new Int32Array(V); // 1-based sibling index
  const order = new Int32Array(V);
  const visible = new Uint8Array(n);
  const hiddenCount = new Map<number, number>();
  const hiddenSummary = new Map<number, HiddenSummary>();
  let orderLen = 0;
  {
    let k = 0;
    const stack: number[] = [SUPER];
    while (stack.length) {
      if (++work >= SLICE) {
        work = 0;
        yield;
      }
      const v = stack.pop() as number;
      order[orderLen++] = v;
      const cs = v === SUPER ? model.roots : model.children[v];
      if (v !== SUPER && collapsed.has(v)) {
        kidStart[v] = kidEnd[v] = k;
        if (cs.length && cs[0] < n) {
          const sum = yield* summarize(model, v, n);
          hiddenCount.set(v, sum.count);
          hiddenSummary.set(v, sum);
          const slot = SUPER + 1 + slots++;
          slotOwner.push(v);
          kids[k++] = slot;
          par[slot] = v;
          number[slot] = 1;
          kidEnd[v] = k;
          order[orderLen++] = slot;
        }
        continue;
      }
      kidStart[v] = k;
      for (let j = 0; j < cs.length && cs[j] < n; j++) {
        const c = cs[j];
        kids[k++] = c;
        par[c] = v;
        number[c] = j + 1;
        visible[c] = 1;
        stack.push(c);
      }
      kidEnd[v] = k;
    }
  }

  const prelim = new Float64Array(V);
  const mod = new Float64Array(V);
  const shift = new Float64Array(V);
  const change = new Float64Array(V);
  const thread = new Int32Array(V).fill(-1);
  const ancestor = new Int32Array(V);
  const defAncestor = new Int32Array(V).fill(-1);
  for (let v = 0; v < V; v++) ancestor[v] = v;

  const first = (v: number) => (kidStart[v] < kidEnd[v] ? kids[kidStart[v]] : -1);
  const last = (v: number) => (kidStart[v] < kidEnd[v] ? kids[kidEnd[v] - 1] : -1);
  const leftSibling = (v: number) => (number[v] > 1 ? kids[kidStart[par[v]] + number[v] - 2] : -1);
  const nextLeft = (v: number) => (kidStart[v] < kidEnd[v] ? kids[kidStart[v]] : thread[v]);
  const nextRight = (v: number) => (kidStart[v] < kidEnd[v] ? kids[kidEnd[v] - 1] : thread[v]);
  const sep = (a: number, b: number) => (par[a] === par[b] ? 1 : COUSIN_SEPARATION);

  const moveSubtree = (wm: number, wp: number, s: number) => {
    const subtrees = number[wp] - number[wm];
    change[wp] -= s / subtrees;
    shift[wp] += s;
    change[wm] += s / subtrees;
    prelim[wp] += s;
    mod[wp] += s;
  };

  const apportion = (v: number, defaultAncestor: number): number => {
    const w = leftSibling(v);
    if (w < 0) return defaultAncestor;
    let vip = v;
    let vop = v;
    let vim = w;
    let vom = kids[kidStart[par[v]]];
    let sip = mod[vip];
    let sop = mod[vop];
    let sim = mod[vim];
    let som = mod[vom];
    let nr = nextRight(vim);
    let nl = nextLeft(vip);
    while (nr >= 0 && nl >= 0) {
      vim = nr;
      vip = nl;
      vom = nextLeft(vom);
      vop = nextRight(vop);
      ancestor[vop] = v;
      const s = prelim[vim] + sim - (prelim[vip] + sip) + sep(vim, vip);
      if (s > 0) {
        const a = par[ancestor[vim]] === par[v] ? ancestor[vim] : defaultAncestor;
        moveSubtree(a, v, s);
        sip += s;
        sop += s;
      }
      sim += mod[vim];
      sip += mod[vip];
      som += mod[vom];
      sop += mod[vop];
      nr = nextRight(vim);
      nl = nextLeft(vip);
    }
    if (nr >= 0 && nextRight(vop) < 0) {
      thread[vop] = nr;
      mod[vop] += sim - sop;
    }
    if (nl >= 0 && nextLeft(vom) < 0) {
      thread[vom] = nl;
      mod[vom] += sip - som;
      defaultAncestor = v;
    }
    return defaultAncestor;
  };

  // First walk: left-to-right post-order.
  for (let oi = orderLen - 1; oi >= 0; oi--) {
    if (++work >= SLICE) {
      work = 0;
      yield;
    }
    const v = order[oi];
    const f = first(v);
    const w = v === SUPER ? -1 : leftSibling(v);
    if (f < 0) {
      prelim[v] = w >= 0 ? prelim[w] + sep(w, v) : 0;
    } else {
      // executeShifts
      let s = 0;
      let ch = 0;
      for (let j = kidEnd[v] - 1; j >= kidStart[v]; j--) {
        const c = kids[j];
        prelim[c] += s;
        mod[c] += s;
        ch += change[c];
        s += shift[c] + ch;
      }
      const mid = (prelim[f] + prelim[last(v)]) / 2;
      if (w >= 0) {
        prelim[v] = prelim[w] + sep(w, v);
        mod[v] = prelim[v] - mid;
      } else prelim[v] = mid;
    }
    if (v !== SUPER) {
      const p = par[v];
      if (number[v] === 1) defAncestor[p] = v;
      defAncestor[p] = apportion(v, defAncestor[p]);
    }
  }

  // Second walk: pre-order, accumulating modifiers.
  const x = new Float64Array(n).fill(NaN);
  const y = new Float64Array(n).fill(NaN);
  const msum = new Float64Array(V);
  const levelCount: number[] = [];
  let minY = Infinity;
  let maxY = -Infinity;
  let maxDepth = 0;
  for (let oi = 0; oi < orderLen; oi++) {
    if (++work >= SLICE) {
      work = 0;
      yield;
    }
    const v = order[oi];
    const m = msum[v] + mod[v];
    for (let j = kidStart[v]; j < kidEnd[v]; j++) msum[kids[j]] = m;
    if (v === SUPER) continue;
    if (v > SUPER) {
      // Summary slot: one column right of its owner, at the owner's y (an only child sits level with its parent).
      const d = model.depth[slotOwner[v - SUPER - 1]] + 1;
      if (d > maxDepth) maxDepth = d;
      continue;
    }
    const d = model.depth[v];
    const yy = (prelim[v] + msum[v]) * ROW_GAP;
    x[v] = d * LEVEL_GAP;
    y[v] = yy;
    if (yy < minY) minY = yy;
    if (yy > maxY) maxY = yy;
    if (d > maxDepth) maxDepth = d;
    levelCount[d] = (levelCount[d] ?? 0) + 1;
  }
  // The right-to-left pre-order meets each level's nodes in decreasing y: fill every level from its end.
  const levels: Int32Array[] = [];
  const levelY: Float64Array[] = [];
  const fill: number[] = [];
  for (let d = 0; d <= maxDepth; d++) {
    levels.push(new Int32Array(levelCount[d] ?? 0));
    levelY.push(new Float64Array(levelCount[d] ?? 0));
    fill.push(levelCount[d] ?? 0);
  }
  for (let oi = 0; oi < orderLen; oi++) {
    const v = order[oi];
    if (v >= SUPER) continue;
    const d = model.depth[v];
    const j = --fill[d];
    levels[d][j] = v;
    levelY[d][j] = y[v];
  }
  let visibleCount = 0;
  for (const l of levels) visibleCount += l.length;
  const levelPos = new Int32Array(n).fill(-1);
  const firstKid = new Int32Array(n).fill(-1);
  const lastKid = new Int32Array(n).fill(-1);
  const parentLevels: Int32Array[] = [];
  const spanLo: Float64Array[] = [];
  const spanHi: Float64Array[] = [];
  for (let d = 0; d <= maxDepth; d++) {
    const lv = levels[d];
    let withKids = 0;
    for (let j = 0; j < lv.length; j++) {
      const v = lv[j];
      levelPos[v] = j;
      if (kidEnd[v] > kidStart[v]) {
        firstKid[v] = kids[kidStart[v]];
        lastKid[v] = kids[kidEnd[v] - 1];
        withKids++;
      }
    }
    const pl = new Int32Array(withKids);
    const lo = new Float64Array(withKids);
    const hi = new Float64Array(withKids);
    let k = 0;
    for (let j = 0; j < lv.length; j++) {
      const v = lv[j];
      if (firstKid[v] < 0) continue;
      pl[k] = v;
      lo[k] = Math.min(y[v], y[firstKid[v]]);
      hi[k] = Math.max(y[v], y[lastKid[v]]);
      k++;
    }
    parentLevels.push(pl);
    spanLo.push(lo);
    spanHi.push(hi);
  }
  if (!Number.isFinite(minY)) {
    minY = 0;
    maxY = 0;
  }
  // Collapsed owners per depth, sorted by y (the level arrays are, so a filter keeps the order).
  const summaryLevels: Int32Array[] = [];
  const summaryLevelY: Float64Array[] = [];
  for (let d = 0; d <= maxDepth; d++) {
    const lv = levels[d];
    const owners: number[] = [];
    if (hiddenSummary.size) for (let j = 0; j < lv.length; j++) if (hiddenSummary.has(lv[j])) owners.push(lv[j]);
    summaryLevels.push(Int32Array.from(owners));
    summaryLevelY.push(Float64Array.from(owners, (v) => y[v]));
  }
  return {
    x, y, visible, levels, levelY, levelPos, firstKid, lastKid, parentLevels, spanLo, spanHi, hiddenCount, hiddenSummary,
    summaryLevels, summaryLevelY, visibleCount, minY, maxY, maxDepth, structureVersion: model.structureVersion,
  };
}

/** Counts what a collapsed node hides (of the first n nodes): descendants, their best value, verified and failed ones. */
function* summarize(model: TraceModel, v: number, n: number): Generator<void, HiddenSummary, void> {
  let count = 0;
  let best = NaN;
  let verified = 0;
  let failed = 0;
  const stack = model.children[v].filter((c) => c < n);
  while (stack.length) {
    if ((count & (SLICE - 1)) === SLICE - 1) yield;
    const c = stack.pop() as number;
    const node = model.nodes[c];
    count++;
    if (node.value !== undefined && !(node.value <= best)) best = node.value;
    if (node.verified === true) verified++;
    if (node.status === 'failed') failed++;
    for (const g of model.children[c]) if (g < n) stack.push(g);
  }
  return { count, best, verified, failed };
}

/** First index in a sorted array with value >= v. */
export function lowerBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
