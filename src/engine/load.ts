/**
 * Loading a stored graph into W in-process workers: partition p goes to worker p mod W, each
 * worker merges its partitions into one local graph, and derives its exchange plan from the
 * graph's routing table.
 */
import { GasError } from '../errors.js';
import type { GraphReader } from '../storage/index.js';
import { InProcessEndpoint, type WorkerEndpoint } from './endpoint.js';
import { buildExchangePlan, workerOfPartition } from './exchange-plan.js';
import { buildLocalGraph, type LocalGraph } from './local-graph.js';
import type { AnyVertexProgram } from './program.js';
import type { LocalDegrees } from './state.js';
import { WorkerRuntime, type GraphFacts } from './worker-runtime.js';

export interface LoadedWorkers {
  readonly endpoints: WorkerEndpoint[];
  readonly facts: GraphFacts;
}

export function resolveWorkerCount(requested: number | undefined, numPartitions: number): number {
  const workers = requested ?? 1;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new GasError('GAS_ERR_INVALID_ARGUMENT', `run: --workers must be a positive integer, got ${requested}`, { option: 'workers' });
  }
  return Math.min(workers, numPartitions);
}

/** The local graph of worker `worker` of `numWorkers` (its partitions merged). */
export function loadLocalGraph(reader: GraphReader, worker: number, numWorkers: number): LocalGraph {
  const mine = [];
  for (let p = 0; p < reader.meta.numPartitions; p++) if (workerOfPartition(p, numWorkers) === worker) mine.push(reader.partition(p));
  return buildLocalGraph(mine);
}

export function loadInProcessWorkers(reader: GraphReader, program: AnyVertexProgram, numWorkers: number): LoadedWorkers {
  const meta = reader.meta;
  const facts: GraphFacts = { numVertices: meta.vertices, numEdges: meta.edges, directed: meta.directed };
  const whole = { ...reader.degrees(), ...reader.weights() };
  const routing = reader.routing();
  const endpoints: WorkerEndpoint[] = [];
  for (let w = 0; w < numWorkers; w++) {
    const graph = loadLocalGraph(reader, w, numWorkers);
    const plan = buildExchangePlan(graph, routing, w, numWorkers);
    const runtime = new WorkerRuntime(graph, plan, program, localDegrees(graph, whole, meta.directed), facts);
    endpoints.push(new InProcessEndpoint(runtime));
  }
  return { endpoints, facts };
}

/** Whole-graph degrees and weight totals of a worker's local vertices; undirected graphs report the degree in both. */
export function localDegrees(
  graph: LocalGraph,
  whole: { outDegree: Uint32Array; inDegree: Uint32Array; outWeight: Float64Array; inWeight: Float64Array },
  directed: boolean,
): LocalDegrees {
  const n = graph.numVertices;
  const outDegree = new Uint32Array(n);
  const inDegree = directed ? new Uint32Array(n) : outDegree;
  const outWeight = new Float64Array(n);
  const inWeight = directed ? new Float64Array(n) : outWeight;
  for (let v = 0; v < n; v++) {
    const g = graph.gid[v]!;
    if (directed) {
      outDegree[v] = whole.outDegree[g]!;
      inDegree[v] = whole.inDegree[g]!;
      outWeight[v] = whole.outWeight[g]!;
      inWeight[v] = whole.inWeight[g]!;
    } else {
      outDegree[v] = whole.outDegree[g]! + whole.inDegree[g]!;
      outWeight[v] = whole.outWeight[g]! + whole.inWeight[g]!;
    }
  }
  return { outDegree, inDegree, outWeight, inWeight };
}
