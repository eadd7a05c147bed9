/**
 * `partition-report`: what each partitioning strategy would cost on a graph, before any job runs
 * and without storing anything — replication factor, edge balance (max/mean edges per
 * partition), vertex balance (max/mean replicas per partition), time, throughput and the memory
 * of the strategy's state. Every strategy sees the same edge stream: the file's edges in file
 * order, or a stored graph's edges in stored order (partition by partition — not the original
 * file order, which matters to the order-sensitive greedy strategies). Greedy strategies see
 * the stream shuffled per chunk (partition/stream-order.ts), as `import` feeds them.
 */
import { existsSync } from 'node:fs';
import { GasError } from '../errors.js';
import { orientedStream, readEdgeStream } from '../ingest/edge-stream.js';
import { readStoredEdges } from '../ingest/stored-edges.js';
import type { EdgeStream } from '../partition/index.js';
import { IMPORT_DEFAULTS, MAX_PARTITIONS } from '../ingest/options.js';
import { measureStrategy, messagesPerVertex, PARTITION_DEFAULTS, STRATEGY_NAMES, strategyByName, type StrategyMeasurement } from '../partition/index.js';
import { programTarget } from './program-target.js';
import { GraphReader, graphStoreDir, type Catalog, type GraphFormat } from '../storage/index.js';

export interface PartitionReportOptions {
  /** A graph file, or the name of a stored graph. */
  readonly source: string;
  readonly partitions: number;
  /** Default: every strategy. */
  readonly strategies?: readonly string[];
  readonly undirected?: boolean;
  readonly format?: GraphFormat;
  readonly seed?: number;
  readonly threshold?: number;
  readonly lambda?: number;
  /** Feed order-sensitive (greedy) strategies the edges in stream order, not shuffled (to show their degeneration). */
  readonly streamOrder?: boolean;
  /** An algorithm name: rows then estimate its messages per vertex per step (`partition/gather-span.ts`). */
  readonly for?: string;
}

export interface PartitionReportRow extends StrategyMeasurement {
  readonly strategy: string;
  readonly partitions: number;
  /** With `for`: (replication − 1) + (gather span − 1), the program's estimated messages per vertex per step. */
  readonly messagesPerVertex?: number;
}

export async function partitionReport(
  catalog: Catalog,
  options: PartitionReportOptions,
): Promise<{ vertices: number; edges: number; rows: PartitionReportRow[] }> {
  const { partitions } = options;
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
    throw new GasError('GAS_ERR_INVALID_ARGUMENT', `partition-report: --partitions must be an integer from 1 to ${MAX_PARTITIONS}, got ${partitions}`, {
      option: 'partitions',
    });
  }
  const strategies = (options.strategies ?? STRATEGY_NAMES).map((name) => strategyByName(name));
  const target = programTarget(options.for);
  const stream = await edgeStreamOf(catalog, options);
  const parameters = {
    seed: options.seed ?? IMPORT_DEFAULTS.seed,
    threshold: options.threshold ?? PARTITION_DEFAULTS.threshold,
    lambda: options.lambda ?? PARTITION_DEFAULTS.lambda,
    streamOrder: options.streamOrder ?? false,
    gathers: target?.gathers,
  };
  const rows = strategies.map((strategy): PartitionReportRow => {
    const m = measureStrategy(strategy, stream, partitions, parameters);
    return { strategy: strategy.name, partitions, ...m, ...(target ? { messagesPerVertex: messagesPerVertex(m.replicationFactor, m.gatherSpan) } : {}) };
  });
  return { vertices: stream.numVertices, edges: stream.src.length, rows };
}

async function edgeStreamOf(catalog: Catalog, options: PartitionReportOptions): Promise<EdgeStream> {
  if (existsSync(options.source)) return readEdgeStream(options.source, options);
  const graph = catalog.getGraph(options.source); // throws GAS_ERR_NOT_FOUND naming it
  const reader = GraphReader.open(graphStoreDir(catalog.dataDir, graph));
  try {
    return orientedStream(readStoredEdges(reader), graph.vertices, graph.directed, graph.edges, true);
  } finally {
    reader.close();
  }
}
