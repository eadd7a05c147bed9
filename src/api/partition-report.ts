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
import { readEdgeStream, type EdgeStream } from '../ingest/edge-stream.js';
import { IMPORT_DEFAULTS, MAX_PARTITIONS } from '../ingest/options.js';
import { balance, PARTITION_DEFAULTS, STRATEGY_NAMES, strategyByName, visitShuffled } from '../partition/index.js';
import { BLOCK_SIZE } from '../storage/columns.js';
import { GraphReader, graphDir, type Catalog, type GraphFormat } from '../storage/index.js';

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
}

export interface PartitionReportRow {
  readonly strategy: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly edgeBalance: number;
  readonly vertexBalance: number;
  readonly seconds: number;
  readonly edgesPerSecond: number;
  /** Typed-array memory of the strategy's state (and its degree pass), in MB. */
  readonly stateMB: number;
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
  const stream = await edgeStreamOf(catalog, options);
  const rows = strategies.map((strategy) => {
    const before = process.memoryUsage().arrayBuffers;
    const started = performance.now();
    const degrees = strategy.needsDegrees ? countDegrees(stream) : undefined;
    const partitioner = strategy.create({
      numPartitions: partitions,
      numVertices: stream.numVertices,
      directed: stream.directed,
      seed: options.seed ?? IMPORT_DEFAULTS.seed,
      degrees,
      threshold: options.threshold ?? PARTITION_DEFAULTS.threshold,
      lambda: options.lambda ?? PARTITION_DEFAULTS.lambda,
    });
    const assignment = new Uint16Array(stream.src.length);
    if (strategy.orderSensitive && !options.streamOrder) {
      const { src, dst } = stream;
      const chunks = Math.ceil(src.length / BLOCK_SIZE);
      visitShuffled(
        chunks,
        (k) => Math.min(BLOCK_SIZE, src.length - k * BLOCK_SIZE),
        options.seed ?? IMPORT_DEFAULTS.seed,
        (k, i) => {
          const e = k * BLOCK_SIZE + i;
          assignment[e] = partitioner.assign(src[e]!, dst[e]!);
        },
      );
    } else {
      for (let e = 0; e < stream.src.length; e++) assignment[e] = partitioner.assign(stream.src[e]!, stream.dst[e]!);
    }
    const seconds = (performance.now() - started) / 1000;
    const stateMB = Math.max(0, process.memoryUsage().arrayBuffers - before - assignment.byteLength) / 2 ** 20;
    return {
      strategy: strategy.name,
      partitions,
      ...measure(stream, assignment, partitions),
      seconds,
      edgesPerSecond: stream.src.length / seconds,
      stateMB,
      importable: strategy.colocatesDuplicates,
    };
  });
  return { vertices: stream.numVertices, edges: stream.src.length, rows };
}

async function edgeStreamOf(catalog: Catalog, options: PartitionReportOptions): Promise<EdgeStream> {
  if (existsSync(options.source)) return readEdgeStream(options.source, options);
  const graph = catalog.getGraph(options.source); // throws GAS_ERR_NOT_FOUND naming it
  const reader = GraphReader.open(graphDir(catalog.dataDir, graph.id));
  try {
    const src = new Uint32Array(graph.edges);
    const dst = new Uint32Array(graph.edges);
    let at = 0;
    for (let p = 0; p < reader.meta.numPartitions; p++) {
      const part = reader.partition(p);
      for (let i = 0; i < part.src.length; i++, at++) {
        src[at] = part.gids[part.src[i]!]!;
        dst[at] = part.gids[part.dst[i]!]!;
      }
    }
    return { numVertices: graph.vertices, directed: graph.directed, src, dst };
  } finally {
    reader.close();
  }
}

function countDegrees(stream: EdgeStream): { out: Uint32Array; in: Uint32Array } {
  const out = new Uint32Array(stream.numVertices);
  const into = stream.directed ? new Uint32Array(stream.numVertices) : out;
  for (let e = 0; e < stream.src.length; e++) {
    out[stream.src[e]!]!++;
    into[stream.dst[e]!]!++;
  }
  return { out, in: into };
}

/** Replicas per vertex (vertices with edges only) and loads per partition, from an assignment. */
function measure(stream: EdgeStream, assignment: Uint16Array, partitions: number): { replicationFactor: number; edgeBalance: number; vertexBalance: number } {
  const words = (partitions + 31) >>> 5;
  const bits = new Uint32Array(stream.numVertices * words);
  const edges = new Float64Array(partitions);
  const vertices = new Float64Array(partitions);
  let replicas = 0;
  const mark = (v: number, p: number): void => {
    const at = v * words + (p >>> 5);
    const bit = 1 << (p & 31);
    if ((bits[at]! & bit) === 0) {
      bits[at]! |= bit;
      vertices[p]!++;
      replicas++;
    }
  };
  for (let e = 0; e < assignment.length; e++) {
    const p = assignment[e]!;
    edges[p]!++;
    mark(stream.src[e]!, p);
    mark(stream.dst[e]!, p);
  }
  let touched = 0;
  for (let v = 0; v < stream.numVertices; v++) {
    for (let w = 0; w < words; w++) {
      if (bits[v * words + w] !== 0) {
        touched++;
        break;
      }
    }
  }
  return { replicationFactor: touched === 0 ? 1 : replicas / touched, edgeBalance: balance(edges), vertexBalance: balance(vertices) };
}
