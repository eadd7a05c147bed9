/**
 * One job on a `gasworks worker` process: the coordinator's connection, the job's thread (which
 * computes, see thread-entry.ts), and the job's mesh links to the other workers of the job. The
 * process's main thread only moves frames: requests to the thread and responses back, mesh frames
 * from the thread to peers' sockets and from peers' sockets to the thread (moved, not copied,
 * between threads). It answers `joinMesh` itself: the worker dials the job's peers listed before
 * it, and waits for those after it to dial in.
 *
 * A frame that does not decode to a request closes the coordinator's connection, never the
 * process. A mesh link that closes while the job runs fails the job's waits naming the peer.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { RawData, WebSocket } from 'ws';
import { GasError } from '../errors.js';
import { startModuleWorker } from '../threads.js';
import type { Logger } from '../util/log.js';
import { dialWorker } from './dial.js';
import { isRelayMessage, type RelayMessage } from './mesh-links.js';
import type { ProgramSpec } from './program-spec.js';
import { METHODS, buffersIn, type Method, type Request, type Response, type WorkerSetup } from './protocol.js';
import { decode, encode } from './wire.js';

/** What every session of a worker process shares. */
export interface SessionContext {
  readonly dataDir: string;
  /** The address peers dial for this worker's mesh links (`--advertise`), or null: the coordinator's. */
  advertise: string | null;
  readonly secret: Buffer;
  /**
   * Jobs in a TCP mesh, by `meshKey(token, worker)`: the token their coordinator gave them and the
   * place this session holds in the job — one process may hold two places of a job (a survivor
   * given a lost worker's partitions). Where peers' links are delivered.
   */
  readonly meshJobs: Map<string, JobSession>;
  readonly connectTimeoutMs: number;
  readonly heartbeatMs: number;
}

interface MeshPlace {
  readonly token: string;
  readonly worker: number;
  readonly addresses: readonly string[];
}

const KNOWN_METHODS: ReadonlySet<Method> = new Set(METHODS);

export class JobSession {
  private log: Logger;
  private readonly connectedAt = performance.now();
  private readonly pending = new Map<number, Method>();
  private served = 0;
  private thread: Worker | null = null;
  private mesh: MeshPlace | null = null;
  private readonly links = new Map<number, WebSocket>();
  private readonly linkWaiters = new Set<() => void>();
  private closed = false;
  /** This session's checkpoint parts in the worker's data directory (part-transfer.ts), removed when it closes. */
  private readonly partsDir: string;

  constructor(
    private readonly socket: WebSocket,
    private readonly context: SessionContext,
    private readonly connectionLog: Logger,
  ) {
    this.log = connectionLog;
    this.partsDir = join(context.dataDir, 'checkpoint-parts', randomUUID());
    this.log.info('connected');
    socket.on('error', (error) => {
      // ws has already failed the connection (an oversize or malformed frame); only say why.
      this.log.warn({ problem: error.message }, 'connection error');
    });
    socket.on('message', (data: RawData, isBinary: boolean) => this.onFrame(data as Buffer, isBinary));
    socket.on('close', (code) => this.close(code));
  }

  /**
   * A peer of this job dialed in (`from`: its place in the job). Returns why the link is refused,
   * or null when it is taken.
   */
  acceptMeshLink(from: number, link: WebSocket): string | null {
    const mesh = this.mesh;
    if (!mesh || this.closed) return 'the job is over';
    if (!Number.isInteger(from) || from <= mesh.worker || from >= mesh.addresses.length) return `worker ${from} does not dial worker ${mesh.worker}`;
    if (this.links.has(from)) return `worker ${from} is linked already`;
    this.attach(from, link);
    return null;
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (!isBinary) return this.refuse(1003, 'text frames are not part of the protocol');
    let request: Request | null;
    try {
      request = asRequest(decode(ownBytes(data)));
    } catch (error) {
      return this.refuse(1007, `undecodable frame: ${(error as Error).message}`);
    }
    if (!request) return this.refuse(1007, 'frame is not a request');
    this.pending.set(request.id, request.method);
    this.served++;
    if (request.method === 'setup') this.onSetup(request.args[0] as WorkerSetup | undefined);
    logRequest(this.log, request);
    if (request.method === 'joinMesh') {
      void this.joinMesh(request.id);
      return;
    }
    if (request.method === 'describe') {
      this.respond({ id: request.id, ok: true, result: { advertise: this.context.advertise }, busyMs: 0 });
      return;
    }
    this.thread ??= this.startThread();
    try {
      this.thread.postMessage(request, buffersIn(request.args));
    } catch (error) {
      return this.refuse(1007, `request cannot reach the job's thread: ${(error as Error).message}`);
    }
  }

  /** Every line after the setup names the job; a job in a TCP mesh becomes reachable by its token. */
  private onSetup(setup: WorkerSetup | undefined): void {
    if (setup?.jobId !== null && setup?.jobId !== undefined) this.log = this.connectionLog.child({ job: setup.jobId });
    const mesh = setup?.mesh;
    if (mesh?.kind !== 'tcp' || typeof mesh.token !== 'string' || !Array.isArray(mesh.addresses) || !Number.isInteger(setup!.worker)) return;
    if (this.mesh) this.context.meshJobs.delete(meshKey(this.mesh.token, this.mesh.worker));
    this.mesh = { token: mesh.token, worker: setup!.worker, addresses: mesh.addresses.map(String) };
    this.context.meshJobs.set(meshKey(mesh.token, setup!.worker), this);
  }

  private startThread(): Worker {
    const thread = startModuleWorker(import.meta.url, './thread-entry');
    thread.postMessage({ scratchDir: this.context.dataDir, partsDir: this.partsDir });
    thread.on('message', (message: Response | RelayMessage) => {
      if (isRelayMessage(message)) return this.relay(message);
      logResponse(this.log, this.pending.get(message.id), message);
      this.respond(message);
    });
    thread.on('error', (error) => {
      this.log.error({ err: error }, 'worker thread crashed');
      this.socket.close(1011, `worker thread crashed: ${error.message}`.slice(0, 120));
    });
    return thread;
  }

  /** A frame from the job's thread for a peer. */
  private relay(message: RelayMessage): void {
    if (!('meshTo' in message)) return;
    const link = this.links.get(message.meshTo);
    if (link && link.readyState === link.OPEN) link.send(Buffer.from(message.frame), { binary: true });
    else this.linkDown(message.meshTo, 'no mesh link to it');
  }

  private respond(response: Response): void {
    this.pending.delete(response.id);
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(encode(response), { binary: true });
  }

  /**
   * Connects this worker to its peers: it dials those before it in the job's list and waits for
   * those after it. Answers the coordinator with an error naming the pair that could not connect.
   */
  private async joinMesh(id: number): Promise<void> {
    const mesh = this.mesh;
    const started = performance.now();
    try {
      if (!mesh) throw new GasError('GAS_ERR_INVALID_ARGUMENT', 'worker: joinMesh before a setup with a TCP mesh');
      const self = mesh.addresses[mesh.worker]!;
      await Promise.all(
        mesh.addresses.slice(0, mesh.worker).map(async (address, peer) => {
          try {
            const link = await dialWorker(address, this.context.secret, 'worker-mesh', {
              connectTimeoutMs: this.context.connectTimeoutMs,
              path: `/mesh/${mesh.token}/${mesh.worker}/${peer}`,
            });
            if (this.closed) link.terminate();
            else this.attach(peer, link);
          } catch (error) {
            const problem = error instanceof GasError ? error.message.replace(/^worker \S+: /, '') : String(error);
            throw new GasError('GAS_ERR_WORKER', `worker ${self} cannot reach its peer worker ${address} for the job's mesh: ${problem}`, {
              worker: self,
              peer: address,
            });
          }
        }),
      );
      await this.linksFromLaterPeers(mesh, 2 * this.context.connectTimeoutMs);
      this.log.info({ peers: this.links.size, ms: Math.round(performance.now() - started) }, 'mesh joined');
      this.respond({ id, ok: true, result: null, busyMs: 0 });
    } catch (error) {
      const gas = error instanceof GasError ? error : new GasError('GAS_ERR_WORKER', String(error));
      this.log.warn({ code: gas.code, error: gas.message }, 'mesh not joined');
      this.respond({ id, ok: false, error: { code: gas.code, message: gas.message, details: { ...gas.details } } });
    }
  }

  private linksFromLaterPeers(mesh: MeshPlace, timeoutMs: number): Promise<void> {
    const missing = (): number[] => mesh.addresses.map((_, peer) => peer).filter((peer) => peer > mesh.worker && !this.links.has(peer));
    if (missing().length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (missing().length > 0 && !this.closed) return;
        clearTimeout(timer);
        this.linkWaiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.linkWaiters.delete(check);
        const peers = missing().map((peer) => mesh.addresses[peer]!);
        reject(
          new GasError(
            'GAS_ERR_WORKER',
            `worker ${peers.join(', ')} did not connect to its peer worker ${mesh.addresses[mesh.worker]} within ${timeoutMs} ms`,
            {
              worker: peers[0],
              peer: mesh.addresses[mesh.worker],
            },
          ),
        );
      }, timeoutMs);
      this.linkWaiters.add(check);
    });
  }

  /** Takes a mesh link to `peer`: its frames go to the job's thread; dialed links ping so that idle ones stay up. */
  private attach(peer: number, link: WebSocket): void {
    this.links.set(peer, link);
    link.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) {
        link.terminate();
        return;
      }
      const frame = ownBytes(data as Buffer).buffer as ArrayBuffer;
      this.thread?.postMessage({ meshFrom: peer, frame } satisfies RelayMessage, [frame]);
    });
    link.on('error', (error) => this.log.warn({ peer, problem: error.message }, 'mesh link error'));
    const ping = setInterval(() => {
      if (link.readyState === link.OPEN) link.ping();
    }, this.context.heartbeatMs);
    ping.unref();
    link.on('close', (code) => {
      clearInterval(ping);
      if (this.links.get(peer) === link) this.links.delete(peer);
      this.linkDown(peer, `its mesh link closed (code ${code})`);
    });
    for (const waiter of [...this.linkWaiters]) waiter();
  }

  private linkDown(peer: number, problem: string): void {
    if (this.closed) return;
    this.log.warn({ peer: this.mesh?.addresses[peer] ?? peer, problem }, 'mesh link down');
    this.thread?.postMessage({ meshDown: peer, problem } satisfies RelayMessage);
  }

  private refuse(code: number, problem: string): void {
    this.log.warn({ problem }, 'frame refused, connection closed');
    this.socket.close(code, problem.slice(0, 120));
    // A client that ignores the close handshake must not keep the connection.
    setTimeout(() => this.socket.terminate(), 1000).unref();
  }

  private close(code: number): void {
    if (this.closed) return;
    this.closed = true;
    this.log.info({ code, requests: this.served, connectedMs: Math.round(performance.now() - this.connectedAt) }, 'closed');
    const key = this.mesh ? meshKey(this.mesh.token, this.mesh.worker) : null;
    if (key && this.context.meshJobs.get(key) === this) this.context.meshJobs.delete(key);
    for (const link of this.links.values()) link.terminate();
    this.links.clear();
    for (const waiter of [...this.linkWaiters]) waiter();
    const partsDir = this.partsDir;
    void (this.thread?.terminate() ?? Promise.resolve()).finally(() => rmSync(partsDir, { recursive: true, force: true }));
  }
}

/** A job's place in `SessionContext.meshJobs`: its mesh token and the place (worker) a session holds in it. */
export function meshKey(token: string, worker: number): string {
  return `${token}/${worker}`;
}

/** A request as the protocol shapes it, or null: the frame came from a broken or hostile client. */
function asRequest(value: unknown): Request | null {
  if (value === null || typeof value !== 'object') return null;
  const { id, method, args } = value as { id?: unknown; method?: unknown; args?: unknown };
  return Number.isSafeInteger(id) && KNOWN_METHODS.has(method as Method) && Array.isArray(args) ? (value as Request) : null;
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
