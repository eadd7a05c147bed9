/**
 * Laying a graph's edges out as vertex-cut partitions: strategy (named or `auto`), assignment,
 * per-partition build (local ids, sort, duplicates, degrees), routing table, and every table
 * written to LMDB under one layout directory. Shared by `import` (edges fresh from a file) and
 * `repartition` (edges read back from the stored partitions), which differ only in where the
 * edges and labels come from and in how the catalog row is committed.
 */
import { GasError, InvalidArgumentError, NoSpaceError } from '../errors.js';
import {
  AUTO_STRATEGY,
  balance,
  buildRouting,
  chooseStrategy,
  hashVertex,
  replicationFactor,
  SAMPLE_EDGES,
  STRATEGY_NAMES,
  strategyByName,
  type PartitionStrategy,
  type ProgramTarget,
  type Routing,
} from '../partition/index.js';
import type { PartitionSize } from '../storage/catalog.js';
import type { FinalDictionary } from '../storage/dictionary.js';
import { checkSpace, noSpaceError } from '../storage/disk-space.js';
import type { EdgeChunks } from '../storage/growable.js';
import type { BuiltPartition } from './build-partition.js';
import { countRepeatedEdges } from './cross-duplicates.js';
import { countDegrees, distributeEdges, isolatedVertices } from './distribute.js';
import { orientedStream } from './edge-stream.js';
import { buildPartitions } from './parallel-build.js';
import { layoutBytes, writeGraphTables, writePartition, type VertexLabels } from './write.js';

export interface LayoutOptions {
  readonly partitions: number;
  /** A strategy name or `auto`. */
  readonly strategy: string;
  readonly seed: number;
  readonly threshold: number;
  readonly lambda: number;
  readonly dedupe: boolean;
  readonly dropSelfLoops: boolean;
  /** With `auto`: the program to choose for (its gather direction), if known. */
  readonly for?: ProgramTarget;
  readonly onProgress?: (phase: string, fraction: number) => void;
}

export interface LayoutInput {
  /** The edges, consumed (released) by the layout. */
  readonly edges: EdgeChunks;
  readonly labels: VertexLabels;
  /** When the edges still hold provisional label codes: the dictionary that maps them to ids. */
  readonly remap?: FinalDictionary;
  readonly directed: boolean;
}

export interface Layout {
  readonly strategy: PartitionStrategy;
  /** With `auto`: which strategy was chosen and why. */
  readonly strategyReason: string | null;
  readonly sizes: PartitionSize[];
  readonly edges: number;
  readonly selfLoops: number;
  readonly removedSelfLoops: number;
  readonly multiEdges: number;
  readonly removedMultiEdges: number;
  readonly replicationFactor: number;
  readonly edgeBalance: number;
  readonly vertexBalance: number;
  readonly partitionMs: number;
  readonly buildMs: number;
}

/** Refuses option combinations a strategy cannot honour (before any work is done). */
export function checkStrategyOptions(strategyName: string, dedupe: boolean, verb: string, target?: ProgramTarget): void {
  if (target && strategyName !== AUTO_STRATEGY) {
    throw new InvalidArgumentError(`${verb}: --for ${target.name} only applies to --strategy auto (got --strategy ${strategyName})`, { option: 'for' });
  }
  if (strategyName === AUTO_STRATEGY || !dedupe) return;
  const strategy = strategyByName(strategyName);
  if (!strategy.colocatesDuplicates) {
    throw new GasError(
      'GAS_ERR_UNSUPPORTED',
      `${verb}: --dedupe cannot be combined with --strategy ${strategy.name}, which may place copies of a repeated edge in different partitions; dedupe with a hashing strategy (random, grid, dbh, …) or remove repeats from the file first`,
      { option: 'dedupe' },
    );
  }
}

/** A layout still in memory: the built partitions, the routing table and the whole-graph degrees. */
export interface MemoryLayout {
  readonly partitions: BuiltPartition[];
  readonly routing: Routing;
  readonly degrees: { outDegree: Uint32Array; inDegree: Uint32Array; outWeight: Float64Array | null; inWeight: Float64Array | null };
  readonly weighted: boolean;
  readonly numVertices: number;
  readonly stats: Omit<Layout, 'sizes' | 'edges' | 'buildMs'>;
}

/**
 * Partitions `input.edges` and writes the layout's tables into `dir` (which must not exist yet).
 * A volume without room for the whole layout fails with GAS_ERR_NO_SPACE whose `neededBytes` is
 * the layout's size — before writing, when the estimate already exceeds the space available —
 * and leaves `dir` for the caller to remove.
 */
export async function writeLayout(dir: string, input: LayoutInput, options: LayoutOptions): Promise<Layout> {
  const laidOut = await layOut(input, options);
  const { partitions: built, routing, numVertices } = laidOut;
  const numPartitions = built.length;
  const sizes: PartitionSize[] = [];
  let edgeTotal = 0;
  const need = { api: 'layout', dataDir: dir, what: 'the layout', neededBytes: layoutBytes(built, input.labels, laidOut.degrees, routing) };
  try {
    checkSpace(dir, need);
    for (let p = 0; p < numPartitions; p++) {
      const meta = writePartition(dir, p, numPartitions, built[p]!, routing.master);
      sizes.push({ partition: p, vertices: meta.vertices, masters: meta.masters, edges: meta.edges });
      edgeTotal += meta.edges;
      built[p] = null as never;
      options.onProgress?.('write', (p + 1) / numPartitions);
    }
    writeGraphTables(
      dir,
      { vertices: numVertices, edges: edgeTotal, directed: input.directed, weighted: laidOut.weighted, numPartitions },
      input.labels,
      laidOut.degrees,
      routing,
    );
  } catch (error) {
    // One environment ran out: what the user needs to know is the size of the whole layout.
    if (error instanceof NoSpaceError) throw noSpaceError({ ...need, neededBytes: Math.max(need.neededBytes, error.neededBytes) }, error);
    throw error;
  }
  return {
    ...laidOut.stats,
    sizes,
    edges: edgeTotal,
    buildMs: performance.now() - laidOut.startedAt - laidOut.stats.partitionMs,
  };
}

/**
 * Partitions `input.edges` and builds every partition in memory (strategy, assignment, local
 * ids, sort, duplicates, degrees, routing): everything of a layout but the writing. `import` and
 * `repartition` write the result; a graphology graph run in memory keeps it.
 */
export async function layOut(input: LayoutInput, options: LayoutOptions): Promise<MemoryLayout & { readonly startedAt: number }> {
  const started = performance.now();
  const { edges, labels, directed } = input;
  const numPartitions = options.partitions;
  const numVertices = labels.numVertices;
  const progress = options.onProgress;
  const auto = options.strategy === AUTO_STRATEGY;
  let strategy = auto ? null : strategyByName(options.strategy);
  let strategyReason: string | null = null;

  // Dense ids first when a strategy needs degrees, or auto needs a sample.
  let remapped = input.remap === undefined;
  let degrees: { out: Uint32Array; in: Uint32Array } | undefined;
  if (auto || strategy!.needsDegrees) {
    degrees = countDegrees(edges, numVertices, directed, input.remap);
    remapped = true;
  }
  if (auto) {
    // With --dedupe only strategies that keep repeated edges together qualify.
    const candidates = STRATEGY_NAMES.map(strategyByName).filter((s) => s.colocatesDuplicates || !options.dedupe);
    const choice = chooseStrategy(candidates, orientedStream(edges, numVertices, directed, SAMPLE_EDGES), numPartitions, { ...options, target: options.for });
    strategy = choice.strategy;
    strategyReason = choice.reason;
  }
  const chosen = strategy!;
  const partitioner = chosen.create({
    numPartitions,
    numVertices,
    directed,
    seed: options.seed,
    degrees,
    threshold: options.threshold,
    lambda: options.lambda,
  });
  const distributed = distributeEdges(edges, numVertices, partitioner, {
    numPartitions,
    directed,
    dropSelfLoops: options.dropSelfLoops,
    remap: remapped ? undefined : input.remap,
    shuffleSeed: chosen.orderSensitive ? options.seed : undefined,
    onProgress: progress && ((f) => progress('partition', f)),
  });
  const isolated = isolatedVertices(numVertices, distributed.hasEdge, numPartitions, (v) => hashVertex(v, options.seed) % numPartitions);
  const partitionedAt = performance.now();

  // Per partition: local ids, sorted edges, duplicates, degrees; edges written later with the vertex table.
  const outDegree = new Uint32Array(numVertices);
  const inDegree = new Uint32Array(numVertices);
  const outWeight = edges.weighted ? new Float64Array(numVertices) : null;
  const inWeight = edges.weighted ? new Float64Array(numVertices) : null;
  const built: BuiltPartition[] = new Array(numPartitions);
  let duplicates = 0;
  let removedDuplicates = 0;
  let done = 0;
  const requests = distributed.partitions.map((chunks, p) => () => ({
    partition: p,
    edges: chunks.drain(),
    isolated: isolated[p]!,
    numVertices,
    dedupe: options.dedupe,
    directed,
  }));
  await buildPartitions(requests, edges.length, (p, part) => {
    duplicates += part.duplicates;
    removedDuplicates += part.removedDuplicates;
    for (let l = 0; l < part.gids.length; l++) {
      const g = part.gids[l]!;
      outDegree[g]! += part.outDegree[l]!;
      inDegree[g]! += part.inDegree[l]!;
      if (outWeight && inWeight) {
        outWeight[g]! += part.outWeight![l]!;
        inWeight[g]! += part.inWeight![l]!;
      }
    }
    built[p] = part;
    progress?.('build', ++done / numPartitions);
  });

  // Repeats split across partitions (greedy strategies only): count them over all partitions at once.
  if (!chosen.colocatesDuplicates) duplicates = countRepeatedEdges(built);

  // Routing table: each vertex's master and replicas.
  const routing = buildRouting(
    numVertices,
    built.map((part) => part.gids),
    options.seed,
  );
  const edgeCounts = built.map((part) => part.src.length);
  const masterCounts = new Array<number>(numPartitions).fill(0);
  for (let v = 0; v < numVertices; v++) masterCounts[routing.master[v]!]!++;
  return {
    partitions: built,
    routing,
    degrees: { outDegree, inDegree, outWeight, inWeight },
    weighted: edges.weighted,
    numVertices,
    startedAt: started,
    stats: {
      strategy: chosen,
      strategyReason,
      selfLoops: distributed.selfLoops,
      removedSelfLoops: distributed.removedSelfLoops,
      multiEdges: duplicates,
      removedMultiEdges: removedDuplicates,
      replicationFactor: replicationFactor(routing),
      edgeBalance: balance(edgeCounts),
      vertexBalance: balance(masterCounts),
      partitionMs: partitionedAt - started,
    },
  };
}
