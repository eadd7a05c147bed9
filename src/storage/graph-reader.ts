/**
 * Reading a stored graph back: graph-wide tables (labels, degrees, routing) and each
 * partition's vertex and edge tables, as typed arrays.
 */
import { existsSync } from 'node:fs';
import { GasError } from '../errors.js';
import { BLOCK_SIZE, blockCount } from './columns.js';
import type { VertexLabel } from './dictionary.js';
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
} from './graph-store.js';

export interface StoredPartition {
  readonly meta: PartitionMeta;
  /** Global id of each local vertex (ascending). */
  readonly gids: Uint32Array;
  /** Master partition of each local vertex. */
  readonly master: Uint16Array;
  /** Local source and target of each edge, sorted by (src, dst). */
  readonly src: Uint32Array;
  readonly dst: Uint32Array;
  readonly weight: Float64Array | null;
}

export interface StoredRouting {
  readonly master: Uint16Array;
  readonly replicaOffsets: Uint32Array;
  readonly replicaPartitions: Uint16Array;
}

/**
 * What a job needs of a partitioned graph, wherever its tables live: the graph store on disk
 * (`GraphReader`) or memory (`ingest/memory-graph.ts`, a graphology graph cut in place). The
 * engine's loaders (`readShard`, `readGraphTables`, `startWorkers`) see only this.
 *
 * `partition(p)` returns arrays the caller owns: they may be transferred to a worker thread.
 */
export interface GraphSource {
  /** Names the layout (remote workers key their shard cache by its base name). */
  readonly dir: string;
  readonly meta: GraphMeta;
  labelOf(id: number): VertexLabel;
  /** The id of the vertex labelled `label` (as the user typed it), or −1. */
  idOf(label: string): number;
  degrees(): { outDegree: Uint32Array; inDegree: Uint32Array };
  /** Total out- and in-edge weight per vertex (the degrees, as doubles, on unweighted graphs). */
  weights(): { outWeight: Float64Array; inWeight: Float64Array };
  routing(): StoredRouting;
  partition(partition: number): StoredPartition;
}

export class GraphReader implements GraphSource {
  readonly dir: string;
  readonly meta: GraphMeta;
  private readonly env: ColumnEnv;
  private labelCache: { numeric: Float64Array; text: Map<number, string> } | null = null;

  private constructor(dir: string, env: ColumnEnv, meta: GraphMeta) {
    this.dir = dir;
    this.env = env;
    this.meta = meta;
  }

  static open(dir: string): GraphReader {
    const file = graphFile(dir);
    if (!existsSync(file)) throw new GasError('GAS_ERR_CORRUPT', `graph store: ${file} is missing`, { file });
    const env = ColumnEnv.open(file, { create: false, readOnly: true });
    const meta = env.getMeta<GraphMeta>();
    if (meta.formatVersion !== STORE_FORMAT_VERSION) {
      env.close();
      throw new GasError('GAS_ERR_UNSUPPORTED', `graph store: ${file} has format version ${meta.formatVersion}, expected ${STORE_FORMAT_VERSION}`, { file });
    }
    return new GraphReader(dir, env, meta);
  }

  close(): void {
    this.env.close();
  }

  /** Every vertex's label: `numeric[id]`, or `text.get(id)` where `numeric[id]` is NaN. */
  labels(): { numeric: Float64Array; text: Map<number, string> } {
    if (!this.labelCache) {
      const numeric = this.env.getColumn('graph', GRAPH_COLUMNS.label, this.meta.vertices) as Float64Array;
      const text = new Map<number, string>();
      if (this.meta.textLabels > 0) {
        for (let b = 0; b < blockCount(this.meta.vertices); b++) {
          for (const [id, label] of this.env.getJson<[number, string][]>(['graph', 'labelText', b]) ?? []) text.set(id, label);
        }
      }
      if (text.size !== this.meta.textLabels) {
        throw new GasError('GAS_ERR_CORRUPT', `graph store: ${this.dir}: expected ${this.meta.textLabels} text labels, found ${text.size}`);
      }
      this.labelCache = { numeric, text };
    }
    return this.labelCache;
  }

  /**
   * The labels of block `b` (vertices b·BLOCK_SIZE onwards), read from the store without caching
   * the whole dictionary: for readers that stream every vertex in constant memory.
   */
  labelBlock(b: number): (id: number) => VertexLabel {
    const numeric = this.env.getColumnBlock('graph', GRAPH_COLUMNS.label, this.meta.vertices, b) as Float64Array;
    const text = new Map<number, string>(this.meta.textLabels > 0 ? (this.env.getJson<[number, string][]>(['graph', 'labelText', b]) ?? []) : []);
    const start = b * BLOCK_SIZE;
    return (id) => {
      const value = numeric[id - start]!;
      return Number.isNaN(value) ? text.get(id)! : value;
    };
  }

  labelOf(id: number): VertexLabel {
    const { numeric, text } = this.labels();
    const value = numeric[id]!;
    return Number.isNaN(value) ? text.get(id)! : value;
  }

  /** The id of the vertex labelled `label` (given as the user typed it), or −1. */
  idOf(label: string): number {
    const { numeric, text } = this.labels();
    const direct = this.meta.numDirect;
    const asNumber = /^(0|[1-9]\d{0,15})$/.test(label) ? Number(label) : NaN;
    if (Number.isSafeInteger(asNumber)) {
      let low = 0;
      let high = direct - 1;
      while (low <= high) {
        const mid = (low + high) >>> 1;
        const value = numeric[mid]!;
        if (value === asNumber) return mid;
        if (value < asNumber) low = mid + 1;
        else high = mid - 1;
      }
      for (let id = direct; id < numeric.length; id++) if (numeric[id] === asNumber) return id;
      return -1;
    }
    for (const [id, value] of text) if (value === label) return id;
    return -1;
  }

  degrees(): { outDegree: Uint32Array; inDegree: Uint32Array } {
    return {
      outDegree: this.env.getColumn('graph', GRAPH_COLUMNS.outDegree, this.meta.vertices) as Uint32Array,
      inDegree: this.env.getColumn('graph', GRAPH_COLUMNS.inDegree, this.meta.vertices) as Uint32Array,
    };
  }

  /** Total out- and in-edge weight per vertex (the degrees, as doubles, on unweighted graphs). */
  weights(): { outWeight: Float64Array; inWeight: Float64Array } {
    if (!this.meta.weighted) {
      const { outDegree, inDegree } = this.degrees();
      return { outWeight: Float64Array.from(outDegree), inWeight: Float64Array.from(inDegree) };
    }
    return {
      outWeight: this.env.getColumn('graph', GRAPH_COLUMNS.outWeight, this.meta.vertices) as Float64Array,
      inWeight: this.env.getColumn('graph', GRAPH_COLUMNS.inWeight, this.meta.vertices) as Float64Array,
    };
  }

  routing(): StoredRouting {
    const replicaOffsets = this.env.getColumn('graph', GRAPH_COLUMNS.replicaOffsets, this.meta.vertices + 1) as Uint32Array;
    return {
      master: this.env.getColumn('graph', GRAPH_COLUMNS.master, this.meta.vertices) as Uint16Array,
      replicaOffsets,
      replicaPartitions: this.env.getColumn('graph', GRAPH_COLUMNS.replicaPartitions, replicaOffsets[this.meta.vertices]!) as Uint16Array,
    };
  }

  partition(partition: number): StoredPartition {
    if (!Number.isInteger(partition) || partition < 0 || partition >= this.meta.numPartitions) {
      throw new GasError('GAS_ERR_INVALID_ARGUMENT', `graph store: partition ${partition} out of range 0..${this.meta.numPartitions - 1}`);
    }
    const file = partitionFile(this.dir, partition);
    if (!existsSync(file)) throw new GasError('GAS_ERR_CORRUPT', `graph store: ${file} is missing`, { file });
    const env = ColumnEnv.open(file, { create: false, readOnly: true });
    try {
      const meta = env.getMeta<PartitionMeta>();
      const hasWeight = meta.edgeColumns.some((column) => column.name === EDGE_COLUMNS.weight.name);
      return {
        meta,
        gids: env.getColumn('vertex', VERTEX_COLUMNS.gid, meta.vertices) as Uint32Array,
        master: env.getColumn('vertex', VERTEX_COLUMNS.master, meta.vertices) as Uint16Array,
        src: env.getColumn('edge', EDGE_COLUMNS.src, meta.edges) as Uint32Array,
        dst: env.getColumn('edge', EDGE_COLUMNS.dst, meta.edges) as Uint32Array,
        weight: hasWeight ? (env.getColumn('edge', EDGE_COLUMNS.weight, meta.edges) as Float64Array) : null,
      };
    } finally {
      env.close();
    }
  }
}
