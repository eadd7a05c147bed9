/** A worker's runtime from its shard: the one way every placement builds a worker. */
import type { AnyVertexProgram } from '../program/program.js';
import { buildExchangePlan } from './exchange-plan.js';
import { buildLocalGraph } from './local-graph.js';
import { shardDegrees, shardRouting, type WorkerShard } from './shard.js';
import { WorkerRuntime, type GraphFacts } from './worker-runtime.js';

/**
 * A worker's runtime from its shard, wherever the worker lives (this thread, a worker thread, a
 * remote process): the partitions merged into one local graph, the exchange plan derived from the
 * shard's routing facts, and the program's state allocated.
 */
export function buildWorkerRuntime(
  shard: WorkerShard,
  program: AnyVertexProgram,
  facts: GraphFacts,
  options: { readonly sharedMessages?: boolean } = {},
): WorkerRuntime {
  const graph = buildLocalGraph(shard.partitions);
  const plan = buildExchangePlan(graph, shardRouting(shard), shard.worker, shard.numWorkers);
  return new WorkerRuntime(graph, plan, program, shardDegrees(shard, graph), facts, options);
}
