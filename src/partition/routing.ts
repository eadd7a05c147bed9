/**
 * The routing table of a vertex-cut: for each vertex, the partitions that hold a replica of it
 * and which one is the master. The engine uses it to send gather partials from mirrors to the
 * master and new values from the master back to its mirrors.
 */
import { hashVertex } from './hash.js';

export interface Routing {
  readonly numVertices: number;
  readonly numPartitions: number;
  /** Partition of each vertex's master replica. */
  readonly master: Uint16Array;
  /** Replicas of vertex v are `replicaPartitions[replicaOffsets[v] .. replicaOffsets[v+1])`, ascending. */
  readonly replicaOffsets: Uint32Array;
  readonly replicaPartitions: Uint16Array;
}

/**
 * Builds the routing table from each partition's sorted list of vertex ids. Every vertex must
 * appear in at least one list. The master is one of the vertex's replicas chosen by a seeded
 * hash, which spreads masters evenly and does not depend on the partition count's history.
 */
export function buildRouting(numVertices: number, partitionVertices: readonly Uint32Array[], seed: number): Routing {
  const numPartitions = partitionVertices.length;
  const replicaOffsets = new Uint32Array(numVertices + 1);
  for (const vertices of partitionVertices) {
    for (let i = 0; i < vertices.length; i++) replicaOffsets[vertices[i]! + 1]!++;
  }
  for (let v = 0; v < numVertices; v++) {
    if (replicaOffsets[v + 1] === 0) throw new Error(`buildRouting: vertex ${v} is in no partition`);
    replicaOffsets[v + 1]! += replicaOffsets[v]!;
  }
  const replicaPartitions = new Uint16Array(replicaOffsets[numVertices]!);
  const fill = replicaOffsets.slice(0, numVertices);
  for (let p = 0; p < numPartitions; p++) {
    const vertices = partitionVertices[p]!;
    for (let i = 0; i < vertices.length; i++) replicaPartitions[fill[vertices[i]!]!++] = p;
  }
  const master = new Uint16Array(numVertices);
  for (let v = 0; v < numVertices; v++) {
    const first = replicaOffsets[v]!;
    const count = replicaOffsets[v + 1]! - first;
    master[v] = replicaPartitions[first + (count === 1 ? 0 : hashVertex(v, seed ^ 0x27d4eb2f) % count)]!;
  }
  return { numVertices, numPartitions, master, replicaOffsets, replicaPartitions };
}

/** Average number of replicas per vertex (1 means no vertex is cut). */
export function replicationFactor(routing: Routing): number {
  return routing.numVertices === 0 ? 1 : routing.replicaOffsets[routing.numVertices]! / routing.numVertices;
}

/** max / mean of a per-partition load (1 is perfect balance). */
export function balance(loads: ArrayLike<number>): number {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < loads.length; i++) {
    max = Math.max(max, loads[i]!);
    sum += loads[i]!;
  }
  return sum === 0 ? 1 : max / (sum / loads.length);
}
