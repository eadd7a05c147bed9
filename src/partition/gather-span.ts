/**
 * Gather span: over the vertices that have gather edges, the mean number of partitions holding
 * them. A vertex whose gather edges all sit in one partition needs no partial sums from other
 * replicas; each further partition costs one partial-sum message per step in which the vertex
 * gathers. Together with the replication factor (each mirror receives the master's new value
 * once per step) it estimates a program's messages per vertex per step under a partitioning:
 *
 *   (replication factor − 1) + (gather span − 1)
 *
 * which is what `--strategy auto --for ALGORITHM` minimises. With `all` (or on undirected graphs)
 * the span is the replication factor itself.
 */
import type { EdgeStream } from './measure.js';

export type GatherDirection = 'in' | 'out' | 'all';

export function gatherSpan(stream: EdgeStream, assignment: Uint16Array, partitions: number, gathers: 'in' | 'out'): number {
  const words = (partitions + 31) >>> 5;
  const bits = new Uint32Array(stream.numVertices * words);
  // 'in': an edge is a gather edge of its target; 'out': of its source.
  const endpoint = gathers === 'in' ? stream.dst : stream.src;
  let spans = 0;
  for (let e = 0; e < assignment.length; e++) {
    const p = assignment[e]!;
    const at = endpoint[e]! * words + (p >>> 5);
    const bit = 1 << (p & 31);
    if ((bits[at]! & bit) === 0) {
      bits[at]! |= bit;
      spans++;
    }
  }
  const gathering = verticesWithBits(bits, stream.numVertices, words);
  return gathering === 0 ? 1 : spans / gathering;
}

/** Vertices whose bit set (`words` words each) is not empty. */
export function verticesWithBits(bits: Uint32Array, numVertices: number, words: number): number {
  let count = 0;
  for (let v = 0; v < numVertices; v++) {
    for (let w = 0; w < words; w++) {
      if (bits[v * words + w] !== 0) {
        count++;
        break;
      }
    }
  }
  return count;
}

/** Estimated messages per vertex per step: value updates to mirrors plus partial sums to masters. */
export function messagesPerVertex(replicationFactor: number, span: number): number {
  return replicationFactor - 1 + (span - 1);
}
