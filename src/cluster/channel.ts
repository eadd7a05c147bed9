/**
 * A channel carries requests to one worker and brings back its responses. Once a channel fails
 * (the worker died, the connection dropped, heartbeats stopped) every pending and later request
 * is rejected with the same `GAS_ERR_WORKER` error naming the worker, so a job never hangs on a
 * dead worker.
 */
import { GasError, type ErrorCode } from '../errors.js';
import type { MessagePort } from 'node:worker_threads';
import type { Method, Request, Response } from './protocol.js';

export interface Reply {
  readonly result: unknown;
  readonly busyMs: number;
}

/** Buffers a request may move to the worker: all in its arguments, none, or a list. */
export type Transfer = boolean | readonly (ArrayBuffer | MessagePort)[];

export abstract class Channel {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  private failure: GasError | null = null;

  /** `name`: how errors name the worker ("thread 2", "10.0.0.2:7400"). */
  constructor(readonly name: string) {}

  /**
   * Sends one request. `transfer`: which of the arguments' buffers may be moved, not copied —
   * all of them (`true`: the caller will not read them again), none, or just these.
   */
  request(method: Method, args: unknown[], transfer: Transfer = true): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.send({ id, method, args }, transfer);
      } catch (error) {
        this.pending.delete(id);
        reject(error);
      }
    });
  }

  abstract close(): Promise<void>;

  /** Bytes this channel carried both ways so far; null where the transport does not count them. */
  get wireBytes(): number | null {
    return null;
  }

  protected abstract send(request: Request, transfer: Transfer): void;

  protected receive(response: Response): void {
    const waiter = this.pending.get(response.id);
    if (!waiter) return;
    this.pending.delete(response.id);
    if (response.ok) waiter.resolve({ result: response.result, busyMs: response.busyMs });
    else waiter.reject(new GasError(response.error.code as ErrorCode, response.error.message, { ...response.error.details, worker: this.name }));
  }

  /** Marks the channel dead: pending and later requests fail with `GAS_ERR_WORKER`. */
  protected fail(problem: string): void {
    if (this.failure) return;
    // `lost`: the worker itself is gone or silent (not a request of it that failed): a run may recover from it.
    this.failure = new GasError('GAS_ERR_WORKER', `worker ${this.name}: ${problem}`, { worker: this.name, lost: true });
    for (const waiter of this.pending.values()) waiter.reject(this.failure);
    this.pending.clear();
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  /** Why the channel failed (the worker died, …), or null while it works. */
  get failedWith(): GasError | null {
    return this.failure;
  }
}
