/**
 * Worker-thread side of the parallel partition build: receives one partition's edges (buffers
 * transferred, not copied), runs `buildPartition`, and transfers the result back.
 */
import { parentPort } from 'node:worker_threads';
import { buildPartition, PartitionScratch, type BuiltPartition } from './build-partition.js';
import type { BuildRequest } from './parallel-build.js';

let scratch: PartitionScratch | null = null;

parentPort!.on('message', (request: BuildRequest) => {
  if (!scratch || scratch.stamp.length !== request.numVertices) scratch = new PartitionScratch(request.numVertices);
  const built = buildPartition(request.partition, request.edges, request.isolated, scratch, request.dedupe, request.directed);
  parentPort!.postMessage({ partition: request.partition, built }, transferables(built));
});

function transferables(built: BuiltPartition): ArrayBuffer[] {
  const arrays = [built.gids, built.src, built.dst, built.weight, built.outDegree, built.inDegree, built.outWeight, built.inWeight];
  const buffers = new Set<ArrayBuffer>();
  for (const array of arrays) if (array) buffers.add(array.buffer as ArrayBuffer);
  return [...buffers];
}
