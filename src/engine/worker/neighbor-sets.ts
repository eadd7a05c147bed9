/**
 * Whole-graph neighbour sets, for programs that need them (`needsNeighborSets`, e.g. triangle
 * counting): for every local replica, the sorted global ids of its distinct neighbours (edge
 * direction ignored, self-loops left out) and how many edges join it to each. A vertex's edges
 * are spread over partitions, so the engine builds the sets in two exchanges before step 0 —
 * mirrors send their local lists to the master, the master merges and sends the union back — the
 * gather-apply-scatter pattern PowerGraph's triangle-count toolkit uses, done once by the engine.
 *
 * Message layout (Uint32Array): [position, count, id₀, mult₀, id₁, mult₁, …] records.
 */
import type { LocalGraph } from './local-graph.js';

/** Read access to the neighbour sets, by local vertex id; neighbours are global ids. */
export class NeighborSets {
  constructor(
    /** Entries of local vertex v: `offsets[v] .. offsets[v+1]`. */
    readonly offsets: Uint32Array,
    /** Neighbour global ids, ascending within each vertex. */
    readonly ids: Uint32Array,
    /** Number of edges (either direction) between the vertex and each neighbour. */
    readonly multiplicities: Uint32Array,
    /** Global id of each local vertex. */
    private readonly gid: Uint32Array,
  ) {}

  /** Number of distinct neighbours of local vertex `v`. */
  size(v: number): number {
    return this.offsets[v + 1]! - this.offsets[v]!;
  }

  /** Number of distinct vertices adjacent to both local vertices `a` and `b`. */
  common(a: number, b: number): number {
    const { offsets, ids } = this;
    let i = offsets[a]!;
    let j = offsets[b]!;
    const iEnd = offsets[a + 1]!;
    const jEnd = offsets[b + 1]!;
    let count = 0;
    while (i < iEnd && j < jEnd) {
      const x = ids[i]!;
      const y = ids[j]!;
      if (x === y) {
        count++;
        i++;
        j++;
      } else if (x < y) i++;
      else j++;
    }
    return count;
  }

  /** Number of edges (either direction) between local vertices `a` and `b`; 0 if not adjacent. */
  multiplicity(a: number, b: number): number {
    const target = this.gid[b]!;
    let low = this.offsets[a]!;
    let high = this.offsets[a + 1]! - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const id = this.ids[mid]!;
      if (id === target) return this.multiplicities[mid]!;
      if (id < target) low = mid + 1;
      else high = mid - 1;
    }
    return 0;
  }
}

type Lists = { ids: Uint32Array; mult: Uint32Array }[];

/** Each local vertex's neighbours through this worker's edges only. */
export function localNeighborLists(graph: LocalGraph): Lists {
  const { numVertices: n, src, dst, gid } = graph;
  const degree = new Uint32Array(n + 1);
  for (let e = 0; e < src.length; e++) {
    if (src[e] === dst[e]) continue;
    degree[src[e]! + 1]!++;
    degree[dst[e]! + 1]!++;
  }
  for (let v = 0; v < n; v++) degree[v + 1]! += degree[v]!;
  const all = new Uint32Array(degree[n]!);
  const fill = degree.slice(0, n);
  for (let e = 0; e < src.length; e++) {
    if (src[e] === dst[e]) continue;
    all[fill[src[e]!]!++] = gid[dst[e]!]!;
    all[fill[dst[e]!]!++] = gid[src[e]!]!;
  }
  const lists: Lists = [];
  for (let v = 0; v < n; v++) lists.push(countRuns(all.subarray(degree[v]!, degree[v + 1]!).sort()));
  return lists;
}

/** Sorted ids → distinct ids with their multiplicities. */
function countRuns(sorted: Uint32Array): { ids: Uint32Array; mult: Uint32Array } {
  const ids: number[] = [];
  const mult: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) mult[mult.length - 1]!++;
    else {
      ids.push(sorted[i]!);
      mult.push(1);
    }
  }
  return { ids: Uint32Array.from(ids), mult: Uint32Array.from(mult) };
}

/** Merges two distinct-id lists, adding multiplicities. */
function mergeLists(a: { ids: Uint32Array; mult: Uint32Array }, b: { ids: Uint32Array; mult: Uint32Array }): { ids: Uint32Array; mult: Uint32Array } {
  const ids: number[] = [];
  const mult: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.ids.length || j < b.ids.length) {
    if (j >= b.ids.length || (i < a.ids.length && a.ids[i]! < b.ids[j]!)) {
      ids.push(a.ids[i]!);
      mult.push(a.mult[i++]!);
    } else if (i >= a.ids.length || b.ids[j]! < a.ids[i]!) {
      ids.push(b.ids[j]!);
      mult.push(b.mult[j++]!);
    } else {
      ids.push(a.ids[i]!);
      mult.push(a.mult[i++]! + b.mult[j++]!);
    }
  }
  return { ids: Uint32Array.from(ids), mult: Uint32Array.from(mult) };
}

export function packLists(positions: Uint32Array, lists: Lists): Uint32Array | null {
  if (positions.length === 0) return null;
  let size = 0;
  for (let i = 0; i < positions.length; i++) size += 2 + 2 * lists[positions[i]!]!.ids.length;
  const out = new Uint32Array(size);
  let at = 0;
  for (let i = 0; i < positions.length; i++) {
    const list = lists[positions[i]!]!;
    out[at++] = i;
    out[at++] = list.ids.length;
    for (let k = 0; k < list.ids.length; k++) {
      out[at++] = list.ids[k]!;
      out[at++] = list.mult[k]!;
    }
  }
  return out;
}

/** Applies `[position, count, id, mult, …]` records to the vertices of `targets`, merging or replacing. */
export function unpackLists(message: Uint32Array, targets: Uint32Array, lists: Lists, merge: boolean): void {
  for (let at = 0; at < message.length;) {
    const v = targets[message[at++]!]!;
    const count = message[at++]!;
    const ids = new Uint32Array(count);
    const mult = new Uint32Array(count);
    for (let k = 0; k < count; k++) {
      ids[k] = message[at++]!;
      mult[k] = message[at++]!;
    }
    lists[v] = merge ? mergeLists(lists[v]!, { ids, mult }) : { ids, mult };
  }
}

export function toNeighborSets(lists: Lists, gid: Uint32Array): NeighborSets {
  const offsets = new Uint32Array(lists.length + 1);
  for (let v = 0; v < lists.length; v++) offsets[v + 1] = offsets[v]! + lists[v]!.ids.length;
  const ids = new Uint32Array(offsets[lists.length]!);
  const multiplicities = new Uint32Array(ids.length);
  for (let v = 0; v < lists.length; v++) {
    ids.set(lists[v]!.ids, offsets[v]!);
    multiplicities.set(lists[v]!.mult, offsets[v]!);
  }
  return new NeighborSets(offsets, ids, multiplicities, gid);
}
