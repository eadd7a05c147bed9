/**
 * The library API for graphs: import, list, describe, drop. The CLI and the REST server are thin
 * fronts over these functions; each takes an open `Catalog`.
 */
import { rmSync } from 'node:fs';
import { importGraph, type ImportResult } from '../ingest/import-graph.js';
import type { ImportOptions } from '../ingest/options.js';
import { repartitionGraph, type RepartitionOptions, type RepartitionResult } from '../ingest/repartition.js';
import { Catalog, GraphReader, graphDir, graphStoreDir, type GraphRecord, type PartitionSize } from '../storage/index.js';
import { programTarget } from './program-target.js';
import { summarizeDegrees, totalDegrees, type DegreeSummary } from './degree-summary.js';

export type { ImportResult, RepartitionResult };

/** `for`: with `strategy: 'auto'`, the name of the algorithm the partitioning is for. */
export type GraphImportOptions = Omit<ImportOptions, 'for'> & { readonly for?: string };
export type GraphRepartitionOptions = Omit<RepartitionOptions, 'for'> & { readonly for?: string };

/** A dropped graph, and the ids of the finished jobs whose results went with it (their rows stay). */
export interface DroppedGraph extends GraphRecord {
  readonly discardedJobs: readonly number[];
}

export interface GraphInfo extends GraphRecord {
  readonly partitionSizes: readonly PartitionSize[];
  /** Undirected graphs: `degree`; directed graphs: `outDegree` and `inDegree`. */
  readonly degrees: { readonly degree?: DegreeSummary; readonly outDegree?: DegreeSummary; readonly inDegree?: DegreeSummary };
}

export function openCatalog(dataDir: string): Catalog {
  return Catalog.open(dataDir);
}

export async function importGraphFile(catalog: Catalog, options: GraphImportOptions): Promise<ImportResult> {
  return importGraph(catalog, { ...options, for: programTarget(options.for) });
}

/** Cuts a stored graph anew (strategy, partitions, seed, parameters), keeping its id, jobs and results. */
export async function repartition(catalog: Catalog, options: GraphRepartitionOptions): Promise<RepartitionResult> {
  return repartitionGraph(catalog, { ...options, for: programTarget(options.for) });
}

export function listGraphs(catalog: Catalog): GraphRecord[] {
  return catalog.listGraphs();
}

export function graphInfo(catalog: Catalog, name: string): GraphInfo {
  const graph = catalog.getGraph(name);
  const reader = GraphReader.open(graphStoreDir(catalog.dataDir, graph));
  try {
    const { outDegree, inDegree } = reader.degrees();
    const degrees = graph.directed
      ? { outDegree: summarizeDegrees(outDegree), inDegree: summarizeDegrees(inDegree) }
      : { degree: summarizeDegrees(totalDegrees(outDegree, inDegree)) };
    return { ...graph, partitionSizes: catalog.partitionSizes(graph.id), degrees };
  } finally {
    reader.close();
  }
}

/**
 * Drops graph `name` and its stored tables. Refused (GAS_ERR_BUSY) while a job runs on it; refused
 * (GAS_ERR_EXISTS) without `force` when finished jobs have results, which go with the graph. The
 * jobs themselves stay listed, marked as on a dropped graph.
 */
export function dropGraph(catalog: Catalog, name: string, options: { readonly force?: boolean } = {}): DroppedGraph {
  const { graph, discarded } = catalog.dropGraph(name, options.force ?? false);
  rmSync(graphDir(catalog.dataDir, graph.id), { recursive: true, force: true });
  return { ...graph, discardedJobs: discarded.map((job) => job.id) };
}

/** Opens the stored tables of graph `name` for reading; close the reader when done. */
export function openGraphReader(catalog: Catalog, name: string): { graph: GraphRecord; reader: GraphReader } {
  const graph = catalog.getGraph(name);
  return { graph, reader: GraphReader.open(graphStoreDir(catalog.dataDir, graph)) };
}
