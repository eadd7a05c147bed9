/**
 * A worker's locks over its replicas, for asynchronous runs under a consistency model (Low et
 * al., "Distributed GraphLab", VLDB 2012, §4.2.2): each local vertex has a writer flag and a
 * reader count. An update takes a *lock set* on a worker all at once or not at all (`tryTake`);
 * sets are encoded as Int32Arrays, a write lock on v as −(v + 1) and a read lock as v. A set
 * that cannot be taken names the first vertex in its way (`conflictOf`), so its owner waits on
 * that vertex alone and is tried again only when a lock on it is let go.

 *
 * The scope an update locks on a worker holding a replica of its vertex v (`scopeLocks`):
 *
 * - `edge`: write v, read every neighbour over this worker's edges. Two adjacent vertices then
 *   always meet on the worker holding their edge (every edge lives on exactly one worker, and
 *   both its endpoints have a replica there): one writes what the other reads.
 * - `full`: write v and every neighbour here. Two vertices at distance 2 share a neighbour w,
 *   but may reach it over edges on different workers; so each also write-locks w on w's master
 *   (`extraLocks`, computed once per run), where they meet.
 * - `vertex`: no locks; the master never runs a vertex twice at once.
 */
import type { ExchangePlan } from './exchange-plan.js';
import type { LocalGraph } from './local-graph.js';

export const CONSISTENCY_MODELS = ['vertex', 'edge', 'full'] as const;
export type Consistency = (typeof CONSISTENCY_MODELS)[number];

export function isConsistency(name: string): name is Consistency {
  return (CONSISTENCY_MODELS as readonly string[]).includes(name);
}

export class LockTable {
  private readonly writer: Uint8Array;
  private readonly readers: Uint32Array;
  /** Lock sets held now (while 0, `free` needs no look at the tables). */
  held = 0;

  constructor(numVertices: number) {
    this.writer = new Uint8Array(numVertices);
    this.readers = new Uint32Array(numVertices);
  }

  /** The first vertex of `set` whose lock conflicts with a lock held, or −1 if the whole set can be taken. */
  conflictOf(set: Int32Array): number {
    const { writer, readers } = this;
    for (let i = 0; i < set.length; i++) {
      const entry = set[i]!;
      if (entry < 0) {
        const v = -entry - 1;
        if (writer[v] !== 0 || readers[v] !== 0) return v;
      } else if (writer[entry] !== 0) return entry;
    }
    return -1;
  }

  /** Takes every lock of `set` (which `conflictOf` found free). */
  take(set: Int32Array): void {
    const { writer, readers } = this;
    for (let i = 0; i < set.length; i++) {
      const entry = set[i]!;
      if (entry < 0) writer[-entry - 1] = 1;
      else readers[entry]!++;
    }
    this.held++;
  }

  /**
   * A write lock on v alone (phased flights, edge consistency): every update whose scope takes v
   * — v's own, and a neighbour's, which reads v — finds it in its way. Whether v was free is the
   * caller's to know.
   */
  mark(v: number): void {
    this.writer[v] = 1;
    this.held++;
  }

  unmark(v: number): void {
    this.writer[v] = 0;
    this.held--;
  }

  /** Whether any lock is held on v. */
  isLocked(v: number): boolean {
    return this.writer[v] !== 0 || this.readers[v] !== 0;
  }

  release(set: Int32Array): void {
    const { writer, readers } = this;
    for (let i = 0; i < set.length; i++) {
      const entry = set[i]!;
      if (entry < 0) writer[-entry - 1] = 0;
      else readers[entry]!--;
    }
    this.held--;
  }

  /**
   * The first vertex in the way of v's local scope (write v, read — or write — its neighbours
   * here), or −1 if every lock is free, without building the set: a vertex that runs at once,
   * holding nothing while it runs.
   */
  scopeConflict(graph: LocalGraph, v: number, writeNeighbors: boolean): number {
    if (this.held === 0) return -1;
    const { writer, readers } = this;
    if (writer[v] !== 0 || readers[v] !== 0) return v;
    const { outOffsets, dst, inOffsets, inSources } = graph;
    for (let e = outOffsets[v]!, end = outOffsets[v + 1]!; e < end; e++) {
      const u = dst[e]!;
      if (u !== v && (writer[u] !== 0 || (writeNeighbors && readers[u] !== 0))) return u;
    }
    for (let k = inOffsets[v]!, end = inOffsets[v + 1]!; k < end; k++) {
      const u = inSources[k]!;
      if (u !== v && (writer[u] !== 0 || (writeNeighbors && readers[u] !== 0))) return u;
    }
    return -1;
  }
}

/**
 * The locks v's update takes on this worker (`v` −1: the worker holds no replica of v and takes
 * only `extra`, the local ids v's full-consistency scope write-locks here).
 */
export function scopeLocks(graph: LocalGraph, v: number, consistency: Consistency, extra: readonly number[] = []): Int32Array {
  const locks: number[] = [];
  if (v >= 0 && consistency !== 'vertex') {
    locks.push(-v - 1);
    const mark = (u: number): void => {
      if (u !== v) locks.push(consistency === 'full' ? -u - 1 : u);
    };
    for (let e = graph.outOffsets[v]!, end = graph.outOffsets[v + 1]!; e < end; e++) mark(graph.dst[e]!);
    for (let k = graph.inOffsets[v]!, end = graph.inOffsets[v + 1]!; k < end; k++) mark(graph.inSources[k]!);
  }
  for (const u of extra) locks.push(-u - 1);
  return Int32Array.from(locks);
}

/**
 * Full consistency: for each local vertex v, the neighbours u over this worker's edges whose
 * master is on another worker — v's update must write-lock u there. Returned as
 * `[gid v, worker, gid u]` triples per master worker of v (the master assembles v's whole plan).
 */
export function extraLockTriples(graph: LocalGraph, plan: ExchangePlan): number[][] {
  const out: number[][] = Array.from({ length: plan.numWorkers }, () => []);
  const { gid, outOffsets, dst, inOffsets, inSources } = graph;
  const { masterWorker, worker } = plan;
  for (let v = 0; v < graph.numVertices; v++) {
    const to = out[masterWorker[v]!]!;
    const visit = (u: number): void => {
      const owner = masterWorker[u]!;
      if (u !== v && owner !== worker) to.push(gid[v]!, owner, gid[u]!);
    };
    for (let e = outOffsets[v]!, end = outOffsets[v + 1]!; e < end; e++) visit(dst[e]!);
    for (let k = inOffsets[v]!, end = inOffsets[v + 1]!; k < end; k++) visit(inSources[k]!);
  }
  return out;
}

/**
 * Things waiting on a vertex of this worker until a lock on it is let go — lock sets that found
 * it in their way, vertices that could not run at once — so that nothing is looked at again
 * before what stopped it has changed.
 */
export class VertexQueues<T> {
  private readonly queues = new Map<number, T[]>();
  private readonly queued: Uint8Array;

  constructor(numVertices: number) {
    this.queued = new Uint8Array(numVertices);
  }

  get empty(): boolean {
    return this.queues.size === 0;
  }

  add(vertex: number, item: T): void {
    const queue = this.queues.get(vertex);
    if (queue) queue.push(item);
    else {
      this.queues.set(vertex, [item]);
      this.queued[vertex] = 1;
    }
  }

  /** Moves every item waiting on `vertex` to `out`. */
  wakeOne(vertex: number, out: T[]): void {
    if (this.queued[vertex] === 0) return;
    this.queued[vertex] = 0;
    for (const item of this.queues.get(vertex)!) out.push(item);
    this.queues.delete(vertex);
  }

  /** Moves every item waiting on a vertex of the lock set `set` to `out`. */
  wake(set: Int32Array, out: T[]): void {
    if (this.queues.size === 0) return;
    const { queued } = this;
    for (let i = 0; i < set.length; i++) {
      const entry = set[i]!;
      const vertex = entry < 0 ? -entry - 1 : entry;
      if (queued[vertex] === 0) continue;
      queued[vertex] = 0;
      for (const item of this.queues.get(vertex)!) out.push(item);
      this.queues.delete(vertex);
    }
  }
}
