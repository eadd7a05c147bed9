/**
 * The records workers send each other during an asynchronous run, batched per peer into one
 * Float64Array per flush (one mesh frame of kind `async`). Vertices are named by global id (exact
 * in a float64). Layouts, after the record type:
 *
 *   SIGNAL   gid, priority              schedule v at its master
 *   LOCK     gid, gatherNow, n, n gids  take v's lock set here (plus n extra write locks); reply GRANT
 *   GRANT    gid, n, n values           locks taken; n ≥ 0: this replica's gather partial came along
 *   GATHER   gid                        gather v over this worker's edges; reply PARTIAL
 *   PARTIAL  gid, n, n values
 *   COMMIT   gid, values                install v's new values, scatter; reply DONE
 *   DONE     gid
 *   RELEASE  gid                        let go of v's lock set here
 *   MESSAGE  gid, value                 add value to v's inbox at its master (`ctx.send`)
 *
 * Phased flights (edge consistency on several workers; see async-runner.ts):
 *
 *   PGATHER      phase, gid             take v's lock set here, gather; reply PPARTIAL
 *   PGATHER_END  phase, count           the sender's PGATHERs to this worker in the phase: count
 *   PPARTIAL     gid, n, n values       (n = 0 for a program without gather)
 *   PCOMMIT      gid, values            install v's new values, scatter, let go of v's lock set
 *   PEND         phase, vote            the sender's part of the phase is over; its vote for the next
 *   PVOTE        phase, round, vote     a vote for the colour of `phase`, when the last one found none
 *   PLOCK        phase, gid             (a flight with several mirrors) take v's lock set here; reply PLOCKED
 *   PLOCKED      gid
 *   PGATHER_NOW  gid                    gather (v's lock set is held); reply PPARTIAL
 */
export const RECORD = {
  SIGNAL: 0,
  LOCK: 1,
  GRANT: 2,
  GATHER: 3,
  PARTIAL: 4,
  COMMIT: 5,
  DONE: 6,
  RELEASE: 7,
  MESSAGE: 8,
  PGATHER: 9,
  PGATHER_END: 10,
  PPARTIAL: 11,
  PCOMMIT: 12,
  PEND: 13,
  PVOTE: 14,
  PLOCK: 15,
  PLOCKED: 16,
  PGATHER_NOW: 17,
} as const;

/** One peer's records since the last flush, in a growing buffer. */
export class RecordBatch {
  private buffer = new Float64Array(256);
  length = 0;

  /** Room for `count` more numbers; returns the position to write them at. */
  reserve(count: number): number {
    const at = this.length;
    if (at + count > this.buffer.length) {
      const grown = new Float64Array(Math.max(this.buffer.length * 2, at + count));
      grown.set(this.buffer.subarray(0, at));
      this.buffer = grown;
    }
    this.length = at + count;
    return at;
  }

  get data(): Float64Array {
    return this.buffer;
  }

  push2(type: number, a: number): void {
    const at = this.reserve(2);
    this.buffer[at] = type;
    this.buffer[at + 1] = a;
  }

  push3(type: number, a: number, b: number): void {
    const at = this.reserve(3);
    this.buffer[at] = type;
    this.buffer[at + 1] = a;
    this.buffer[at + 2] = b;
  }

  /** `type, gid, values.length, values…` */
  pushValues(type: number, gid: number, values: ArrayLike<number>): void {
    const at = this.reserve(3 + values.length);
    const buffer = this.buffer;
    buffer[at] = type;
    buffer[at + 1] = gid;
    buffer[at + 2] = values.length;
    for (let i = 0; i < values.length; i++) buffer[at + 3 + i] = values[i]!;
  }

  /** The records as a message of their own (the batch starts empty again). */
  take(): Float64Array {
    const message = this.buffer.slice(0, this.length);
    this.length = 0;
    return message;
  }
}
