/**
 * The worker mesh: how a worker's exchange messages reach its peers directly, never through the
 * coordinator (PowerGraph's machines likewise send gather partials and vertex data to each other,
 * and the master only runs barriers and all-reduces). A frame is one message of one kind for one
 * step, from one worker to one peer; `MeshLinks` sends frames and `PeerInbox` receives them.
 * Where the peers live — this thread, worker threads, other processes — only changes which
 * `MeshLinks` carries the frames (in-process below; ports and TCP in src/cluster).
 *
 * Every link is FIFO, and a worker sends exactly one frame of each kind per step to each peer it
 * shares vertices with in that kind's direction (null messages included), so a receiver knows
 * which frames to wait for and the newest frame of a kind from a peer is all it needs to keep:
 * under BSP a peer sends a kind's next frame only after a barrier the receiver passes after
 * reading the last one; under SSP the receiver wants the newest anyway.
 */
import { GasError } from '../../errors.js';
import type { ExchangePlan } from './exchange-plan.js';
import type { Mailbox, Message } from './worker-runtime.js';

/** The exchanges of a run, with the direction each travels in (see exchange-plan.ts). */
export const MESH_KINDS = {
  /** master → mirrors: positions of vertices active in the step. */
  flags: 'down',
  /** mirror → master: gather partials. */
  partials: 'up',
  /** master → mirrors: new vertex values after apply. */
  values: 'down',
  /** mirror → master: vertices signaled by scatter. */
  signals: 'up',
  /** Neighbour-set construction before step 0: mirrors' lists up, the union down. */
  neighborsUp: 'up',
  neighborsDown: 'down',
  /** SSP: a worker's aggregator partials of a step, to every peer (each combines them itself). */
  aggregates: 'all',
  /** SSP: a worker's clock (the steps it has completed, as the frame's step; no message), to every peer. */
  clocks: 'all',
  /**
   * Asynchronous runs: batches of records (lock requests and grants, gather partials, commits,
   * signals; see async-protocol.ts), to every peer. Unlike the kinds above, every frame of this
   * kind is kept, in arrival order, until the worker takes it (`takeStream`).
   */
  async: 'all',
} as const satisfies Record<string, 'up' | 'down' | 'all'>;

export type MeshKind = keyof typeof MESH_KINDS;
export const MESH_KIND_NAMES = Object.keys(MESH_KINDS) as MeshKind[];

export interface MeshFrame {
  readonly kind: MeshKind;
  /** The step the message belongs to (−1 before step 0). */
  readonly step: number;
  readonly message: Message;
}

/** How a worker's frames reach its peers. `send` may move the message's buffer: the sender does not read it again. */
export interface MeshLinks {
  send(peer: number, frame: MeshFrame): void;
  /** Lets go of the links (the job is over). */
  close(): void;
}

/**
 * The peers a worker sends a kind to, and those it receives it from: for 'up' kinds a worker
 * sends to the masters of its mirrors and hears from the mirrors of its masters; 'down' the other
 * way; 'all' to and from every other worker. Both ends of a pair derive the same answer from the
 * same shared-vertex list.
 */
export function meshPeers(plan: ExchangePlan, kind: MeshKind): { readonly sendTo: number[]; readonly hearFrom: number[] } {
  if (MESH_KINDS[kind] === 'all') {
    const others = Array.from({ length: plan.numWorkers }, (_, peer) => peer).filter((peer) => peer !== plan.worker);
    return { sendTo: others, hearFrom: others };
  }
  const up = MESH_KINDS[kind] === 'up';
  const sendLists = up ? plan.mirrorsByMaster : plan.mastersByMirror;
  const hearLists = up ? plan.mastersByMirror : plan.mirrorsByMaster;
  const peers = (lists: readonly Uint32Array[]): number[] => lists.flatMap((list, peer) => (peer !== plan.worker && list.length > 0 ? [peer] : []));
  return { sendTo: peers(sendLists), hearFrom: peers(hearLists) };
}

interface Slot {
  step: number;
  message: Message;
}

/**
 * A worker's received frames: the newest of each kind from each peer, and waits for frames that
 * have not arrived. A link that fails (`fail`) ends every wait, present and future, with its error.
 */
export class PeerInbox {
  private readonly slots = new Map<MeshKind, Slot[]>();
  private readonly waiters = new Set<() => void>();
  private failure: Error | null = null;
  /** Every 'aggregates' frame by step, then by peer (a combine needs one step from every worker). */
  private readonly aggregates = new Map<number, Message[]>();
  /** 'async' frames not yet taken, in arrival order, with their senders. */
  private stream: { from: number; message: Float64Array }[] = [];

  constructor(private readonly numWorkers: number) {
    for (const kind of MESH_KIND_NAMES)
      this.slots.set(
        kind,
        Array.from({ length: numWorkers }, () => ({ step: -Infinity, message: null })),
      );
  }

  deliver(from: number, frame: MeshFrame): void {
    if (frame.kind === 'async') {
      if (frame.message instanceof Float64Array) this.stream.push({ from, message: frame.message });
      this.wake();
      return;
    }
    const slot = this.slots.get(frame.kind)?.[from];
    if (!slot) return;
    if (frame.kind === 'aggregates') {
      const row = this.aggregates.get(frame.step) ?? new Array<Message>(this.numWorkers).fill(null);
      row[from] = frame.message;
      this.aggregates.set(frame.step, row);
    }
    slot.step = frame.step;
    slot.message = frame.message;
    this.wake();
  }

  /** Ends every wait with `error` (a peer's link failed, or the job was closed). */
  fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  get failed(): Error | null {
    return this.failure;
  }

  /** Every worker's aggregator partials of `step`, once all have arrived (the receiver's own delivered too); else null. */
  aggregatesOf(step: number): Float64Array[] | null {
    const row = this.aggregates.get(step);
    return row && row.every((partials) => partials !== null) ? (row as Float64Array[]) : null;
  }

  /** Lets go of aggregator partials of steps before `step`. */
  forgetAggregatesBefore(step: number): void {
    for (const kept of this.aggregates.keys()) if (kept < step) this.aggregates.delete(kept);
  }

  /** The newest frame of `kind` from `peer` (step −∞ and null before the first). */
  newest(kind: MeshKind, peer: number): Readonly<Slot> {
    return this.slots.get(kind)![peer]!;
  }

  /**
   * Resolves true once every peer in `from` has sent a frame of `kind` for step `minStep` or
   * later, or false as soon as `giveUp()` holds (checked at every delivery and `poke`).
   */
  async until(kind: MeshKind, from: readonly number[], minStep: number, giveUp: () => boolean = () => false): Promise<boolean> {
    const slots = this.slots.get(kind)!;
    const ready = (): boolean => from.every((peer) => slots[peer]!.step >= minStep);
    if (this.failure) throw this.failure;
    if (ready()) return true;
    if (giveUp()) return false;
    return new Promise<boolean>((resolve, reject) => {
      const check = (): void => {
        if (this.failure) {
          this.waiters.delete(check);
          reject(this.failure);
        } else if (ready() || giveUp()) {
          this.waiters.delete(check);
          resolve(ready());
        }
      };
      this.waiters.add(check);
    });
  }

  /** The 'async' frames received since the last take, in arrival order (throws if a link failed). */
  takeStream(): { from: number; message: Float64Array }[] {
    if (this.failure) throw this.failure;
    const taken = this.stream;
    this.stream = [];
    return taken;
  }

  /** Resolves when an 'async' frame is waiting to be taken or `poke` is called; rejects if a link fails. */
  streamReady(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.stream.length > 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        this.waiters.delete(check);
        if (this.failure) reject(this.failure);
        else resolve();
      };
      this.waiters.add(check);
    });
  }

  /** Checks every wait again (something a `giveUp` reads has changed). */
  poke(): void {
    this.wake();
  }

  /**
   * The frames of `kind` for exactly step `step` from every peer in `from`, as a mailbox indexed
   * by peer (null for peers outside `from`). Waits for the missing ones.
   */
  async take(kind: MeshKind, from: readonly number[], step: number): Promise<Mailbox> {
    await this.until(kind, from, step);
    const slots = this.slots.get(kind)!;
    const mailbox: Message[] = new Array<Message>(this.numWorkers).fill(null);
    for (const peer of from) {
      const slot = slots[peer]!;
      if (slot.step !== step) {
        throw new GasError('GAS_ERR_INTERNAL', `mesh: expected ${kind} of step ${step} from worker ${peer}, the newest is of step ${slot.step}`);
      }
      mailbox[peer] = slot.message;
    }
    return mailbox;
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/**
 * The mesh of W workers in this thread: a frame is handed to the peer's inbox as it is (no copy;
 * the sender packs a new array for every message when nothing else shares its buffers).
 */
export class LocalMesh {
  private readonly inboxes: PeerInbox[];

  constructor(numWorkers: number) {
    this.inboxes = Array.from({ length: numWorkers }, () => new PeerInbox(numWorkers));
  }

  inbox(worker: number): PeerInbox {
    return this.inboxes[worker]!;
  }

  links(worker: number): MeshLinks {
    return {
      send: (peer, frame) => this.inboxes[peer]!.deliver(worker, frame),
      close: () => undefined,
    };
  }
}

// ---- Frames as bytes, for links that cross a process boundary ----------------------------------

/** `[kind u8, type u8, 0 u16, step i32]`, then the message's bytes (8-aligned in a buffer of its own). */
const HEADER_BYTES = 8;
const TYPE_NULL = 0;
const TYPE_F64 = 1;
const TYPE_U32 = 2;

/** One frame as a buffer of its own (a copy of the message's bytes). */
export function encodeFrame(frame: MeshFrame): ArrayBuffer {
  const { message } = frame;
  const bytes = message ? message.byteLength : 0;
  const buffer = new ArrayBuffer(HEADER_BYTES + bytes);
  const header = new DataView(buffer);
  header.setUint8(0, MESH_KIND_NAMES.indexOf(frame.kind));
  header.setUint8(1, message === null ? TYPE_NULL : message instanceof Float64Array ? TYPE_F64 : TYPE_U32);
  header.setInt32(4, frame.step, true);
  if (message) new Uint8Array(buffer, HEADER_BYTES).set(new Uint8Array(message.buffer, message.byteOffset, message.byteLength));
  return buffer;
}

/**
 * The frame in `buffer` (which it keeps: the message is a view of it), or throws
 * `GAS_ERR_WORKER` for bytes that are not a frame.
 */
export function decodeFrame(buffer: ArrayBuffer): MeshFrame {
  const bad = (problem: string): never => {
    throw new GasError('GAS_ERR_WORKER', `mesh: a peer sent a malformed frame (${problem}, ${buffer.byteLength} bytes)`);
  };
  if (buffer.byteLength < HEADER_BYTES) bad('shorter than its header');
  const header = new DataView(buffer);
  const kind = MESH_KIND_NAMES[header.getUint8(0)] ?? bad(`unknown kind ${header.getUint8(0)}`);
  const type = header.getUint8(1);
  const step = header.getInt32(4, true);
  const bytes = buffer.byteLength - HEADER_BYTES;
  if (type === TYPE_NULL) return bytes === 0 ? { kind, step, message: null } : bad('a null message with a body');
  if (type === TYPE_F64) return bytes % 8 === 0 ? { kind, step, message: new Float64Array(buffer, HEADER_BYTES, bytes / 8) } : bad('a ragged float64 body');
  if (type === TYPE_U32) return bytes % 4 === 0 ? { kind, step, message: new Uint32Array(buffer, HEADER_BYTES, bytes / 4) } : bad('a ragged uint32 body');
  return bad(`unknown message type ${type}`);
}
