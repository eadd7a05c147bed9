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
 * The same port takes the job's mesh links from the other workers of a job (job-session.ts),
 * authenticated with their own handshake context, so a proof made for one kind of link opens no
 * other: a coordinator connection opens a job channel, a mesh peer's only a link to a job it names.
 *
 * Logs (pino, `util/log.ts`): every record of a connection carries its number and the
 * coordinator's address — connected, setup (program, shard shipped or cached), ready (its size and
 * load time), failed requests, results collected, closed (requests served, time connected); each
 * request at debug level.
 */
import { mkdirSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { GasError } from '../errors.js';
import { createLogger, type Logger } from '../util/log.js';
import { parseAddress } from './address.js';
import { acceptHandshake, type LinkContext } from './handshake.js';
import { JobSession, meshKey, type SessionContext } from './job-session.js';
import { tcpDefaults } from './tcp-channel.js';
import { MAX_FRAME_BYTES } from './wire.js';

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
  /**
   * The address other workers of a job dial for mesh links: HOST:PORT, or HOST alone for the
   * port this worker listens on. Default: the address the job's coordinator reached it at.
   */
  readonly advertise?: string;
}

/** Unauthenticated connections held at once; a flood beyond it is closed on arrival. */
export const MAX_PENDING_HANDSHAKES = 1024;

/** The address `gasworks worker` listens on without `--listen`: this machine only. */
export const DEFAULT_LISTEN = '127.0.0.1:7400';

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
  // A malformed --advertise is refused before the port opens.
  if (options.advertise) advertisedAddress(options.advertise, port || 1);
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
  const sessions: SessionContext = {
    dataDir,
    advertise: null,
    secret: options.secret,
    meshJobs: new Map(),
    connectTimeoutMs: tcpDefaults().connectTimeoutMs,
    heartbeatMs: tcpDefaults().heartbeatMs,
  };
  // A connection authenticated as a coordinator may open a job channel (path /), one authenticated
  // as a mesh peer only a mesh link (/mesh/<job token>/<its place in the job>/<the place it dials>).
  const linkContext = new WeakMap<Socket, LinkContext>();
  http.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const context = linkContext.get(socket);
    // A link that names no place to reach (`/mesh/<token>/<from>`) reaches no job: refused below, after the upgrade.
    const meshMatch = /^\/mesh\/([0-9a-f]{32})\/(\d{1,5})(?:\/(\d{1,5}))?$/.exec(request.url ?? '');
    const mesh = meshMatch ? { token: meshMatch[1]!, from: Number(meshMatch[2]), to: Number(meshMatch[3]) } : null;
    if (context === 'worker-mesh' ? !mesh : context !== 'coordinator-worker' || request.url !== '/') {
      log.warn({ connection: connectionOf.get(socket), url: request.url?.slice(0, 80), link: context }, 'refused: path not served on this link');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      // ws clears the socket's timeout when it takes it over; silence from here on is idleness.
      socket.setTimeout(idleTimeoutMs, () => {
        log.warn({ connection: connectionOf.get(socket), idleMs: idleTimeoutMs }, 'idle connection closed');
        ws.terminate();
      });
      const connectionLog = log.child({ connection: connectionOf.get(socket), peer: `${socket.remoteAddress}:${socket.remotePort}` });
      if (!mesh) {
        new JobSession(ws, sessions, connectionLog);
        return;
      }
      const session = Number.isInteger(mesh.to) ? sessions.meshJobs.get(meshKey(mesh.token, mesh.to)) : undefined;
      const refusal = session ? session.acceptMeshLink(mesh.from, ws) : 'no such job here';
      if (refusal) {
        connectionLog.warn({ problem: refusal }, 'mesh link refused');
        ws.close(1008, refusal.slice(0, 120));
        setTimeout(() => ws.terminate(), 1000).unref();
      } else connectionLog.info({ from: mesh.from }, 'mesh link from a peer');
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
      ['coordinator-worker', 'worker-mesh'],
      handshakeTimeoutMs,
      (context) => {
        pendingHandshakes--;
        linkContext.set(socket, context);
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
      if (options.advertise) sessions.advertise = advertisedAddress(options.advertise, typeof bound === 'string' ? port : bound.port);
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

/** `--advertise HOST[:PORT]` as an address (checked): HOST alone takes the port this worker listens on. */
function advertisedAddress(text: string, listeningPort: number): string {
  const trimmed = text.trim();
  const address = /^(\[[^\]]+\]|[^:]+):\d{1,5}$/.test(trimmed) ? trimmed : `${trimmed}:${listeningPort}`;
  parseAddress(address, '--advertise');
  return address;
}
