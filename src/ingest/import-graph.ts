/**
 * `importGraph`: file → dictionary → vertex-cut partitions → LMDB tables → catalog, as one
 * atomic unit. The catalog row exists (status `importing`) before any file is written and turns
 * `ready` only after every LMDB transaction has committed; on any error the row and the graph
 * directory are removed, and a killed import is swept by the next process that opens the catalog.
 * A full volume is GAS_ERR_NO_SPACE naming the data directory, the graph's size and the space
 * left once the partial files are gone.
 *
 * Passes: (1) stream-parse into chunked code arrays; (2) finalize the dictionary, remap to dense
 * ids and distribute edges to partitions in file order; (3) per partition: local ids, sort,
 * duplicates, write; (4) routing table, degrees and labels, write (2–4 in `layout.ts`, shared
 * with `repartition`); (5) commit the catalog row. The tables go to a fresh layout directory
 * (`graphs/<id>/layout-<uuid>`).
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { GasError, NoSpaceError } from '../errors.js';
import type { Catalog, GraphRecord, PartitionSize } from '../storage/catalog.js';
import { graphDir, graphStoreDir, newLayoutName } from '../storage/data-dir.js';
import { CATALOG_WRITE_BYTES, asNoSpace, noSpaceError } from '../storage/disk-space.js';
import { LabelDictionary } from '../storage/dictionary.js';
import { EdgeChunks } from '../storage/growable.js';
import { loaderFor, openInput, type LoadInfo } from '../storage/loaders/index.js';
import { checkStrategyOptions, writeLayout } from './layout.js';
import { sniffFormat } from './sniff.js';
import { resolveImportOptions, type ImportOptions } from './options.js';

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
  checkStrategyOptions(opts.strategy, opts.dedupe, 'import', opts.for);
  const input = openInput(opts.file);
  const format = opts.format ?? (await sniffFormat(input));
  const progress = opts.onProgress;

  const id = randomUUID();
  const layoutName = newLayoutName();
  const dir = graphStoreDir(catalog.dataDir, { id, layout: layoutName });
  const catalogNeed = { api: 'import', dataDir: catalog.dataDir, what: 'the catalog', neededBytes: CATALOG_WRITE_BYTES };
  if (opts.replace) checkReplaceable(catalog, opts.name, opts.force ?? false);
  try {
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
        strategyOptions: { threshold: opts.threshold, lambda: opts.lambda },
        layout: layoutName,
      },
      opts.replace,
    );
  } catch (error) {
    throw asNoSpace(error, catalogNeed);
  }
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
      {
        weighted: opts.weighted,
        header: opts.header,
        vocab: opts.vocab,
        maxLabelBytes: opts.maxLabelBytes,
        onBytes: progress && ((bytes) => progress('parse', bytes / Math.max(1, input.bytes))),
      },
    );
    const edges: EdgeChunks = parsed ?? new EdgeChunks(info.weighted);
    const directed = !opts.undirected && (info.directed ?? true);
    const final = dictionary.finalize();
    if (final.numVertices === 0) {
      throw new GasError('GAS_ERR_PARSE', `${opts.file}: no vertices or edges found (empty file?)`, { file: opts.file });
    }
    const parsedAt = performance.now();

    // Passes 2–4: dense ids, self-loops, orientation, partitions, per-partition build, routing, LMDB.
    const layout = await writeLayout(
      dir,
      { edges, labels: final, remap: final, directed },
      {
        partitions: opts.partitions,
        strategy: opts.strategy,
        seed: opts.seed,
        threshold: opts.threshold,
        lambda: opts.lambda,
        dedupe: opts.dedupe,
        dropSelfLoops: opts.dropSelfLoops,
        for: opts.for,
        onProgress: progress,
      },
    );
    const builtAt = performance.now();

    // Pass 5: make it visible.
    const stats = {
      strategy: layout.strategy.name,
      strategyReason: layout.strategyReason,
      vertices: final.numVertices,
      edges: layout.edges,
      selfLoops: layout.selfLoops,
      multiEdges: layout.multiEdges,
      removedSelfLoops: layout.removedSelfLoops,
      removedMultiEdges: layout.removedMultiEdges,
      replicationFactor: layout.replicationFactor,
      edgeBalance: layout.edgeBalance,
      vertexBalance: layout.vertexBalance,
      importMs: Math.round(builtAt - started),
      directed,
      weighted: edges.weighted,
    };
    const replaced = catalog.completeImport(id, stats, layout.sizes);
    if (replaced) rmSync(graphDir(catalog.dataDir, replaced), { recursive: true, force: true });
    return {
      graph: catalog.getGraph(id),
      strategyReason: layout.strategyReason,
      partitionSizes: layout.sizes,
      timings: {
        parseMs: parsedAt - started,
        partitionMs: layout.partitionMs,
        buildMs: layout.buildMs,
        totalMs: performance.now() - started,
      },
    };
  } catch (error) {
    // Files before the row: on a full volume the space they free is what the catalog's write needs.
    rmSync(graphDir(catalog.dataDir, id), { recursive: true, force: true });
    try {
      catalog.abortImport(id);
    } catch {
      // The row stays `importing` under this process's id: invisible to every command, and swept
      // by the first catalog open after this process ends. The import's own error matters more.
    }
    if (error instanceof NoSpaceError) {
      throw noSpaceError({ api: 'import', dataDir: catalog.dataDir, what: `graph "${opts.name}"`, neededBytes: error.neededBytes }, error);
    }
    throw asNoSpace(error, catalogNeed);
  }
}

/**
 * A replace of graph `name` would delete its finished jobs' results: refused without `force`
 * (GAS_ERR_EXISTS naming the jobs), and while a job runs on it (GAS_ERR_BUSY). Checked before
 * anything is written; the catalog checks running jobs again as the import begins and ends.
 * Returns the ids of the jobs whose results the replace deletes (none when there is no such graph).
 */
export function checkReplaceable(catalog: Catalog, name: string, force: boolean): number[] {
  const old = catalog.listGraphs().find((graph) => graph.name === name);
  return old ? catalog.jobs.checkRemovable({ id: old.id, name: old.name }, 'replaced', 'import', force).map((job) => job.id) : [];
}
