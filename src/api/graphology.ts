/**
 * graphology in memory: run any registered algorithm, program file or program object directly
 * on a graphology `Graph` — no data directory, no catalog, no job row — and write the result
 * back as node attributes (Neo4j GDS's "mutate" mode). Node and edge attributes already on the
 * graph are kept; only the result attribute is set.
 *
 *   import { runOnGraph } from 'gasworks/graphology';
 *   const summary = await runOnGraph(graph, 'pagerank', { options: { damping: 0.85 }, workers: 2 });
 *   graph.getNodeAttribute('n1', 'rank');
 *
 * The graph is cut into vertex-cut partitions in memory exactly as `import` would cut it
 * (graphology-layout.ts) and runs on worker threads (`workers: N`, default 1) — even one worker
 * runs on a thread, so that its compute does not share a heap with the graphology graph (whose
 * size every garbage collection would mark); `inProcess: true` runs it in this thread, as does
 * a program object, which cannot be sent to a thread. Do not change the graph while a run is in
 * flight.
 *
 * `toGraphology` goes the other way: a stored graph (and optionally a job's result) as a
 * graphology `Graph`, through the graphology JSON export (export-graph.ts).
 */
import { Writable } from 'node:stream';
import graphology from 'graphology';
import { resolveAlgorithmOptions } from '../engine/index.js';
import { InvalidArgumentError } from '../errors.js';
import type { Catalog } from '../storage/index.js';
import { executeJob, resolveAlgorithm, resolveStaleness, type ExecuteOptions, type ExecutionSummary } from './execute-job.js';
import { exportGraph } from './export-graph.js';
import { checkGraphology, layOutGraphology, type AnyGraphology, type PartitionChoice } from './graphology-layout.js';
import { asGasError } from './program-checks.js';
import { jobResults } from './results.js';

export type { AnyGraphology, PartitionChoice };

const VERB = 'runOnGraph';

export interface GraphologyRunOptions extends Omit<ExecuteOptions, 'algorithm' | 'cluster'>, PartitionChoice {
  /** Node attribute the result is written to (default: the algorithm's result column, e.g. `rank`); `false` writes nothing. */
  readonly attribute?: string | false;
  /**
   * Read edge weights from this edge attribute (`true`: `weight`). Every edge must carry it. An
   * algorithm with a `weighted` option (PageRank, SSSP) then uses them unless told otherwise,
   * and `options: { weighted: true }` alone reads `weight`.
   */
  readonly weighted?: boolean | string;
}

export interface GraphologyRunSummary extends ExecutionSummary {
  /** The node attribute that now holds the result, or null (`attribute: false`). */
  readonly attribute: string | null;
  readonly timings: ExecutionSummary['timings'] & { readonly layoutMs: number; readonly writeBackMs: number };
  /** Every node's result by key (vector results as arrays). */
  values(): Map<string, number | number[]>;
}

/** Runs `algorithm` on `graph` in memory and writes each node's result to a node attribute. */
export async function runOnGraph(graph: AnyGraphology, algorithm: ExecuteOptions['algorithm'], run: GraphologyRunOptions = {}): Promise<GraphologyRunSummary> {
  checkGraphology(graph, VERB);
  const definition = await resolveAlgorithm(algorithm);
  const given = { ...run.options };
  const weightAttribute = typeof run.weighted === 'string' ? run.weighted : run.weighted === true ? 'weight' : null;
  if (run.weighted === '') throw new InvalidArgumentError(`${VERB}: weighted must be an edge attribute name or a boolean, got ""`, { option: 'weighted' });
  // A weighted graph is what the user means the algorithm to weigh, unless they say otherwise.
  if (weightAttribute !== null && 'weighted' in definition.defaults && given.weighted === undefined) given.weighted = true;
  const options = resolveAlgorithmOptions(definition, given);
  resolveStaleness(run);
  if (run.attribute !== undefined && run.attribute !== false && (typeof run.attribute !== 'string' || run.attribute === '')) {
    throw new InvalidArgumentError(`${VERB}: attribute must be a non-empty string or false, got ${JSON.stringify(run.attribute)}`, { option: 'attribute' });
  }

  const layoutStart = performance.now();
  // `options: { weighted: true }` given by the user (not a default such as SSSP's) reads `weight`.
  const layout = await layOutGraphology(graph, weightAttribute ?? (run.options?.weighted === true ? 'weight' : null), run, VERB);
  const layoutMs = performance.now() - layoutStart;
  const name = typeof graph.getAttribute('name') === 'string' ? (graph.getAttribute('name') as string) : '(graphology)';
  let execution;
  try {
    // The graphology graph stays in this heap: the workers compute in their own (threads, even one).
    execution = await executeJob({ name, source: layout.graph, replicationFactor: layout.graph.stats.replicationFactor }, definition, options, {
      ownHeap: true,
      ...run,
      algorithm,
    });
  } catch (error) {
    throw asGasError(error, definition.name);
  }

  const { summary, values } = execution;
  const width = summary.result.width;
  const valueOf = (id: number): number | number[] => (width === 1 ? values[id]! : Array.from(values.subarray(id * width, (id + 1) * width)));
  const attribute = run.attribute === false ? null : (run.attribute ?? summary.result.column);
  const writeStart = performance.now();
  if (attribute !== null) {
    if (graph.order !== layout.idsInNodeOrder.length) throw new InvalidArgumentError(`${VERB}: the graph changed while the run was in flight`);
    let i = 0;
    graph.updateEachNodeAttributes(
      (key, attributes) => {
        const id = layout.idsInNodeOrder[i++]!;
        if (layout.keys[id] !== key) throw new InvalidArgumentError(`${VERB}: the graph changed while the run was in flight`);
        attributes[attribute] = valueOf(id);
        return attributes;
      },
      { attributes: [attribute] },
    );
  }
  const writeBackMs = performance.now() - writeStart;
  return {
    ...summary,
    attribute,
    timings: { ...summary.timings, layoutMs, writeBackMs },
    values: () => new Map(layout.keys.map((key, id) => [key, valueOf(id)])),
  };
}

/** graphology ships CommonJS typed as an ES module: the default import is the class at run time. */
const Graph = graphology as unknown as typeof graphology.default;
type GraphologyGraph = InstanceType<typeof Graph>;

/**
 * A stored graph as a graphology `Graph` under its labels (edge weights as the `weight`
 * attribute); with `job`, that job's result on every node as `attribute` (default: its column).
 */
export async function toGraphology(catalog: Catalog, graphName: string, options: { job?: number | string; attribute?: string } = {}): Promise<GraphologyGraph> {
  const pieces: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      pieces.push(chunk.toString());
      done();
    },
  });
  await exportGraph(catalog, graphName, 'graphology', sink);
  const graph = Graph.from(JSON.parse(pieces.join('')));
  if (options.job !== undefined) {
    const results = jobResults(catalog, options.job);
    const attribute = options.attribute ?? results.column;
    for (const row of results.rows()) graph.setNodeAttribute(String(row.vertex), attribute, row.value);
  }
  return graph;
}
