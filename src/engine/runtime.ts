/**
 * The engine as the places workers run see it (src/cluster: threads and worker processes): the
 * one module `cluster/` imports from the engine. The coordinator's side is a `WorkerEndpoint` per
 * worker and the call table; a worker's side is its runtime built from a shard, joined to the
 * mesh as a `WorkerNode`; between them travel shards, program files and mesh frames.
 */
export type { AnyVertexProgram } from './program/program.js';
export { loadProgramFile } from './program/program-file.js';
export { TableEndpoint, type WorkerEndpoint } from './coordinator/endpoint.js';
export {
  callNode,
  isWorkerCall,
  WORKER_CALL_NAMES,
  WORKER_CALLS,
  type CallArgs,
  type CallResult,
  type WorkerCall,
  type WorkerCalls,
} from './worker/worker-calls.js';
export { graphFacts, loadInProcessWorkers } from './coordinator/load.js';
export { buildWorkerRuntime } from './worker/build-runtime.js';
export { readGraphTables, readShard, type WorkerShard } from './worker/shard.js';
export type { GraphFacts } from './worker/worker-runtime.js';
export type { CheckpointPartCheck, CheckpointPartInfo } from './worker/checkpoint-part.js';
export { WorkerNode } from './worker/worker-node.js';
export { decodeFrame, encodeFrame, LocalMesh, PeerInbox, type MeshFrame, type MeshLinks } from './worker/mesh.js';
