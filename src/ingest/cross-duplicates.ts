/**
 * Repeated edges across partitions. Hashing strategies send every copy of an edge to the same
 * partition, where the sort finds them; the greedy strategies (HDRF, oblivious) may not, so their
 * imports count repeats over all partitions at once: each partition's edges are sorted by
 * (source, target) and local ids follow global-id order, so one P-way merge (a binary heap of
 * partition cursors, O(E log P)) sees every copy of an edge consecutively.
 */
export interface SortedEdges {
  /** Global id of each local vertex, ascending. */
  readonly gids: Uint32Array;
  /** Local endpoints, sorted by (src, dst). */
  readonly src: Uint32Array;
  readonly dst: Uint32Array;
}

/** Number of edges that repeat an earlier (source, target) pair, over all partitions. */
export function countRepeatedEdges(partitions: readonly SortedEdges[]): number {
  const at = new Uint32Array(partitions.length);
  const heap: number[] = [];
  const srcOf = (p: number): number => partitions[p]!.gids[partitions[p]!.src[at[p]!]!]!;
  const dstOf = (p: number): number => partitions[p]!.gids[partitions[p]!.dst[at[p]!]!]!;
  const less = (a: number, b: number): boolean => {
    const sa = srcOf(a);
    const sb = srcOf(b);
    return sa < sb || (sa === sb && dstOf(a) < dstOf(b));
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  partitions.forEach((p, index) => {
    if (p.src.length > 0) heap.push(index);
  });
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  let repeats = 0;
  let lastSrc = -1;
  let lastDst = -1;
  while (heap.length > 0) {
    const p = heap[0]!;
    const s = srcOf(p);
    const d = dstOf(p);
    if (s === lastSrc && d === lastDst) repeats++;
    lastSrc = s;
    lastDst = d;
    if (++at[p]! < partitions[p]!.src.length) down(0);
    else {
      heap[0] = heap[heap.length - 1]!;
      heap.pop();
      if (heap.length > 0) down(0);
    }
  }
  return repeats;
}
