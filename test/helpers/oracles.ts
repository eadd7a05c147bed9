/**
 * Plain sequential reference implementations the engine's results are compared with. Each one
 * is written the textbook way (union-find, BFS, Dijkstra with a binary heap, label propagation
 * with explicit label sets) so that it shares nothing with the vertex programs but the definition.
 * Vertices are 0..n−1; edges are `[source, target]` pairs.
 */

type Edges = readonly (readonly [number, number])[];

/** Adjacency lists: `next[v]` are the vertices v's edges lead to (both ways when undirected), with the edge index. */
function adjacency(n: number, edges: Edges, directed: boolean): { to: number; edge: number }[][] {
  const next: { to: number; edge: number }[][] = Array.from({ length: n }, () => []);
  edges.forEach(([s, t], edge) => {
    next[s]!.push({ to: t, edge });
    if (!directed) next[t]!.push({ to: s, edge });
  });
  return next;
}

/** Weakly connected components by union-find: each vertex → the smallest vertex of its component. */
export function componentsOracle(n: number, edges: Edges): Float64Array {
  const parent = Int32Array.from({ length: n }, (_, v) => v);
  const find = (v: number): number => {
    while (parent[v] !== v) {
      parent[v] = parent[parent[v]!]!;
      v = parent[v]!;
    }
    return v;
  };
  for (const [s, t] of edges) {
    const a = find(s);
    const b = find(t);
    // Union by smaller root, so each root is its component's smallest vertex.
    if (a < b) parent[b] = a;
    else if (b < a) parent[a] = b;
  }
  return Float64Array.from({ length: n }, (_, v) => find(v));
}

/** Hop distances from `source` by breadth-first search (∞ where unreachable). */
export function bfsOracle(n: number, edges: Edges, directed: boolean, source: number): Float64Array {
  const next = adjacency(n, edges, directed);
  const distance = new Float64Array(n).fill(Infinity);
  distance[source] = 0;
  const queue = [source];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (const { to } of next[v]!) {
      if (distance[to] !== Infinity) continue;
      distance[to] = distance[v]! + 1;
      queue.push(to);
    }
  }
  return distance;
}

/** Weighted distances from `source` by Dijkstra's algorithm with a binary heap (weights ≥ 0). */
export function dijkstraOracle(n: number, edges: Edges, weights: readonly number[], directed: boolean, source: number): Float64Array {
  const next = adjacency(n, edges, directed);
  const distance = new Float64Array(n).fill(Infinity);
  const done = new Uint8Array(n);
  const heap: [number, number][] = [];
  const push = (item: [number, number]): void => {
    heap.push(item);
    for (let i = heap.length - 1; i > 0;) {
      const up = (i - 1) >> 1;
      if (heap[up]![0] <= heap[i]![0]) break;
      [heap[up], heap[i]] = [heap[i]!, heap[up]!];
      i = up;
    }
  };
  const pop = (): [number, number] => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ;) {
        let smallest = i;
        for (const child of [2 * i + 1, 2 * i + 2]) if (child < heap.length && heap[child]![0] < heap[smallest]![0]) smallest = child;
        if (smallest === i) break;
        [heap[smallest], heap[i]] = [heap[i]!, heap[smallest]!];
        i = smallest;
      }
    }
    return top;
  };
  distance[source] = 0;
  push([0, source]);
  while (heap.length > 0) {
    const [d, v] = pop();
    if (done[v] === 1) continue;
    done[v] = 1;
    for (const { to, edge } of next[v]!) {
      const candidate = d + weights[edge]!;
      if (candidate < distance[to]!) {
        distance[to] = candidate;
        push([candidate, to]);
      }
    }
  }
  return distance;
}

export interface LabelPropagationOutcome {
  readonly labels: Float64Array;
  /** Rounds run, the last one included (a round in which no label changed ends the run). */
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * The label-propagation rule of `src/algorithms/label-propagation.ts`, literally: synchronous
 * rounds; v's multiset is its neighbours' labels (one per incident edge, direction ignored) plus
 * its own; the most frequent label wins, ties to the smallest label.
 */
export function labelPropagationOracle(n: number, edges: Edges, options: { maxIterations: number }): LabelPropagationOutcome {
  const neighbors = adjacency(n, edges, false);
  let labels = Float64Array.from({ length: n }, (_, v) => v);
  for (let round = 0; round < options.maxIterations; round++) {
    const next = new Float64Array(n);
    let changes = 0;
    for (let v = 0; v < n; v++) {
      const counts = new Map<number, number>();
      for (const label of [labels[v]!, ...neighbors[v]!.map(({ to }) => labels[to]!)]) counts.set(label, (counts.get(label) ?? 0) + 1);
      let best = labels[v]!;
      let votes = 0;
      for (const [label, count] of counts) {
        if (count > votes || (count === votes && label < best)) [best, votes] = [label, count];
      }
      next[v] = best;
      if (best !== labels[v]) changes++;
    }
    labels = next;
    if (changes === 0) return { labels, iterations: round + 1, converged: true };
  }
  return { labels, iterations: options.maxIterations, converged: false };
}

/** The number of distinct values. */
export function distinctCount(values: ArrayLike<number>): number {
  return new Set(Array.from(values)).size;
}
