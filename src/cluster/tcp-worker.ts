/**
 * `gasworks worker --listen HOST:PORT --data-dir DIR`: a worker process that serves jobs to
 * coordinators over TCP. Each connection is one job, computed on its own worker thread — the
 * process's main thread only moves frames and answers heartbeats, so a worker deep in a long
 * phase (building a local graph of tens of millions of edges) still answers pings.
 *
 * The coordinator ships the job's partitions in the `setup` request; the worker keeps them in
 * memory for the job. `DIR` holds what it must write: shipped program files.
 *
 * Logs (pino, `util/log.ts`): every record of a connection carries its number and the
 * coordinator's address — connected, setup (program, shard shipped or cached), ready (its size and
 * load time), failed requests, results collected, closed (requests served, time connected); each
 * request at debug level.
 */
import { mkdirSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { WebSocketServer, type WebSocket } from 'ws';
import { GasError } from '../errors.js';
import { startModuleWorker } from '../threads.js';
import { createLogger, type Logger } from '../util/log.js';
import type { ProgramSpec } from './program-spec.js';
import { buffersIn, type Method, type Request, type Response, type WorkerSetup } from './protocol.js';
import { MAX_FRAME_BYTES, decode, encode } from './wire.js';

export interface WorkerServer {
  /** The address it listens on (the real port when asked for port 0). */
  readonly address: string;
  close(): Promise<void>;
}

export function parseAddress(text: string, option: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) throw new GasError('GAS_ERR_INVALID_ARGUMENT', `${option}: expected HOST:PORT, got "${text}"`, { option, value: text });
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/** `log`: where connections are logged (default: nowhere). */
export function startWorkerServer(listen: string, dataDir: string, log: Logger = createLogger({ name: 'worker', level: 'silent' })): Promise<WorkerServer> {
  const { host, port } = parseAddress(listen, '--listen');
  mkdirSync(dataDir, { recursive: true });
  return new Promise((resolve, reject) => {
    const server = new WebSocketServer({ host, port, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
    server.once('error', (error) => reject(new GasError('GAS_ERR_IO', `worker: cannot listen on ${listen}: ${error.message}`, { option: '--listen' })));
    let connections = 0;
    server.on('connection', (socket, request) =>
      serveJob(socket, dataDir, log.child({ connection: ++connections, peer: `${request.socket.remoteAddress}:${request.socket.remotePort}` })),
    );
    server.once('listening', () => {
      const bound = server.address()!;
      const address = typeof bound === 'string' ? bound : `${bound.address.includes(':') ? `[${bound.address}]` : bound.address}:${bound.port}`;
      resolve({
        address,
        close: () =>
          new Promise<void>((done) => {
            for (const client of server.clients) client.terminate();
            server.close(() => done());
          }),
      });
    });
  });
}

/** One coordinator connection: frames in → the job's thread → frames out. */
function serveJob(socket: WebSocket, dataDir: string, connectionLog: Logger): void {
  // Every line after the setup names the job it serves.
  let log = connectionLog;
  const connectedAt = performance.now();
  log.info('connected');
  const pending = new Map<number, Method>();
  let served = 0;
  const thread: Worker = startModuleWorker(import.meta.url, './thread-entry');
  thread.postMessage({ scratchDir: dataDir });
  thread.on('message', (response: Response) => {
    logResponse(log, pending.get(response.id), response);
    pending.delete(response.id);
    if (socket.readyState === socket.OPEN) socket.send(encode(response), { binary: true });
  });
  thread.on('error', (error) => {
    log.error({ err: error }, 'worker thread crashed');
    socket.close(1011, `worker thread crashed: ${error.message}`.slice(0, 120));
  });
  socket.on('message', (data: Buffer) => {
    const request = decode(ownBytes(data)) as Request;
    pending.set(request.id, request.method);
    served++;
    if (request.method === 'setup') {
      const { jobId } = request.args[0] as WorkerSetup;
      if (jobId !== null && jobId !== undefined) log = connectionLog.child({ job: jobId });
    }
    logRequest(log, request);
    thread.postMessage(request, buffersIn(request.args));
  });
  socket.on('close', (code) => {
    log.info({ code, requests: served, connectedMs: Math.round(performance.now() - connectedAt) }, 'closed');
    void thread.terminate();
  });
}

function logRequest(log: Logger, request: Request): void {
  if (request.method === 'setup') {
    const setup = request.args[0] as WorkerSetup;
    log.info({ program: programName(setup.spec), shard: setup.shard ? 'shipped' : 'cached', shardKey: setup.shardKey }, 'setup');
  } else log.debug({ request: request.id, method: request.method }, 'request');
}

function logResponse(log: Logger, method: Method | undefined, response: Response): void {
  if (!response.ok) log.warn({ request: response.id, method, code: response.error.code, error: response.error.message }, 'request failed');
  else if (method === 'setup') log.info({ ...(response.result as object), busyMs: Math.round(response.busyMs) }, 'ready');
  else if (method === 'collect') log.info({ busyMs: Math.round(response.busyMs) }, 'results collected');
  else log.debug({ request: response.id, method, busyMs: Math.round(response.busyMs * 10) / 10 }, 'response');
}

function programName(spec: ProgramSpec): string {
  return spec.kind === 'algorithm' ? spec.name : spec.path;
}

/**
 * The frame's bytes in an ArrayBuffer of their own: `data` itself when it fills its buffer, else a
 * copy. A frame that arrived whole in one socket read comes from `ws` as a slice of that read, and
 * `decode` returns typed arrays that are views into it (where aligned); moving them to the job's
 * thread would detach the whole read under `ws` while the frames after it (a heartbeat ping, the
 * next request) are still to be parsed, and `ws` would throw and take the process down. Frames
 * that span reads (shards) are joined into a buffer of their own and are not copied again.
 */
function ownBytes(data: Buffer): Buffer {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : Buffer.from(new Uint8Array(data).buffer);
}
