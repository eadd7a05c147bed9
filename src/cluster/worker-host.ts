/**
 * The worker side of the protocol: owns one job's `WorkerNode` (runtime + mesh links) and
 * answers the coordinator's requests with it. Thread workers and remote worker processes both
 * run this; only the channel that carries requests and responses, and the mesh's links, differ.
 */
import {
  buildWorkerRuntime,
  LocalMesh,
  PeerInbox,
  type MeshLinks,
  type WorkerShard,
  callNode,
  isWorkerCall,
  type CallArgs,
  WorkerNode,
} from '../engine/runtime.js';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { GasError } from '../errors.js';
import { IncomingPart, readPartChunk } from './part-transfer.js';
import { deliverRelayed, portLinks, relayLinks, type RelayMessage } from './mesh-links.js';
import { createProgram } from './program-spec.js';
import type { Method, Request, Response, SetupResult, WorkerSetup } from './protocol.js';
import { ShardCache } from './shard-cache.js';

export interface HostOptions {
  /** Where shipped program files and cached shards are written (remote workers' `--data-dir`); null on threads. */
  readonly scratchDir: string | null;
  /** Remote workers: where this job's checkpoint parts go (the session removes it when the job ends). */
  readonly partsDir?: string;
  /** Remote workers: hands a mesh frame to the process's main thread, which holds the TCP links. */
  readonly relay?: (message: RelayMessage, transfer: ArrayBuffer[]) => void;
}

export class WorkerHost {
  private node: WorkerNode | null = null;
  /** The shard `hasShard` read from the cache for the coming setup (see `holdShard`). */
  private heldShard: { readonly key: string; readonly shard: WorkerShard } | null = null;
  private peerName: (peer: number) => string = (peer) => `worker ${peer}`;
  private readonly cache: ShardCache | null;
  /**
   * Remote workers: where this job's checkpoint parts live in the worker's own data directory —
   * the part its last `checkpoint` wrote (until the coordinator pulled it) and the part a
   * `restore` reads (pushed by the coordinator). The coordinator's paths mean nothing here.
   */
  private readonly parts: { readonly dir: string; written: { file: string; size: number } | null; incoming: IncomingPart } | null;

  constructor(private readonly options: HostOptions) {
    this.cache = options.scratchDir ? new ShardCache(options.scratchDir) : null;
    const dir = options.partsDir ?? (options.scratchDir ? join(options.scratchDir, 'checkpoint-parts', randomUUID()) : null);
    this.parts = dir ? { dir, written: null, incoming: new IncomingPart(join(dir, 'restore.part')) } : null;
  }

  /** Answers one request. `busyMs` is the worker's compute time on it, without waits for peers. */
  async handle(request: Request): Promise<Response> {
    const started = performance.now();
    const computedBefore = this.node?.computeMs ?? 0;
    try {
      const result = await this.dispatch(request.method, request.args);
      const node = this.node;
      const busyMs = node && isWorkerCall(request.method) ? node.computeMs - computedBefore : performance.now() - started;
      return { id: request.id, ok: true, result, busyMs };
    } catch (error) {
      const gas = error instanceof GasError ? error : null;
      return {
        id: request.id,
        ok: false,
        error: {
          code: gas?.code ?? 'GAS_ERR_PROGRAM',
          message: error instanceof Error ? error.message : String(error),
          details: gas ? { ...gas.details } : { method: request.method },
        },
      };
    }
  }

  /** A frame or link failure relayed from the main thread (remote workers). */
  relayed(message: RelayMessage): void {
    if (this.node) deliverRelayed(message, this.node.inbox, this.peerName);
  }

  /** The job is over (closed, or its coordinator gone): a call waiting for peers fails now. */
  abort(problem: string): void {
    this.node?.close(problem);
    this.node = null;
    if (this.parts) rmSync(this.parts.dir, { recursive: true, force: true });
  }

  /**
   * `setup`, `hasShard` and `close` concern the host (its cache, its node); every other call of
   * the table goes to the node's handler (engine/worker/worker-calls.ts).
   */
  private async dispatch(method: Method, args: unknown[]): Promise<unknown> {
    if (method === 'setup') return this.setup(args[0] as WorkerSetup);
    if (method === 'hasShard') return this.holdShard(args[0] as string);
    if (method === 'joinMesh') return null;
    if (method === 'describe') return { advertise: null };
    if (method === 'close') {
      this.abort('the job was closed');
      return null;
    }
    const node = this.node;
    if (!node) throw new GasError('GAS_ERR_INVALID_ARGUMENT', `worker: "${method}" before setup`);
    if (this.parts) {
      const parts = this.parts;
      if (method === 'partUpload') {
        mkdirSync(parts.dir, { recursive: true });
        return parts.incoming.take(args[0], args[1], args[2]);
      }
      if (method === 'partChunk') {
        if (!parts.written) throw new GasError('GAS_ERR_INVALID_ARGUMENT', 'worker: partChunk before a checkpoint');
        return readPartChunk(parts.written.file, parts.written.size, args[0]);
      }
      if (method === 'checkpoint') return this.writeOwnPart(node, parts, args[1] as number);
      if (method === 'restore') return node.restore(parts.incoming.complete(), args[1] as CallArgs<'restore'>[1], args[2] === true);
    }
    if (method === 'partChunk' || method === 'partUpload') throw new GasError('GAS_ERR_INVALID_ARGUMENT', `worker: "${method}" is for worker processes`);
    if (!isWorkerCall(method)) throw new GasError('GAS_ERR_INVALID_ARGUMENT', `worker: unknown method "${String(method)}"`);
    // The arguments came over a channel: the table types them, nothing here can check them.
    return callNode(node, method, args as CallArgs<typeof method>);
  }

  /** A remote worker's `checkpoint`: its part into its own data directory (replacing the previous one), for the coordinator to pull. */
  private writeOwnPart(node: WorkerNode, parts: NonNullable<WorkerHost['parts']>, step: number): ReturnType<WorkerNode['checkpoint']> {
    if (!Number.isSafeInteger(step)) throw new GasError('GAS_ERR_INVALID_ARGUMENT', `worker: checkpoint after step ${String(step)}`);
    mkdirSync(parts.dir, { recursive: true });
    const file = join(parts.dir, `after-step-${step}.part`);
    if (parts.written) rmSync(parts.written.file, { force: true });
    rmSync(file, { force: true });
    parts.written = null;
    const info = node.checkpoint(file, step);
    parts.written = { file, size: info.fileBytes };
    return info;
  }

  private async setup(setup: WorkerSetup): Promise<SetupResult> {
    const started = performance.now();
    const program = await createProgram(setup.spec, this.options.scratchDir);
    const runtime = buildWorkerRuntime(this.shardOf(setup), program, setup.facts, { sharedMessages: setup.sharedMessages });
    const inbox = new PeerInbox(setup.numWorkers);
    this.node = new WorkerNode(runtime, this.meshLinks(setup, inbox), inbox, { slowdown: setup.slowdown, crashAtStep: setup.crashAtStep });
    return { vertices: runtime.graph.numVertices, edges: runtime.graph.numEdges, loadMs: performance.now() - started };
  }

  private meshLinks(setup: WorkerSetup, inbox: PeerInbox): MeshLinks {
    const { mesh } = setup;
    if (mesh.kind === 'ports') {
      this.peerName = (peer) => `thread ${peer}`;
      return portLinks(mesh.ports, inbox, this.peerName);
    }
    if (mesh.kind === 'tcp') {
      if (!this.options.relay) throw new GasError('GAS_ERR_INVALID_ARGUMENT', 'worker: a TCP mesh needs a worker process');
      this.peerName = (peer) => `worker ${mesh.addresses[peer] ?? peer}`;
      return relayLinks(this.options.relay);
    }
    if (setup.numWorkers !== 1) throw new GasError('GAS_ERR_INVALID_ARGUMENT', `worker: ${setup.numWorkers} workers need a mesh`);
    return new LocalMesh(1).links(0);
  }

  /**
   * `hasShard`: whether this worker holds the shard, read from the cache right now when it does.
   * Answering yes and reading the file only at setup would let another job on this worker evict
   * it in between (its own shard stored, the cache trimmed): measured with 10 jobs over 10
   * graphs on two shared worker processes, 6 of 100 failed on a vanished cache file.
   */
  private holdShard(key: string): boolean {
    this.heldShard = null;
    if (!this.cache?.has(key)) return false;
    try {
      this.heldShard = { key, shard: this.cache.load(key) };
      return true;
    } catch {
      // Unreadable or gone (load removes a broken file): the coordinator ships it instead.
      return false;
    }
  }

  private shardOf(setup: WorkerSetup): WorkerShard {
    if (setup.shard) {
      if (this.cache && setup.shardKey) this.cache.store(setup.shardKey, setup.shard);
      return setup.shard;
    }
    const held = this.heldShard;
    this.heldShard = null;
    if (held && held.key === setup.shardKey) return held.shard;
    if (!this.cache || !setup.shardKey) throw new GasError('GAS_ERR_INVALID_ARGUMENT', 'worker: setup without a shard, and no cache to take it from');
    return this.cache.load(setup.shardKey);
  }
}
