/** Writing an import's tables into the graph store, one LMDB transaction per environment. */
import type { Routing } from '../partition/index.js';
import { BLOCK_SHIFT } from '../storage/columns.js';
import type { FinalDictionary } from '../storage/dictionary.js';
import { LMDB_ENV_BYTES } from '../storage/disk-space.js';
import {
  ColumnEnv,
  EDGE_COLUMNS,
  GRAPH_COLUMNS,
  STORE_FORMAT_VERSION,
  VERTEX_COLUMNS,
  graphFile,
  partitionFile,
  type GraphMeta,
  type PartitionMeta,
} from '../storage/graph-store.js';
import type { BuiltPartition } from './build-partition.js';

export function writePartition(dir: string, partition: number, numPartitions: number, built: BuiltPartition, master: Uint16Array): PartitionMeta {
  const { meta, localMaster } = partitionTable(partition, numPartitions, built, master);
  const env = ColumnEnv.open(partitionFile(dir, partition), { create: true });
  try {
    env.transaction(() => {
      env.putColumn('vertex', VERTEX_COLUMNS.gid, built.gids);
      env.putColumn('vertex', VERTEX_COLUMNS.master, localMaster);
      env.putColumn('edge', EDGE_COLUMNS.src, built.src);
      env.putColumn('edge', EDGE_COLUMNS.dst, built.dst);
      if (built.weight) env.putColumn('edge', EDGE_COLUMNS.weight, built.weight);
      env.putMeta(meta);
    });
  } finally {
    env.close();
  }
  return meta;
}

/** A built partition's stored meta and the master partition of each of its local vertices. */
export function partitionTable(
  partition: number,
  numPartitions: number,
  built: BuiltPartition,
  master: Uint16Array,
): { meta: PartitionMeta; localMaster: Uint16Array } {
  let masters = 0;
  const localMaster = new Uint16Array(built.gids.length);
  for (let l = 0; l < built.gids.length; l++) {
    const m = master[built.gids[l]!]!;
    localMaster[l] = m;
    if (m === partition) masters++;
  }
  const meta: PartitionMeta = {
    formatVersion: STORE_FORMAT_VERSION,
    partition,
    numPartitions,
    vertices: built.gids.length,
    masters,
    edges: built.src.length,
    vertexColumns: [VERTEX_COLUMNS.gid, VERTEX_COLUMNS.master],
    edgeColumns: built.weight ? [EDGE_COLUMNS.src, EDGE_COLUMNS.dst, EDGE_COLUMNS.weight] : [EDGE_COLUMNS.src, EDGE_COLUMNS.dst],
  };
  return { meta, localMaster };
}

/** The label tables of a graph: from a finished dictionary (import) or read back (repartition). */
export type VertexLabels = Pick<FinalDictionary, 'numVertices' | 'numDirect' | 'numeric' | 'text'>;

/** Whole-graph degrees (and weight totals, for weighted graphs) by global vertex id. */
export interface VertexDegrees {
  readonly outDegree: Uint32Array;
  readonly inDegree: Uint32Array;
  readonly outWeight: Float64Array | null;
  readonly inWeight: Float64Array | null;
}

export function writeGraphTables(
  dir: string,
  meta: Omit<GraphMeta, 'formatVersion' | 'numDirect' | 'textLabels'>,
  dictionary: VertexLabels,
  degrees: VertexDegrees,
  routing: Routing,
): GraphMeta {
  const full: GraphMeta = { ...meta, formatVersion: STORE_FORMAT_VERSION, numDirect: dictionary.numDirect, textLabels: dictionary.text.size };
  const env = ColumnEnv.open(graphFile(dir), { create: true });
  try {
    env.transaction(() => {
      env.putColumn('graph', GRAPH_COLUMNS.label, dictionary.numeric);
      writeTextLabels(env, dictionary.text);
      env.putColumn('graph', GRAPH_COLUMNS.outDegree, degrees.outDegree);
      env.putColumn('graph', GRAPH_COLUMNS.inDegree, degrees.inDegree);
      if (degrees.outWeight) env.putColumn('graph', GRAPH_COLUMNS.outWeight, degrees.outWeight);
      if (degrees.inWeight) env.putColumn('graph', GRAPH_COLUMNS.inWeight, degrees.inWeight);
      env.putColumn('graph', GRAPH_COLUMNS.master, routing.master);
      env.putColumn('graph', GRAPH_COLUMNS.replicaOffsets, routing.replicaOffsets);
      env.putColumn('graph', GRAPH_COLUMNS.replicaPartitions, routing.replicaPartitions);
      env.putMeta(full);
    });
  } finally {
    env.close();
  }
  return full;
}

/**
 * Bytes the tables of a layout hold — the values of every column, text labels as JSON, and each
 * environment's lock file and meta pages — measured before writing so that a layout that cannot
 * fit is refused before it fills the volume. A lower bound (LMDB's B-tree pages come on top), so
 * a refusal is never wrong; a write that still runs out is caught when it commits.
 */
export function layoutBytes(built: readonly BuiltPartition[], dictionary: VertexLabels, degrees: VertexDegrees, routing: Routing): number {
  let bytes = (built.length + 1) * LMDB_ENV_BYTES;
  for (const part of built) {
    // gid (u32) and master (u16) per local vertex, then the edge columns.
    bytes += part.gids.length * 6 + part.src.byteLength + part.dst.byteLength + (part.weight?.byteLength ?? 0);
  }
  bytes += dictionary.numeric.byteLength + degrees.outDegree.byteLength + degrees.inDegree.byteLength;
  bytes += (degrees.outWeight?.byteLength ?? 0) + (degrees.inWeight?.byteLength ?? 0);
  bytes += routing.master.byteLength + routing.replicaOffsets.byteLength + routing.replicaPartitions.byteLength;
  // `[id,"label"],` per text label: the label's UTF-16 length is a fair lower bound of its UTF-8 bytes.
  for (const label of dictionary.text.values()) bytes += label.length + 4;
  return bytes;
}

/** String labels, grouped by id block: `['graph', 'labelText', block] → [[id, text], …]`. */
function writeTextLabels(env: ColumnEnv, text: Map<number, string>): void {
  const blocks = new Map<number, [number, string][]>();
  for (const [id, label] of text) {
    const block = id >>> BLOCK_SHIFT;
    let list = blocks.get(block);
    if (!list) blocks.set(block, (list = []));
    list.push([id, label]);
  }
  for (const [block, list] of blocks) env.putJson(['graph', 'labelText', block], list);
}
