/**
 * A partitioned graph held in memory: the same vertex-cut layout `import` writes to LMDB (built
 * by the same `layOut`), kept as typed arrays and served through the `GraphSource` interface the
 * engine loads workers from. Nothing touches the disk, so a graph that already lives in memory
 * (a graphology `Graph`) runs without a data directory.
 */
import { randomUUID } from 'node:crypto';
import type { Routing } from '../partition/index.js';
import type { VertexLabel } from '../storage/dictionary.js';
import type { GraphSource, StoredPartition, StoredRouting } from '../storage/graph-reader.js';
import { STORE_FORMAT_VERSION, type GraphMeta, type PartitionMeta } from '../storage/graph-store.js';
import type { BuiltPartition } from './build-partition.js';
import { layOut, type Layout, type LayoutInput, type LayoutOptions } from './layout.js';
import { partitionTable, type VertexLabels } from './write.js';

export class MemoryGraph implements GraphSource {
  /** A name no store uses: a remote worker's shard cache never mistakes it for a stored layout. */
  readonly dir = `memory-${randomUUID()}`;
  readonly meta: GraphMeta;
  /** What the layout reports (strategy, replication factor, balance, self-loops, multi-edges). */
  readonly stats: Omit<Layout, 'sizes' | 'buildMs'>;
  private readonly tables: { meta: PartitionMeta; built: BuiltPartition; localMaster: Uint16Array }[];
  private readonly labels: VertexLabels;
  private readonly routingTable: Routing;
  private readonly outDegree: Uint32Array;
  private readonly inDegree: Uint32Array;
  private readonly outWeight: Float64Array;
  private readonly inWeight: Float64Array;
  private idsByText: Map<string, number> | null = null;

  private constructor(input: LayoutInput, laidOut: Awaited<ReturnType<typeof layOut>>) {
    const numPartitions = laidOut.partitions.length;
    this.tables = laidOut.partitions.map((built, p) => ({ built, ...partitionTable(p, numPartitions, built, laidOut.routing.master) }));
    const edges = this.tables.reduce((sum, table) => sum + table.meta.edges, 0);
    this.labels = input.labels;
    this.routingTable = laidOut.routing;
    this.meta = {
      formatVersion: STORE_FORMAT_VERSION,
      vertices: laidOut.numVertices,
      edges,
      directed: input.directed,
      weighted: laidOut.weighted,
      numPartitions,
      numDirect: input.labels.numDirect,
      textLabels: input.labels.text.size,
    };
    this.stats = { ...laidOut.stats, edges };
    const { outDegree, inDegree, outWeight, inWeight } = laidOut.degrees;
    this.outDegree = outDegree;
    this.inDegree = inDegree;
    // Unweighted graphs: weight totals are the degrees, as the store reader gives them.
    this.outWeight = outWeight ?? Float64Array.from(outDegree);
    this.inWeight = inWeight ?? Float64Array.from(inDegree);
  }

  /** Lays `input.edges` out in memory (consuming them) exactly as `import` would lay them out on disk. */
  static async build(input: LayoutInput, options: LayoutOptions): Promise<MemoryGraph> {
    return new MemoryGraph(input, await layOut(input, options));
  }

  labelOf(id: number): VertexLabel {
    const value = this.labels.numeric[id]!;
    return Number.isNaN(value) ? this.labels.text.get(id)! : value;
  }

  idOf(label: string): number {
    if (!this.idsByText) {
      this.idsByText = new Map();
      for (let id = 0; id < this.meta.vertices; id++) this.idsByText.set(String(this.labelOf(id)), id);
    }
    // Integer labels are interned only in canonical form (no sign, no leading zeros), so their text is the key.
    return this.idsByText.get(label) ?? -1;
  }

  degrees(): { outDegree: Uint32Array; inDegree: Uint32Array } {
    return { outDegree: this.outDegree, inDegree: this.inDegree };
  }

  weights(): { outWeight: Float64Array; inWeight: Float64Array } {
    return { outWeight: this.outWeight, inWeight: this.inWeight };
  }

  routing(): StoredRouting {
    return this.routingTable;
  }

  /** Fresh copies, as a read from the store gives: the caller may transfer them to a worker thread. */
  partition(partition: number): StoredPartition {
    const { meta, built, localMaster } = this.tables[partition]!;
    return {
      meta,
      gids: built.gids.slice(),
      master: localMaster.slice(),
      src: built.src.slice(),
      dst: built.dst.slice(),
      weight: built.weight ? built.weight.slice() : null,
    };
  }
}
