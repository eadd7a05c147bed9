/** Writing an import's tables into the graph store, one LMDB transaction per environment. */
import type { Routing } from '../partition/index.js';
import { BLOCK_SHIFT } from '../storage/columns.js';
import type { FinalDictionary } from '../storage/dictionary.js';
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

export function writeGraphTables(
  dir: string,
  meta: Omit<GraphMeta, 'formatVersion' | 'numDirect' | 'textLabels'>,
  dictionary: VertexLabels,
  degrees: { outDegree: Uint32Array; inDegree: Uint32Array; outWeight: Float64Array | null; inWeight: Float64Array | null },
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
