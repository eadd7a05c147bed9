/**
 * "Run a job and read its values by vertex label", for the algorithm and engine tests, on a
 * graph built in memory or on a stored one:
 *
 * - `runInMemory`: the test's edges become a graphology graph, which `runOnGraph` lays out
 *   exactly as `import` would (same strategies, seed and partition counts) and runs — no file,
 *   no LMDB, no catalog. Most algorithm and engine tests run this way (GraphX's suites build
 *   their grids and chains in memory the same way).
 * - `runStored`: `runJob` on an imported graph, read back through `jobResults`; for tests where
 *   the store or the job's catalog row is part of what is checked, and for the one end-to-end
 *   run per algorithm through the stored graph.
 *
 * Both give the same `LabelledRun`, so a test reads values the same way whichever path it takes.
 */
import { jobResults, runJob, type JobSummary, type RunOptions } from '../../src/api/index.js';
import { runOnGraph, type GraphologyRunOptions, type GraphologyRunSummary } from '../../src/graphology.js';
import type { Catalog } from '../../src/storage/index.js';
import { Graph } from './graph-files.js';

export type Label = number | string;
type GraphologyGraph = InstanceType<typeof Graph>;

/** A graph as a list of edges between labels (the shape of the generators' `TestGraph`). */
export interface EdgeGraph {
  /** Numeric labels: vertices 0..vertices−1 all exist, those on no edge as isolated vertices. */
  readonly vertices?: number;
  /** `[source, target]`; parallel edges and self-loops are kept, as `import` keeps them. */
  readonly edges: readonly (readonly [Label, Label])[];
  /** One weight per edge (read from the `weight` edge attribute), or null / absent for an unweighted graph. */
  readonly weights?: readonly number[] | null;
}

/** A run's summary and its values, by vertex label. */
export interface LabelledRun<Summary> {
  readonly summary: Summary;
  /** Every vertex's value (vector results as arrays), keyed by its label as text. */
  readonly values: ReadonlyMap<string, number | number[]>;
  /** The value of one vertex; throws when the graph has no vertex `label`. */
  value(label: Label): number | number[];
  /** Scalar values in an array indexed by label, for graphs labelled exactly 0..vertices−1 (throws if a label is missing or extra). */
  byIndex(vertices: number): Float64Array;
}

function labelled<Summary>(summary: Summary, values: ReadonlyMap<string, number | number[]>): LabelledRun<Summary> {
  return {
    summary,
    values,
    value(label) {
      const value = values.get(String(label));
      if (value === undefined) throw new Error(`the run has no value for vertex ${JSON.stringify(label)}`);
      return value;
    },
    byIndex(vertices) {
      if (values.size !== vertices) throw new Error(`byIndex: the run has values for ${values.size} vertices, expected ${vertices}`);
      const array = new Float64Array(vertices).fill(NaN);
      for (const [label, value] of values) {
        const index = Number(label);
        if (!Number.isInteger(index) || index < 0 || index >= vertices) throw new Error(`byIndex: label ${label} is not in 0..${vertices - 1}`);
        if (typeof value !== 'number') throw new Error(`byIndex: vertex ${label} has a vector value; read it with value()`);
        array[index] = value;
      }
      return array;
    },
  };
}

/**
 * `graph` as a graphology graph (multi, self-loops allowed): nodes 0..vertices−1 first, then
 * the edges in order, their endpoints added as first seen (as an import numbers text labels).
 */
export function graphologyOf(graph: EdgeGraph, directed: boolean): GraphologyGraph {
  const built = new Graph({ type: directed ? 'directed' : 'undirected', multi: true, allowSelfLoops: true });
  for (let v = 0; v < (graph.vertices ?? 0); v++) built.addNode(String(v));
  graph.edges.forEach(([source, target], i) => {
    built.mergeNode(String(source));
    built.mergeNode(String(target));
    built.addEdge(String(source), String(target), graph.weights ? { weight: graph.weights[i]! } : {});
  });
  return built;
}

/** graphology graphs by test graph and direction: test graphs are immutable and runs write no attribute, so one serves every run. */
const graphologyCache = new WeakMap<EdgeGraph, Map<boolean, GraphologyGraph>>();

function cachedGraphology(graph: EdgeGraph, directed: boolean): GraphologyGraph {
  let byDirection = graphologyCache.get(graph);
  if (!byDirection) graphologyCache.set(graph, (byDirection = new Map()));
  let graphology = byDirection.get(directed);
  if (!graphology) byDirection.set(directed, (graphology = graphologyOf(graph, directed)));
  return graphology;
}

export interface InMemoryRun extends Omit<GraphologyRunOptions, 'weighted' | 'attribute'> {
  readonly directed: boolean;
}

/**
 * Runs `algorithm` on `graph` built in memory (`graphologyOf`) with `runOnGraph`. Workers run
 * in this thread unless `inProcess: false` is given. A weighted graph's weights are read, and —
 * `runOnGraph`'s rule — an algorithm with a `weighted` option uses them unless `options` say
 * `weighted: false`.
 */
export async function runInMemory(graph: EdgeGraph, algorithm: Parameters<typeof runOnGraph>[1], run: InMemoryRun): Promise<LabelledRun<GraphologyRunSummary>> {
  const { directed, ...rest } = run;
  const summary = await runOnGraph(cachedGraphology(graph, directed), algorithm, {
    inProcess: true,
    ...rest,
    weighted: graph.weights ? 'weight' : false,
    attribute: false,
  });
  return labelled(summary, summary.values());
}

/** Runs a job on a stored graph (workers in this thread unless `inProcess: false`) and reads its result back by label. */
export async function runStored(catalog: Catalog, run: RunOptions): Promise<LabelledRun<JobSummary>> {
  const summary = await runJob(catalog, { inProcess: true, ...run });
  const values = new Map<string, number | number[]>();
  for (const row of jobResults(catalog, summary.jobId).rows()) values.set(String(row.vertex), row.value);
  return labelled(summary, values);
}
