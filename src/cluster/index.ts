/**
 * Where a job's workers run: threads of this process or remote worker processes, reached through
 * one request protocol (protocol.ts) over a thread port or a WebSocket. The engine sees only
 * `WorkerEndpoint`s.
 */
export { startWorkers, defaultWorkerCount, type Placement, type StartOptions, type StartedWorkers } from './launch.js';
export { startWorkerServer, DEFAULT_LISTEN, type WorkerServer, type WorkerServerOptions } from './tcp-worker.js';
export { parseAddress, isLoopback } from './address.js';
export { loadClusterSecret, SECRET_ENV } from './secret.js';
export type { ProgramSpec } from './program-spec.js';
export { Standby } from './standby.js';
