/**
 * The asynchronous engine's schedulers: which signalled vertex runs next. GraphLab's three
 * (Low et al., "Distributed GraphLab", VLDB 2012, §3.3; PowerGraph's `fifo`, `priority` and
 * `sweep` schedulers):
 *
 * - **fifo**: vertices run in the order they were first signalled; a vertex signalled again
 *   while queued keeps its place (signals merge).
 * - **priority**: the highest priority first (`ctx.signal(v, priority)`, e.g. a residual), to
 *   within a factor 1.25 (buckets; first signalled first within one); a vertex signalled again
 *   while queued keeps the larger priority. Signals below the minimum priority are dropped, so
 *   the run ends once every pending change is small enough.
 * - **sweep**: repeated passes over the vertices in local-id order, running those signalled
 *   (a signal for a vertex later in the pass runs in this pass, earlier ones in the next).
 *
 * All three hold each vertex at most once, in typed arrays sized to the vertex count: no
 * allocation per signal, and the order is a pure function of the signals (an async run on one
 * worker is reproducible bit for bit).
 */
import { InvalidArgumentError } from '../../errors.js';

export interface Scheduler {
  /** Schedules `v` (or merges the signal into its pending one). */
  signal(v: number, priority: number): void;
  /** The next vertex to run, removed from the schedule; −1 when none is scheduled. */
  next(): number;
  /** Vertices scheduled now. */
  readonly size: number;
  /** Sweep with `holdPasses`: a pass has ended and the next waits for `resumePass`. */
  readonly held?: boolean;
  resumePass?(): void;
}

export const SCHEDULER_NAMES = ['fifo', 'priority', 'sweep'] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];

/**
 * `holdPasses` (sweep only): each pass ends by holding the schedule until `resumePass` — the
 * phased flights of async-runner.ts use it so that a worker's unshared vertices do not run pass
 * after pass on small amounts while its shared ones wait for their phases (measured on dynamic
 * PageRank, cnr-2000, 2 threads: 15.3 M updates without, against 8.1 M on one worker).
 */
export function createScheduler(name: string, numVertices: number, minPriority = 0, options: { holdPasses?: boolean } = {}): Scheduler {
  if (name === 'fifo') return new FifoScheduler(numVertices);
  if (name === 'priority') return new PriorityScheduler(numVertices, minPriority);
  if (name === 'sweep') return new SweepScheduler(numVertices, options.holdPasses ?? false);
  throw new InvalidArgumentError(`run: --scheduler must be one of ${SCHEDULER_NAMES.join(', ')}, got ${JSON.stringify(name)}`, { option: 'scheduler' });
}

/** A ring of vertex ids; each vertex at most once, so n slots always suffice. */
class FifoScheduler implements Scheduler {
  private readonly ring: Uint32Array;
  private readonly queued: Uint8Array;
  private head = 0;
  size = 0;

  constructor(n: number) {
    this.ring = new Uint32Array(Math.max(1, n));
    this.queued = new Uint8Array(n);
  }

  signal(v: number): void {
    if (this.queued[v] === 1) return;
    this.queued[v] = 1;
    this.ring[(this.head + this.size) % this.ring.length] = v;
    this.size++;
  }

  next(): number {
    if (this.size === 0) return -1;
    const v = this.ring[this.head]!;
    this.head = (this.head + 1) % this.ring.length;
    this.size--;
    this.queued[v] = 0;
    return v;
  }
}

/**
 * Vertices in buckets by priority: 4 buckets per octave (the key is a double's exponent and top
 * two mantissa bits: [1, 1.25), [1.25, 1.5), [1.5, 1.75), [1.75, 2) times a power of 2), each bucket a FIFO
 * list threaded through per-vertex links, and a two-level bitmap to find the highest non-empty
 * bucket. Every operation is O(1): a signal that raises a queued vertex into a higher bucket
 * moves it there. The order is the highest bucket first, first signalled first within one —
 * GraphLab's priority schedulers are likewise approximate, and an exact heap measured 8× slower
 * than this on dynamic PageRank over cnr-2000 (each update raises up to its out-degree of queued
 * neighbours: O(log n) each in a heap).
 */
class PriorityScheduler implements Scheduler {
  private static readonly BUCKETS = 1 << 13;
  /** Bucket of each queued vertex, −1 when not queued. */
  private readonly bucketOf: Int32Array;
  private readonly nextOf: Int32Array;
  private readonly prevOf: Int32Array;
  private readonly head = new Int32Array(PriorityScheduler.BUCKETS).fill(-1);
  private readonly tail = new Int32Array(PriorityScheduler.BUCKETS).fill(-1);
  /** Bit b of words[w]: bucket 32w + b is non-empty; bit w of summary[s]: words[32s + w] is non-zero. */
  private readonly words = new Uint32Array(PriorityScheduler.BUCKETS >>> 5);
  private readonly summary = new Uint32Array(PriorityScheduler.BUCKETS >>> 10);
  private readonly scratch = new Float64Array(1);
  private readonly scratchBits = new Uint32Array(this.scratch.buffer);
  size = 0;

  constructor(
    n: number,
    private readonly minPriority: number,
  ) {
    this.bucketOf = new Int32Array(n).fill(-1);
    this.nextOf = new Int32Array(n);
    this.prevOf = new Int32Array(n);
  }

  /** The bucket of a priority: positive doubles order as their bit patterns; zero, negatives and NaN share bucket 0. */
  private keyOf(priority: number): number {
    if (!(priority > 0)) return 0;
    this.scratch[0] = priority;
    return this.scratchBits[1]! >>> 18;
  }

  signal(v: number, priority: number): void {
    const at = this.bucketOf[v]!;
    if (at >= 0) {
      const key = this.keyOf(priority);
      if (key > at) {
        this.unlink(v, at);
        this.append(v, key);
      }
      return;
    }
    if (!(priority >= this.minPriority)) return;
    this.append(v, this.keyOf(priority));
    this.size++;
  }

  next(): number {
    if (this.size === 0) return -1;
    const { summary, words } = this;
    let s = summary.length - 1;
    while (summary[s] === 0) s--;
    const w = (s << 5) + 31 - Math.clz32(summary[s]!);
    const bucket = (w << 5) + 31 - Math.clz32(words[w]!);
    const v = this.head[bucket]!;
    this.unlink(v, bucket);
    this.size--;
    return v;
  }

  private append(v: number, bucket: number): void {
    const last = this.tail[bucket]!;
    this.bucketOf[v] = bucket;
    this.nextOf[v] = -1;
    this.prevOf[v] = last;
    if (last >= 0) this.nextOf[last] = v;
    else {
      this.head[bucket] = v;
      const w = bucket >>> 5;
      this.words[w]! |= 1 << (bucket & 31);
      this.summary[w >>> 5]! |= 1 << (w & 31);
    }
    this.tail[bucket] = v;
  }

  private unlink(v: number, bucket: number): void {
    const before = this.prevOf[v]!;
    const after = this.nextOf[v]!;
    if (before >= 0) this.nextOf[before] = after;
    else this.head[bucket] = after;
    if (after >= 0) this.prevOf[after] = before;
    else this.tail[bucket] = before;
    this.bucketOf[v] = -1;
    if (this.head[bucket] === -1) {
      const w = bucket >>> 5;
      this.words[w]! &= ~(1 << (bucket & 31));
      if (this.words[w] === 0) this.summary[w >>> 5]! &= ~(1 << (w & 31));
    }
  }
}

/** Passes over the vertices in order; a pass that finds nothing signalled ends the schedule. */
class SweepScheduler implements Scheduler {
  private readonly signaled: Uint8Array;
  private cursor = 0;
  size = 0;
  held = false;

  constructor(
    private readonly n: number,
    private readonly holdPasses: boolean,
  ) {
    this.signaled = new Uint8Array(n);
  }

  resumePass(): void {
    this.held = false;
  }

  signal(v: number): void {
    if (this.signaled[v] === 1) return;
    this.signaled[v] = 1;
    this.size++;
  }

  next(): number {
    if (this.size === 0 || this.held) return -1;
    const { signaled, n } = this;
    for (;;) {
      const v = this.cursor;
      const last = v + 1 === n;
      this.cursor = last ? 0 : v + 1;
      // The pass ends after v.
      if (last && this.holdPasses) this.held = true;
      if (signaled[v] === 1) {
        signaled[v] = 0;
        this.size--;
        return v;
      }
      if (this.held) return -1;
    }
  }
}
