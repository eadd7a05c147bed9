/**
 * `importGraph`: file → dictionary → vertex-cut partitions → LMDB tables → catalog, as one
 * atomic unit. The catalog row exists (status `importing`) before any file is written and turns
 * `ready` only after every LMDB transaction has committed; on any error the row and the graph
 * directory are removed, and a killed import is swept by the next process that opens the catalog.
 *
 * Passes: (1) stream-parse into chunked code arrays; (2) finalize the dictionary, remap to dense
 * ids and distribute edges to partitions in file order; (3) per partition: local ids, sort,
 * duplicates, write; (4) routing table, degrees and labels, write; (5) commit the catalog row.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { GasError } from '../errors.js';
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
} from '../partition/index.js';
import type { Catalog, GraphRecord, PartitionSize } from '../storage/catalog.js';
import { graphDir } from '../storage/data-dir.js';
import { LabelDictionary } from '../storage/dictionary.js';
import { EdgeChunks } from '../storage/growable.js';
import { loaderFor, openInput, type LoadInfo } from '../storage/loaders/index.js';
import type { BuiltPartition } from './build-partition.js';
import { buildPartitions } from './parallel-build.js';
import { countRepeatedEdges } from './cross-duplicates.js';
import { distributeEdges, isolatedVertices, remapAndCountDegrees } from './distribute.js';
import { orientedStream } from './edge-stream.js';
import { sniffFormat } from './sniff.js';
import { IMPORT_DEFAULTS, resolveImportOptions, type ImportOptions } from './options.js';
import { writeGraphTables, writePartition } from './write.js';

export interface ImportTimings {
  readonly parseMs: number;
  readonly partitionMs: number;
  readonly buildMs: number;
  readonly totalMs: number;
}

export interface ImportResult {
  readonly graph: GraphRecord;
  /** With `--strategy auto`: which strategy was chosen and why. */
  readonly strategyReason: string | null;
  readonly partitionSizes: readonly PartitionSize[];
  readonly timings: ImportTimings;
}

export async function importGraph(catalog: Catalog, options: ImportOptions): Promise<ImportResult> {
  const started = performance.now();
  const opts = resolveImportOptions(options);
  const auto = opts.strategy === AUTO_STRATEGY;
  let strategy = strategyByName(auto ? IMPORT_DEFAULTS.strategy : opts.strategy);
  let strategyReason: string | null = null;
  if (!strategy.colocatesDuplicates && opts.dedupe) {
    throw new GasError(
      'GAS_ERR_UNSUPPORTED',
      `import: --dedupe cannot be combined with --strategy ${strategy.name}, which may place copies of a repeated edge in different partitions; dedupe with a hashing strategy (random, grid, dbh, …) or remove repeats from the file first`,
      { option: 'dedupe' },
    );
  }
  const input = openInput(opts.file);
  const format = opts.format ?? (await sniffFormat(input));
  const progress = opts.onProgress;

  const id = randomUUID();
  const dir = graphDir(catalog.dataDir, id);
  catalog.beginImport(
    {
      id,
      name: opts.name,
      sourceFile: resolve(opts.file),
      format,
      directed: !opts.undirected,
      weighted: opts.weighted,
      partitions: opts.partitions,
      strategy: opts.strategy,
      seed: opts.seed,
    },
    opts.replace,
  );
  try {
    // Pass 1: parse.
    const dictionary = new LabelDictionary();
    let parsed: EdgeChunks | null = null;
    const info: LoadInfo = await loaderFor(format)(
      input,
      {
        dictionary,
        begin: (weighted) => (parsed = new EdgeChunks(weighted)),
      },
      { weighted: opts.weighted, header: opts.header, onBytes: progress && ((bytes) => progress('parse', bytes / Math.max(1, input.bytes))) },
    );
    const edges: EdgeChunks = parsed ?? new EdgeChunks(info.weighted);
    const directed = !opts.undirected && (info.directed ?? true);
    const final = dictionary.finalize();
    if (final.numVertices === 0) {
      throw new GasError('GAS_ERR_PARSE', `${opts.file}: no vertices or edges found (empty file?)`, { file: opts.file });
    }
    const parsedAt = performance.now();

    // Pass 2: dense ids, self-loops, orientation, partition assignment.
    const numPartitions = opts.partitions;
    let degrees = strategy.needsDegrees ? remapAndCountDegrees(edges, final, directed) : undefined;
    if (auto) {
      degrees = remapAndCountDegrees(edges, final, directed);
      // With --dedupe only strategies that keep repeated edges together qualify.
      const candidates = STRATEGY_NAMES.map(strategyByName).filter((s) => s.colocatesDuplicates || !opts.dedupe);
      const choice = chooseStrategy(candidates, orientedStream(edges, final.numVertices, directed, SAMPLE_EDGES), numPartitions, opts);
      strategy = choice.strategy;
      strategyReason = choice.reason;
    }
    const partitioner = strategy.create({
      numPartitions,
      numVertices: final.numVertices,
      directed,
      seed: opts.seed,
      degrees,
      threshold: opts.threshold,
      lambda: opts.lambda,
    });
    const distributed = distributeEdges(edges, final, partitioner, {
      numPartitions,
      directed,
      dropSelfLoops: opts.dropSelfLoops,
      remapped: degrees !== undefined,
      shuffleSeed: strategy.orderSensitive ? opts.seed : undefined,
      onProgress: progress && ((f) => progress('partition', f)),
    });
    const isolated = isolatedVertices(final.numVertices, distributed.hasEdge, numPartitions, (v) => hashVertex(v, opts.seed) % numPartitions);
    const partitionedAt = performance.now();

    // Pass 3: per partition — local ids, sorted edges, duplicates, degrees; edges written later with the vertex table.
    const outDegree = new Uint32Array(final.numVertices);
    const inDegree = new Uint32Array(final.numVertices);
    const outWeight = edges.weighted ? new Float64Array(final.numVertices) : null;
    const inWeight = edges.weighted ? new Float64Array(final.numVertices) : null;
    const built: BuiltPartition[] = new Array(numPartitions);
    let duplicates = 0;
    let removedDuplicates = 0;
    let done = 0;
    const requests = distributed.partitions.map((chunks, p) => () => ({
      partition: p,
      edges: chunks.drain(),
      isolated: isolated[p]!,
      numVertices: final.numVertices,
      dedupe: opts.dedupe,
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
    if (!strategy.colocatesDuplicates) duplicates = countRepeatedEdges(built);

    // Pass 4: routing table, then every table to LMDB.
    const routing = buildRouting(
      final.numVertices,
      built.map((part) => part.gids),
      opts.seed,
    );
    const sizes: PartitionSize[] = [];
    let edgeTotal = 0;
    for (let p = 0; p < numPartitions; p++) {
      const meta = writePartition(dir, p, numPartitions, built[p]!, routing.master);
      sizes.push({ partition: p, vertices: meta.vertices, masters: meta.masters, edges: meta.edges });
      edgeTotal += meta.edges;
      built[p] = null as never;
      progress?.('write', (p + 1) / numPartitions);
    }
    writeGraphTables(
      dir,
      { vertices: final.numVertices, edges: edgeTotal, directed, weighted: edges.weighted, numPartitions },
      final,
      { outDegree, inDegree, outWeight, inWeight },
      routing,
    );
    const builtAt = performance.now();

    // Pass 5: make it visible.
    const stats = {
      strategy: strategy.name,
      vertices: final.numVertices,
      edges: edgeTotal,
      selfLoops: distributed.selfLoops,
      multiEdges: duplicates,
      removedSelfLoops: distributed.removedSelfLoops,
      removedMultiEdges: removedDuplicates,
      replicationFactor: replicationFactor(routing),
      edgeBalance: balance(sizes.map((s) => s.edges)),
      vertexBalance: balance(sizes.map((s) => s.masters)),
      importMs: Math.round(builtAt - started),
      directed,
      weighted: edges.weighted,
    };
    const replaced = catalog.completeImport(id, stats, sizes);
    if (replaced) rmSync(graphDir(catalog.dataDir, replaced), { recursive: true, force: true });
    return {
      graph: catalog.getGraph(id),
      strategyReason,
      partitionSizes: sizes,
      timings: {
        parseMs: parsedAt - started,
        partitionMs: partitionedAt - parsedAt,
        buildMs: builtAt - partitionedAt,
        totalMs: performance.now() - started,
      },
    };
  } catch (error) {
    catalog.abortImport(id);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
