/**
 * Builds an import's partitions on worker threads, one partition per task, as many threads as
 * cores (at most one per partition): partitions are independent, so this is where an import uses
 * the whole machine. Edge buffers move to and from the threads by transfer, never by copy. Small
 * imports build in this thread, where starting threads would cost more than it saves.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../threads.js';
import { buildPartition, PartitionScratch, type BuiltPartition, type PartitionEdges } from './build-partition.js';

export interface BuildRequest {
  readonly partition: number;
  readonly edges: PartitionEdges;
  readonly isolated: Uint32Array;
  readonly numVertices: number;
  readonly dedupe: boolean;
  readonly directed: boolean;
}

/** Below this many edges the partitions are built in this thread (cnr-2000, 3.2 M edges: thread start-up cost more than it saved). */
const PARALLEL_THRESHOLD = 1 << 23;

export async function buildPartitions(
  requests: readonly (() => BuildRequest)[],
  totalEdges: number,
  onBuilt: (partition: number, built: BuiltPartition) => void,
): Promise<void> {
  const threads = Math.min(availableParallelism(), requests.length);
  if (threads <= 1 || totalEdges < PARALLEL_THRESHOLD) {
    let scratch: PartitionScratch | null = null;
    for (const next of requests) {
      const request = next();
      scratch ??= new PartitionScratch(request.numVertices);
      onBuilt(request.partition, buildPartition(request.partition, request.edges, request.isolated, scratch, request.dedupe, request.directed));
    }
    return;
  }
  const workers = Array.from({ length: threads }, () => startModuleWorker(import.meta.url, './build-worker'));
  let nextRequest = 0;
  try {
    await Promise.all(
      workers.map(async (worker) => {
        while (nextRequest < requests.length) {
          const request = requests[nextRequest++]!();
          const built = await roundTrip(worker, request);
          onBuilt(request.partition, built);
        }
      }),
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

function roundTrip(worker: Worker, request: BuildRequest): Promise<BuiltPartition> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { built: BuiltPartition }): void => {
      worker.off('error', onError);
      resolve(message.built);
    };
    const onError = (error: Error): void => {
      worker.off('message', onMessage);
      reject(error);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    const { src, dst, weight } = request.edges;
    const transfer = [src.buffer, dst.buffer, request.isolated.buffer, ...(weight ? [weight.buffer] : [])] as ArrayBuffer[];
    worker.postMessage(request, [...new Set(transfer)]);
  });
}
