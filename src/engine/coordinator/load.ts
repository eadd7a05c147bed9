/**
 * Loading a stored graph into W workers in this thread: partition p goes to worker p mod W, and
 * each worker's runtime is built from its shard (worker/build-runtime.ts), as threads and remote
 * workers build theirs (src/cluster).
 */
import { GasError } from '../../errors.js';
import type { GraphSource } from '../../storage/index.js';
import { InProcessEndpoint, type WorkerEndpoint } from './endpoint.js';
import { buildWorkerRuntime } from '../worker/build-runtime.js';
import { buildLocalGraph, type LocalGraph } from '../worker/local-graph.js';
import { LocalMesh } from '../worker/mesh.js';
import type { AnyVertexProgram } from '../program/program.js';
import { readGraphTables, readShard } from '../worker/shard.js';
import { WorkerNode } from '../worker/worker-node.js';
import type { GraphFacts } from '../worker/worker-runtime.js';

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

export function graphFacts(reader: GraphSource): GraphFacts {
  return { numVertices: reader.meta.vertices, numEdges: reader.meta.edges, directed: reader.meta.directed };
}

/** The local graph of worker `worker` of `numWorkers` (its partitions merged). */
export function loadLocalGraph(reader: GraphSource, worker: number, numWorkers: number): LocalGraph {
  return buildLocalGraph(readShard(reader, readGraphTables(reader), worker, numWorkers).partitions);
}

/**
 * Loads `numWorkers` workers into this thread, joined by a mesh in this thread. `program` is one
 * instance shared by every worker, or a function giving worker w its own: programs that keep
 * per-worker state in their closure (caches indexed by local vertex id, as LDA's) need their own
 * instance, as they get one on threads and remote workers.
 */
export function loadInProcessWorkers(
  reader: GraphSource,
  program: AnyVertexProgram | ((worker: number) => AnyVertexProgram),
  numWorkers: number,
): LoadedWorkers {
  const facts = graphFacts(reader);
  const tables = readGraphTables(reader);
  const mesh = new LocalMesh(numWorkers);
  const endpoints: WorkerEndpoint[] = [];
  for (let w = 0; w < numWorkers; w++) {
    const shard = readShard(reader, tables, w, numWorkers);
    const runtime = buildWorkerRuntime(shard, typeof program === 'function' ? program(w) : program, facts);
    endpoints.push(new InProcessEndpoint(new WorkerNode(runtime, mesh.links(w), mesh.inbox(w))));
  }
  return { endpoints, facts };
}
