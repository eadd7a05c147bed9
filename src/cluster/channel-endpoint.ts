/**
 * A `WorkerEndpoint` whose worker is at the other end of a channel (a thread or a remote
 * process): every call of the table becomes one request (engine/coordinator/endpoint.ts `TableEndpoint`).
 * It also keeps the worker's busy time, so the engine can report how long each worker waited at
 * barriers.
 *
 * A worker in another process writes its checkpoint part into its own data directory, and
 * `checkpoint` then pulls it into the coordinator's file; `restore` pushes the coordinator's file
 * to the worker first (part-transfer.ts says why). Threads read and write the coordinator's files.
 */
import { TableEndpoint, type CallArgs, type CallResult, type CheckpointPartCheck, type CheckpointPartInfo, type WorkerCall } from '../engine/runtime.js';
import type { Channel } from './channel.js';
import { cancellableDelay } from '../util/delay.js';
import { buffersIn, type SetupResult, type WorkerSetup } from './protocol.js';
import { receivePart, sendPart } from './part-transfer.js';
import { TcpChannel } from './tcp-channel.js';

export class ChannelEndpoint extends TableEndpoint {
  /** The worker's own time on requests so far (compute, packing, its slowdown). */
  busyMs = 0;

  /** `transfer`: whether inboxes may be moved to the worker (false when the caller keeps and re-sends them). */
  constructor(
    readonly channel: Channel,
    private readonly transfer = true,
  ) {
    super();
  }

  get name(): string {
    return this.channel.name;
  }

  get controlBytes(): number | null {
    return this.channel.wireBytes;
  }

  /** Whether the worker's shard cache holds `key` (remote workers). */
  async hasShard(key: string): Promise<boolean> {
    return (await this.channel.request('hasShard', [key])).result as boolean;
  }

  /**
   * Loading is not computing: setup's time is left out of `busyMs`. Only the shard's buffers
   * and the mesh's ports move: the spec is shared by every worker's setup, and its options may
   * hold typed arrays (ALS's held-out ratings) that moving would detach for the next worker.
   */
  async setup(setup: WorkerSetup): Promise<SetupResult> {
    const ports = setup.mesh.kind === 'ports' ? setup.mesh.ports.filter((port) => port !== null) : [];
    const transfer = [...(setup.shard ? buffersIn(setup.shard) : []), ...ports] as ArrayBuffer[];
    return (await this.channel.request('setup', [setup], transfer)).result as SetupResult;
  }

  /** Remote workers: the address its mesh peers should dial, if the worker was told one (`--advertise`). */
  async describe(): Promise<{ advertise: string | null }> {
    return (await this.channel.request('describe', [])).result as { advertise: string | null };
  }

  /** Remote workers: connects the worker to its peers (every worker set up first); rejects naming a pair that cannot connect. */
  async joinMesh(): Promise<void> {
    await this.channel.request('joinMesh', []);
  }

  /** The worker's part after step `step`, in the coordinator's `file` once it arrived whole and its SHA-256 checked. */
  override readonly checkpoint = async (file: string, step: number): Promise<CheckpointPartInfo> => {
    if (!this.remote) return this.call('checkpoint', file, step);
    const info = await this.call('checkpoint', '', step);
    await receivePart(file, info, async (offset) => (await this.channel.request('partChunk', [offset])).result as Uint8Array, this.name);
    return info;
  };

  /** Restores from the part at the coordinator's `file` (sent to a remote worker first). */
  override readonly restore = async (file: string, part: CheckpointPartCheck, withAggregates: boolean): Promise<CallResult<'restore'>> => {
    if (this.remote) await sendPart(file, part, async (offset, bytes, total) => void (await this.channel.request('partUpload', [offset, bytes, total])));
    return this.call('restore', this.remote ? '' : file, part, withAggregates);
  };

  /** Whether the worker is in another process (files do not cross; their bytes do). */
  private get remote(): boolean {
    return this.channel instanceof TcpChannel;
  }

  /**
   * Tells a live worker to drop the job, then closes the channel (a field: the table's `close` is
   * a property). A worker that does not answer within `CLOSE_WAIT_MS` — stuck in a program that
   * never yields — is not waited for: closing the channel stops a thread whatever it runs.
   */
  override readonly close = async (): Promise<void> => {
    if (!this.channel.failed) {
      const waited = cancellableDelay(CLOSE_WAIT_MS);
      await Promise.race([this.call('close').catch(() => undefined), waited.elapsed]);
      waited.cancel();
    }
    await this.channel.close();
  };

  async call<M extends WorkerCall>(method: M, ...args: CallArgs<M>): Promise<CallResult<M>> {
    const reply = await this.channel.request(method, args, this.transfer);
    this.busyMs += reply.busyMs;
    return reply.result as CallResult<M>;
  }
}

/** How long closing waits for a worker to acknowledge dropping its job. */
const CLOSE_WAIT_MS = 2000;
