/**
 * The engine as the places workers run see it (src/cluster: threads and worker processes): the
 * one module `cluster/` imports from the engine. The coordinator's side is a `WorkerEndpoint` per
 * worker and the call table; a worker's side is its runtime built from a shard, joined to the
 * mesh as a `WorkerNode`; between them travel shards, program files and mesh frames.
 */
export type { AnyVertexProgram } from './program.js';
export { loadProgramFile } from './program-file.js';
export { TableEndpoint, type WorkerEndpoint } from './endpoint.js';
export { callNode, isWorkerCall, WORKER_CALL_NAMES, WORKER_CALLS, type CallArgs, type CallResult, type WorkerCall, type WorkerCalls } from './worker-calls.js';
export { buildWorkerRuntime, graphFacts, loadInProcessWorkers } from './load.js';
export { readGraphTables, readShard, type WorkerShard } from './shard.js';
export type { GraphFacts } from './worker-runtime.js';
export { WorkerNode } from './worker-node.js';
export { decodeFrame, encodeFrame, LocalMesh, PeerInbox, type MeshFrame, type MeshLinks } from './mesh.js';
