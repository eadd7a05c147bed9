/**
 * Second pass of an import: provisional label codes → dense ids, self-loops counted (and
 * dropped on request), undirected edges put in canonical orientation (source ≤ target), and
 * each edge handed to the partitioner, in file order. The parsed chunks are released as they are
 * consumed, so the edges are held once, not twice.
 */
import { shuffledChunks, type Partitioner } from '../partition/index.js';
import type { FinalDictionary } from '../storage/dictionary.js';
import { EdgeChunks } from '../storage/growable.js';

export interface Distributed {
  readonly partitions: EdgeChunks[];
  readonly selfLoops: number;
  readonly removedSelfLoops: number;
  /** Bit v is set when vertex v has at least one kept edge. */
  readonly hasEdge: Uint32Array;
}

export function distributeEdges(
  parsed: EdgeChunks,
  numVertices: number,
  partitioner: Partitioner,
  options: {
    numPartitions: number;
    directed: boolean;
    dropSelfLoops: boolean;
    /** When the chunks still hold provisional label codes: the dictionary mapping them to dense ids. */
    remap?: FinalDictionary;
    /** Order-sensitive strategies: visit the edges in this seed's per-chunk shuffle (partition/stream-order.ts). */
    shuffleSeed?: number;
    onProgress?: (fraction: number) => void;
  },
): Distributed {
  const { numPartitions, directed, dropSelfLoops } = options;
  const partitions = Array.from({ length: numPartitions }, () => new EdgeChunks(parsed.weighted));
  const hasEdge = new Uint32Array((numVertices >>> 5) + 1);
  const dictionary = options.remap;
  let selfLoops = 0;
  const chunks = parsed.chunkCount;
  const place = (s: number, d: number, weight: number): void => {
    if (s === d) {
      selfLoops++;
      if (dropSelfLoops) return;
    } else if (!directed && s > d) {
      const swap = s;
      s = d;
      d = swap;
    }
    hasEdge[s >>> 5]! |= 1 << (s & 31);
    hasEdge[d >>> 5]! |= 1 << (d & 31);
    partitions[partitioner.assign(s, d)]!.push(s, d, weight);
  };
  if (options.shuffleSeed !== undefined) {
    if (dictionary) remapAll(parsed, dictionary);
    let visited = 0;
    for (const { chunk, order } of shuffledChunks(chunks, (k) => parsed.chunk(k).length, options.shuffleSeed)) {
      const { src, dst, weight } = parsed.chunk(chunk);
      for (let j = 0; j < order.length; j++) {
        const i = order[j]!;
        place(src[i]!, dst[i]!, weight ? weight[i]! : 1);
      }
      visited += order.length;
      options.onProgress?.(visited / Math.max(1, parsed.length));
    }
    for (let k = 0; k < chunks; k++) parsed.release(k);
  } else {
    for (let k = 0; k < chunks; k++) {
      const { src, dst, weight, length } = parsed.chunk(k);
      if (dictionary) {
        dictionary.remap(src, length);
        dictionary.remap(dst, length);
      }
      for (let i = 0; i < length; i++) place(src[i]!, dst[i]!, weight ? weight[i]! : 1);
      parsed.release(k);
      options.onProgress?.((k + 1) / chunks);
    }
  }
  return { partitions, selfLoops, removedSelfLoops: dropSelfLoops ? selfLoops : 0, hasEdge };
}

/** Every parsed chunk from provisional label codes to dense ids, in place. */
export function remapAll(parsed: EdgeChunks, dictionary: FinalDictionary): void {
  for (let k = 0; k < parsed.chunkCount; k++) {
    const { src, dst, length } = parsed.chunk(k);
    dictionary.remap(src, length);
    dictionary.remap(dst, length);
  }
}

/**
 * The degree pass for strategies that need degrees (DBH, hybrid) and for `auto`: with a
 * dictionary, first remaps each chunk to dense ids in place (so `distributeEdges` then runs
 * without one); counts each vertex's out- and in-degree over the stream (undirected: both count
 * as the degree, and `in` is `out`).
 */
export function countDegrees(edges: EdgeChunks, numVertices: number, directed: boolean, remap?: FinalDictionary): { out: Uint32Array; in: Uint32Array } {
  const out = new Uint32Array(numVertices);
  const inDegree = directed ? new Uint32Array(numVertices) : out;
  for (let k = 0; k < edges.chunkCount; k++) {
    const { src, dst, length } = edges.chunk(k);
    if (remap) {
      remap.remap(src, length);
      remap.remap(dst, length);
    }
    for (let i = 0; i < length; i++) {
      out[src[i]!]!++;
      inDegree[dst[i]!]!++;
    }
  }
  return { out, in: inDegree };
}

/** Vertices with no kept edge, grouped by the partition that will hold them (by `home`). */
export function isolatedVertices(numVertices: number, hasEdge: Uint32Array, numPartitions: number, home: (vertex: number) => number): Uint32Array[] {
  const lists: number[][] = Array.from({ length: numPartitions }, () => []);
  for (let v = 0; v < numVertices; v++) {
    if ((hasEdge[v >>> 5]! & (1 << (v & 31))) === 0) lists[home(v)]!.push(v);
  }
  return lists.map((list) => Uint32Array.from(list));
}
