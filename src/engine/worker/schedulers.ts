/**
 * The asynchronous engine's schedulers: which signalled vertex runs next. GraphLab's three
 * (Low et al., "Distributed GraphLab", VLDB 2012, §3.3; PowerGraph's `fifo`, `priority` and
 * `sweep` schedulers):
 *
 * - **fifo**: vertices run in the order they were first signalled; a vertex signalled again
 *   while queued keeps its place (signals merge).
 * - **priority**: the highest priority first (`ctx.signal(v, priority)`, e.g. a residual); a
 *   vertex signalled again while queued keeps the larger priority. Signals below the minimum
 *   priority are dropped, so the run ends once every pending change is small enough.
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
}

export const SCHEDULER_NAMES = ['fifo', 'priority', 'sweep'] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];

export function createScheduler(name: string, numVertices: number, minPriority = 0): Scheduler {
  if (name === 'fifo') return new FifoScheduler(numVertices);
  if (name === 'priority') return new PriorityScheduler(numVertices, minPriority);
  if (name === 'sweep') return new SweepScheduler(numVertices);
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
 * A binary max-heap of vertices keyed by priority, with each vertex's heap position kept so a
 * repeated signal can raise a queued vertex's priority in place (O(log n)). Ties go to the lower
 * vertex id, so the order does not depend on how the heap happened to be built.
 */
class PriorityScheduler implements Scheduler {
  private readonly heap: Uint32Array;
  private readonly priority: Float64Array;
  /** Heap index of each vertex, −1 when not queued. */
  private readonly position: Int32Array;
  size = 0;

  constructor(
    n: number,
    private readonly minPriority: number,
  ) {
    this.heap = new Uint32Array(Math.max(1, n));
    this.priority = new Float64Array(n);
    this.position = new Int32Array(n).fill(-1);
  }

  signal(v: number, priority: number): void {
    const at = this.position[v]!;
    if (at >= 0) {
      if (priority > this.priority[v]!) {
        this.priority[v] = priority;
        this.up(at);
      }
      return;
    }
    if (!(priority >= this.minPriority)) return;
    this.priority[v] = priority;
    this.heap[this.size] = v;
    this.position[v] = this.size;
    this.size++;
    this.up(this.size - 1);
  }

  next(): number {
    if (this.size === 0) return -1;
    const top = this.heap[0]!;
    this.position[top] = -1;
    this.size--;
    if (this.size > 0) {
      const last = this.heap[this.size]!;
      this.heap[0] = last;
      this.position[last] = 0;
      this.down(0);
    }
    return top;
  }

  /** Whether vertex a should run before vertex b. */
  private before(a: number, b: number): boolean {
    const pa = this.priority[a]!;
    const pb = this.priority[b]!;
    return pa > pb || (pa === pb && a < b);
  }

  private up(at: number): void {
    const { heap, position } = this;
    const v = heap[at]!;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const p = heap[parent]!;
      if (!this.before(v, p)) break;
      heap[at] = p;
      position[p] = at;
      at = parent;
    }
    heap[at] = v;
    position[v] = at;
  }

  private down(at: number): void {
    const { heap, position } = this;
    const v = heap[at]!;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= this.size) break;
      const right = left + 1;
      const child = right < this.size && this.before(heap[right]!, heap[left]!) ? right : left;
      if (!this.before(heap[child]!, v)) break;
      heap[at] = heap[child]!;
      position[heap[at]!] = at;
      at = child;
    }
    heap[at] = v;
    position[v] = at;
  }
}

/** Passes over the vertices in order; a pass that finds nothing signalled ends the schedule. */
class SweepScheduler implements Scheduler {
  private readonly signaled: Uint8Array;
  private cursor = 0;
  size = 0;

  constructor(private readonly n: number) {
    this.signaled = new Uint8Array(n);
  }

  signal(v: number): void {
    if (this.signaled[v] === 1) return;
    this.signaled[v] = 1;
    this.size++;
  }

  next(): number {
    if (this.size === 0) return -1;
    const { signaled, n } = this;
    for (;;) {
      const v = this.cursor;
      this.cursor = v + 1 === n ? 0 : v + 1;
      if (signaled[v] === 1) {
        signaled[v] = 0;
        this.size--;
        return v;
      }
    }
  }
}
