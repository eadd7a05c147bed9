/**
 * The coordinator ⇄ worker protocol, the same over a thread's message port and a TCP connection:
 * one request at a time per worker, answered by one response with the same id.
 *
 *   hasShard  does the worker's cache hold this shard? (remote workers)
 *   setup     program spec, shard, graph facts, job options, its place in the mesh → the worker
 *             builds its runtime
 *   describe  remote workers: the address mesh peers dial (`--advertise`), before setup
 *   joinMesh  remote workers: connect to every peer of the job (after every worker's setup)
 *   partChunk, partUpload   remote workers: a checkpoint part's bytes, from the worker after its
 *             `checkpoint`, to it before its `restore` (part-transfer.ts)
 *   start … collect, close   the engine's worker calls (engine/worker/worker-calls.ts), by name
 *
 * `ProtocolCalls` is the whole table: the engine's calls plus the two only hosted workers have.
 * Every response carries `busyMs`, the worker's own time on the request, so the coordinator can
 * tell computing from waiting.
 */
import { WORKER_CALL_NAMES, type WorkerCalls, type GraphFacts, type WorkerShard } from '../engine/runtime.js';
import type { MessagePort } from 'node:worker_threads';
import type { ProgramSpec } from './program-spec.js';

/**
 * How a worker reaches its peers: nothing to reach (one worker), a `MessagePort` per peer
 * (threads of one process), or a TCP link per peer (remote workers: each dials the peers before
 * it in `addresses` and is dialed by those after it; `token` names the job on those links).
 */
export type MeshSetup =
  | { readonly kind: 'none' }
  | { readonly kind: 'ports'; readonly ports: readonly (MessagePort | null)[] }
  | { readonly kind: 'tcp'; readonly token: string; readonly addresses: readonly string[] };

export interface WorkerSetup {
  readonly spec: ProgramSpec;
  /** This worker's place: worker `worker` of `numWorkers`. */
  readonly worker: number;
  readonly numWorkers: number;
  readonly mesh: MeshSetup;
  /** The worker's shard, or null when the worker said it holds `shardKey` in its cache. */
  readonly shard: WorkerShard | null;
  /** Identifies the shard for remote workers' caches (see shard-cache.ts); null: do not cache. */
  readonly shardKey: string | null;
  readonly facts: GraphFacts;
  /** Testing and benchmarks: the worker sleeps (factor − 1) × its compute time after every phase, to act as a straggler. */
  readonly slowdown: number;
  /** Testing (fault tolerance): the worker's process or thread exits at once when step `crashAtStep` begins; null: never. */
  readonly crashAtStep: number | null;
  /** Write messages into reused SharedArrayBuffer slots (engines that do not keep messages; see engine/worker/message-slots.ts). */
  readonly sharedMessages: boolean;
  /** The catalog's id of the job (null for runs that are not jobs: graphology in memory, benches), for workers' logs. */
  readonly jobId: number | null;
}

/** What a worker reports when its runtime is built. */
export interface SetupResult {
  readonly vertices: number;
  readonly edges: number;
  readonly loadMs: number;
}

export interface ProtocolCalls extends WorkerCalls {
  hasShard(key: string): boolean;
  setup(setup: WorkerSetup): SetupResult;
  joinMesh(): void;
  /** What a worker process tells its coordinator before setup: the address its mesh peers should dial (`--advertise`), if not the one the coordinator used. */
  describe(): { advertise: string | null };
  /** Remote workers: bytes `offset…` (at most `PART_CHUNK_BYTES`) of the part its last `checkpoint` wrote in its own data directory. */
  partChunk(offset: number): Uint8Array;
  /** Remote workers: the chunk at `offset` of a part of `total` bytes that its next `restore` reads (offset 0 starts a part). */
  partUpload(offset: number, bytes: Uint8Array, total: number): void;
}

export type Method = keyof ProtocolCalls;

/** Every method by name, at runtime. */
export const METHODS: readonly Method[] = ['hasShard', 'setup', 'joinMesh', 'describe', 'partChunk', 'partUpload', ...WORKER_CALL_NAMES];

export interface Request {
  readonly id: number;
  readonly method: Method;
  /** As the method's entry in `ProtocolCalls` types them (unchecked: they came over a wire). */
  readonly args: unknown[];
}

export type Response =
  | { readonly id: number; readonly ok: true; readonly result: unknown; readonly busyMs: number }
  | { readonly id: number; readonly ok: false; readonly error: { code: string; message: string; details: Record<string, unknown> } };

/**
 * Array buffers in a value (typed arrays in arrays and plain objects), for transfer lists; shared
 * buffers travel by reference and are left out. So are small buffers a view covers only in part:
 * those are Node's Buffer pool (`Buffer.poolSize` bytes, where small Buffers and some decoded
 * arrays live), which Node 21 and later refuse to transfer (DataCloneError) and Node 20 silently
 * copies; cloning the view copies at most that much.
 */
export function buffersIn(value: unknown, into: Set<ArrayBuffer> = new Set()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    const buffer = value.buffer;
    const whole = value.byteOffset === 0 && value.byteLength === buffer.byteLength;
    if (buffer instanceof ArrayBuffer && (whole || buffer.byteLength > Buffer.poolSize)) into.add(buffer);
  } else if (Array.isArray(value)) for (const item of value) buffersIn(item, into);
  else if (value !== null && typeof value === 'object' && !(value instanceof Map) && !isPort(value))
    for (const item of Object.values(value)) buffersIn(item, into);
  return [...into];
}

function isPort(value: object): boolean {
  return typeof (value as { postMessage?: unknown }).postMessage === 'function';
}
