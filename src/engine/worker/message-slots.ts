/**
 * Message storage reused from step to step, in SharedArrayBuffers: a worker writes each outgoing
 * message of a kind to a peer into the same shared slot, and the typed array that travels is a
 * view of it — a worker thread receives it by reference, with no copy, no transfer and no fresh
 * allocation. Measured faster than a new buffer moved by transfer list at every size
 * (bench/transfer.ts: 3.8× for 128 KiB round trips, 1.6× for 1 MiB and 32 MiB).
 *
 * Safe under BSP only: a message of kind k written in one phase is read by its receiver in the
 * next, and the sender writes kind k again only a full superstep later. The SSP engine keeps and
 * re-sends messages, so it runs without slots.
 */
export type MessageKind = 'flags' | 'partials' | 'values' | 'signals';

export class MessageSlots {
  private readonly float64 = new Map<string, Float64Array>();
  private readonly uint32 = new Map<string, Uint32Array>();

  /** A Float64Array of `length` in the (kind, peer) slot, grown when too small. */
  f64(kind: MessageKind, peer: number, length: number): Float64Array {
    return take(this.float64, `${kind}:${peer}`, length, (size) => new Float64Array(new SharedArrayBuffer(size * 8)));
  }

  u32(kind: MessageKind, peer: number, length: number): Uint32Array {
    return take(this.uint32, `${kind}:${peer}`, length, (size) => new Uint32Array(new SharedArrayBuffer(size * 4)));
  }
}

/** The first `length` elements of slot `key`, reallocated (grown) by `make` when too small. */
function take<T extends Float64Array | Uint32Array>(slots: Map<string, T>, key: string, length: number, make: (size: number) => T): T {
  let slot = slots.get(key);
  if (!slot || slot.length < length) {
    slot = make(grown(slot?.length ?? 0, length));
    slots.set(key, slot);
  }
  return slot.subarray(0, length) as T;
}

/** Room for `length`, with a quarter to spare so that slowly growing messages do not reallocate every step. */
function grown(current: number, length: number): number {
  return Math.max(length, Math.ceil(current * 1.25));
}
