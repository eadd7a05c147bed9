/**
 * A worker's in-memory graph: the union of the partitions it owns, over *local* vertex ids
 * (ascending global id), with edges physically in CSR order (by local source) so out-edge loops
 * touch `dst` sequentially, plus a CSC index (in-edge ids and their sources) for in-edge loops.
 * Built once per job from the partitions' stored tables in O(edges + vertices).
 */
import type { StoredPartition } from '../storage/index.js';

export interface LocalGraph {
  readonly numVertices: number;
  readonly numEdges: number;
  /** Global id of each local vertex, ascending. */
  readonly gid: Uint32Array;
  /** Partition of each local vertex's master. */
  readonly masterPartition: Uint16Array;
  /** Edge endpoints (local ids); edges are sorted by `src`. */
  readonly src: Uint32Array;
  readonly dst: Uint32Array;
  readonly weight: Float64Array | null;
  /** Out-edges of v are edges `outOffsets[v] .. outOffsets[v+1]` (their targets: `dst`). */
  readonly outOffsets: Uint32Array;
  /** In-edges of v are `inEdges[inOffsets[v] .. inOffsets[v+1]]`, whose sources are `inSources[…]`. */
  readonly inOffsets: Uint32Array;
  readonly inEdges: Uint32Array;
  readonly inSources: Uint32Array;
}

export function buildLocalGraph(partitions: readonly StoredPartition[]): LocalGraph {
  // Local vertices: the union of the partitions' vertex lists, ascending by global id.
  const gid = mergeSortedUnique(partitions.map((p) => p.gids));
  const numVertices = gid.length;
  const masterPartition = new Uint16Array(numVertices);
  let numEdges = 0;
  for (const p of partitions) numEdges += p.src.length;
  const weighted = partitions.some((p) => p.weight !== null);

  // Each partition's local ids → worker-local ids (both lists ascending: a merge walk).
  const src = new Uint32Array(numEdges);
  const dst = new Uint32Array(numEdges);
  const weight = weighted ? new Float64Array(numEdges) : null;
  const outOffsets = new Uint32Array(numVertices + 1);
  const staged = { src: new Uint32Array(numEdges), dst: new Uint32Array(numEdges), weight: weighted ? new Float64Array(numEdges) : null };
  let at = 0;
  for (const p of partitions) {
    const toLocal = new Uint32Array(p.gids.length);
    for (let i = 0, j = 0; i < p.gids.length; i++) {
      while (gid[j] !== p.gids[i]) j++;
      toLocal[i] = j;
      masterPartition[j] = p.master[i]!;
    }
    for (let e = 0; e < p.src.length; e++, at++) {
      const s = toLocal[p.src[e]!]!;
      staged.src[at] = s;
      staged.dst[at] = toLocal[p.dst[e]!]!;
      if (staged.weight) staged.weight[at] = p.weight ? p.weight[e]! : 1;
      outOffsets[s + 1]!++;
    }
  }

  // Edges into CSR order (stable counting sort by source; one partition is already in order).
  for (let v = 0; v < numVertices; v++) outOffsets[v + 1]! += outOffsets[v]!;
  const fill = outOffsets.slice(0, numVertices);
  for (let e = 0; e < numEdges; e++) {
    const to = fill[staged.src[e]!]!++;
    src[to] = staged.src[e]!;
    dst[to] = staged.dst[e]!;
    if (weight) weight[to] = staged.weight![e]!;
  }

  // CSC index over the CSR-ordered edges.
  const inOffsets = new Uint32Array(numVertices + 1);
  for (let e = 0; e < numEdges; e++) inOffsets[dst[e]! + 1]!++;
  for (let v = 0; v < numVertices; v++) inOffsets[v + 1]! += inOffsets[v]!;
  const inEdges = new Uint32Array(numEdges);
  const inSources = new Uint32Array(numEdges);
  const inFill = inOffsets.slice(0, numVertices);
  for (let e = 0; e < numEdges; e++) {
    const to = inFill[dst[e]!]!++;
    inEdges[to] = e;
    inSources[to] = src[e]!;
  }
  return { numVertices, numEdges, gid, masterPartition, src, dst, weight, outOffsets, inOffsets, inEdges, inSources };
}

/** The sorted union of ascending id lists. */
function mergeSortedUnique(lists: readonly Uint32Array[]): Uint32Array {
  if (lists.length === 1) return lists[0]!.slice();
  let total = 0;
  for (const list of lists) total += list.length;
  const all = new Uint32Array(total);
  let at = 0;
  for (const list of lists) {
    all.set(list, at);
    at += list.length;
  }
  all.sort();
  let unique = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) all[unique++] = all[i]!;
  return all.slice(0, unique);
}
