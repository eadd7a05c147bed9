/**
 * `repartition`: the same graph cut anew — another strategy, partition count, seed or strategy
 * parameter — without going back to the source file. The graph keeps its id, its name, its jobs
 * and their results (which are indexed by global vertex id, and ids do not change): only its
 * layout directory and the catalog's partitioning figures are replaced.
 *
 * Atomic like an import: the new layout is written to a fresh directory that the catalog marks
 * as this process's pending layout, and the graph switches to it in one catalog transaction; on
 * any error (or if the process is killed, at the next catalog open) the new directory goes and
 * the graph is untouched. The old layout is deleted after the switch, so a repartition needs room
 * for both (GAS_ERR_NO_SPACE names the new layout's size when the volume lacks it).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { GasError, NoSpaceError } from '../errors.js';
import { PARTITION_DEFAULTS } from '../partition/index.js';
import { removeRootLayout, type Catalog, type GraphRecord, type PartitionSize } from '../storage/catalog.js';
import { graphDir, graphStoreDir, newLayoutName } from '../storage/data-dir.js';
import { CATALOG_WRITE_BYTES, asNoSpace, noSpaceError } from '../storage/disk-space.js';
import { GraphReader } from '../storage/graph-reader.js';
import { checkStrategyOptions, writeLayout } from './layout.js';
import { checkPartitionOptions, stripUndefined, type PartitionOptions } from './options.js';
import { readStoredEdges } from './stored-edges.js';

/** The partition options each default to the graph's current value. */
export interface RepartitionOptions extends PartitionOptions {
  /** Name or id of the graph. */
  readonly graph: string;
  readonly onProgress?: (phase: string, fraction: number) => void;
}

export interface RepartitionResult {
  readonly graph: GraphRecord;
  /** The partitioning it had before. */
  readonly previous: Pick<GraphRecord, 'partitions' | 'strategy' | 'seed' | 'replicationFactor' | 'edgeBalance' | 'vertexBalance'>;
  readonly strategyReason: string | null;
  readonly partitionSizes: readonly PartitionSize[];
  readonly timings: { readonly readMs: number; readonly partitionMs: number; readonly buildMs: number; readonly totalMs: number };
}

export async function repartitionGraph(catalog: Catalog, options: RepartitionOptions): Promise<RepartitionResult> {
  const started = performance.now();
  const graph = catalog.getGraph(options.graph); // GAS_ERR_NOT_FOUND naming it
  const opts = {
    partitions: graph.partitions,
    strategy: graph.strategy,
    seed: graph.seed,
    threshold: graph.strategyOptions.threshold ?? PARTITION_DEFAULTS.threshold,
    lambda: graph.strategyOptions.lambda ?? PARTITION_DEFAULTS.lambda,
    ...stripUndefined(options),
  };
  checkPartitionOptions('repartition', opts);
  // Repeats removed at import are gone; kept repeats may be split by a greedy strategy (counted).
  checkStrategyOptions(opts.strategy, false, 'repartition', options.for);

  const layoutName = newLayoutName();
  const dir = join(graphDir(catalog.dataDir, graph.id), layoutName);
  const catalogNeed = { api: 'repartition', dataDir: catalog.dataDir, what: 'the catalog', neededBytes: CATALOG_WRITE_BYTES };
  try {
    catalog.beginRepartition(graph.id, layoutName);
  } catch (error) {
    throw asNoSpace(error, catalogNeed);
  }
  try {
    const reader = GraphReader.open(graphStoreDir(catalog.dataDir, graph));
    let input;
    try {
      const edges = readStoredEdges(reader);
      if (edges.length !== graph.edges) {
        throw new GasError(
          'GAS_ERR_CORRUPT',
          `repartition: graph "${graph.name}" holds ${edges.length} edges in ${reader.dir}, the catalog says ${graph.edges}`,
          {
            graph: graph.name,
          },
        );
      }
      const { numeric, text } = reader.labels();
      input = { edges, labels: { numVertices: graph.vertices, numDirect: reader.meta.numDirect, numeric, text }, directed: graph.directed };
    } finally {
      reader.close();
    }
    const readAt = performance.now();
    const layout = await writeLayout(dir, input, { ...opts, dedupe: false, dropSelfLoops: false, for: options.for, onProgress: options.onProgress });
    const old = catalog.completeRepartition(
      graph.id,
      layoutName,
      {
        partitions: opts.partitions,
        strategy: layout.strategy.name,
        seed: opts.seed,
        strategyOptions: { threshold: opts.threshold, lambda: opts.lambda },
        strategyReason: layout.strategyReason,
        multiEdges: layout.multiEdges + graph.removedMultiEdges,
        replicationFactor: layout.replicationFactor,
        edgeBalance: layout.edgeBalance,
        vertexBalance: layout.vertexBalance,
      },
      layout.sizes,
    );
    if (old === '') removeRootLayout(graphDir(catalog.dataDir, graph.id));
    else rmSync(join(graphDir(catalog.dataDir, graph.id), old), { recursive: true, force: true });
    return {
      graph: catalog.getGraph(graph.id),
      previous: graph,
      strategyReason: layout.strategyReason,
      partitionSizes: layout.sizes,
      timings: { readMs: readAt - started, partitionMs: layout.partitionMs, buildMs: layout.buildMs, totalMs: performance.now() - started },
    };
  } catch (error) {
    // Files before the row, as for an import: the space they free is what the catalog's write needs.
    rmSync(dir, { recursive: true, force: true });
    try {
      catalog.abortRepartition(graph.id, layoutName);
    } catch {
      // The graph keeps pointing at its old layout; the pending mark of this process is cleared by
      // the first catalog open after it ends. The repartition's own error matters more.
    }
    if (error instanceof NoSpaceError) {
      // The old layout stays until the switch, so the new one needs its full size on top of it.
      const what = `the new layout of graph "${graph.name}" (written beside the current one until the switch)`;
      throw noSpaceError({ api: 'repartition', dataDir: catalog.dataDir, what, neededBytes: error.neededBytes }, error);
    }
    throw asNoSpace(error, catalogNeed);
  }
}
