/**
 * Turns one partition's edges (global ids, stream order) into its stored form: local vertex ids
 * in increasing global-id order, edges sorted by (local source, local target) with a stable
 * two-pass LSD counting sort, and duplicates counted (or removed, keeping the first occurrence
 * in file order). O(edges + local vertices), typed arrays only.
 */

export interface PartitionEdges {
  src: Uint32Array;
  dst: Uint32Array;
  weight: Float64Array | null;
}

export interface BuiltPartition {
  /** Global id of each local vertex, ascending. */
  readonly gids: Uint32Array;
  /** Local source / target ids, sorted by (src, dst). */
  readonly src: Uint32Array;
  readonly dst: Uint32Array;
  readonly weight: Float64Array | null;
  /** Extra copies of an edge seen (before any removal). */
  readonly duplicates: number;
  readonly removedDuplicates: number;
}

/** Scratch arrays indexed by global id, shared by all partitions of one import. */
export class PartitionScratch {
  readonly stamp: Int32Array;
  readonly localOf: Uint32Array;

  constructor(numVertices: number) {
    this.stamp = new Int32Array(numVertices);
    this.localOf = new Uint32Array(numVertices);
  }
}

export function buildPartition(
  partition: number,
  edges: PartitionEdges,
  isolated: Uint32Array,
  scratch: PartitionScratch,
  dedupe: boolean,
): BuiltPartition {
  const { stamp, localOf } = scratch;
  const mark = partition + 1;
  const count = edges.src.length;

  // Phase 1: the partition's distinct vertices, sorted by global id.
  let gids = new Uint32Array(Math.min(2 * count + isolated.length, stamp.length) || 1);
  let vertices = 0;
  const visit = (g: number): void => {
    if (stamp[g] !== mark) {
      stamp[g] = mark;
      gids[vertices++] = g;
    }
  };
  for (let i = 0; i < count; i++) {
    visit(edges.src[i]!);
    visit(edges.dst[i]!);
  }
  for (let i = 0; i < isolated.length; i++) visit(isolated[i]!);
  gids = gids.slice(0, vertices).sort();
  for (let l = 0; l < vertices; l++) localOf[gids[l]!] = l;

  // Phase 2: global → local ids, in place.
  const src = edges.src;
  const dst = edges.dst;
  for (let i = 0; i < count; i++) {
    src[i] = localOf[src[i]!]!;
    dst[i] = localOf[dst[i]!]!;
  }

  // Phase 3: stable counting sort by target, then by source → sorted by (source, target).
  const weight = edges.weight;
  const tmpSrc = new Uint32Array(count);
  const tmpDst = new Uint32Array(count);
  const tmpWeight = weight ? new Float64Array(count) : null;
  const buckets = new Uint32Array(vertices + 1);
  countingSort(dst, src, dst, weight, tmpSrc, tmpDst, tmpWeight, buckets);
  countingSort(tmpSrc, tmpSrc, tmpDst, tmpWeight, src, dst, weight, buckets);

  // Phase 4: duplicates are now adjacent; count them and optionally keep only the first.
  let duplicates = 0;
  let kept = count === 0 ? 0 : 1;
  for (let i = 1; i < count; i++) {
    const same = src[i] === src[i - 1] && dst[i] === dst[i - 1];
    if (same) duplicates++;
    if (same && dedupe) continue;
    if (kept !== i) {
      src[kept] = src[i]!;
      dst[kept] = dst[i]!;
      if (weight) weight[kept] = weight[i]!;
    }
    kept++;
  }
  const finalCount = dedupe ? kept : count;
  return {
    gids,
    src: finalCount === count ? src : src.slice(0, finalCount),
    dst: finalCount === count ? dst : dst.slice(0, finalCount),
    weight: weight && finalCount !== count ? weight.slice(0, finalCount) : weight,
    duplicates,
    removedDuplicates: dedupe ? duplicates : 0,
  };
}

/** Stable counting sort of (inSrc, inDst, inWeight) by `key` into the out arrays. */
function countingSort(
  key: Uint32Array,
  inSrc: Uint32Array,
  inDst: Uint32Array,
  inWeight: Float64Array | null,
  outSrc: Uint32Array,
  outDst: Uint32Array,
  outWeight: Float64Array | null,
  buckets: Uint32Array,
): void {
  const count = key.length;
  buckets.fill(0);
  for (let i = 0; i < count; i++) buckets[key[i]! + 1]!++;
  for (let k = 1; k < buckets.length; k++) buckets[k]! += buckets[k - 1]!;
  for (let i = 0; i < count; i++) {
    const at = buckets[key[i]!]!++;
    outSrc[at] = inSrc[i]!;
    outDst[at] = inDst[i]!;
    if (inWeight) outWeight![at] = inWeight[i]!;
  }
}
