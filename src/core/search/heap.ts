/**
 * Binary max-heap keyed by priority; equal priorities pop in push order (FIFO), so best-first search is
 * deterministic. O(log n) push and pop, for frontiers of 100k nodes.
 */
export class MaxHeap<T> {
  private readonly items: { p: number; seq: number; v: T }[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  push(value: T, priority: number): void {
    const items = this.items;
    items.push({ p: priority, seq: this.seq++, v: value });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  peek(): { value: T; priority: number } | undefined {
    const top = this.items[0];
    return top ? { value: top.v, priority: top.p } : undefined;
  }

  pop(): { value: T; priority: number } | undefined {
    const items = this.items;
    const top = items[0];
    if (!top) return undefined;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && this.before(l, best)) best = l;
        if (r < items.length && this.before(r, best)) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best]!, items[i]!];
        i = best;
      }
    }
    return { value: top.v, priority: top.p };
  }

  private before(a: number, b: number): boolean {
    const x = this.items[a]!;
    const y = this.items[b]!;
    return x.p > y.p || (x.p === y.p && x.seq < y.seq);
  }
}
