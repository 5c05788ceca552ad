/** Reusable draw batches and edge geometry for the tree renderer (no per-frame allocation). */
/** Beyond this many off-screen children on one side of a parent, edges are sampled (they overlap anyway). */
const OFFSCREEN_EDGE_SAMPLE = 48;

/** A growable list of numbers reused across frames (no per-frame allocation). */
export class NumList {
  a = new Float64Array(1024);
  n = 0;
  push4(x: number, y: number, z: number, w: number): void {
    if (this.n + 4 > this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
    this.a[this.n++] = y;
    this.a[this.n++] = z;
    this.a[this.n++] = w;
  }
}

export function edgePath(ctx: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number, curved: boolean): void {
  ctx.moveTo(x0, y0);
  if (curved) {
    const mx = (x0 + x1) / 2;
    ctx.bezierCurveTo(mx, y0, mx, y1, x1, y1);
  } else ctx.lineTo(x1, y1);
}

/** Calls f on [a, b]; when the range is long, on an evenly spaced sample of it including both ends. */
export function sampleRange(a: number, b: number, f: (j: number) => void): void {
  const len = b - a + 1;
  if (len <= 0) return;
  if (len <= OFFSCREEN_EDGE_SAMPLE) {
    for (let j = a; j <= b; j++) f(j);
    return;
  }
  const step = (len - 1) / (OFFSCREEN_EDGE_SAMPLE - 1);
  for (let q = 0; q < OFFSCREEN_EDGE_SAMPLE; q++) f(a + Math.round(q * step));
}
