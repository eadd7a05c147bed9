/**
 * The consistency checker: from the pieces of updates every worker recorded during an
 * asynchronous run (`traceUpdates`: `[gid, k, start ns, end ns]` per piece — a gather, an apply,
 * a scatter — of the k-th update of vertex gid, on the host's monotonic clock), each update's
 * execution interval is its pieces' span over all workers. Two updates *overlap* when their
 * intervals intersect; the checker counts overlapping pairs among vertices at distance 1 (what
 * edge consistency forbids), at distance ≤ 2 (full consistency), and of one vertex with itself
 * (vertex consistency).
 */

export interface Interval {
  readonly start: number;
  readonly end: number;
}

/** Each vertex's update intervals, sorted by start: the span of each update's pieces on every worker. */
export function updateIntervals(traces: readonly Float64Array[], numVertices: number): Interval[][] {
  const spans = new Map<string, { vertex: number; start: number; end: number }>();
  for (const trace of traces) {
    for (let i = 0; i < trace.length; i += 4) {
      const vertex = trace[i]!;
      if (!(vertex >= 0 && vertex < numVertices)) throw new Error(`trace names vertex ${vertex}, outside 0..${numVertices - 1}`);
      const key = `${vertex}:${trace[i + 1]}`;
      const span = spans.get(key);
      if (span) {
        span.start = Math.min(span.start, trace[i + 2]!);
        span.end = Math.max(span.end, trace[i + 3]!);
      } else spans.set(key, { vertex, start: trace[i + 2]!, end: trace[i + 3]! });
    }
  }
  const byVertex: Interval[][] = Array.from({ length: numVertices }, () => []);
  for (const { vertex, start, end } of spans.values()) byVertex[vertex]!.push({ start, end });
  for (const list of byVertex) list.sort((a, b) => a.start - b.start);
  return byVertex;
}

export interface OverlapCount {
  /** Updates the intervals came from. */
  readonly updates: number;
  /** Pairs of overlapping updates found (of different vertices, unless `sameVertex`). */
  readonly overlaps: number;
  readonly example: string | null;
}

function overlap(a: Interval, b: Interval): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Overlapping updates of one vertex (consecutive intervals that intersect). */
export function sameVertexOverlaps(intervals: readonly Interval[][]): OverlapCount {
  let overlaps = 0;
  let example: string | null = null;
  let updates = 0;
  intervals.forEach((list, v) => {
    updates += list.length;
    for (let i = 1; i < list.length; i++) {
      if (list[i]!.start < list[i - 1]!.end) {
        overlaps++;
        example ??= `vertex ${v}: updates ${i} and ${i + 1}`;
      }
    }
  });
  return { updates, overlaps, example };
}

/** Overlapping updates of adjacent vertices (`adjacency[v]`: v's neighbours, either direction). */
export function adjacentOverlaps(intervals: readonly Interval[][], adjacency: readonly (readonly number[])[]): OverlapCount {
  let overlaps = 0;
  let example: string | null = null;
  adjacency.forEach((neighbors, u) => {
    for (const v of neighbors) {
      if (v <= u) continue;
      const a = intervals[u]!;
      const b = intervals[v]!;
      // Both lists sorted by start and each free of self-overlap: a two-pointer walk finds every intersecting pair.
      for (let i = 0, j = 0; i < a.length && j < b.length;) {
        if (overlap(a[i]!, b[j]!)) {
          overlaps++;
          example ??= `vertices ${u} and ${v}`;
        }
        if (a[i]!.end < b[j]!.end) i++;
        else j++;
      }
    }
  });
  return { updates: intervals.reduce((total, list) => total + list.length, 0), overlaps, example };
}

/**
 * Overlapping updates of vertices within distance 2: for every vertex w, the updates of w and of
 * its neighbours, swept in order of start, keeping the two latest ends of distinct vertices.
 */
export function distanceTwoOverlaps(intervals: readonly Interval[][], adjacency: readonly (readonly number[])[]): OverlapCount {
  let overlaps = 0;
  let example: string | null = null;
  adjacency.forEach((neighbors, w) => {
    const members = [...new Set([w, ...neighbors])];
    const all: { vertex: number; start: number; end: number }[] = [];
    for (const vertex of members) for (const { start, end } of intervals[vertex]!) all.push({ vertex, start, end });
    all.sort((a, b) => a.start - b.start);
    let first = { vertex: -1, end: -Infinity };
    let second = { vertex: -1, end: -Infinity };
    for (const item of all) {
      const clash = (first.vertex !== item.vertex && first.end > item.start) || (first.vertex === item.vertex && second.end > item.start);
      if (clash) {
        overlaps++;
        example ??= `around vertex ${w}: vertex ${item.vertex} overlaps vertex ${first.vertex !== item.vertex ? first.vertex : second.vertex}`;
      }
      if (item.vertex === first.vertex) first = { vertex: item.vertex, end: Math.max(first.end, item.end) };
      else if (item.end > first.end) {
        second = first;
        first = { vertex: item.vertex, end: item.end };
      } else if (item.end > second.end) second = { vertex: item.vertex, end: item.end };
    }
  });
  return { updates: intervals.reduce((total, list) => total + list.length, 0), overlaps, example };
}

/** Neighbour lists (both directions, no self-loops, no repeats) of an edge list over 0..n−1. */
export function adjacencyOf(edges: readonly (readonly [number, number])[], numVertices: number): number[][] {
  const sets = Array.from({ length: numVertices }, () => new Set<number>());
  for (const [u, v] of edges) {
    if (u === v) continue;
    sets[u]!.add(v);
    sets[v]!.add(u);
  }
  return sets.map((set) => [...set]);
}
