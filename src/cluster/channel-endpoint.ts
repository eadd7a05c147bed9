/**
 * A `WorkerEndpoint` whose worker is at the other end of a channel (a thread or a remote
 * process). It also keeps the worker's busy time, so the engine can report how long each worker
 * waited at barriers.
 */
import type { WorkerEndpoint } from '../engine/endpoint.js';
import type { AggregateValues } from '../engine/program.js';
import type { Mailbox, Message } from '../engine/worker-runtime.js';
import type { Channel } from './channel.js';
import { buffersIn, type Method, type WorkerSetup } from './protocol.js';

export class ChannelEndpoint implements WorkerEndpoint {
  /** The worker's own time on requests so far (compute, packing, its slowdown). */
  busyMs = 0;

  /** `transfer`: whether inboxes may be moved to the worker (false when the caller keeps and re-sends them). */
  constructor(
    readonly channel: Channel,
    private readonly transfer = true,
  ) {}

  get name(): string {
    return this.channel.name;
  }

  /** Whether the worker's shard cache holds `key` (remote workers). */
  async hasShard(key: string): Promise<boolean> {
    return (await this.channel.request('hasShard', [key])).result as boolean;
  }

  /**
   * Loading is not computing: setup's time is left out of `busyMs`. Only the shard's buffers
   * move: the spec is shared by every worker's setup, and its options may hold typed arrays
   * (ALS's held-out ratings) that moving would detach for the next worker.
   */
  async setup(setup: WorkerSetup): Promise<{ vertices: number; edges: number; loadMs: number }> {
    const transfer = setup.shard ? buffersIn(setup.shard) : false;
    return (await this.channel.request('setup', [setup], transfer)).result as { vertices: number; edges: number; loadMs: number };
  }

  async init(): Promise<number[]> {
    return (await this.call('init', [])) as number[];
  }

  async setAggregates(aggregates: AggregateValues): Promise<void> {
    await this.call('setAggregates', [aggregates]);
  }

  async activate(inbox: Mailbox, iteration: number): Promise<{ outbox: Message[]; activeMasters: number }> {
    return (await this.call('activate', [inbox, iteration])) as { outbox: Message[]; activeMasters: number };
  }

  async gather(inbox: Mailbox, iteration: number): Promise<Message[]> {
    return (await this.call('gather', [inbox, iteration])) as Message[];
  }

  async apply(inbox: Mailbox): Promise<{ outbox: Message[]; aggregates: number[] }> {
    return (await this.call('apply', [inbox])) as { outbox: Message[]; aggregates: number[] };
  }

  async scatter(inbox: Mailbox, aggregates: AggregateValues): Promise<Message[]> {
    return (await this.call('scatter', [inbox, aggregates])) as Message[];
  }

  async neighborsToMasters(): Promise<Message[]> {
    return (await this.call('neighborsToMasters', [])) as Message[];
  }

  async neighborsFromMirrors(inbox: Mailbox): Promise<Message[]> {
    return (await this.call('neighborsFromMirrors', [inbox])) as Message[];
  }

  async neighborsInstall(inbox: Mailbox): Promise<void> {
    await this.call('neighborsInstall', [inbox]);
  }

  async collect(column: string): Promise<{ gids: Uint32Array; values: Float64Array; width: number }> {
    return (await this.call('collect', [column])) as { gids: Uint32Array; values: Float64Array; width: number };
  }

  async close(): Promise<void> {
    if (!this.channel.failed) await this.call('close', []).catch(() => undefined);
    await this.channel.close();
  }

  private async call(method: Method, args: unknown[], transfer = this.transfer): Promise<unknown> {
    const reply = await this.channel.request(method, args, transfer);
    this.busyMs += reply.busyMs;
    return reply.result;
  }
}
