/**
 * A worker's share of a stored graph, as plain typed arrays: its partitions' tables plus the
 * whole-graph facts about its vertices (degrees, weight totals, replica locations). The
 * coordinator reads shards from the graph store and ships them — by reference in this thread,
 * by transfer to worker threads, serialised over TCP to remote workers — so that a worker needs
 * nothing but its shard to build its local graph and exchange plan.
 *
 * Graph-wide facts are indexed by *rank*: position in `gids`, the ascending union of the
 * partitions' global ids, which is also the order of the local graph's `byGid`.
 */
import type { GraphSource, StoredPartition } from '../../storage/index.js';
import { workerOfPartition, type RoutingView } from './exchange-plan.js';
import { mergeSortedUnique } from './local-graph.js';
import type { LocalDegrees } from './state.js';
import type { LocalGraph } from './local-graph.js';

/**
 * Whole-graph facts about vertices — degrees and weight totals (undirected graphs: out = in =
 * the degree) and the partitions holding a replica of each (`replicaPartitions[replicaOffsets[i]
 * .. replicaOffsets[i+1])`) — indexed by global id in `GraphTables`, by rank in a `WorkerShard`.
 */
export interface VertexFacts {
  readonly directed: boolean;
  readonly outDegree: Uint32Array;
  readonly inDegree: Uint32Array;
  readonly outWeight: Float64Array;
  readonly inWeight: Float64Array;
  readonly replicaOffsets: Uint32Array;
  readonly replicaPartitions: Uint16Array;
}

/** A worker's partitions and the facts about their vertices, by rank. */
export interface WorkerShard extends VertexFacts {
  readonly worker: number;
  readonly numWorkers: number;
  readonly partitions: readonly StoredPartition[];
  /** Global ids of the shard's vertices, ascending (rank r is `gids[r]`). */
  readonly gids: Uint32Array;
}

/** Partitions of worker `worker` of `numWorkers` (partition p goes to worker p mod W). */
export function partitionsOfWorker(numPartitions: number, worker: number, numWorkers: number): number[] {
  const mine: number[] = [];
  for (let p = 0; p < numPartitions; p++) if (workerOfPartition(p, numWorkers) === worker) mine.push(p);
  return mine;
}

/** Whole-graph tables by global id, read once per job and sliced into every worker's shard. */
export type GraphTables = VertexFacts;

export function readGraphTables(reader: GraphSource): GraphTables {
  const { replicaOffsets, replicaPartitions } = reader.routing();
  return { directed: reader.meta.directed, ...reader.degrees(), ...reader.weights(), replicaOffsets, replicaPartitions };
}

export function readShard(reader: GraphSource, tables: GraphTables, worker: number, numWorkers: number): WorkerShard {
  const partitions = partitionsOfWorker(reader.meta.numPartitions, worker, numWorkers).map((p) => ownBuffers(reader.partition(p)));
  const gids = mergeSortedUnique(partitions.map((p) => p.gids));
  const n = gids.length;
  const outDegree = new Uint32Array(n);
  const inDegree = tables.directed ? new Uint32Array(n) : outDegree;
  const outWeight = new Float64Array(n);
  const inWeight = tables.directed ? new Float64Array(n) : outWeight;
  const replicaOffsets = new Uint32Array(n + 1);
  for (let r = 0; r < n; r++) {
    const g = gids[r]!;
    if (tables.directed) {
      outDegree[r] = tables.outDegree[g]!;
      inDegree[r] = tables.inDegree[g]!;
      outWeight[r] = tables.outWeight[g]!;
      inWeight[r] = tables.inWeight[g]!;
    } else {
      outDegree[r] = tables.outDegree[g]! + tables.inDegree[g]!;
      outWeight[r] = tables.outWeight[g]! + tables.inWeight[g]!;
    }
    replicaOffsets[r + 1] = replicaOffsets[r]! + tables.replicaOffsets[g + 1]! - tables.replicaOffsets[g]!;
  }
  const replicaPartitions = new Uint16Array(replicaOffsets[n]!);
  for (let r = 0; r < n; r++) {
    const g = gids[r]!;
    replicaPartitions.set(tables.replicaPartitions.subarray(tables.replicaOffsets[g]!, tables.replicaOffsets[g + 1]!), replicaOffsets[r]!);
  }
  return { worker, numWorkers, directed: tables.directed, partitions, gids, outDegree, inDegree, outWeight, inWeight, replicaOffsets, replicaPartitions };
}

/** The shard's degrees over the local graph's ids. */
export function shardDegrees(shard: WorkerShard, graph: LocalGraph): LocalDegrees {
  const n = graph.numVertices;
  const outDegree = new Uint32Array(n);
  const inDegree = shard.directed ? new Uint32Array(n) : outDegree;
  const outWeight = new Float64Array(n);
  const inWeight = shard.directed ? new Float64Array(n) : outWeight;
  for (let r = 0; r < n; r++) {
    const v = graph.byGid[r]!;
    outDegree[v] = shard.outDegree[r]!;
    outWeight[v] = shard.outWeight[r]!;
    if (shard.directed) {
      inDegree[v] = shard.inDegree[r]!;
      inWeight[v] = shard.inWeight[r]!;
    }
  }
  return { outDegree, inDegree, outWeight, inWeight };
}

export function shardRouting(shard: WorkerShard): RoutingView {
  return { replicaOffsets: shard.replicaOffsets, replicaPartitions: shard.replicaPartitions };
}

/** Every array buffer of the shard, for a transfer list (each array owns its whole buffer). */
export function shardBuffers(shard: WorkerShard): ArrayBuffer[] {
  const arrays: ArrayBufferView[] = [shard.gids, shard.outDegree, shard.outWeight, shard.replicaOffsets, shard.replicaPartitions];
  if (shard.directed) arrays.push(shard.inDegree, shard.inWeight);
  for (const p of shard.partitions) {
    arrays.push(p.gids, p.master, p.src, p.dst);
    if (p.weight) arrays.push(p.weight);
  }
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}

/** A partition whose arrays each own their buffer (LMDB reads may share or offset one). */
function ownBuffers(p: StoredPartition): StoredPartition {
  const own = <T extends Uint32Array | Uint16Array | Float64Array>(a: T): T =>
    a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : (a.slice() as T);
  return { meta: p.meta, gids: own(p.gids), master: own(p.master), src: own(p.src), dst: own(p.dst), weight: p.weight ? own(p.weight) : null };
}
