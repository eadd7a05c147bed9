/**
 * Who talks to whom about which vertex. For every pair of workers (w, u) both sides derive the
 * same ordered list of shared vertices — those with a replica on w and the master on u —
 * ascending by global id. Messages then carry positions in that list instead of vertex ids, and
 * the receiver knows which local vertex each position is.
 *
 *   mirrorsByMaster[u]  on w: local ids of w's mirrors whose master lives on u
 *   mastersByMirror[u]  on w: local ids of w's masters that have a mirror on u
 */
import type { LocalGraph } from './local-graph.js';

export interface ExchangePlan {
  readonly worker: number;
  readonly numWorkers: number;
  /** Worker owning each local vertex's master. */
  readonly masterWorker: Uint16Array;
  /** 1 where this worker holds the vertex's master replica. */
  readonly isMaster: Uint8Array;
  readonly numMasters: number;
  readonly mirrorsByMaster: readonly Uint32Array[];
  readonly mastersByMirror: readonly Uint32Array[];
}

/** Replica locations of a worker's vertices, indexed by rank (position in ascending global-id order; see shard.ts). */
export interface RoutingView {
  readonly replicaOffsets: Uint32Array;
  readonly replicaPartitions: Uint16Array;
}

export function workerOfPartition(partition: number, numWorkers: number): number {
  return partition % numWorkers;
}

export function buildExchangePlan(graph: LocalGraph, routing: RoutingView, worker: number, numWorkers: number): ExchangePlan {
  const n = graph.numVertices;
  const masterWorker = new Uint16Array(n);
  const isMaster = new Uint8Array(n);
  const mirrors: number[][] = Array.from({ length: numWorkers }, () => []);
  const masters: number[][] = Array.from({ length: numWorkers }, () => []);
  const seen = new Int32Array(numWorkers).fill(-1);
  let numMasters = 0;
  // Visit vertices in global-id order: both sides of every pair then list shared vertices alike.
  for (let i = 0; i < n; i++) {
    const v = graph.byGid[i]!;
    const owner = workerOfPartition(graph.masterPartition[v]!, numWorkers);
    masterWorker[v] = owner;
    if (owner !== worker) {
      mirrors[owner]!.push(v);
      continue;
    }
    isMaster[v] = 1;
    numMasters++;
    for (let r = routing.replicaOffsets[i]!; r < routing.replicaOffsets[i + 1]!; r++) {
      const holder = workerOfPartition(routing.replicaPartitions[r]!, numWorkers);
      if (holder !== worker && seen[holder] !== v) {
        seen[holder] = v;
        masters[holder]!.push(v);
      }
    }
  }
  return {
    worker,
    numWorkers,
    masterWorker,
    isMaster,
    numMasters,
    mirrorsByMaster: mirrors.map((list) => Uint32Array.from(list)),
    mastersByMirror: masters.map((list) => Uint32Array.from(list)),
  };
}
