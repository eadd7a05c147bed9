/**
 * The ids of the k best finite values (ties by vertex id): the job summary's top list, the
 * items `recommend` proposes, the words of each LDA topic, the server's `?top=K`. For the usual
 * small k, one pass keeping a sorted buffer of k: sorting every vertex for a top 10 took ≈ 2 s
 * on a graph of 2.4 M vertices. A larger k keeps a binary heap of k whose root is the worst kept
 * (O(n log k), k ids in memory): sorting every vertex for k > 64 cost the server 37 ms per
 * `?top=100` on 131 k vertices. Callers leave out vertices by giving them NaN.
 */
export function topIds(values: Float64Array, k: number, order: 'asc' | 'desc'): number[] {
  if (k <= 0) return [];
  const better = (a: number, b: number): boolean => {
    const d = order === 'desc' ? values[a]! - values[b]! : values[b]! - values[a]!;
    return d > 0 || (d === 0 && a < b);
  };
  if (k > 64) return topByHeap(values, k, better);
  const top: number[] = [];
  for (let id = 0; id < values.length; id++) {
    if (!Number.isFinite(values[id]!)) continue;
    if (top.length === k && !better(id, top[k - 1]!)) continue;
    let at = top.length === k ? k - 1 : top.length;
    while (at > 0 && better(id, top[at - 1]!)) {
      top[at] = top[at - 1]!;
      at--;
    }
    top[at] = id;
  }
  return top;
}

/** A heap of at most k ids, the worst at the root; emptied worst first, so the list is filled from its end. */
function topByHeap(values: Float64Array, k: number, better: (a: number, b: number) => boolean): number[] {
  const heap = new Int32Array(Math.min(k, values.length));
  let size = 0;
  const siftDown = (from: number): void => {
    let at = from;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= size) return;
      const right = left + 1;
      const worse = right < size && better(heap[left]!, heap[right]!) ? right : left;
      if (!better(heap[at]!, heap[worse]!)) return;
      [heap[at], heap[worse]] = [heap[worse]!, heap[at]!];
      at = worse;
    }
  };
  for (let id = 0; id < values.length; id++) {
    if (!Number.isFinite(values[id]!)) continue;
    if (size < heap.length) {
      let at = size++;
      heap[at] = id;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!better(heap[parent]!, heap[at]!)) break;
        [heap[at], heap[parent]] = [heap[parent]!, heap[at]!];
        at = parent;
      }
    } else if (better(id, heap[0]!)) {
      heap[0] = id;
      siftDown(0);
    }
  }
  const top = new Array<number>(size);
  for (let end = size - 1; end >= 0; end--) {
    top[end] = heap[0]!;
    heap[0] = heap[--size]!;
    siftDown(0);
  }
  return top;
}
