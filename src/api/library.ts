/**
 * The script-facing API, for running vertex programs from users' own code:
 *
 *   import { openGraph, run } from 'gasworks';
 *   const graph = openGraph('cnr');                       // data dir: $GASWORKS_HOME or ./.gasworks
 *   const job = await run(graph, 'pagerank', { options: { damping: 0.9 } });
 *   console.log(job.top, job.value(60595));
 *   graph.close();
 */
import type { AlgorithmDefinition, AnyVertexProgram } from '../engine/index.js';
import { Catalog, resolveDataDir, type GraphRecord, type VertexLabel } from '../storage/index.js';
import { jobResults } from './results.js';
import { runJob, type JobSummary, type RunOptions } from './run.js';

export interface OpenGraph {
  readonly record: GraphRecord;
  readonly catalog: Catalog;
  close(): void;
}

export interface JobResult extends JobSummary {
  /** The result of one vertex, by its label (a number, or an array for vector results). */
  value(vertex: VertexLabel): number | number[];
  /** Every vertex's result, keyed by label. */
  values(): Map<VertexLabel, number | number[]>;
}

/** Opens the catalog and finds the graph; throws GAS_ERR_NOT_FOUND if it does not exist. */
export function openGraph(name: string, options: { dataDir?: string } = {}): OpenGraph {
  const catalog = Catalog.open(resolveDataDir(options.dataDir));
  try {
    return { record: catalog.getGraph(name), catalog, close: () => catalog.close() };
  } catch (error) {
    catalog.close();
    throw error;
  }
}

/** Runs a registered algorithm, a program file, or a program object on the graph, recorded as a job. */
export async function run(
  graph: OpenGraph,
  program: string | AnyVertexProgram | AlgorithmDefinition,
  options: Omit<RunOptions, 'graph' | 'algorithm'> = {},
): Promise<JobResult> {
  const summary = await runJob(graph.catalog, { ...options, graph: graph.record.id, algorithm: program });
  return {
    ...summary,
    value(vertex) {
      const rows = [...jobResults(graph.catalog, summary.jobId, { vertex: String(vertex) }).rows()];
      return rows[0]!.value;
    },
    values() {
      const map = new Map<VertexLabel, number | number[]>();
      for (const row of jobResults(graph.catalog, summary.jobId).rows()) map.set(row.vertex, row.value);
      return map;
    },
  };
}
