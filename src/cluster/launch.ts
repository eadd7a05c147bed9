/**
 * Placing a job's workers: W runtimes in this thread, W worker threads, or one worker process per
 * address of a cluster. Partition p goes to worker p mod W. The coordinator reads each worker's
 * shard from the graph store and ships it — moved to a thread, serialised to a remote process —
 * so remote workers need no copy of the graph (and a graph re-imported on the coordinator is
 * never stale on a worker). Remote workers cache the shards they receive (shard-cache.ts): a
 * graph's shards cross the wire once per worker, not once per job. `shipBytes` reports the bytes
 * sent before the first superstep. Each worker also gets its place in the job's mesh: a
 * `MessagePort` per peer (threads), or the job's token and its peers' addresses (processes, which
 * then connect to each other at `joinMesh`; a worker started with `--advertise` is dialed there).
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { basename } from 'node:path';
import {
  type WorkerEndpoint,
  graphFacts,
  loadInProcessWorkers,
  type AnyVertexProgram,
  readGraphTables,
  readShard,
  type GraphFacts,
} from '../engine/runtime.js';
import { GasError } from '../errors.js';
import type { GraphSource } from '../storage/index.js';
import type { Channel } from './channel.js';
import { ChannelEndpoint } from './channel-endpoint.js';
import { createProgram, withSource, type ProgramSpec } from './program-spec.js';
import type { MeshSetup } from './protocol.js';
import { loadClusterSecret } from './secret.js';
import { shardKey } from './shard-cache.js';
import { TcpChannel } from './tcp-channel.js';
import { ThreadChannel } from './thread-channel.js';

export type Placement =
  | { readonly kind: 'in-process'; readonly workers: number }
  | { readonly kind: 'threads'; readonly workers: number }
  /**
   * Worker w on the process at `addresses[w]` (an address may appear twice: a process holding two
   * workers' partitions after a recovery); `spares` are standby processes a recovery moves a lost
   * worker's partitions to (execute-job.ts), none of them dialed before.
   */
  | { readonly kind: 'cluster'; readonly addresses: readonly string[]; readonly spares?: readonly string[] };

export interface StartOptions {
  /** Testing and benchmarks: make one worker a straggler, `factor` times slower. */
  readonly slowWorker?: { readonly worker: number; readonly factor: number };
  /** Testing (fault tolerance): worker `worker` exits at once when step `atStep` begins (threads and processes). */
  readonly crashWorker?: { readonly worker: number; readonly atStep: number };
  /** The job's id in the catalog, named in remote workers' log lines. */
  readonly jobId?: number;
  /** The engine keeps peers' messages past their step (SSP: `Engine.keepsMessages`): workers then pack each message into a buffer of its own. */
  readonly keepsMessages?: boolean;
  /** The cluster's shared secret for remote workers (default: `GASWORKS_CLUSTER_SECRET`, else none). */
  readonly secret?: Buffer | null;
}

export interface StartedWorkers {
  readonly endpoints: WorkerEndpoint[];
  readonly facts: GraphFacts;
  /** Bytes of shards shipped to remote workers (0 for threads and in-process). */
  readonly shipBytes: number;
  /** Bytes on the wire to and from remote workers so far (0 for threads and in-process). */
  wireBytes(): number;
  /**
   * After a run failed: the workers whose channel is dead (the thread exited, the process or its
   * connection is gone), each with its channel's error, waiting up to `waitMs` for one to be
   * found — a peer's report that its mesh link closed can arrive before the dead worker's exit.
   */
  lost(waitMs: number): Promise<{ readonly worker: number; readonly name: string; readonly error: GasError }[]>;
  close(): Promise<void>;
}

/** Graphs below this many edges run on one worker unless more are asked for. */
export const THREADS_FROM_EDGES = 8_000_000;

/**
 * One worker per core for graphs of `THREADS_FROM_EDGES` edges or more, else one: below that,
 * starting threads and warming up each one's compiled loops outweigh the work (cnr-2000, 3.2 M
 * edges, PageRank to 1e-6 in 3 steps: 0.33 s of compute on one worker, 0.89 s on two threads).
 */
export function defaultWorkerCount(edges: number): number {
  return edges >= THREADS_FROM_EDGES ? availableParallelism() : 1;
}

export function placementSize(placement: Placement): number {
  return placement.kind === 'cluster' ? placement.addresses.length : placement.workers;
}

/**
 * Starts the workers and loads their shards. `spec` describes how to rebuild `program` elsewhere;
 * without one (a program object handed to the library) only in-process placement is possible.
 */
export async function startWorkers(
  reader: GraphSource,
  program: AnyVertexProgram,
  spec: ProgramSpec | null,
  placement: Placement,
  options: StartOptions = {},
): Promise<StartedWorkers> {
  const meta = reader.meta;
  const facts = graphFacts(reader);
  const size = placementSize(placement);
  if (size > meta.numPartitions) {
    throw new GasError(
      'GAS_ERR_INVALID_ARGUMENT',
      `run: ${size} workers but the graph has ${meta.numPartitions} partitions (each worker needs one); re-import with --partitions ${size} or more`,
      { option: placement.kind === 'cluster' ? 'cluster' : 'workers' },
    );
  }
  const slowdownOf = (w: number): number => (options.slowWorker?.worker === w ? options.slowWorker.factor : 1);

  if (placement.kind === 'in-process') {
    if (options.slowWorker) throw new GasError('GAS_ERR_UNSUPPORTED', 'run: a slowed worker needs threads or a cluster');
    if (options.crashWorker)
      throw new GasError('GAS_ERR_UNSUPPORTED', 'run: a crashing worker needs threads or a cluster (it would take this process with it)');
    // Each worker its own instance where the spec can build one (as threads get): a program's
    // closure state is per worker.
    const programs = [program];
    for (let w = 1; w < size; w++) programs.push(spec ? await createProgram(spec, null) : program);
    const { endpoints } = loadInProcessWorkers(reader, (w) => programs[w]!, size);
    return { endpoints, facts, shipBytes: 0, wireBytes: () => 0, lost: async () => [], close: async () => {} };
  }

  if (!spec) {
    throw new GasError(
      'GAS_ERR_UNSUPPORTED',
      'run: a program object cannot be sent to worker threads or processes; give a registered algorithm or a program file, or use workers: 1',
      {
        option: 'workers',
      },
    );
  }
  const channels: Channel[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.all(channels.map((c) => c.close().catch(() => undefined)));
  };
  try {
    if (placement.kind === 'threads') {
      for (let w = 0; w < size; w++) channels.push(new ThreadChannel(w));
    } else {
      const secret = options.secret ?? loadClusterSecret(undefined, 'secretFile');
      const connected = await Promise.allSettled(placement.addresses.map((address) => TcpChannel.connect(address, secret)));
      for (const outcome of connected) if (outcome.status === 'fulfilled') channels.push(outcome.value);
      const failed = connected.find((outcome) => outcome.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }
    const tables = readGraphTables(reader);
    const shipped = placement.kind === 'cluster' ? withSource(spec) : spec;
    const endpoints = channels.map((channel) => new ChannelEndpoint(channel));
    const setups: Promise<unknown>[] = [];
    const sharedMessages = !(options.keepsMessages ?? false);
    // Remote workers' mesh addresses: what each advertises, else the address this coordinator used.
    const meshAddresses =
      placement.kind === 'cluster' ? (await Promise.all(endpoints.map((e) => e.describe()))).map((d, w) => d.advertise ?? placement.addresses[w]!) : [];
    const meshes = meshSetups(placement, size, meshAddresses);
    const keys = endpoints.map((_, w) => (placement.kind === 'cluster' ? shardKey(basename(reader.dir), w, size) : null));
    const cached = await Promise.all(endpoints.map((endpoint, w) => (keys[w] ? endpoint.hasShard(keys[w]) : false)));
    for (let w = 0; w < size; w++) {
      // Read, send, and let go of one shard before reading the next; workers build their local graphs in parallel.
      const shard = cached[w] ? null : readShard(reader, tables, w, size);
      setups.push(
        endpoints[w]!.setup({
          spec: shipped,
          worker: w,
          numWorkers: size,
          mesh: meshes[w]!,
          shard,
          shardKey: keys[w]!,
          facts,
          slowdown: slowdownOf(w),
          crashAtStep: options.crashWorker?.worker === w ? options.crashWorker.atStep : null,
          sharedMessages,
          jobId: options.jobId ?? null,
        }),
      );
    }
    await Promise.all(setups);
    if (placement.kind === 'cluster' && size > 1) await Promise.all(endpoints.map((endpoint) => endpoint.joinMesh()));
    const tcp = channels.filter((c): c is TcpChannel => c instanceof TcpChannel);
    const shipBytes = tcp.reduce((sum, c) => sum + c.bytesSent, 0);
    return {
      endpoints,
      facts,
      shipBytes,
      wireBytes: () => tcp.reduce((sum, c) => sum + c.bytesSent + c.bytesReceived, 0),
      lost: async (waitMs) => {
        const deadline = performance.now() + waitMs;
        while (!channels.some((c) => c.failed) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
        return channels.flatMap((c, worker) => (c.failedWith ? [{ worker, name: c.name, error: c.failedWith }] : []));
      },
      close: async () => {
        await Promise.all(endpoints.map((e) => e.close().catch(() => undefined)));
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * Each worker's place in the job's mesh: a `MessagePort` pair per pair of threads, or for remote
 * workers the job's token and every worker's mesh address (they connect to each other at `joinMesh`).
 */
function meshSetups(placement: Placement, size: number, meshAddresses: readonly string[]): MeshSetup[] {
  if (size === 1) return [{ kind: 'none' }];
  if (placement.kind === 'cluster') {
    const token = randomBytes(16).toString('hex');
    return meshAddresses.map(() => ({ kind: 'tcp', token, addresses: meshAddresses }));
  }
  const ports: (MessagePort | null)[][] = Array.from({ length: size }, () => new Array<MessagePort | null>(size).fill(null));
  for (let a = 0; a < size; a++) {
    for (let b = a + 1; b < size; b++) {
      const { port1, port2 } = new MessageChannel();
      ports[a]![b] = port1;
      ports[b]![a] = port2;
    }
  }
  return ports.map((row) => ({ kind: 'ports', ports: row }));
}
