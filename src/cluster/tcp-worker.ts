/**
 * `gasworks worker --listen HOST:PORT --data-dir DIR`: a worker process that serves jobs to
 * coordinators over TCP. Each connection is one job, computed on its own worker thread — the
 * process's main thread only moves frames and answers heartbeats, so a worker deep in a long
 * phase (building a local graph of tens of millions of edges) still answers pings.
 *
 * The coordinator ships the job's partitions in the `setup` request; the worker keeps them in
 * memory for the job. `DIR` holds what it must write: shipped program files.
 *
 * Every connection first proves it knows the cluster's secret (handshake.ts) on the bare TCP
 * socket; until then it costs a socket and a few dozen bytes — no thread, no WebSocket, no frame
 * decoded — and it is closed after `GASWORKS_HANDSHAKE_TIMEOUT_MS` (5 s). At most
 * `MAX_PENDING_HANDSHAKES` wait at once; more are closed on arrival. An authenticated connection
 * that stays silent for `GASWORKS_IDLE_TIMEOUT_MS` (120 s; the coordinator pings every second)
 * is closed, which frees a half-received frame. The job's thread starts at its first well-formed
 * request; a frame that does not decode to one closes that connection, never the process.
 *
 * Logs (pino, `util/log.ts`): every record of a connection carries its number and the
 * coordinator's address — connected, setup (program, shard shipped or cached), ready (its size and
 * load time), failed requests, results collected, closed (requests served, time connected); each
 * request at debug level.
 */
import { mkdirSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createTcpServer, isIP, type Socket } from 'node:net';
import type { Worker } from 'node:worker_threads';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { GasError } from '../errors.js';
import { startModuleWorker } from '../threads.js';
import { createLogger, type Logger } from '../util/log.js';
import { acceptHandshake } from './handshake.js';
import type { ProgramSpec } from './program-spec.js';
import { METHODS, buffersIn, type Method, type Request, type Response, type WorkerSetup } from './protocol.js';
import { MAX_FRAME_BYTES, decode, encode } from './wire.js';

export interface WorkerServer {
  /** The address it listens on (the real port when asked for port 0). */
  readonly address: string;
  close(): Promise<void>;
}

export interface WorkerServerOptions {
  /** The cluster's shared secret (secret.ts); required. */
  readonly secret: Buffer;
  /** Where connections are logged (default: nowhere). */
  readonly log?: Logger;
}

/** Unauthenticated connections held at once; a flood beyond it is closed on arrival. */
export const MAX_PENDING_HANDSHAKES = 1024;

/** The address `gasworks worker` listens on without `--listen`: this machine only. */
export const DEFAULT_LISTEN = '127.0.0.1:7400';

export function parseAddress(text: string, option: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) throw new GasError('GAS_ERR_INVALID_ARGUMENT', `${option}: expected HOST:PORT, got "${text}"`, { option, value: text });
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/** True for addresses only this machine reaches: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host.toLowerCase().startsWith('::ffff:127.');
}

function envMs(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

export function startWorkerServer(listen: string, dataDir: string, options: WorkerServerOptions): Promise<WorkerServer> {
  const { host, port } = parseAddress(listen, '--listen');
  const log = options.log ?? createLogger({ name: 'worker', level: 'silent' });
  if (!options.secret || options.secret.length === 0) {
    throw new GasError('GAS_ERR_INVALID_ARGUMENT', 'worker: a cluster secret is required (--secret-file F or GASWORKS_CLUSTER_SECRET)', {
      option: 'secret-file',
    });
  }
  mkdirSync(dataDir, { recursive: true });
  const handshakeTimeoutMs = envMs('GASWORKS_HANDSHAKE_TIMEOUT_MS', 5000);
  const idleTimeoutMs = envMs('GASWORKS_IDLE_TIMEOUT_MS', 120_000);
  // Authenticated sockets go to an HTTP server that only upgrades them to WebSockets; it never listens itself.
  const http = createHttpServer((_request, response) => response.writeHead(426).end());
  http.on('clientError', (_error, socket) => socket.destroy());
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  wss.on('error', (error) => log.error({ err: error }, 'websocket server error'));
  const sockets = new Set<Socket>();
  let connections = 0;
  let pendingHandshakes = 0;
  http.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    wss.handleUpgrade(request, socket, head, (ws) => {
      // ws clears the socket's timeout when it takes it over; silence from here on is idleness.
      socket.setTimeout(idleTimeoutMs, () => {
        log.warn({ connection: connectionOf.get(socket), idleMs: idleTimeoutMs }, 'idle connection closed');
        ws.terminate();
      });
      serveJob(ws, dataDir, log.child({ connection: connectionOf.get(socket), peer: `${socket.remoteAddress}:${socket.remotePort}` }));
    });
  });
  const connectionOf = new WeakMap<Socket, number>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    if (pendingHandshakes >= MAX_PENDING_HANDSHAKES) {
      socket.destroy();
      return;
    }
    const connection = ++connections;
    connectionOf.set(socket, connection);
    pendingHandshakes++;
    acceptHandshake(
      socket,
      options.secret,
      'coordinator-worker',
      handshakeTimeoutMs,
      () => {
        pendingHandshakes--;
        http.emit('connection', socket);
      },
      (problem) => {
        pendingHandshakes--;
        log.warn({ connection, peer: `${socket.remoteAddress}:${socket.remotePort}`, problem }, 'refused: not authenticated');
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new GasError('GAS_ERR_IO', `worker: cannot listen on ${listen}: ${error.message}`, { option: '--listen' })));
    server.listen({ host, port }, () => {
      server.on('error', (error) => log.error({ err: error }, 'listening socket error'));
      const bound = server.address()!;
      const address = typeof bound === 'string' ? bound : `${bound.address.includes(':') ? `[${bound.address}]` : bound.address}:${bound.port}`;
      resolve({
        address,
        close: () =>
          new Promise<void>((done) => {
            for (const client of wss.clients) client.terminate();
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

const KNOWN_METHODS: ReadonlySet<Method> = new Set(METHODS);

/** A request as the protocol shapes it, or null: the frame came from a broken or hostile client. */
function asRequest(value: unknown): Request | null {
  if (value === null || typeof value !== 'object') return null;
  const { id, method, args } = value as { id?: unknown; method?: unknown; args?: unknown };
  return Number.isSafeInteger(id) && KNOWN_METHODS.has(method as Method) && Array.isArray(args) ? (value as Request) : null;
}

/** One coordinator connection: frames in → the job's thread → frames out. */
function serveJob(socket: WebSocket, dataDir: string, connectionLog: Logger): void {
  // Every line after the setup names the job it serves.
  let log = connectionLog;
  const connectedAt = performance.now();
  log.info('connected');
  const pending = new Map<number, Method>();
  let served = 0;
  let thread: Worker | null = null;
  const startThread = (): Worker => {
    const started = startModuleWorker(import.meta.url, './thread-entry');
    started.postMessage({ scratchDir: dataDir });
    started.on('message', (response: Response) => {
      logResponse(log, pending.get(response.id), response);
      pending.delete(response.id);
      if (socket.readyState === socket.OPEN) socket.send(encode(response), { binary: true });
    });
    started.on('error', (error) => {
      log.error({ err: error }, 'worker thread crashed');
      socket.close(1011, `worker thread crashed: ${error.message}`.slice(0, 120));
    });
    return started;
  };
  const refuse = (code: number, problem: string): void => {
    log.warn({ problem }, 'frame refused, connection closed');
    socket.close(code, problem.slice(0, 120));
    // A client that ignores the close handshake must not keep the connection.
    setTimeout(() => socket.terminate(), 1000).unref();
  };
  socket.on('error', (error) => {
    // ws has already failed the connection (an oversize or malformed frame); only say why.
    log.warn({ problem: error.message }, 'connection error');
  });
  socket.on('message', (data: RawData, isBinary: boolean) => {
    if (!isBinary) return refuse(1003, 'text frames are not part of the protocol');
    let request: Request | null;
    try {
      request = asRequest(decode(ownBytes(data as Buffer)));
    } catch (error) {
      return refuse(1007, `undecodable frame: ${(error as Error).message}`);
    }
    if (!request) return refuse(1007, 'frame is not a request');
    pending.set(request.id, request.method);
    served++;
    if (request.method === 'setup') {
      const jobId = (request.args[0] as WorkerSetup | undefined)?.jobId;
      if (jobId !== null && jobId !== undefined) log = connectionLog.child({ job: jobId });
    }
    logRequest(log, request);
    thread ??= startThread();
    try {
      thread.postMessage(request, buffersIn(request.args));
    } catch (error) {
      return refuse(1007, `request cannot reach the job's thread: ${(error as Error).message}`);
    }
  });
  socket.on('close', (code) => {
    log.info({ code, requests: served, connectedMs: Math.round(performance.now() - connectedAt) }, 'closed');
    void thread?.terminate();
  });
}

function logRequest(log: Logger, request: Request): void {
  if (request.method === 'setup') {
    const setup = request.args[0] as WorkerSetup | undefined;
    if (!setup?.spec) return log.info('setup');
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
  return spec.kind === 'algorithm' ? spec.name : String(spec.path);
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
