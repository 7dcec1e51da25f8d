// The simulator's virtual clock: a binary min-heap of events ordered by (time, insertion order).
// Equal times keep insertion order, so a run is a pure function of its seed.

interface Entry<T> {
  at: number;
  seq: number;
  event: T;
}

export class EventQueue<T> {
  private heap: Entry<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(at: number, event: T): void {
    const entry = { at, seq: this.seq++, event };
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  /** Time of the earliest event, or undefined when the queue is empty. */
  peekTime(): number | undefined {
    return this.heap[0]?.at;
  }

  /** The earliest event, or undefined when the queue is empty. */
  pop(): { at: number; event: T } | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (!top) return undefined;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const child = r < n && before(heap[r]!, heap[l]!) ? r : l;
        if (!before(heap[child]!, last)) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return { at: top.at, event: top.event };
  }
}

function before<T>(x: Entry<T>, y: Entry<T>): boolean {
  return x.at < y.at || (x.at === y.at && x.seq < y.seq);
}
